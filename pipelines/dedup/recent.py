"""The recent tier of the dedup band index (schema 3): ``dedup_pending`` and its in-memory mirror.

Each article indexed since the last merge has one appended ``dedup_pending`` row holding its
body and headline bucket keys as JSON arrays (an appended row dirties about one page; inserting
its 64 + 16 random keys into the big band tables dirtied ~80). Each process mirrors the tier in
two in-memory `KeyMap`s (keymap.py: sorted numpy runs behind a Bloom filter), which `DedupIndex`'s
candidate lookups read next to the band tables. When `merge_every` articles are pending,
`merge` writes the mirror's pairs as a new sorted segment of the band index (segments.py:
packed chunks, checked against ``dedup_pending`` first), compacts segments when a size class
is full, empties the tier and bumps ``dedup_meta.merges``. Pending rows outlive the process: the next one
loads them on its first lookup (one query, ~5 s per 100k articles). Another connection's rows
are picked up when ``PRAGMA data_version`` reports a change, its merges through
``dedup_meta.merges``; after the caller rolls back, `forget_uncommitted` reloads the mirror.

Nothing here commits a caller's transaction.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence

import numpy as np

from scraper.errors import StoreError

from .keymap import KeyMap
from .mapping import unmapped
from .segments import BODY, HEADLINE, compact_due, write_segment

log = logging.getLogger(__name__)

# Articles in the recent tier before it is merged into a new band segment. Larger tiers make
# fewer, larger segments (each row is rewritten once per size class it passes through); the
# mirror takes ~1.3 KB an article (~130 MB at 100k) and a new process loads the pending rows
# once (~5 s per 100k articles).
MERGE_EVERY = 100_000
_LOAD_CHUNK = 20_000  # pending rows read per step when loading the mirror


def _json(keys: Sequence[int]) -> str:
    """Bucket keys as a JSON array: SQLite's json_each turns it back into rows without Python."""
    return "[" + ", ".join(map(str, map(int, keys))) + "]"


