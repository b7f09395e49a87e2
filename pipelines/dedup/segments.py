"""The stored band index of dedup schema 5: sorted segments, one per merge, compacted by size.

A merge of the recent tier (recent.py) used to insert its rows into one band table that holds
the whole corpus. Its rows go in key order, so it rewrote about every page of that table: the
cost of a merge grew with the corpus (38 s for 100,000 articles at 1M). Now each merge writes a
new **segment**: its rows, in key order, under a new segment number that leads the primary key
of ``dedup_band_segments`` (``dedup_title_band_segments`` for headlines), so they are appended
at the right edge of the B-tree and no stored page is rewritten (~16 s for 100,000 articles at
any corpus size, measured; the SQL insert itself, ~1.5 µs a row, is most of it).

``dedup_segments`` lists the live segments and the articles each holds. When `FANOUT` segments
of one size class are live (class k: fewer than ``batch·FANOUT^(k+1)`` articles), they are
compacted into one of the next class: their rows are read as one merge of sorted streams (no
sort) and written as a new segment, and theirs are deleted. Each row is so rewritten once per
class it passes through — O(log N) per article — and at most ``FANOUT - 1`` segments of each
class are live.

The band tables of schema ≤ 4 (``dedup_bands``, ``dedup_title_bands``) keep their rows and are
read like one more segment; nothing is written to them but a rebuilt headline index.

An article's rows are all in one place (a merge or a compaction moves whole articles), so a
lookup reads the old table and every segment in one statement, and the Bloom filter of a tier
(filters.py) covers them all; a compaction does not change it. Nothing here commits.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

FANOUT = 8  # live segments of one size class that are compacted into one of the next


@dataclass(frozen=True, slots=True)
class Tier:
    """One kind of band key: its schema-4 table, its segment table, its ``dedup_pending`` column."""

    main: str
    segments: str
    pending_column: str


BODY = Tier("dedup_bands", "dedup_band_segments", "keys")
HEADLINE = Tier("dedup_title_bands", "dedup_title_band_segments", "title_keys")
TIERS = (BODY, HEADLINE)
REGISTRY = "dedup_segments"

SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {REGISTRY} (seg INTEGER PRIMARY KEY, articles INTEGER NOT NULL)",
    *(
        f"CREATE TABLE IF NOT EXISTS {tier.segments} (seg INTEGER NOT NULL, bucket INTEGER NOT NULL, "
        "article_id INTEGER NOT NULL, PRIMARY KEY (seg, bucket, article_id)) WITHOUT ROWID"
        for tier in TIERS
    ),
]
TABLES = (*(t for tier in TIERS for t in (tier.main, tier.segments)), REGISTRY)


def live(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """(segment, articles) of the live segments, oldest first."""
    return [(int(s), int(n)) for s, n in conn.execute(f"SELECT seg, articles FROM {REGISTRY} ORDER BY seg")]


def size_class(articles: int, batch: int) -> int:
    """0 below ``batch·FANOUT`` articles, 1 below ``batch·FANOUT²``, and so on."""
    k, limit = 0, max(1, batch) * FANOUT
    while articles >= limit:
        k, limit = k + 1, limit * FANOUT
    return k


def _next_segment(conn: sqlite3.Connection) -> int:
    return int(conn.execute(f"SELECT coalesce(max(seg), 0) + 1 FROM {REGISTRY}").fetchone()[0])


def write_pending(conn: sqlite3.Connection, articles: int) -> int:
    """A new segment from every ``dedup_pending`` row (key order, one statement a tier); its number."""
    seg = _next_segment(conn)
    for tier in TIERS:
        conn.execute(
            f"INSERT OR IGNORE INTO {tier.segments} (seg, bucket, article_id) SELECT ?, j.value, p.article_id "
            f"FROM dedup_pending AS p, json_each(p.{tier.pending_column}) AS j ORDER BY 2, 3",
            (seg,),
        )
    conn.execute(f"INSERT INTO {REGISTRY} (seg, articles) VALUES (?, ?)", (seg, articles))
    return seg


def compact_due(conn: sqlite3.Connection, batch: int) -> int:
    """Compact while some size class has `FANOUT` live segments; returns the compactions made.

    `batch`: the recent tier's size (the articles of a full merge).
    """
    done = 0
    while True:
        by_class: dict[int, list[tuple[int, int]]] = {}
        for seg, articles in live(conn):
            by_class.setdefault(size_class(articles, batch), []).append((seg, articles))
        full = [group for _, group in sorted(by_class.items()) if len(group) >= FANOUT]
        if not full:
            return done
        compact(conn, full[0])
        done += 1


def compact(conn: sqlite3.Connection, group: list[tuple[int, int]]) -> int:
    """Rewrite the segments of `group` ((segment, articles)) as one new segment; its number.

    The rows are read as a merge of the segments' sorted streams (SQLite's compound ORDER BY), so
    nothing is sorted; the old rows are deleted after.
    """
    seg = _next_segment(conn)
    olds = [s for s, _ in group]
    for tier in TIERS:
        streams = " UNION ALL ".join([f"SELECT ?, bucket, article_id FROM {tier.segments} WHERE seg = ?"] * len(olds))
        conn.execute(
            f"INSERT OR IGNORE INTO {tier.segments} (seg, bucket, article_id) {streams} ORDER BY 2, 3",
            tuple(v for old in olds for v in (seg, old)),
        )
        conn.execute(f"DELETE FROM {tier.segments} WHERE seg IN ({','.join('?' * len(olds))})", olds)
    conn.execute(f"DELETE FROM {REGISTRY} WHERE seg IN ({','.join('?' * len(olds))})", olds)
    conn.execute(f"INSERT INTO {REGISTRY} (seg, articles) VALUES (?, ?)", (seg, sum(n for _, n in group)))
    return seg
