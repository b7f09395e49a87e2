"""The stored levels of the dedup band index (schema 5): a large main table and a delta table.

A merge of the recent tier (recent.py) writes its rows in key order, so it rewrites about every
page of the table it goes into; merging into one table that holds the whole corpus made each
merge cost in proportion to the corpus (38 s for 100,000 articles at 1M). So each tier — body
bands and headline bands — has two stored tables:

* the **main** table (``dedup_bands``, ``dedup_title_bands``), which holds most of the corpus;
* the **delta** table (``dedup_bands_delta``, ``dedup_title_bands_delta``), which receives the
  merges. It stays small, so a merge rewrites only the delta table.

When the delta has taken in `compact_at` articles, it is *compacted*: its rows go into the main
table in key order (the delta's primary-key order: no sort) and it is emptied. With a merge
batch of B articles and N articles in the main table, a merge costs about the delta's size and
a compaction about N, so the delta limit that minimises the sum is ``sqrt(2·B·N)`` (about
4.5 merges between compactions at 1M, 1.4 at 100k; at once while the corpus is smaller than
a batch, which is how a small corpus behaves as before). Per article that is O(sqrt(N/B)) page
writes instead of O(N/B).

An article's rows are all in one table (a merge or a compaction moves whole articles), so the
lookups read both tables with one statement and the Bloom filter of a tier (filters.py) covers
both; a compaction does not change it.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tier:
    """One kind of band key: its main and delta tables and its ``dedup_pending`` column."""

    main: str
    delta: str
    pending_column: str

    @property
    def tables(self) -> tuple[str, str]:
        return (self.main, self.delta)


BODY = Tier("dedup_bands", "dedup_bands_delta", "keys")
HEADLINE = Tier("dedup_title_bands", "dedup_title_bands_delta", "title_keys")
TIERS = (BODY, HEADLINE)

SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {table} (bucket INTEGER NOT NULL, article_id INTEGER NOT NULL, "
    "PRIMARY KEY (bucket, article_id)) WITHOUT ROWID"
    for tier in TIERS
    for table in tier.tables
]

_DELTA_ARTICLES = "delta_articles"  # dedup_meta: articles merged into the delta tables since a compaction


def compact_at(batch: int, main_articles: int) -> int:
    """Articles the delta takes in before it is compacted: ``sqrt(2·batch·main)``, at least one."""
    return max(1, math.isqrt(2 * max(1, batch) * max(0, main_articles)))


def delta_articles(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM dedup_meta WHERE key = ?", (_DELTA_ARTICLES,)).fetchone()
    return 0 if row is None else int(row[0])


def merged_into_delta(conn: sqlite3.Connection, articles: int, batch: int) -> bool:
    """Count `articles` just merged into the delta; compact it if it is full. True if compacted.

    `batch`: the recent tier's size (articles a merge brings). No commit.
    """
    held = delta_articles(conn) + articles
    indexed = int(conn.execute("SELECT count(*) FROM dedup_docs").fetchone()[0])
    pending = int(conn.execute("SELECT count(*) FROM dedup_pending").fetchone()[0])
    if held >= compact_at(batch, indexed - held - pending):
        compact(conn)
        return True
    conn.execute("INSERT OR REPLACE INTO dedup_meta (key, value) VALUES (?, ?)", (_DELTA_ARTICLES, str(held)))
    return False


def compact(conn: sqlite3.Connection) -> None:
    """Move every delta row into its main table, in key order; no commit."""
    for tier in TIERS:
        conn.execute(
            f"INSERT OR IGNORE INTO {tier.main} (bucket, article_id) "
            f"SELECT bucket, article_id FROM {tier.delta} ORDER BY bucket, article_id"
        )
        conn.execute(f"DELETE FROM {tier.delta}")
    conn.execute("INSERT OR REPLACE INTO dedup_meta (key, value) VALUES (?, '0')", (_DELTA_ARTICLES,))