class RecentTier:
    """``dedup_pending`` and this process's mirror of it."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        merge_every: int = MERGE_EVERY,
        keys_per_article: tuple[int, int] = (64, 16),
    ) -> None:
        """The mirror is loaded lazily (``dedup_pending`` belongs to the index schema).

        `keys_per_article`: body and headline bucket keys of an article (size the mirror's own
        filters).
        """
        self._conn = conn
        self._merge_every = max(1, merge_every)
        articles = min(self._merge_every, 2 * MERGE_EVERY)  # a larger tier only makes the filters busier
        self.body = KeyMap(articles * keys_per_article[0])
        self.titles = KeyMap(articles * keys_per_article[1])
        # `_seen` is the highest dedup_pending.seq the mirror holds with nothing missing below
        # it, `_generation` the dedup_meta.merges it was loaded under
        self._loaded = False
        self._seen = 0
        self._generation = ""
        self._data_version = -1
        self._pending = 0

    def _stored_generation(self) -> str:
        """``epoch.merges`` from dedup_meta: the index's random epoch (a rebuilt index has another,
        so a generation is never reused) and the merges made in it."""
        row = self._conn.execute(
            "SELECT (SELECT value FROM dedup_meta WHERE key = 'epoch'), "
            "(SELECT value FROM dedup_meta WHERE key = 'merges')"
        ).fetchone()
        return f"{row[0] or ''}.{row[1] or 0}"

    def bump(self) -> None:
        """Count one more change of the band index (no commit): other processes reload what they hold."""
        row = self._conn.execute("SELECT value FROM dedup_meta WHERE key = 'merges'").fetchone()
        merges = 1 + (0 if row is None else int(row[0]))
        self._conn.execute("INSERT OR REPLACE INTO dedup_meta (key, value) VALUES ('merges', ?)", (str(merges),))
        self._generation = self._stored_generation()

    def forget_uncommitted(self) -> None:
        """After the caller rolled back: reload the mirror (sequence numbers may be reused)."""
        self._loaded = False

    def sync(self) -> str:
        """Bring the mirror up to date with dedup_pending (one pragma when nobody else wrote).

        Returns the generation (``epoch.merges`` of dedup_meta) the band index is at.
        """
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if self._loaded and version == self._data_version:
            return self._generation
        self._data_version = version
        generation = self._stored_generation()
        if not self._loaded or generation != self._generation:
            self.body.clear()
            self.titles.clear()
            self._loaded, self._seen, self._pending, self._generation = True, 0, 0, generation
        self._load_since(self._seen)
        return self._generation

    def _load_since(self, seq: int) -> None:
        """Mirror the pending rows after `seq` (bulk: one sorted run per chunk and tier)."""
        cursor = self._conn.execute(
            "SELECT seq, article_id, keys, title_keys FROM dedup_pending WHERE seq > ? ORDER BY seq", (seq,)
        )
        while rows := cursor.fetchmany(_LOAD_CHUNK):
            ids = np.fromiter((int(row[1]) for row in rows), dtype=np.int64, count=len(rows))
            for keymap, column in ((self.body, 2), (self.titles, 3)):
                arrays = [str(row[column]) for row in rows]
                # one JSON parse for the chunk: the arrays' insides joined (empty ones add nothing)
                sizes = np.fromiter((a.count(",") + 1 if a != "[]" else 0 for a in arrays), np.int64, len(arrays))
                try:  # integers only: a float or a too-large number gives another dtype
                    flat = np.array(json.loads("[" + ",".join(a[1:-1] for a in arrays if a != "[]") + "]"))
                except (ValueError, TypeError, OverflowError):
                    flat = np.zeros(0, dtype=object)
                if not flat.size:
                    flat = flat.astype(np.int64) if flat.dtype != object else flat
                if (
                    flat.dtype != np.int64
                    or flat.size != int(sizes.sum())
                    or not all(a.startswith("[") and a.endswith("]") for a in arrays)
                ):
                    raise StoreError("dedup_pending holds a malformed key list; run `newscorpus dedup --rebuild`")
                keymap.add_many(flat, np.repeat(ids, sizes))
            self._seen = int(rows[-1][0])
            self._pending += len(rows)

    def pending(self) -> int:
        """Articles in the recent tier (an estimate when other connections write too)."""
        self.sync()
        return self._pending

    def merge(self) -> int:
        """Move the recent tier into a new band segment; no commit.

        Compacts segments when a size class is full (segments.py). Returns the articles merged.
        Merges and compactions read through SQLite's page cache, not the memory mapping, so the
        segments they read do not become resident in this process.
        """
        with unmapped(self._conn):
            return self._merge()

    def _merge(self) -> int:
        self.sync()
        self._load_since(self._seen)  # rows another connection committed just before our transaction
        merged = int(self._conn.execute("SELECT count(*) FROM dedup_pending").fetchone()[0])
        if not merged:
            return 0
        if not self._mirror_complete():  # never expected: reload it from the table once
            log.warning("dedup: the recent tier's mirror disagrees with dedup_pending; reloading it")
            self.body.clear()
            self.titles.clear()
            self._seen = self._pending = 0
            self._load_since(0)
            if not self._mirror_complete():
                raise StoreError("dedup_pending changed during a merge; run `newscorpus dedup --rebuild`")
        pairs = {BODY: self.body.items(), HEADLINE: self.titles.items()}  # each mirror concatenated once
        write_segment(self._conn, merged, pairs)  # with its filters
        self._conn.execute("DELETE FROM dedup_pending")
        compacted = compact_due(self._conn, self._merge_every)
        self.bump()
        self.body.clear()
        self.titles.clear()
        self._loaded, self._seen, self._pending = True, 0, 0
        log.info("dedup: merged %d recent articles into a band segment (%d compactions)", merged, compacted)
        return merged

    def _mirror_complete(self) -> bool:
        """Whether the mirror holds as many body and headline pairs as ``dedup_pending``."""
        row = self._conn.execute(
            "SELECT coalesce(sum(json_array_length(keys)), 0), coalesce(sum(json_array_length(title_keys)), 0) "
            "FROM dedup_pending"
        ).fetchone()
        return (int(row[0]), int(row[1])) == (len(self.body), len(self.titles))

    def add(self, article_id: int, buckets: Sequence[int], title_buckets: Sequence[int]) -> None:
        """Queue one article's bucket keys; merge the tier when it is full (no commit)."""
        if not buckets and not title_buckets:
            return
        self.sync()
        seq = self._conn.execute(
            "INSERT INTO dedup_pending (article_id, keys, title_keys) VALUES (?, ?, ?)",
            (article_id, _json(buckets), _json(title_buckets)),
        ).lastrowid
        if seq is not None and seq <= self._seen:  # a rolled-back tail was reused: reload from the table
            self._loaded = False
            self.sync()
        else:
            self.body.add(article_id, buckets)
            self.titles.add(article_id, title_buckets)
            if seq == self._seen + 1:  # nobody else added a row in between: the mirror is still complete
                self._seen = seq
            self._pending += 1
        if self._pending >= self._merge_every:
            self.merge()
