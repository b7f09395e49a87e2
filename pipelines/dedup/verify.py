"""The verifier: is a candidate from the LSH index a copy (edited from the same text) or not?

Measured on real Korean regional news (see README.md), no whole-text similarity separates
copies from rewrites of the same event and from same-template notices. What does separate them:

* a copy keeps many sentences near-verbatim *and in order* — order-preserving verbatim runs
  (runs.py) cover much of the shorter text, however much was trimmed or added around it;
* a rewrite shares facts and quotes, not sentences — quoted speech is removed before matching
  because rewrites quote the same officials verbatim;
* a template twin (another year's notice, another fire station, another 동's road plan) aligns
  sentence by sentence once digits are masked, but its numbers disagree inside the aligned
  sentences (69회/71회, 1870-3번지/552-11번지, 2471/2476). Syndicated copies keep them.

Most candidates share only stock phrases; `runs.coverage_bound` rejects those with a few numpy
operations before the exact run tiling and the sentence alignment run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
import numpy.typing as npt

from scraper.config import DedupConfig

from .runs import Hashes, coverage_bound, shared_runs, window_hashes
from .text import MIN_SENTENCE_KEY, evidence_sentences

_DIGITS = re.compile(r"\d+")
_GRAM = 4  # sentence similarity uses 4-grams: short Korean sentences have few 5-grams
_DEFAULT_WIDTH = DedupConfig().min_run
_MIN_TITLE = 6  # headline key characters, at least, for headline evidence
_STORED_FORM = re.compile(r"[0-9A-Za-z\uac00-\ud7a3\n]*")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A body ready for verification: evidence text, its sentences and its run-window hashes."""

    text: str  # evidence sentences joined: the string that verbatim runs are measured on
    sentences: tuple[str, ...]
    windows: Hashes  # runs.window_hashes(text, width)
    distinct: Hashes  # the same, sorted: membership tests by binary search
    width: int

    @classmethod
    def from_clean(cls, clean: str, width: int = _DEFAULT_WIDTH) -> Prepared:
        """From a cleaned body, or from `stored_form()` text (read back from the index)."""
        if _STORED_FORM.fullmatch(clean):  # already sentence keys, one a line: a fast split
            sents = tuple(s for s in clean.split("\n") if len(s) >= MIN_SENTENCE_KEY)
        else:
            sents = tuple(evidence_sentences(clean))
        text = "".join(sents)
        windows = window_hashes(text, width)
        return cls(text, sents, windows, np.sort(windows), width)

    def stored_form(self) -> str:
        """The evidence sentences, one a line: what the index keeps to re-read as a candidate.

        `from_clean` of this text gives the same Prepared, without the regex work of cleaning.
        """
        return "\n".join(self.sentences)

    def windows_for(self, width: int) -> tuple[Hashes, Hashes | None]:
        """Window hashes (and their sorted set, if at hand) for runs of `width` characters."""
        if width == self.width:
            return self.windows, self.distinct
        return window_hashes(self.text, width), None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verifier's measurements for one pair and its conclusion."""

    is_copy: bool
    score: float  # share of the shorter text inside long verbatim runs shared in order
    shared: int  # characters in those runs (for a filtered pair: the upper bound)
    aligned: int  # sentences aligned in order
    conflicts: int  # aligned sentence pairs whose numbers disagree
    filtered: bool = False  # rejected by the cheap bound, before the exact measures

    def detail(self) -> str:
        if self.filtered:
            return f"bound={self.score:.2f} filtered"
        return f"runs={self.score:.2f} shared={self.shared} aligned={self.aligned} num_conflicts={self.conflicts}"


def needed_shared(shorter: int, cfg: DedupConfig, titled: bool = False) -> float:
    """Fewest run characters any copy verdict needs for a shorter text of `shorter` characters.

    `titled`: the two headlines are alike (`similar_titles`), which lowers the bar.
    """
    share = min(cfg.threshold, cfg.contained)
    chars = min(2 * cfg.min_run, cfg.min_shared)
    if titled:
        share, chars = min(share, cfg.title_threshold), min(chars, cfg.title_min_shared)
    return max(share * shorter, chars)


def similar_titles(a: str, b: str, cfg: DedupConfig) -> bool:
    """Two headline keys (`text.key` of the titles) alike enough to count as one headline.

    Outlets often keep a release's headline, or change a word of it, when they copy the body;
    rewrites and other notices get their own. Very short headlines prove nothing.
    """
    if min(len(a), len(b)) < _MIN_TITLE:
        return False
    m = SequenceMatcher(None, a, b, autojunk=False)
    # the quick ratios are upper bounds of ratio(): most pairs of unlike headlines stop there
    t = cfg.title_similarity
    return m.real_quick_ratio() >= t and m.quick_ratio() >= t and m.ratio() >= t


