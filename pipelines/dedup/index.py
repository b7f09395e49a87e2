"""The persistent LSH index and audit log of dedup, in the caller's SQLite database.

Tables (created if missing):

* ``dedup_docs`` — one row per indexed article: body hash, MinHash signature, and (column
  ``clean``, zlib) the verifier's text — the body's evidence sentence keys, one a line — that
  is re-read when the article comes up as a candidate. Older rows holding the cleaned body
  still work: the verifier prepares either form.
* ``dedup_titles`` — each indexed article's headline key: a shared headline lets the verifier
  accept a copy on less verbatim body text.
* ``dedup_bands`` — one row per (band bucket, article). The band number is folded into the
  64-bit bucket key, so one ``WITHOUT ROWID`` primary key serves as the lookup index and a new
  article's candidates come from a single indexed ``IN`` query over its bucket keys.
* ``dedup_title_bands`` — the headline LSH index (headline.py): one row per (headline bucket,
  article), the second candidate channel for trimmed copies that keep the release's headline.
* ``dedup_pending`` — the recent tier (schema 3): articles indexed since the last merge, one
  appended row each holding their bucket keys as JSON arrays. Inserting 64 + 16 random keys
  into the big band tables dirtied ~80 B-tree pages per article, each written to the WAL at
  commit and again at checkpoint; an appended row dirties about one. The connection mirrors
  this tier in two TEMP tables keyed like the band tables (``temp.dedup_recent_bands``,
  ``temp.dedup_recent_title_bands``; memory, no WAL), so a candidate query reads both tiers in
  one statement. When `merge_every` articles are pending, their rows are merged into the band
  tables in key order in one statement (each big-table page is written once for many rows)
  and the tier is emptied. Another connection's pending rows are picked up when
  ``PRAGMA data_version`` says the database changed; its merges bump ``dedup_meta.merges``.
* ``duplicates`` — every decision, with the settings that produced it, so each one can be
  audited and re-run with other settings.
* ``dedup_meta`` — the signature settings the stored signatures were made with, the headline
  index's settings, and the dedup schema version (``schema``).

Migrations (`DedupIndex.__init__`, inside the caller's transaction, nothing dropped): schema 1
had no headline index; opening it builds ``dedup_title_bands`` from the stored ``dedup_titles``
and sets ``schema`` to 2. Changed headline settings rebuild that table the same way (after
merging the recent tier). Schema 2 → 3 adds the empty ``dedup_pending`` table: every stored row
stays where it is and is found as before.

Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import zlib
from collections.abc import Callable, Sequence

from scraper.errors import StoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
# Articles in the recent tier before it is merged into the band tables. The merge rewrites
# about every band-table page the new rows land on, so its cost per article falls as the tier
# grows; the tier's TEMP mirror holds ~2.5 KB an article (~250 MB at 100k).
MERGE_EVERY = 100_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dedup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dedup_docs (
    article_id INTEGER PRIMARY KEY,
    body_hash TEXT NOT NULL,
    signature BLOB NOT NULL,
    clean BLOB NOT NULL,
    settings_version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dedup_docs_hash ON dedup_docs (body_hash);
CREATE TABLE IF NOT EXISTS dedup_titles (article_id INTEGER PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dedup_bands (
    bucket INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (bucket, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dedup_title_bands (
    bucket INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (bucket, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dedup_pending (
    seq INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL,
    keys TEXT NOT NULL,
    title_keys TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS duplicates (
    article_id INTEGER NOT NULL,
    match_id INTEGER,
    method TEXT NOT NULL,
    score REAL,
    detail TEXT NOT NULL DEFAULT '',
    settings_version TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS duplicates_article ON duplicates (article_id);
"""

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


def drop_index(conn: sqlite3.Connection) -> None:
    """Forget every signature, band and decision (for `newscorpus dedup --rebuild`); no commit."""
    for table in (
        "dedup_bands",
        "dedup_title_bands",
        "dedup_pending",
        "dedup_docs",
        "dedup_titles",
        "dedup_meta",
        "duplicates",
        "temp.dedup_recent_bands",
        "temp.dedup_recent_title_bands",
    ):
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def _json(keys: Sequence[int]) -> str:
    """Bucket keys as a JSON array: SQLite's json_each turns it back into rows without Python."""
    return json.dumps(sorted(map(int, keys)))


