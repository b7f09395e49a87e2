"""The SQLite corpus: schema, migrations, and every SQL statement that writes articles.

Tables (documented for researchers in the README):
  articles       one row per stored article (every copy of a story is stored)
  tokens         Kiwi morphemes per article ('form/TAG ...' and 'start:length ...')
  articles_fts   FTS5 over the morphemes of title and body (contentless: index only, rowid = articles.id;
                 the text is rebuilt from `tokens` when needed, see fts_forms)
  clusters       one row per story: canonical article, size, first publication, outlets
  unique_articles  view: canonical articles only
  runs           one row per crawl/import run
  frontier, validators   the crawler's own state (layout free)
The dedup index keeps its own tables (pipelines/dedup).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from pipelines import fts_terms
from pipelines.store_frontier import CrawlState
from pipelines.store_runs import RunLog
from scraper.errors import StoreError
from scraper.models import WarcRef

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
# Readers map the file instead of copying pages through SQLite's page cache: a broad query touches
# tens of thousands of `articles` rows, and the mapped reads made such queries 2-3x faster (see
# benchmarks/README.md). Address space only; the OS page cache decides what stays in memory.
MMAP_BYTES = 8 * 2**30
# Terms a Store remembers as listed in fts_terms (~100 MB at most), so indexing skips them.
_TERMS_REMEMBERED = 1_000_000
_FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, body, content = '', tokenize = 'unicode61 remove_diacritics 0'
);
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    source TEXT,
    title TEXT NOT NULL,
    author TEXT,
    published TEXT,
    fetched_at TEXT,
    body TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    chars INTEGER NOT NULL,
    cluster_id INTEGER,
    duplicate_of INTEGER,
    captions TEXT,
    profile TEXT,
    run_id INTEGER,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_record_id TEXT
);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source, published);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles(cluster_id);
CREATE INDEX IF NOT EXISTS articles_body_hash ON articles(body_hash);
-- v2: search filters every FTS match on these columns; a covering index answers them without reading
-- the row (whose long body comes first and spills onto overflow pages).
CREATE INDEX IF NOT EXISTS articles_search ON articles(id, duplicate_of, published, source, author);
CREATE TABLE IF NOT EXISTS tokens (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    morphemes TEXT NOT NULL,
    offsets TEXT NOT NULL,
    nouns TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clusters (
    id INTEGER PRIMARY KEY,
    canonical_id INTEGER NOT NULL,
    size INTEGER NOT NULL,
    first_published TEXT,
    sources TEXT NOT NULL
);
CREATE VIEW IF NOT EXISTS unique_articles AS
    SELECT * FROM articles WHERE duplicate_of IS NULL;
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    pages_fetched INTEGER DEFAULT 0,
    articles_new INTEGER DEFAULT 0,
    duplicates INTEGER DEFAULT 0,
    failures INTEGER DEFAULT 0,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    found_via TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    next_retry_at TEXT,
    published_hint TEXT,
    article_id INTEGER,
    discovered_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    warc_file TEXT,  -- v4: the archive record of a page fetched but not yet processed (state 'fetched')
    warc_offset INTEGER,
    warc_record_id TEXT
);
CREATE INDEX IF NOT EXISTS frontier_state ON frontier(state, source);
CREATE TABLE IF NOT EXISTS extraction_health (
    run_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    pages INTEGER NOT NULL,
    not_article REAL NOT NULL,
    no_date REAL NOT NULL,
    no_author REAL NOT NULL,
    mean_chars REAL NOT NULL,
    PRIMARY KEY (run_id, source)
);
CREATE TABLE IF NOT EXISTS validators (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT
);
""" + fts_terms.SCHEMA + ";\n"  # v4: the terms of articles_fts, for prefix search (pipelines/fts_terms.py)


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """What gets inserted into `articles` (the id is assigned by SQLite)."""

    url: str
    source: str | None
    title: str
    author: str | None
    published: str | None
    fetched_at: str | None
    body: str
    body_hash: str
    captions: tuple[str, ...]
    profile: str
    run_id: int | None
    warc: WarcRef | None = None  # v3: where the page lies in the raw archive


