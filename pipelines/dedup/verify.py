"""The verifier: is a candidate from the LSH index a copy (edited from the same text) or not?

Measured on real Korean regional news (see README.md), no whole-text similarity separates
copies from rewrites of the same event and from same-template notices. What does separate them:

* a copy keeps many sentences near-verbatim *and in order* — an order-preserving alignment of
  sentences covers most of the shorter text, however much was trimmed or added around it;
* a rewrite shares facts and quotes, not sentences — quoted speech is removed before matching
  because rewrites quote the same officials verbatim;
* a template twin (another year's notice, another fire station) aligns sentence by sentence but
  its numbers disagree inside the aligned sentences (69회/71회, 13일/12일, 30만원/40만원).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from scraper.config import DedupConfig

from .text import evidence_sentences

_DIGITS = re.compile(r"\d+")
_GRAM = 4  # sentence similarity uses 4-grams: short Korean sentences have few 5-grams


@dataclass(frozen=True, slots=True)
class Prepared:
    """A body ready for verification: evidence text, its sentences, their n-grams and numbers."""

    text: str  # evidence sentences joined: the string that verbatim runs are measured on
    grams: tuple[frozenset[str], ...]
    numbers: tuple[frozenset[str], ...]

    @classmethod
    def from_clean(cls, clean: str) -> Prepared:
        sents = evidence_sentences(clean)
        grams = tuple(frozenset(s[i : i + _GRAM] for i in range(len(s) - _GRAM + 1)) for s in sents)
        numbers = tuple(frozenset(_DIGITS.findall(s)) for s in sents)
        return cls("".join(sents), grams, numbers)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verifier's measurements for one pair and its conclusion."""

    is_copy: bool
    score: float  # share of the shorter text inside long verbatim runs shared in order
    shared: int  # characters in those runs
    aligned: int  # sentences aligned in order
    conflicts: int  # aligned sentence pairs whose numbers disagree

    def detail(self) -> str:
        return f"runs={self.score:.2f} shared={self.shared} aligned={self.aligned} num_conflicts={self.conflicts}"


def verify(new: Prepared, old: Prepared, cfg: DedupConfig) -> Verdict:
    """Measure shared verbatim runs and number agreement of two bodies; decide copy or not."""
    shorter = min(len(new.text), len(old.text))
    if shorter == 0:
        return Verdict(False, 0.0, 0, 0, 0)
    shared = _shared_runs(new.text, old.text, cfg.min_run)
    score = shared / shorter
    pairs = _align(new, old, cfg.sentence_similarity)
    conflicts = sum(1 for i, j, _ in pairs if _numbers_conflict(new.numbers[i], old.numbers[j]))
    template = conflicts >= 2 and conflicts > cfg.max_conflict_share * len(pairs)
    contained = score >= cfg.contained and shared >= cfg.min_run * 2
    is_copy = not template and (contained or (score >= cfg.threshold and shared >= cfg.min_shared))
    return Verdict(is_copy, score, shared, len(pairs), conflicts)


def _shared_runs(a: str, b: str, min_run: int) -> int:
    """Characters of `a` in common runs of at least `min_run` characters that keep their order.

    difflib finds the longest common block, then recurses left and right of it: an
    order-preserving tiling. Short common runs (names, dates, stock phrases) are ignored.
    """
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return sum(bl.size for bl in blocks if bl.size >= min_run)


def _align(a: Prepared, b: Prepared, min_sim: float) -> list[tuple[int, int, int]]:
    """Order-preserving one-to-one sentence alignment maximising shared n-grams.

    Returns (i, j, shared grams) for each aligned pair. Sentences count as matching when the
    shared n-grams cover at least `min_sim` of the shorter sentence.
    """
    n, m = len(a.grams), len(b.grams)
    weight: dict[tuple[int, int], int] = {}
    for i, ga in enumerate(a.grams):
        if not ga:
            continue
        for j, gb in enumerate(b.grams):
            if not gb:
                continue
            shared = len(ga & gb)
            if shared and shared >= min_sim * min(len(ga), len(gb)):
                weight[i, j] = shared
    if not weight:
        return []
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(m - 1, -1, -1):
            take = weight.get((i, j), 0)
            row[j] = max(below[j], row[j + 1], below[j + 1] + take if take else 0)
    pairs: list[tuple[int, int, int]] = []
    i = j = 0
    while i < n and j < m:
        take = weight.get((i, j), 0)
        if take and best[i][j] == best[i + 1][j + 1] + take:
            pairs.append((i, j, take))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _numbers_conflict(x: frozenset[str], y: frozenset[str]) -> bool:
    """Both sentences carry a number the other lacks: another year, date, amount or count."""
    return bool(x - y) and bool(y - x)