class DedupIndex:
    """SQL for the dedup tables; the only place in the dedup package that talks to SQLite."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        signature_settings: str,
        title_settings: str = "",
        title_keys: Callable[[str], Sequence[int]] | None = None,
        merge_every: int = MERGE_EVERY,
    ) -> None:
        """Create missing tables, check the signature settings, migrate an older index.

        `title_keys` maps a stored headline key to its headline-index buckets (headline.py);
        without it the headline index is left as it is. `merge_every`: articles in the recent
        tier before it is merged into the band tables.
        """
        self._conn = conn
        self._merge_every = max(1, merge_every)
        # the recent tier's mirror: loaded lazily; `_seen` is the highest dedup_pending.seq it holds
        # with nothing missing below it, `_generation` the dedup_meta.merges it was loaded under
        self._loaded = False
        self._seen = 0
        self._generation = ""
        self._data_version = -1
        self._pending = 0
        for statement in (_SCHEMA + ";" + _TEMP_SCHEMA).split(";"):  # not executescript: it would commit
            if statement.strip():
                conn.execute(statement)
        conn.execute("PRAGMA temp.journal_mode=MEMORY")  # the mirror is rebuilt from dedup_pending anyway
        conn.execute("PRAGMA temp.cache_size=-524288")  # keep the mirror in memory (512 MB at most)
        row = conn.execute("SELECT value FROM dedup_meta WHERE key = 'signature'").fetchone()
        if row is None:
            conn.execute("INSERT INTO dedup_meta (key, value) VALUES ('signature', ?)", (signature_settings,))
        elif row[0] != signature_settings:
            raise StoreError(
                f"dedup index was built with signature settings {row[0]!r}, not {signature_settings!r}; "
                "re-index (drop the dedup_* tables) or use the old settings"
            )
        version = int(self._meta("schema") or 1)
        if version > SCHEMA_VERSION:
            raise StoreError(f"dedup index schema {version} is newer than this newscorpus ({SCHEMA_VERSION})")
        if title_keys is not None:
            self._migrate_titles(version, title_settings, title_keys)  # 1 -> 3 (sets the version)
        if version == 2:  # schema 3 only adds dedup_pending (created above, empty): nothing moves
            log.info("dedup: index schema 2 -> %d (recent tier)", SCHEMA_VERSION)
            self._set_meta("schema", str(SCHEMA_VERSION))

    def _meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM dedup_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO dedup_meta (key, value) VALUES (?, ?)", (key, value))

    def _migrate_titles(self, version: int, title_settings: str, title_keys: Callable[[str], Sequence[int]]) -> None:
        """Build the headline index from the stored headlines if it is missing or was built otherwise."""
        if version >= 2 and self._meta("title_signature") == title_settings:
            return
        self.merge()  # the recent tier's headline keys were made with the old settings
        self._conn.execute("DELETE FROM dedup_title_bands")
        log.info("dedup: building the headline index from the stored headlines")
        cursor = self._conn.execute("SELECT article_id, title FROM dedup_titles ORDER BY article_id")
        while rows := cursor.fetchmany(10_000):  # bounded memory on a large corpus
            self._conn.executemany(
                "INSERT OR IGNORE INTO dedup_title_bands (bucket, article_id) VALUES (?, ?)",
                [(k, int(a)) for a, t in rows for k in title_keys(str(t))],
            )
        self._set_meta("title_signature", title_settings)
        self._set_meta("schema", str(SCHEMA_VERSION))

    # -- the recent tier ----------------------------------------------------------------------

    def forget_uncommitted(self) -> None:
        """After the caller rolled back: reload the mirror (sequence numbers may be reused)."""
        self._loaded = False

    def _sync(self) -> None:
        """Bring the TEMP mirror up to date with dedup_pending (cheap when nobody else wrote)."""
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if self._loaded and version == self._data_version:
            return
        self._data_version = version
        # Writing the TEMP mirror opens a transaction; if the caller had none (a read-only check),
        # end it here so no read snapshot is left open. Never commits a caller's transaction.
        own = not self._conn.in_transaction
        generation = self._meta("merges") or "0"
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
        self._sync()
        return self._pending

    def merge(self) -> int:
        """Move the recent tier into the band tables (keys in order, one statement each); no commit.

        Returns the number of articles merged.
        """
        self._sync()
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
        self._set_meta("merges", self._generation)
        self._seen = self._pending = 0
        log.info("dedup: merged %d recent articles into the band index", merged)
        return merged

    def exact(self, body_hash: str) -> int | None:
        row = self._conn.execute("SELECT min(article_id) FROM dedup_docs WHERE body_hash = ?", (body_hash,)).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def candidates(self, buckets: Sequence[int], limit: int) -> list[tuple[int, int]]:
        """(article_id, shared bands) for articles sharing any bucket, most shared first (both tiers)."""
        if not buckets:
            return []
        self._sync()
        marks = ",".join("?" * len(buckets))
        rows = self._conn.execute(
            f"SELECT article_id, count(*) AS n FROM (SELECT bucket, article_id FROM dedup_bands "
            f"WHERE bucket IN ({marks}) UNION SELECT bucket, article_id FROM temp.dedup_recent_bands "
            f"WHERE bucket IN ({marks})) GROUP BY article_id ORDER BY n DESC, article_id LIMIT ?",
            (*buckets, *buckets, limit),
        ).fetchall()
        return [(int(a), int(n)) for a, n in rows]

    def title_candidates(self, buckets: Sequence[int], per_bucket: int, limit: int) -> list[int]:
        """Articles sharing headline buckets, most shared first; only the newest `per_bucket` of a bucket."""
        if not buckets:
            return []
        self._sync()
        part = (
            "SELECT article_id FROM (SELECT article_id FROM (SELECT article_id FROM dedup_title_bands "
            "WHERE bucket = ? ORDER BY article_id DESC LIMIT ?) UNION SELECT article_id FROM "
            "temp.dedup_recent_title_bands WHERE bucket = ? ORDER BY article_id DESC LIMIT ?)"
        )
        union = " UNION ALL ".join([part] * len(buckets))
        rows = self._conn.execute(
            f"SELECT article_id FROM ({union}) GROUP BY article_id ORDER BY count(*) DESC, article_id DESC LIMIT ?",
            (*(v for b in buckets for v in (b, per_bucket, b, per_bucket)), limit),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def stored_texts(self, article_ids: Sequence[int]) -> dict[int, str]:
        """The verifier text kept for each of `article_ids` (those indexed), in one query."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = self._conn.execute(
            f"SELECT article_id, clean FROM dedup_docs WHERE article_id IN ({marks})", tuple(article_ids)
        ).fetchall()
        return {int(a): zlib.decompress(blob).decode("utf-8") for a, blob in rows}

    def titles(self, article_ids: Sequence[int]) -> dict[int, str]:
        """Stored headline keys of `article_ids` (articles indexed before titles were kept have none)."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = self._conn.execute(
            f"SELECT article_id, title FROM dedup_titles WHERE article_id IN ({marks})", tuple(article_ids)
        ).fetchall()
        return {int(a): str(t) for a, t in rows}

    def add_doc(
        self,
        article_id: int,
        body_hash: str,
        signature: bytes,
        clean: str,
        buckets: Sequence[int],
        settings_version: str,
        title: str = "",
        title_buckets: Sequence[int] = (),
    ) -> None:
        # zlib level 1: ~40 % less time than the default level for ~13 % more bytes (same format)
        self._conn.execute(
            "INSERT OR REPLACE INTO dedup_docs (article_id, body_hash, signature, clean, settings_version) "
            "VALUES (?, ?, ?, ?, ?)",
            (article_id, body_hash, signature, zlib.compress(clean.encode("utf-8"), 1), settings_version),
        )
        if title:
            self._conn.execute(
                "INSERT OR REPLACE INTO dedup_titles (article_id, title) VALUES (?, ?)", (article_id, title)
            )
        if not buckets and not title_buckets:
            return
        self._sync()
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

    def record(
        self,
        article_id: int,
        rows: Sequence[tuple[int | None, str, float | None, str]],
        settings_version: str,
        decided_at: str,
    ) -> None:
        """Audit rows: (match_id, method, score, detail) for one article."""
        self._conn.executemany(
            "INSERT INTO duplicates (article_id, match_id, method, score, detail, settings_version, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(article_id, m, method, s, d, settings_version, decided_at) for m, method, s, d in rows],
        )