def verify(new: Prepared, old: Prepared, cfg: DedupConfig, titled: bool = False) -> Verdict:
    """Measure shared verbatim runs and number agreement of two bodies; decide copy or not.

    `titled`: their headlines are alike, so less verbatim body text makes a copy
    (`cfg.title_threshold`, `cfg.title_min_shared`) — condensed copies keep the headline.
    """
    shorter = min(len(new.text), len(old.text))
    if shorter == 0:
        return Verdict(False, 0.0, 0, 0, 0)
    wa, _ = new.windows_for(cfg.min_run)
    wb, sorted_b = old.windows_for(cfg.min_run)
    bound = coverage_bound(wa, wb, cfg.min_run, sorted_b)
    if bound < needed_shared(shorter, cfg, titled):
        return Verdict(False, bound / shorter, bound, 0, 0, filtered=True)
    shared = shared_runs(new.text, old.text, wa, wb, cfg.min_run)
    score = shared / shorter
    contained = score >= cfg.contained and shared >= cfg.min_run * 2
    plain = score >= cfg.threshold and shared >= cfg.min_shared
    headline = titled and score >= cfg.title_threshold and shared >= cfg.title_min_shared
    if not (contained or plain or headline):
        return Verdict(False, score, shared, 0, 0)
    pairs = align(new.sentences, old.sentences, cfg.sentence_similarity)
    conflicts = sum(1 for i, j in pairs if numbers_conflict(new.sentences[i], old.sentences[j]))
    template = conflicts >= 2 and conflicts > cfg.max_conflict_share * len(pairs)
    return Verdict(not template, score, shared, len(pairs), conflicts)


def _sentence_grams(sentences: tuple[str, ...]) -> tuple[Hashes, npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Distinct digit-masked 4-gram hashes of each sentence: (hashes, sentence of each, sizes).

    Numbers are masked so that template twins still align sentence by sentence.
    """
    masked = [_DIGITS.sub("#", s) for s in sentences]
    lengths = np.array([len(s) for s in masked], dtype=np.intp)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.intp)
    h = window_hashes("\x00".join(masked), _GRAM)
    sid = np.repeat(np.arange(len(masked)), lengths + 1)[: h.size]
    valid = np.arange(h.size) - starts[sid] <= lengths[sid] - _GRAM  # not across a separator
    h, sid = h[valid], sid[valid]
    order = np.lexsort((h, sid))
    h, sid = h[order], sid[order]
    keep = np.ones(h.size, dtype=bool)
    keep[1:] = (h[1:] != h[:-1]) | (sid[1:] != sid[:-1])
    h, sid = h[keep], sid[keep]
    return h, sid, np.bincount(sid, minlength=len(masked))


def _shared_grams(
    a: tuple[str, ...], b: tuple[str, ...]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Shared masked 4-grams of every sentence pair (a matrix), and each sentence's 4-gram count.

    One sort and one binary search serve all pairs.
    """
    ha, sa, size_a = _sentence_grams(a)
    hb, sb, size_b = _sentence_grams(b)
    order = np.argsort(hb, kind="stable")
    hb, sb = hb[order], sb[order]
    lo = np.searchsorted(hb, ha, side="left")
    counts = np.searchsorted(hb, ha, side="right") - lo
    total = int(counts.sum())
    ia = np.repeat(sa, counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    jb = sb[np.repeat(lo, counts) + offsets]
    shared = np.bincount(ia * len(b) + jb, minlength=len(a) * len(b)).reshape(len(a), len(b))
    return shared, size_a, size_b


def align(a: tuple[str, ...], b: tuple[str, ...], min_sim: float) -> list[tuple[int, int]]:
    """Order-preserving one-to-one sentence alignment maximising shared (digit-masked) 4-grams.

    Sentences can align when the shared 4-grams cover at least `min_sim` of the shorter one.
    """
    if not a or not b:
        return []
    shared, size_a, size_b = _shared_grams(a, b)
    ok = (shared > 0) & (shared >= min_sim * np.minimum(size_a[:, None], size_b[None, :]))
    if not ok.any():
        return []
    weight = np.where(ok, shared, 0).tolist()
    n, m = len(a), len(b)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below, w = best[i], best[i + 1], weight[i]
        for j in range(m - 1, -1, -1):
            take = w[j]
            row[j] = max(below[j], row[j + 1], below[j + 1] + take if take else 0)
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        take = weight[i][j]
        if take and best[i][j] == best[i + 1][j + 1] + take:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def numbers_conflict(x: str, y: str) -> bool:
    """Both sentences carry a number the other lacks: another year, date, amount or count."""
    nx, ny = set(_DIGITS.findall(x)), set(_DIGITS.findall(y))
    return bool(nx - ny) and bool(ny - nx)
