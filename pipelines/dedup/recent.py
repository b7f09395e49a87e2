"""The recent tier of the dedup band index (schema 3): ``dedup_pending`` and its TEMP mirror.

Each article indexed since the last merge has one appended ``dedup_pending`` row holding its
body and headline bucket keys as JSON arrays (an appended row dirties about one page; inserting
its 64 + 16 random keys into the big band tables dirtied ~80). The connection mirrors the tier
in two TEMP tables keyed like the band tables (memory, no WAL, rolled back with the caller's
transaction), so `DedupIndex`'s candidate queries read both tiers in one statement. When
`merge_every` articles are pending, `merge` inserts their rows into the band tables in key order
(one statement a table: each band-table page is written once for all the rows it receives),
empties the tier and bumps ``dedup_meta.merges``. Pending rows outlive the process: the next one
loads them on its first lookup. Another connection's rows are picked up when ``PRAGMA
data_version`` reports a change, its merges through ``dedup_meta.merges``.

Nothing here commits a caller's transaction.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence

log = logging.getLogger(__name__)

# Articles in the recent tier before it is merged into the band tables. The merge rewrites
# about every band-table page the new rows land on, so its cost per article falls as the tier
# grows; the mirror takes ~3.5-4 KB an article (~350-400 MB at 100k), and a new process loads
# the pending rows once (seconds per 10k articles).
MERGE_EVERY = 100_000
MIRROR_TABLES = ("temp.dedup_recent_bands", "temp.dedup_recent_title_bands")

# The recent tier's mirror: per connection, in memory, rolled back with the caller's transaction.
_TEMP_SCHEMA = """
CREATE TEMP TABLE IF NOT EXISTS dedup_recent_bands (
    bucket INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (bucket, article_id)
) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS dedup_recent_title_bands (
    bucket INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (bucket, article_id)
) WITHOUT ROWID
"""
_TIERS = (
    ("dedup_bands", "dedup_recent_bands", "keys"),
    ("dedup_title_bands", "dedup_recent_title_bands", "title_keys"),
)


def _json(keys: Sequence[int]) -> str:
    """Bucket keys as a JSON array: SQLite's json_each turns it back into rows without Python."""
    return json.dumps(sorted(map(int, keys)))


class RecentTier:
    """``dedup_pending`` and this connection's mirror of it."""

    def __init__(self, conn: sqlite3.Connection, merge_every: int = MERGE_EVERY) -> None:
        """Create the mirror tables (``dedup_pending`` belongs to the index schema)."""
        self._conn = conn
        self._merge_every = max(1, merge_every)
        # loaded lazily; `_seen` is the highest dedup_pending.seq the mirror holds with nothing
        # missing below it, `_generation` the dedup_meta.merges it was loaded under
        self._loaded = False
        self._seen = 0
        self._generation = ""
        self._data_version = -1
        self._pending = 0
        for statement in _TEMP_SCHEMA.split(";"):  # not executescript: it would commit
            if statement.strip():
                conn.execute(statement)
        conn.execute("PRAGMA temp.journal_mode=MEMORY")  # the mirror is rebuilt from dedup_pending anyway
        conn.execute("PRAGMA temp.cache_size=-524288")  # keep the mirror in memory (512 MB at most)

    def _merges(self) -> str:
        row = self._conn.execute("SELECT value FROM dedup_meta WHERE key = 'merges'").fetchone()
        return "0" if row is None else str(row[0])

    def forget_uncommitted(self) -> None:
        """After the caller rolled back: reload the mirror (sequence numbers may be reused)."""
        self._loaded = False

    def sync(self) -> None:
        """Bring the TEMP mirror up to date with dedup_pending (cheap when nobody else wrote)."""
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if self._loaded and version == self._data_version:
            return
        self._data_version = version
        # Writing the TEMP mirror opens a transaction; if the caller had none (a read-only check),
        # end it here so no read snapshot is left open. Never commits a caller's transaction.
        own = not self._conn.in_transaction
        generation = self._merges()
        if not self._loaded or generation != self._generation:
            for _, temp, _ in _TIERS:
                self._conn.execute(f"DELETE FROM temp.{temp}")
            self._loaded, self._seen, self._pending, self._generation = True, 0, 0, generation
        self._load_since(self._seen)
        if own and self._conn.in_transaction:
            self._conn.commit()

    def _load_since(self, seq: int) -> None:
        """Mirror the pending rows after `seq`: one sorted INSERT … SELECT a tier, all in SQLite."""
        top, n = self._conn.execute("SELECT max(seq), count(*) FROM dedup_pending WHERE seq > ?", (seq,)).fetchone()
        if not n:
            return
        for _, temp, column in _TIERS:
            self._conn.execute(
                f"INSERT OR IGNORE INTO temp.{temp} (bucket, article_id) SELECT j.value, p.article_id "
                f"FROM dedup_pending AS p, json_each(p.{column}) AS j WHERE p.seq > ? ORDER BY 1, 2",
                (seq,),
            )
        self._seen = int(top)
        self._pending += int(n)

    def pending(self) -> int:
        """Articles in the recent tier (an estimate when other connections write too)."""
        self.sync()
        return self._pending

    def merge(self) -> int:
        """Move the recent tier into the band tables (keys in order, one statement each); no commit.

        Returns the number of articles merged.
        """
        self.sync()
        self._load_since(self._seen)  # rows another connection committed just before our transaction
        merged = self._pending
        if not merged:
            return 0
        for table, temp, _ in _TIERS:
            self._conn.execute(
                f"INSERT OR IGNORE INTO {table} (bucket, article_id) "
                f"SELECT bucket, article_id FROM temp.{temp} ORDER BY bucket, article_id"
            )
            self._conn.execute(f"DELETE FROM temp.{temp}")
        self._conn.execute("DELETE FROM dedup_pending")
        self._generation = str(int(self._generation or 0) + 1)
        self._conn.execute("INSERT OR REPLACE INTO dedup_meta (key, value) VALUES ('merges', ?)", (self._generation,))
        self._seen = self._pending = 0
        log.info("dedup: merged %d recent articles into the band index", merged)
        return merged

    def add(self, article_id: int, buckets: Sequence[int], title_buckets: Sequence[int]) -> None:
        """Queue one article's bucket keys; merge the tier when it is full (no commit)."""
        if not buckets and not title_buckets:
            return
        self.sync()
        body_json, title_json = _json(buckets), _json(title_buckets)
        seq = self._conn.execute(
            "INSERT INTO dedup_pending (article_id, keys, title_keys) VALUES (?, ?, ?)",
            (article_id, body_json, title_json),
        ).lastrowid
        for (_, temp, _), keys in zip(_TIERS, (body_json, title_json), strict=True):
            if keys != "[]":
                self._conn.execute(
                    f"INSERT OR IGNORE INTO temp.{temp} (bucket, article_id) SELECT value, ? FROM json_each(?)",
                    (article_id, keys),
                )
        if seq == self._seen + 1:  # nobody else added a row in between: the mirror is still complete
            self._seen = seq
        self._pending += 1
        if self._pending >= self._merge_every:
            self.merge()
