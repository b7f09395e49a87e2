"""Deduper: is a new article new, an exact copy, or a near copy of stored articles?

The chain for one article: clean the body (datelines, bylines) → exact lookup by body hash →
MinHash of character shingles → one indexed query over its LSH band buckets, plus one over the
headline index (headline.py) for articles with an alike headline → verify the candidates by
verbatim runs and sentence alignment (verify.py) → a DedupDecision.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import unicodedata
from collections import OrderedDict
from dataclasses import astuple, dataclass
from datetime import UTC, datetime

from scraper.config import DedupConfig
from scraper.errors import ConfigError
from scraper.models import DedupDecision

from . import headline
from .headline import HeadlineHasher
from .index import MERGE_EVERY, DedupIndex
from .minhash import MinHasher, Signature, band_keys, signature_to_blob
from .runs import covered_by, presence_table
from .text import body_hash_of_clean, clean_body, key
from .verify import Prepared, Verdict, needed_shared, similar_titles, verify

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Analysed:
    """Everything check() computes about a body, kept so add() need not compute it again."""

    body: str
    clean: str
    body_hash: str
    signature: Signature
    buckets: tuple[int, ...]
    title: str = ""  # headline key
    title_buckets: tuple[int, ...] = ()  # headline index keys
    prepared: Prepared | None = None
    verdicts: tuple[tuple[int, Verdict], ...] = ()


class Deduper:
    """Decides whether an article copies stored ones; indexes articles in the caller's database."""

    def __init__(self, conn: sqlite3.Connection, cfg: DedupConfig, merge_every: int = MERGE_EVERY) -> None:
        """`merge_every`: articles kept in the index's recent tier before it is merged (index.py)."""
        if cfg.num_perm % cfg.bands:
            raise ConfigError(f"dedup.num_perm ({cfg.num_perm}) must be a multiple of dedup.bands ({cfg.bands})")
        self._cfg = cfg
        self._hasher = MinHasher(cfg.num_perm, cfg.shingle_size, cfg.seed)
        signature_settings = f"char{cfg.shingle_size}/perm{cfg.num_perm}/bands{cfg.bands}/seed{cfg.seed}"
        digest = hashlib.blake2b(repr(astuple(cfg)).encode(), digest_size=6).hexdigest()
        self.settings_version = f"{signature_settings}/{headline.SETTINGS}/{digest}"
        self._headlines = HeadlineHasher()
        self._index = DedupIndex(
            conn, signature_settings, headline.SETTINGS, self._headlines.keys, merge_every, (cfg.bands, headline.BANDS)
        )
        self._last: _Analysed | None = None
        # Stored verifier texts by article id, most recently used last: popular candidates (a
        # story's original, a beat's stock phrases) come up again and again.
        self._stored: OrderedDict[int, str] = OrderedDict()

    def check(self, title: str, body: str) -> DedupDecision:
        """Judge `body` against every article added so far. Writes nothing.

        `title` only ever helps: a headline like the candidate's lets a condensed copy through
        on less verbatim text (copies often carry another headline, so a different one is no
        evidence against a copy).
        """
        a = self._analyse(title, body)
        if not a.clean or not key(a.clean):
            self._last = a
            return DedupDecision("new", detail="empty body")
        match = self._index.exact(a.body_hash)
        if match is not None:
            self._last = a
            return DedupDecision("exact", match_id=match, score=1.0, detail="same body hash")
        prepared = Prepared.from_clean(a.clean, self._cfg.min_run)  # windows of min_run characters
        found = self._near(a, prepared)
        self._last = _Analysed(
            a.body, a.clean, a.body_hash, a.signature, a.buckets, a.title, a.title_buckets, prepared, tuple(found)
        )
        if not found:
            return DedupDecision("new")
        (best_id, best), *rest = found
        return DedupDecision(
            "near",
            match_id=best_id,
            score=round(best.score, 4),
            detail=best.detail(),
            also=tuple(sorted(i for i, _ in rest)),
        )

    def forget_uncommitted(self) -> None:
        """Drop in-memory state after the caller rolled back a transaction (ids may be reused)."""
        self._stored.clear()
        self._last = None
        self._index.forget_uncommitted()

    def add(self, article_id: int, title: str, body: str, decision: DedupDecision) -> None:
        """Index the article and record `decision` in the duplicates table (not committed)."""
        last = self._last
        a = last if last is not None and last.body == body and last.title == key(title) else self._analyse(title, body)
        # An exact copy adds nothing to the LSH index: its buckets are the original's.
        buckets = () if decision.method == "exact" else a.buckets
        prepared = a.prepared if a.prepared is not None else Prepared.from_clean(a.clean, self._cfg.min_run)
        stored = prepared.stored_form()
        self._index.add_doc(
            article_id,
            a.body_hash,
            signature_to_blob(a.signature),
            stored,
            buckets,
            self.settings_version,
            a.title,
            a.title_buckets,
        )
        scores = {i: v for i, v in a.verdicts}
        rows: list[tuple[int | None, str, float | None, str]] = [
            (decision.match_id, decision.method, decision.score, decision.detail)
        ]
        for other in decision.also:
            v = scores.get(other)
            rows.append(
                (other, decision.method, None if v is None else round(v.score, 4), "" if v is None else v.detail())
            )
        self._index.record(article_id, rows, self.settings_version, datetime.now(UTC).isoformat(timespec="seconds"))
        if buckets:
            self._remember(article_id, stored)
        self._last = None

    def _analyse(self, title: str, body: str) -> _Analysed:
        clean = clean_body(body)
        sig = self._hasher.signature(key(clean))
        buckets = tuple(band_keys(sig, self._cfg.bands))
        title_key = key(unicodedata.normalize("NFKC", title))
        return _Analysed(
            body, clean, body_hash_of_clean(clean), sig, buckets, title_key, self._headlines.keys(title_key)
        )

    def _near(self, a: _Analysed, new: Prepared) -> list[tuple[int, Verdict]]:
        """Verified copies among the LSH candidates, best score first.

        Candidates come from the body LSH and, for articles whose headline is alike, from the
        headline index. All first get the cheap bound of their verbatim runs in one batch
        (`runs.covered_by`); only those that could still be copies are verified.
        """
        cfg = self._cfg
        cand_ids = [article_id for article_id, _ in self._index.candidates(a.buckets, cfg.max_candidates)]
        by_title = self._headline_candidates(a, set(cand_ids))
        stored = self._stored_texts(cand_ids + list(by_title))
        ids = [article_id for article_id in (*cand_ids, *by_title) if article_id in stored]
        texts = [stored[i] for i in ids]
        # the stored form is the evidence sentences one a line; newlines are not part of the text
        flat = [t.replace("\n", "") for t in texts]
        bounds = covered_by(presence_table(new.windows), flat, self._cfg.min_run) if flat else []
        shorter = [min(len(new.text), len(t)) for t in flat]
        # the headline path needs least: candidates below even that are done with
        alive = [k for k in range(len(ids)) if shorter[k] and bounds[k] >= needed_shared(shorter[k], cfg, True)]
        unknown = [ids[k] for k in alive if ids[k] not in by_title]
        titles = self._index.titles(unknown) if a.title and unknown else {}
        found: list[tuple[int, Verdict]] = []
        for k in alive:
            article_id = ids[k]
            titled = article_id in by_title or similar_titles(a.title, titles.get(article_id, ""), cfg)
            if not titled and bounds[k] < needed_shared(shorter[k], cfg):
                continue
            v = verify(new, Prepared.from_clean(texts[k], cfg.min_run), cfg, titled)
            log.debug("candidate %d: %s copy=%s", article_id, v.detail(), v.is_copy)
            if v.is_copy:
                found.append((article_id, v))
        found.sort(key=lambda x: (-x[1].score, x[0]))
        return found

    def _headline_candidates(self, a: _Analysed, seen: set[int]) -> dict[int, str]:
        """Articles, not yet candidates, whose headline is alike (`similar_titles` holds): id -> headline key."""
        if not a.title_buckets:
            return {}
        ids = self._index.title_candidates(a.title_buckets, headline.PER_BUCKET, headline.MAX_CANDIDATES)
        ids = [i for i in ids if i not in seen]
        titles = self._index.titles(ids) if ids else {}
        return {i: t for i, t in titles.items() if similar_titles(a.title, t, self._cfg)}

    def _stored_texts(self, article_ids: list[int]) -> dict[int, str]:
        """Stored verifier text of each article, from the in-memory cache or one query."""
        out: dict[int, str] = {}
        missing: list[int] = []
        for article_id in article_ids:
            text = self._stored.get(article_id)
            if text is None:
                missing.append(article_id)
            else:
                self._stored.move_to_end(article_id)
                out[article_id] = text
        for article_id, text in self._index.stored_texts(missing).items():
            out[article_id] = text
            self._remember(article_id, text)
        return out

    def _remember(self, article_id: int, text: str) -> None:
        if self._cfg.prepared_cache <= 0:
            return
        self._stored[article_id] = text
        self._stored.move_to_end(article_id)
        while len(self._stored) > self._cfg.prepared_cache:
            self._stored.popitem(last=False)
