"""Bloom filters of the stored band tables, kept in SQLite next to them (dedup schema 4).

Nearly every bucket key a new article asks for is in no stored article, and finding that out
from a band table with tens of millions of rows costs a B-tree descent (and, in a new process,
a page fault) per key. So each tier of band keys (body, headline) has a Bloom filter (bloom.py)
of the keys in its schema-4 table and its segments (segments.py) in ``dedup_filters``, named
by that table, and only the keys that pass it are looked up: an article that copies nothing
usually reaches no band table at all. A compaction of segments leaves it as it is.

* The filters change only when the recent tier is merged (recent.py): the merge adds the merged
  keys and stores both filters in the same transaction, under the new ``dedup_meta.merges``
  (the *generation*). A process that sees another generation reloads them.
* A filter missing, or stored under another generation, is rebuilt from its tables (a scan:
  about a minute per million articles). Opening an index does this once and stores the result.
* A filter is sized for `bloom.BITS_PER_KEY` bits a key; when its table outgrows it to half of
  that, the merge rebuilds it twice as large.

A filter has false positives only: one that is out of date by extra keys costs a lookup, never
a candidate.
"""

from __future__ import annotations

import json
import logging
import sqlite3

import numpy as np
import numpy.typing as npt

from scraper.errors import StoreError

from .bloom import BITS_PER_KEY, BloomFilter
from .mapping import unmapped
from .segments import TIERS, segment_keys, segment_pairs

log = logging.getLogger(__name__)

BAND_TABLES = tuple(tier.main for tier in TIERS)  # a filter is named by its schema-4 table, covers the segments too
_TIER_OF = {tier.main: tier for tier in TIERS}
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
    """The band tables' filters: loaded on first use, extended and stored by merges."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._filters: dict[str, BloomFilter] = {}
        self._keys: dict[str, int] = {}
        self.generation: str | None = None  # the generation the loaded filters belong to

    def _stored(self, table: str, generation: str) -> tuple[int, bytes] | None:
        row = self._conn.execute(
            "SELECT keys, bits FROM dedup_filters WHERE band_table = ? AND generation = ?", (table, generation)
        ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def ensure_stored(self, generation: str) -> None:
        """Build and store (no commit) the filters missing under `generation`; loads nothing else."""
        for table in BAND_TABLES:
            exists = self._conn.execute(
                "SELECT 1 FROM dedup_filters WHERE band_table = ? AND generation = ?", (table, generation)
            ).fetchone()
            if exists is None:
                self._build(table)
                self._save(table, generation)
        self.generation = None  # loaded lazily, from what is stored now

    def load(self, generation: str) -> None:
        """The filters of `generation` from the database, or rebuilt from their tables."""
        for table in BAND_TABLES:
            stored = self._stored(table, generation)
            if stored is None:
                self._build(table)
            else:
                self._keys[table], bits = stored
                self._filters[table] = BloomFilter.from_bytes(bits)
        self.generation = generation

    def _build(self, table: str) -> None:
        """The filter of a tier from its rows: the schema-4 table in key ranges of ~1M rows (each
        read as one JSON array), then every segment's chunks."""
        tier = _TIER_OF[table]
        with unmapped(self._conn):
            n = int(self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            stored = n + segment_pairs(self._conn, tier)
            if stored > _SCAN_CHUNK:
                log.info("dedup: building the Bloom filter of %s (%d keys)", table, stored)
            bloom = BloomFilter.for_keys(stored)
            for keys in segment_keys(self._conn, tier):
                bloom.add(keys)
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
        self._filters[table], self._keys[table] = bloom, stored

    def _save(self, table: str, generation: str) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO dedup_filters (band_table, generation, keys, bits) VALUES (?, ?, ?, ?)",
            (table, generation, self._keys[table], self._filters[table].to_bytes()),
        )

    def may_hold(self, table: str, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """For each key: False if `table` surely has no row with it (load first)."""
        return self._filters[table].may_hold(keys)

    def merged(self, added: dict[str, npt.NDArray[np.int64]], old: str, new: str) -> None:
        """After a merge put `added` keys into the tables: extend the filters, store them under `new`.

        `old` is the generation before the merge. Nothing is committed.
        """
        if self.generation != old:
            self.load(old)  # if it has to be built, the tables hold the merged rows already: no harm
        for table, keys in added.items():
            self._filters[table].add(keys)
            self._keys[table] += int(keys.size)
            if self._keys[table] * BITS_PER_KEY > 2 * self._filters[table].bits:
                self._build(table)  # outgrown: twice the size, from the table
        for table in BAND_TABLES:
            self._save(table, new)
        self.generation = new
