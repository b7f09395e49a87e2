"""Deduplication: exact copies by body hash, near copies by MinHash LSH plus a sentence verifier.

Public API used by the store/run code::

    deduper = Deduper(conn, cfg.dedup)
    decision = deduper.check(title, body)   # DedupDecision: "new" | "exact" | "near"
    deduper.add(article_id, title, body, decision)
"""

from __future__ import annotations

from .deduper import Deduper
from .index import drop_index
from .text import body_hash

__all__ = ["Deduper", "body_hash", "drop_index"]
