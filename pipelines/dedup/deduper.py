"""Deduper: is a new article new, an exact copy, or a near copy of stored articles?

The chain for one article: clean the body (datelines, bylines) → exact lookup by body hash →
MinHash of character shingles → one indexed query over its LSH band buckets → verify the
candidates sharing the most bands by sentence alignment (verify.py) → a DedupDecision.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from dataclasses import astuple, dataclass
from datetime import UTC, datetime

from scraper.config import DedupConfig
from scraper.errors import ConfigError
from scraper.models import DedupDecision

from .index import DedupIndex
from .minhash import MinHasher, Signature, band_keys, signature_to_blob
from .text import body_hash_of_clean, clean_body, key
from .verify import Prepared, Verdict, verify

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Analysed:
    """Everything check() computes about a body, kept so add() need not compute it again."""

    body: str
    clean: str
    body_hash: str
    signature: Signature
    buckets: tuple[int, ...]
    verdicts: tuple[tuple[int, Verdict], ...] = ()


class Deduper:
    """Decides whether an article copies stored ones; indexes articles in the caller's database."""

    def __init__(self, conn: sqlite3.Connection, cfg: DedupConfig) -> None:
        if cfg.num_perm % cfg.bands:
            raise ConfigError(f"dedup.num_perm ({cfg.num_perm}) must be a multiple of dedup.bands ({cfg.bands})")
        self._cfg = cfg
        self._hasher = MinHasher(cfg.num_perm, cfg.shingle_size, cfg.seed)
        signature_settings = f"char{cfg.shingle_size}/perm{cfg.num_perm}/bands{cfg.bands}/seed{cfg.seed}"
        digest = hashlib.blake2b(repr(astuple(cfg)).encode(), digest_size=6).hexdigest()
        self.settings_version = f"{signature_settings}/{digest}"
        self._index = DedupIndex(conn, signature_settings)
        self._last: _Analysed | None = None

    def check(self, title: str, body: str) -> DedupDecision:
        """Judge `body` against every article added so far. Writes nothing.

        `title` is accepted for the record but not used: copies often carry another headline.
        """
        a = self._analyse(body)
        if not a.clean or not key(a.clean):
            self._last = a
            return DedupDecision("new", detail="empty body")
        match = self._index.exact(a.body_hash)
        if match is not None:
            self._last = a
            return DedupDecision("exact", match_id=match, score=1.0, detail="same body hash")
        found = self._near(a)
        self._last = _Analysed(a.body, a.clean, a.body_hash, a.signature, a.buckets, tuple(found))
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

    def add(self, article_id: int, title: str, body: str, decision: DedupDecision) -> None:
        """Index the article and record `decision` in the duplicates table (not committed)."""
        a = self._last if self._last is not None and self._last.body == body else self._analyse(body)
        # An exact copy adds nothing to the LSH index: its buckets are the original's.
        buckets = () if decision.method == "exact" else a.buckets
        self._index.add_doc(
            article_id, a.body_hash, signature_to_blob(a.signature), a.clean, buckets, self.settings_version
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
        self._last = None

    def _analyse(self, body: str) -> _Analysed:
        clean = clean_body(body)
        sig = self._hasher.signature(key(clean))
        return _Analysed(body, clean, body_hash_of_clean(clean), sig, tuple(band_keys(sig, self._cfg.bands)))

    def _near(self, a: _Analysed) -> list[tuple[int, Verdict]]:
        """Verified copies among the LSH candidates, best score first."""
        cands = self._index.candidates(a.buckets, self._cfg.max_candidates)
        if not cands:
            return []
        new = Prepared.from_clean(a.clean)
        found: list[tuple[int, Verdict]] = []
        for article_id, shared in cands:
            clean = self._index.clean_text(article_id)
            if clean is None:
                continue
            v = verify(new, Prepared.from_clean(clean), self._cfg)
            log.debug("candidate %d: %d shared bands, %s copy=%s", article_id, shared, v.detail(), v.is_copy)
            if v.is_copy:
                found.append((article_id, v))
        found.sort(key=lambda x: (-x[1].score, x[0]))
        return found