# v3: the raw archive reference of each crawled article (NULL for imported ones and older rows)
_WARC_COLUMNS = (("warc_file", "TEXT"), ("warc_offset", "INTEGER"), ("warc_record_id", "TEXT"))


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    id: int
    canonical_id: int
    size: int


def fts_forms(title: str, morphemes: str, offsets: str) -> tuple[str, str]:
    """The (title, body) text indexed in articles_fts: morpheme forms, split where the title ends.

    Offsets point into `title + "\\n" + body`, so a morpheme starting before the first newline is
    part of the title (same rule as pipelines.ingest).
    """
    title_len = (title + "\n").index("\n")
    title_forms: list[str] = []
    body_forms: list[str] = []
    for m, o in zip(morphemes.split(), offsets.split(), strict=True):
        start = int(o.partition(":")[0])
        form = m.rpartition("/")[0].replace("_", " ")
        if start < title_len:
            title_forms.append(form)
        elif start > title_len:
            body_forms.append(form)
    return " ".join(title_forms), " ".join(body_forms)


def _warc_values(ref: WarcRef | None) -> tuple[str | None, int | None, str | None]:
    return (ref.file, ref.offset, ref.record_id) if ref is not None else (None, None, None)


class Store(RunLog, CrawlState):
    """Owns the connection and the schema. One instance per process/run.

    The run log (runs, extraction health, reports) and the crawler's state (frontier, validators)
    are mixed in from store_runs.py and store_frontier.py.
    """

    def __init__(self, path: Path | str, *, check_same_thread: bool = True) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        try:
            if self.path is not None and self.path.parent and not self.path.parent.exists():
                raise StoreError(f"cannot open database {path}: folder {self.path.parent} does not exist")
            conn = sqlite3.connect(str(path), check_same_thread=check_same_thread, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint every ~80 MB of WAL instead of 4 MB: each article writes ~80 random index pages,
            # so the default made almost every commit a checkpoint (benchmarks/dedup.py: 35-70 % less
            # commit time at 100 k articles). The WAL file is truncated back at close.
            conn.execute("PRAGMA wal_autocheckpoint=20000")
            conn.execute("PRAGMA journal_size_limit=67108864")
            conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute("PRAGMA cache_size=-131072")  # 128 MB: the dedup band lookups are random reads
            conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            self.conn = conn
            # fts_terms known to be stored (committed by this Store) and those added in the open transaction:
            # a term already listed costs no SQL (an article has ~400 distinct terms, nearly all known).
            self._terms_stored: set[str] = set()
            self._terms_pending: set[str] = set()
            # no sqlite-utils plugins on the corpus connection: finding them scans every installed
            # package's entry points (~30 ms before a crawl's first request)
            self.db = sqlite_utils.Database(conn, execute_plugins=False)
            self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc

    # -- schema -------------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} has schema version {version}, newer than this newscorpus "
                f"({SCHEMA_VERSION}); upgrade newscorpus"
            )
        if version == SCHEMA_VERSION:
            return
        if version == 1:
            self._migrate_v1_to_v2()
            version = 2
        if version == 2:
            self._migrate_v2_to_v3()
            version = 3
        if version == 3:
            self._migrate_v3_to_v4()
        with self.conn:
            self.conn.executescript(_SCHEMA + _FTS_SCHEMA)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _migration(self, to: int, what: str) -> Iterator[None]:
        """One explicit transaction per step that ends by setting user_version = `to`, so an interrupted
        migration leaves the file at the previous version as it was."""
        log.info("migrating %s from schema %d to %d (%s)", self.path, to - 1, to, what)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute(f"PRAGMA user_version = {to}")
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    def _migrate_v1_to_v2(self) -> None:
        """v2 makes articles_fts contentless: drop FTS5's own copy of the text and re-index from `tokens`.

        The freed pages stay in the file until `VACUUM`.
        """
        with self._migration(2, "re-indexing articles_fts from tokens"):
            self.conn.execute("DROP TABLE IF EXISTS articles_fts")
            self.conn.execute(_FTS_SCHEMA)
            n = self.rebuild_fts()
        log.info("re-indexed %d articles", n)

    def _migrate_v2_to_v3(self) -> None:
        """v3 adds the raw archive reference to `articles`; every row is kept (its reference is NULL)."""
        with self._migration(3, "archive reference columns"):
            have = {r[1] for r in self.conn.execute("PRAGMA table_info(articles)")}
            for name, kind in _WARC_COLUMNS:
                if name not in have:
                    self.conn.execute(f"ALTER TABLE articles ADD COLUMN {name} {kind}")

    def _migrate_v3_to_v4(self) -> None:
        """v4 keeps the vocabulary of articles_fts in `fts_terms` (read once from the index itself) and
        the archive record of fetched-but-unprocessed pages in `frontier` (the crawl's spool)."""
        with self._migration(4, "listing the full-text index's terms, frontier spool columns"):
            self.conn.execute(fts_terms.SCHEMA)
            n = fts_terms.fill_from_index(self.conn)
            have = {r[1] for r in self.conn.execute("PRAGMA table_info(frontier)")}
            for name, kind in _WARC_COLUMNS:
                if name not in have:
                    self.conn.execute(f"ALTER TABLE frontier ADD COLUMN {name} {kind}")
        log.info("listed %d terms", n)

    def rebuild_fts(self) -> int:
        """Re-create the whole full-text index from `tokens`; no commit. Returns the rows indexed."""
        self.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
        self.conn.execute(fts_terms.SCHEMA)  # absent while a v1 file is being migrated
        cur = self.conn.execute(
            "SELECT t.article_id, a.title, t.morphemes, t.offsets FROM tokens t JOIN articles a"
            " ON a.id = t.article_id ORDER BY t.article_id")
        n = 0
        while chunk := cur.fetchmany(1000):
            rows = [(aid, *fts_forms(title, morphemes, offsets)) for aid, title, morphemes, offsets in chunk]
            self.conn.executemany("INSERT INTO articles_fts (rowid, title, body) VALUES (?,?,?)", rows)
            fts_terms.add(self.conn, fts_terms.terms_of(*(text for _, t, b in rows for text in (t, b))))
            n += len(chunk)
        return n

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes of one batch commit together or not at all."""
        try:
            with self.conn:
                yield self.conn
        except BaseException:
            self._terms_pending.clear()  # rolled back: those terms may not be in fts_terms
            raise
        if len(self._terms_stored) > _TERMS_REMEMBERED:
            self._terms_stored.clear()
        self._terms_stored |= self._terms_pending
        self._terms_pending.clear()

    # -- articles -----------------------------------------------------------------------------
    def article_id_for_url(self, url: str) -> int | None:
        row = self.conn.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone()
        return int(row[0]) if row else None

    def insert_article(self, row: ArticleRow, article_id: int | None = None) -> int:
        """Insert a row; `article_id` only to restore a deleted article under its old id (reextract)."""
        cur = self.conn.execute(
            "INSERT INTO articles (id, url, source, title, author, published, fetched_at, body, body_hash, chars,"
            " captions, profile, run_id, warc_file, warc_offset, warc_record_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article_id, row.url, row.source, row.title, row.author, row.published, row.fetched_at, row.body,
                row.body_hash, len(row.body), json.dumps(list(row.captions), ensure_ascii=False),
                row.profile, row.run_id, *_warc_values(row.warc),
            ),
        )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    def insert_tokens(self, article_id: int, morphemes: str, offsets: str, nouns: str, fts_title: str,
                      fts_body: str) -> None:
        """Store an article's morphemes and index them.

        `fts_title`/`fts_body` must be `fts_forms(title, morphemes, offsets)` (what the ingestor builds):
        articles_fts is contentless, so replacing a row means telling FTS5 the old text, which is
        re-derived from the old `tokens` row.
        """
        old = self.conn.execute(
            "SELECT a.title, t.morphemes, t.offsets FROM tokens t JOIN articles a ON a.id = t.article_id"
            " WHERE t.article_id = ?", (article_id,)).fetchone()
        if old is not None:
            self.conn.execute(
                "INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                (article_id, *fts_forms(*old)),
            )
        self.conn.execute(
            "INSERT OR REPLACE INTO tokens (article_id, morphemes, offsets, nouns) VALUES (?,?,?,?)",
            (article_id, morphemes, offsets, nouns),
        )
        self.conn.execute(
            "INSERT INTO articles_fts (rowid, title, body) VALUES (?,?,?)", (article_id, fts_title, fts_body)
        )
        new = fts_terms.terms_of(fts_title, fts_body) - self._terms_stored - self._terms_pending
        if new:
            fts_terms.add(self.conn, new)
            self._terms_pending |= new

    def update_extracted(self, article_id: int, row: ArticleRow) -> None:
        """Re-extraction: replace an article's extracted fields in place (id, url, run and cluster kept).

        Call insert_tokens for a changed title/body *before* this: it reads the old title to remove the
        old full-text entry. No commit.
        """
        self.conn.execute(
            "UPDATE articles SET title=?, author=?, published=?, body=?, body_hash=?, chars=?, captions=?,"
            " profile=? WHERE id=?",
            (row.title, row.author, row.published, row.body, row.body_hash, len(row.body),
             json.dumps(list(row.captions), ensure_ascii=False), row.profile, article_id),
        )

    def drop_orphan_tokens(self, article_id: int) -> bool:
        """Delete the `tokens` row of an article whose row is gone; True if there was one.

        Its full-text entry cannot be removed without the old title: call rebuild_fts() afterwards.
        """
        return self.conn.execute("DELETE FROM tokens WHERE article_id = ?", (article_id,)).rowcount > 0

    def tokens_of(self, article_id: int) -> tuple[str, str] | None:
        row = self.conn.execute(
            "SELECT morphemes, offsets FROM tokens WHERE article_id = ?", (article_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    # -- clusters -----------------------------------------------------------------------------
    def cluster_of(self, article_id: int) -> int | None:
        row = self.conn.execute("SELECT cluster_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def join_cluster(self, article_id: int, matches: Sequence[int]) -> ClusterInfo:
        """Put an article into the cluster of its matches (merging their clusters), or a new one.

        The cluster id is the smallest cluster id involved, so ids stay stable as copies arrive.
        The canonical article is the earliest published (ties: longest body, then lowest id).
        """
        clusters = sorted({c for c in (self.cluster_of(m) for m in matches) if c is not None})
        cluster_id = clusters[0] if clusters else article_id
        others = clusters[1:]
        if others:
            marks = ",".join("?" * len(others))
            self.conn.execute(f"UPDATE articles SET cluster_id = ? WHERE cluster_id IN ({marks})",
                              (cluster_id, *others))
            self.conn.execute(f"DELETE FROM clusters WHERE id IN ({marks})", others)
        self.conn.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", (cluster_id, article_id))
        return self.refresh_cluster(cluster_id)

    def reset_clusters(self) -> None:
        """Forget every cluster (before a rebuild); no commit."""
        self.conn.execute("UPDATE articles SET cluster_id = NULL, duplicate_of = NULL")
        self.conn.execute("DELETE FROM clusters")

    def refresh_cluster(self, cluster_id: int) -> ClusterInfo:
        members = self.conn.execute(
            "SELECT id, source, published FROM articles WHERE cluster_id = ?"
            " ORDER BY published IS NULL, published, chars DESC, id",
            (cluster_id,),
        ).fetchall()
        canonical = int(members[0][0])
        published = [m[2] for m in members if m[2]]
        sources = sorted({m[1] for m in members if m[1]})
        self.conn.execute(
            "UPDATE articles SET duplicate_of = CASE WHEN id = ? THEN NULL ELSE ? END WHERE cluster_id = ?",
            (canonical, canonical, cluster_id),
        )
        self.conn.execute(
            "INSERT OR REPLACE INTO clusters (id, canonical_id, size, first_published, sources)"
            " VALUES (?,?,?,?,?)",
            (cluster_id, canonical, len(members), min(published) if published else None,
             json.dumps(sources, ensure_ascii=False)),
        )
        return ClusterInfo(cluster_id, canonical, len(members))
