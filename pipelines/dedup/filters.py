"""Bloom filters of the band tables of dedup schema ≤ 4, kept in SQLite next to them.

``dedup_bands`` and ``dedup_title_bands`` hold an older index's pairs, one SQL row each, tens of
millions of them at 1M articles, and nearly every key a new article asks for is in none of
them. So each has a Bloom filter (bloom.py) in ``dedup_filters``, named by the table, and only
the keys that pass it are looked up; a table with no rows is not asked at all. Since schema 5
nothing is added to these tables (merges write band segments, which have filters of their
own: routing.py), so a filter is built once, from its table (a scan: about a minute per
million articles), when an index is opened, and stored under the generation mark `BUILT`.
A filter stored under anything else (schema 4 and 5 kept one filter for a table and the
segments together, under the merge count) is rebuilt. Rebuilding the headline index (new
headline settings) deletes its filter, so it is built again.

A filter has false positives only: one that holds extra keys costs a lookup, never a candidate.
"""

from __future__ import annotations

import json
import logging
import sqlite3

import numpy as np

from scraper.errors import StoreError

from .bloom import BloomFilter, Hashed
from .mapping import unmapped
from .segments import TIERS

log = logging.getLogger(__name__)

BAND_TABLES = tuple(tier.main for tier in TIERS)  # a filter is named by its table
BUILT = "built"  # the generation mark of a filter built from its table alone (schema 6)
SCHEMA = """
CREATE TABLE IF NOT EXISTS dedup_filters (
    band_table TEXT PRIMARY KEY,
    generation TEXT NOT NULL,
    keys INTEGER NOT NULL,
    bits BLOB NOT NULL
)
"""
_SCAN_CHUNK = 1_000_000


class BandFilters:
    """The old band tables' filters: built once, loaded (`load`) before they are asked."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._filters: dict[str, BloomFilter] = {}
        self._keys: dict[str, int] = {}

    def ensure_stored(self) -> None:
        """Build and store (no commit) each table's filter that is missing or of an older schema."""
        for table in BAND_TABLES:
            exists = self._conn.execute(
                "SELECT 1 FROM dedup_filters WHERE band_table = ? AND generation = ?", (table, BUILT)
            ).fetchone()
            if exists is None:
                self._build(table)
                self._conn.execute(
                    "INSERT OR REPLACE INTO dedup_filters (band_table, generation, keys, bits) VALUES (?, ?, ?, ?)",
                    (table, BUILT, self._keys[table], self._filters[table].to_bytes()),
                )

    def load(self) -> None:
        """The filters from the database, or built from their tables if they are not stored."""
        for table in BAND_TABLES:
            row = self._conn.execute(
                "SELECT keys, bits FROM dedup_filters WHERE band_table = ? AND generation = ?", (table, BUILT)
            ).fetchone()
            try:
                if row is not None:
                    self._keys[table] = int(row[0])
                    self._filters[table] = BloomFilter.from_bytes(bytes(row[1]))
                    continue
            except ValueError as e:  # a damaged row: built again from the table
                log.warning("dedup: the stored filter of %s is unreadable (%s); building it again", table, e)
            self._build(table)

    def _build(self, table: str) -> None:
        """The filter of a table from its rows, in key ranges of ~1M rows (each read as one JSON array)."""
        with unmapped(self._conn):
            n = int(self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            if n > _SCAN_CHUNK:
                log.info("dedup: building the Bloom filter of %s (%d keys)", table, n)
            bloom = BloomFilter.for_keys(n)
            parts = max(1, n // _SCAN_CHUNK)  # bucket keys are uniform 64-bit hashes: equal ranges
            starts = [-(2**63) + (2**64 * i) // parts for i in range(parts)]
            seen = 0
            for i, lo in enumerate(starts):
                last = i + 1 == parts
                where = "bucket >= ?" if last else "bucket >= ? AND bucket < ?"
                args = (lo,) if last else (lo, starts[i + 1])
                row = self._conn.execute(f"SELECT json_group_array(bucket) FROM {table} WHERE {where}", args).fetchone()
                keys = np.array(json.loads(row[0]), dtype=np.int64)
                bloom.add(keys)
                seen += int(keys.size)
        if seen != n:  # the ranges must cover every row: a filter that misses keys would miss copies
            raise StoreError(f"dedup: the Bloom filter of {table} read {seen} of {n} keys")
        self._filters[table], self._keys[table] = bloom, n

    def hot(self, table: str, keys: Hashed) -> list[int]:
        """The keys `table` may hold: none if it has no rows (load first)."""
        if not self._keys[table]:
            return []
        return keys.keys[self._filters[table].may_hold(keys)].tolist()  # type: ignore[no-any-return]
