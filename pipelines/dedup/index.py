"""The persistent LSH index and audit log of dedup, in the caller's SQLite database.

Tables (created if missing):

* ``dedup_docs`` — one row per indexed article: body hash, MinHash signature, and (column
  ``clean``, compressed: packing.py) the verifier's text — the body's evidence sentence keys,
  one a line — that is re-read when the article comes up as a candidate. Older rows holding
  the cleaned body still work: the verifier prepares either form.
* ``dedup_titles`` — each indexed article's headline key: a shared headline lets the verifier
  accept a copy on less verbatim body text.
* ``dedup_band_chunks`` — the body LSH index (schema 5, `segments.py`): sorted segments of
  (band bucket, article) pairs, one written by each merge of the recent tier and compacted by
  size, packed into chunks of ~240 pairs under (segment, first key). The band number is folded
  into the 64-bit bucket key. ``dedup_segments`` lists the live segments,
  ``dedup_segment_filters`` holds a Bloom filter of each segment's keys (schema 6,
  `routing.py`): a key is looked up only in the segments that may hold it. ``dedup_bands``
  holds the pairs of schema ≤ 4, one row each, and is read next to the segments.
* ``dedup_title_band_chunks`` (and ``dedup_title_bands``) — the headline LSH index
  (headline.py), the same way: the second candidate channel, for trimmed copies that keep the
  release's headline.
* ``dedup_pending`` — the recent tier (schema 3, `recent.py`): articles indexed since the last
  merge, one appended row each; mirrored in memory per process (keymap.py) and read by the
  candidate lookups next to the band tables, merged into them every `merge_every` articles.
* ``dedup_filters`` — a Bloom filter of each band table of schema ≤ 4 (`filters.py`): only the
  keys that pass it are looked up there.
* ``duplicates`` — every decision, with the settings that produced it, so each one can be
  audited and re-run with other settings.
* ``dedup_meta`` — the signature settings the stored signatures were made with, the headline
  index's settings, and the dedup schema version (``schema``).

Migrations (`DedupIndex.__init__`, inside the caller's transaction, nothing dropped): schema 1
had no headline index; opening it builds ``dedup_title_bands`` from the stored ``dedup_titles``
and sets ``schema`` to 2. Changed headline settings rebuild that table the same way (after
merging the recent tier). Schema 2 → 3 adds the empty ``dedup_pending`` table: every stored row
stays where it is and is found as before. Schema 3 → 4 adds ``dedup_filters`` and builds the
filters from the band tables once. Schema 4 → 5 adds the empty chunk tables and the segment
list: the rows of ``dedup_bands`` and ``dedup_title_bands`` stay there. Schema 5 → 6 builds a
filter for each live segment, and rebuilds the old tables' filters from those tables alone.

Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable, Sequence

import numpy as np

from scraper.errors import StoreError

from .bloom import Hashed
from .filters import SCHEMA as FILTERS_SCHEMA
from .filters import BandFilters
from .mapping import MappedReads
from .packing import TextPacker
from .recent import MERGE_EVERY, RecentTier
from .routing import SegmentFilters
from .segments import BODY, HEADLINE, Tier, lookup
from .segments import FILTERS as SEGMENT_FILTERS
from .segments import SCHEMA as SEGMENTS_SCHEMA
from .segments import TABLES as BAND_INDEX_TABLES

log = logging.getLogger(__name__)

SCHEMA_VERSION = 6
_ATTEMPTS = 5  # lookups of one article redone because another connection merged meanwhile

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

# the newest articles of one headline bucket in the schema-4 headline table
_NEWEST = "SELECT bucket, article_id FROM {} WHERE bucket = ? ORDER BY article_id DESC LIMIT ?"


def drop_index(conn: sqlite3.Connection) -> None:
    """Forget every signature, band and decision (for `newscorpus dedup --rebuild`); no commit."""
    for table in (
        *BAND_INDEX_TABLES,
        "dedup_pending",
        "dedup_docs",
        "dedup_titles",
        "dedup_meta",
        "dedup_filters",
        "duplicates",
    ):
        conn.execute(f"DROP TABLE IF EXISTS {table}")


class DedupIndex:
    """SQL for the dedup tables (with recent.py and filters.py, all the dedup package says to SQLite)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        signature_settings: str,
        title_settings: str = "",
        title_keys: Callable[[str], Sequence[int]] | None = None,
        merge_every: int = MERGE_EVERY,
        keys_per_article: tuple[int, int] = (64, 16),
    ) -> None:
        """Create missing tables, check the signature settings, migrate an older index.

        `title_keys` maps a stored headline key to its headline-index buckets (headline.py);
        without it the headline index is left as it is. `merge_every`: articles in the recent
        tier before it is merged into the band tables; `keys_per_article`: body and headline bucket
        keys an article has (sizes the recent tier's in-memory filters).
        """
        self._conn = conn
        self._packer = TextPacker()
        for statement in (*_SCHEMA.split(";"), *SEGMENTS_SCHEMA, FILTERS_SCHEMA):  # not executescript: it would commit
            if statement.strip():
                conn.execute(statement)
        self._filters = BandFilters(conn)  # of the band tables of schema <= 4
        self._filters_generation: str | None = None  # the generation they were loaded at
        self._segments = SegmentFilters(conn)
        self._reads = MappedReads(conn)  # scattered reads do not pile up as mapped memory
        self._recent = RecentTier(conn, merge_every, keys_per_article)
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
        if self._meta("epoch") is None:  # a new index, or one made before epochs: never written twice
            self._set_meta("epoch", uuid.uuid4().hex)
        if title_keys is not None:
            self._segments.ensure_stored()  # a merge below may compact segments: their filters size the new one
            self._migrate_titles(version, title_settings, title_keys)  # 1 -> 3 (sets the version)
        if version in (2, 3, 4, 5):  # 3 added dedup_pending, 4 dedup_filters, 5 the segments, 6 their filters
            log.info("dedup: index schema %d -> %d (recent tier, segments, filters)", version, SCHEMA_VERSION)
            self._set_meta("schema", str(SCHEMA_VERSION))
        self._filters.ensure_stored()  # each builds what an older index lacks, once
        self._segments.ensure_stored()

    def _meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM dedup_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO dedup_meta (key, value) VALUES (?, ?)", (key, value))

    def _migrate_titles(self, version: int, title_settings: str, title_keys: Callable[[str], Sequence[int]]) -> None:
        """Build the headline index from the stored headlines if it is missing or was built otherwise."""
        if version >= 2 and self._meta("title_signature") == title_settings:
            return
        rebuilt = self._meta("title_signature") is not None  # a headline index built with other settings
        self.merge()  # the recent tier's headline keys were made with the old settings
        for table in (HEADLINE.main, HEADLINE.chunks):
            self._conn.execute(f"DELETE FROM {table}")
        log.info("dedup: building the headline index from the stored headlines")
        cursor = self._conn.execute("SELECT article_id, title FROM dedup_titles ORDER BY article_id")
        while rows := cursor.fetchmany(10_000):  # bounded memory on a large corpus
            self._conn.executemany(
                "INSERT OR IGNORE INTO dedup_title_bands (bucket, article_id) VALUES (?, ?)",
                [(k, int(a)) for a, t in rows for k in title_keys(str(t))],
            )
        self._set_meta("title_signature", title_settings)
        self._set_meta("schema", str(SCHEMA_VERSION))
        self._conn.execute("DELETE FROM dedup_filters WHERE band_table = ?", (HEADLINE.main,))  # rebuilt below,
        self._conn.execute(f"DELETE FROM {SEGMENT_FILTERS} WHERE tier = ?", (HEADLINE.chunks,))  # empty ones
        if rebuilt:
            self._recent.bump()  # other processes reload the headline index's filters

    # -- the recent tier (recent.py) ------------------------------------------------------------

    def forget_uncommitted(self) -> None:
        """After the caller rolled back: the recent tier's mirror and the filters are reloaded.

        A rolled-back merge leaves this process with a segment, and a generation number, that
        another connection's merge may reuse, so they are not trusted.
        """
        self._recent.forget_uncommitted()
        self._segments.forget()
        self._filters_generation = None

    def pending(self) -> int:
        """Articles in the recent tier."""
        return self._recent.pending()

    def merge(self) -> int:
        """Merge the recent tier into the band tables (no commit); returns the articles merged."""
        return self._recent.merge()

    def exact(self, body_hash: str) -> int | None:
        row = self._conn.execute("SELECT min(article_id) FROM dedup_docs WHERE body_hash = ?", (body_hash,)).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def load(self) -> str:
        """Load the recent tier's mirror and the filters now (else the first lookup does); the generation."""
        generation = self._recent.sync()
        self._segments.sync(generation)
        if self._filters_generation != generation:
            self._filters.load()  # nothing to read for an index without old band tables
            self._filters_generation = generation
        return generation

    def _stored_pairs(
        self, tier: Tier, keys: Hashed, in_table: Callable[[list[int]], list[tuple[int, int]]]
    ) -> list[tuple[int, int]]:
        """(bucket, article) pairs of `keys` in the old band table of `tier` (`in_table` reads it)
        and in the segments, each asked only for the keys its filter may hold."""
        hot = self._filters.hot(tier.main, keys)
        found = in_table(hot) if hot else []
        in_segments, chunks = lookup(self._conn, tier, self._segments.route(tier, keys))
        if hot or chunks:
            self._reads.count(len(hot) + chunks)
        return found + in_segments

    def _body_rows(self, hot: list[int]) -> list[tuple[int, int]]:
        marks = ",".join("?" * len(hot))
        return self._conn.execute(
            f"SELECT bucket, article_id FROM {BODY.main} WHERE bucket IN ({marks})", hot
        ).fetchall()

    def _newest_title_rows(self, hot: list[int], per_bucket: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for bucket in hot:
            out += self._conn.execute(_NEWEST.format(HEADLINE.main), (bucket, per_bucket)).fetchall()
        return out

    def candidates(self, buckets: Sequence[int], limit: int) -> list[tuple[int, int]]:
        """(article_id, shared bands) for articles sharing any bucket, most shared first (everywhere).

        A (bucket, article) pair counts once wherever it is kept (an article indexed twice under
        one id may be in two places).
        """
        if not buckets:
            return []
        probe = Hashed.of(np.asarray(buckets, dtype=np.int64))
        pairs = self._consistent(
            lambda: [*self._recent.body.lookup(probe), *self._stored_pairs(BODY, probe, self._body_rows)]
        )
        shared: dict[int, int] = {}
        for _, article_id in set(pairs):
            shared[article_id] = shared.get(article_id, 0) + 1
        return sorted(shared.items(), key=lambda x: (-x[1], x[0]))[:limit]

    def title_candidates(self, buckets: Sequence[int], per_bucket: int, limit: int) -> list[int]:
        """Articles sharing headline buckets, most shared first; only the newest `per_bucket` of a bucket."""
        if not buckets:
            return []
        probe = Hashed.of(np.asarray(buckets, dtype=np.int64))
        pairs = self._consistent(
            lambda: [
                *self._recent.titles.lookup(probe),
                *self._stored_pairs(HEADLINE, probe, lambda hot: self._newest_title_rows(hot, per_bucket)),
            ]
        )
        found: dict[int, set[int]] = {}
        for bucket, article_id in pairs:
            found.setdefault(int(bucket), set()).add(int(article_id))
        shared: dict[int, int] = {}
        for ids in found.values():
            for article_id in sorted(ids, reverse=True)[:per_bucket]:
                shared[article_id] = shared.get(article_id, 0) + 1
        return [a for a, _ in sorted(shared.items(), key=lambda x: (-x[1], -x[0]))[:limit]]

    def _consistent(self, read: Callable[[], list[tuple[int, int]]]) -> list[tuple[int, int]]:
        """`read()` done at one generation of the band index, the mirror and filters synced to it
        first: redone if another connection merged (or compacted) while it ran, since the
        segments it was routed to may be gone and the mirror's pairs moved."""
        for _ in range(_ATTEMPTS):
            generation = self.load()
            pairs = read()
            if self._recent.sync() == generation:
                return pairs
        raise StoreError("dedup: the band index kept changing under a lookup; try again")

    def stored_texts(self, article_ids: Sequence[int]) -> dict[int, str]:
        """The verifier text kept for each of `article_ids` (those indexed), in one query."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = self._conn.execute(
            f"SELECT article_id, clean FROM dedup_docs WHERE article_id IN ({marks})", tuple(article_ids)
        ).fetchall()
        self._reads.count(len(rows))
        return {int(a): self._packer.unpack(bytes(blob)) for a, blob in rows}

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
        self._conn.execute(
            "INSERT OR REPLACE INTO dedup_docs (article_id, body_hash, signature, clean, settings_version) "
            "VALUES (?, ?, ?, ?, ?)",
            (article_id, body_hash, signature, self._packer.pack(clean), settings_version),
        )
        if title:
            self._conn.execute(
                "INSERT OR REPLACE INTO dedup_titles (article_id, title) VALUES (?, ?)", (article_id, title)
            )
        self._recent.add(article_id, buckets, title_buckets)

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
