"""The stored band index of dedup schema 5: sorted segments of packed key chunks, compacted by size.

A merge of the recent tier (recent.py) used to insert its rows into one band table holding the
whole corpus, one SQL row per (bucket key, article). That cost ~1.5 µs a row for the insert
alone, and because the rows are spread over all keys each merge also rewrote nearly every page
of the table: 38 s for 100,000 articles at 1M, growing with the corpus. Now each merge writes
a **segment**: its (key, article) pairs sorted, packed `CHUNK_KEYS` (240) at a time into rows of
``dedup_band_chunks`` (``dedup_title_band_chunks`` for headlines) — the chunk's first key, and
its keys and owners as little-endian int64 arrays. A chunk never splits a key, so a key is in
the chunk of its segment with the greatest first key not above it: one primary-key descent.
Writing a segment is a numpy sort and ~33,000 small inserts for 100,000 articles, at any
corpus size.

``dedup_segments`` lists the live segments and the articles each holds. When `FANOUT` segments
of one size class are live (class k: fewer than ``batch·FANOUT^(k+1)`` articles), they are
compacted into one: their chunks are read in key order, a slice at a time, merged with numpy
and written as a new segment; theirs are deleted. Each pair is rewritten once per class it
passes through, O(log N) times in all, and few segments are live (at most ``FANOUT - 1`` a
class).

Each segment has a Bloom filter of its keys for each tier (``dedup_segment_filters``, schema 6),
written with it and deleted with it: a key is looked up only in the segments whose filter may
hold it (routing.py), so a copy's keys cost a descent in the one segment holding its original,
not one in every live segment.

The band tables of schema ≤ 4 (``dedup_bands``, ``dedup_title_bands``: one SQL row a pair) keep
their rows and are read next to the segments, behind a filter of their own (filters.py);
nothing is written to them but a rebuilt headline index. Nothing here commits.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .bloom import BloomFilter

FANOUT = 8  # live segments of one size class that are compacted into one
# keys a chunk holds (more when a key repeats): 3.8 KB of keys and owners, one row filling a
# 4 KB page without an overflow page
CHUNK_KEYS = 240
_READ_CHUNKS = 2048  # chunks a compaction reads from a segment at a time (~8 MB)

_Int64s = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Tier:
    """One kind of band key: its schema-4 table and its chunk table."""

    main: str
    chunks: str


BODY = Tier("dedup_bands", "dedup_band_chunks")
HEADLINE = Tier("dedup_title_bands", "dedup_title_band_chunks")
TIERS = (BODY, HEADLINE)
REGISTRY = "dedup_segments"
FILTERS = "dedup_segment_filters"  # a segment's Bloom filter for a tier (named by its chunk table)

SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {REGISTRY} (seg INTEGER PRIMARY KEY, articles INTEGER NOT NULL)",
    *(
        f"CREATE TABLE IF NOT EXISTS {tier.chunks} (seg INTEGER NOT NULL, first_key INTEGER NOT NULL, "
        "keys BLOB NOT NULL, owners BLOB NOT NULL, PRIMARY KEY (seg, first_key))"
        for tier in TIERS
    ),
    f"CREATE TABLE IF NOT EXISTS {FILTERS} (seg INTEGER NOT NULL, tier TEXT NOT NULL, keys INTEGER NOT NULL, "
    "bits BLOB NOT NULL, PRIMARY KEY (seg, tier))",
]
TABLES = (*(t for tier in TIERS for t in (tier.main, tier.chunks)), REGISTRY, FILTERS)


_STORED = np.dtype("<i8")  # how keys and owners are stored: little-endian int64


def _blob(values: _Int64s) -> bytes:
    return (values if sys.byteorder == "little" else values.astype("<i8")).tobytes()


def _array(blob: bytes) -> _Int64s:
    return np.frombuffer(blob, dtype=_STORED).astype(np.int64, copy=False)


def sorted_pairs(keys: _Int64s, owners: _Int64s) -> tuple[_Int64s, _Int64s]:
    """The (key, owner) pairs sorted by key then owner, each pair once."""
    order = np.lexsort((owners, keys))
    keys, owners = keys[order], owners[order]
    if keys.size:
        keep = np.ones(keys.size, dtype=bool)
        keep[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
        keys, owners = keys[keep], owners[keep]
    return keys, owners


def chunk_rows(
    seg: int, keys: _Int64s, owners: _Int64s, size: int | None = None
) -> Iterator[tuple[int, int, bytes, bytes]]:
    """Rows of the chunk table for sorted pairs: cut every `size` (`CHUNK_KEYS`), moved on to a key change."""
    if not keys.size:
        return
    size = size or CHUNK_KEYS
    starts = np.flatnonzero(keys[1:] != keys[:-1]) + 1  # where a new key begins
    wanted = np.arange(size, keys.size, size)
    at = np.searchsorted(starts, wanted)
    cuts = np.unique(starts[at[at < starts.size]]).tolist()
    for lo, hi in zip([0, *cuts], [*cuts, int(keys.size)], strict=True):
        yield seg, int(keys[lo]), _blob(keys[lo:hi]), _blob(owners[lo:hi])


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
    """A number above every live segment's (new segments are appended at the end of the key space)."""
    return int(conn.execute(f"SELECT coalesce(max(seg), 0) + 1 FROM {REGISTRY}").fetchone()[0])


def write_segment(conn: sqlite3.Connection, articles: int, pairs: dict[Tier, tuple[_Int64s, _Int64s]]) -> int:
    """A new segment of `articles` articles from each tier's (keys, owners), with its filters; its number."""
    seg = _next_segment(conn)
    for tier in TIERS:
        keys, owners = sorted_pairs(*pairs.get(tier, (np.zeros(0, np.int64), np.zeros(0, np.int64))))
        rows = chunk_rows(seg, keys, owners)
        conn.executemany(f"INSERT INTO {tier.chunks} (seg, first_key, keys, owners) VALUES (?, ?, ?, ?)", rows)
        bloom = BloomFilter.for_keys(int(keys.size))
        bloom.add(keys)
        store_filter(conn, seg, tier, int(keys.size), bloom)
    conn.execute(f"INSERT INTO {REGISTRY} (seg, articles) VALUES (?, ?)", (seg, articles))
    return seg


def store_filter(conn: sqlite3.Connection, seg: int, tier: Tier, keys: int, bloom: BloomFilter) -> None:
    """Keep `bloom`, the filter of the `keys` pairs of segment `seg` in `tier`."""
    conn.execute(
        f"INSERT OR REPLACE INTO {FILTERS} (seg, tier, keys, bits) VALUES (?, ?, ?, ?)",
        (seg, tier.chunks, keys, bloom.to_bytes()),
    )


def build_filter(conn: sqlite3.Connection, seg: int, tier: Tier) -> tuple[int, BloomFilter]:
    """The pairs of segment `seg` in `tier` and a filter of their keys, from its chunks (a scan)."""
    pairs = segment_pairs(conn, tier, [seg])
    bloom = BloomFilter.for_keys(pairs)
    for keys, _owners in _chunks_of(conn, tier, seg):
        bloom.add(keys)
    return pairs, bloom


def lookup(
    conn: sqlite3.Connection, tier: Tier, routed: Sequence[tuple[int, int]]
) -> tuple[list[tuple[int, int]], int]:
    """(key, owner) of the pairs with each (segment, key) of `routed`, and the chunks read to find
    them: one primary-key descent each. A segment that is not there (any more) gives nothing."""
    if not routed:
        return [], 0
    rows = conn.execute(
        f"SELECT json_extract(r.value, '$[1]'), c.keys, c.owners FROM json_each(?) AS r "
        f"JOIN {tier.chunks} AS c ON c.rowid = (SELECT rowid FROM {tier.chunks} WHERE seg = "
        "json_extract(r.value, '$[0]') AND first_key <= json_extract(r.value, '$[1]') "
        "ORDER BY first_key DESC LIMIT 1)",
        ("[" + ",".join(f"[{int(s)},{int(k)}]" for s, k in routed) + "]",),
    )
    out: list[tuple[int, int]] = []
    chunks = 0
    for key, blob_keys, blob_owners in rows:
        chunks += 1
        at = np.flatnonzero(np.frombuffer(blob_keys, dtype=_STORED) == key)  # a chunk is small: one pass
        if at.size:
            out.extend((int(key), o) for o in np.frombuffer(blob_owners, dtype=_STORED)[at].tolist())
    return out, chunks


def segment_pairs(conn: sqlite3.Connection, tier: Tier, segs: Sequence[int] | None = None) -> int:
    """Pairs the segments `segs` (default: the live ones) hold in `tier`, from their chunks' sizes."""
    where = f"IN (SELECT seg FROM {REGISTRY})" if segs is None else f"IN ({','.join('?' * len(segs))})"
    sql = f"SELECT coalesce(sum(length(keys)), 0) / 8 FROM {tier.chunks} WHERE seg {where}"
    return int(conn.execute(sql, () if segs is None else tuple(segs)).fetchone()[0])


def _chunks_of(conn: sqlite3.Connection, tier: Tier, seg: int) -> Iterator[tuple[_Int64s, _Int64s]]:
    """One segment's pairs in key order, `_READ_CHUNKS` chunks at a time (no statement left open)."""
    after: int | None = None
    while True:
        where, args = ("seg = ?", (seg,)) if after is None else ("seg = ? AND first_key > ?", (seg, after))
        rows = conn.execute(
            f"SELECT first_key, keys, owners FROM {tier.chunks} WHERE {where} ORDER BY first_key LIMIT ?",
            (*args, _READ_CHUNKS),
        ).fetchall()
        if not rows:
            return
        after = int(rows[-1][0])
        yield (np.concatenate([_array(k) for _, k, _ in rows]), np.concatenate([_array(o) for _, _, o in rows]))


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


def _pairs_of(conn: sqlite3.Connection, tier: Tier, segs: list[int]) -> int:
    """Pairs the segments `segs` hold in `tier`: from their stored filters, or their chunks' sizes."""
    total = 0
    for seg in segs:
        found = conn.execute(f"SELECT keys FROM {FILTERS} WHERE seg = ? AND tier = ?", (seg, tier.chunks)).fetchone()
        # a segment of schema 5 not given its filter yet: its chunks' sizes
        total += int(found[0]) if found is not None else segment_pairs(conn, tier, [seg])
    return total


def compact(conn: sqlite3.Connection, group: list[tuple[int, int]]) -> int:
    """Rewrite the segments of `group` ((segment, articles)) as one new segment; its number.

    Each segment is read in key order a slice at a time; all pairs up to the smallest last key
    read so far are complete in every slice, so they are merged and written, and the rest waits
    for the next slices. Memory: a slice of each segment.
    """
    seg = _next_segment(conn)
    olds = [s for s, _ in group]
    marks = ",".join("?" * len(olds))
    for tier in TIERS:
        bloom = BloomFilter.for_keys(_pairs_of(conn, tier, olds))  # what the old segments hold, at most
        written = 0
        readers = {s: _chunks_of(conn, tier, s) for s in olds}
        held: dict[int, tuple[_Int64s, _Int64s]] = {}
        while readers or held:
            for s in [s for s in readers if s not in held]:  # refill the slices that were used up
                piece = next(readers[s], None)
                if piece is None:
                    del readers[s]
                else:
                    held[s] = piece
            if not held:
                break
            # a segment still being read bounds what is complete; a finished one does not
            bound = min((int(keys[-1]) for s, (keys, _) in held.items() if s in readers), default=None)
            take_keys, take_owners = [], []
            for s in list(held):
                keys, owners = held[s]
                n = keys.size if bound is None else int(np.searchsorted(keys, bound, side="right"))
                take_keys.append(keys[:n])
                take_owners.append(owners[:n])
                if n == keys.size:
                    del held[s]
                else:
                    held[s] = (keys[n:], owners[n:])
            pairs = sorted_pairs(np.concatenate(take_keys), np.concatenate(take_owners))
            conn.executemany(
                f"INSERT INTO {tier.chunks} (seg, first_key, keys, owners) VALUES (?, ?, ?, ?)",
                chunk_rows(seg, *pairs),
            )
            bloom.add(pairs[0])
            written += int(pairs[0].size)
        store_filter(conn, seg, tier, written, bloom)
        conn.execute(f"DELETE FROM {tier.chunks} WHERE seg IN ({marks})", olds)
    conn.execute(f"DELETE FROM {FILTERS} WHERE seg IN ({marks})", olds)
    conn.execute(f"DELETE FROM {REGISTRY} WHERE seg IN ({marks})", olds)
    conn.execute(f"INSERT INTO {REGISTRY} (seg, articles) VALUES (?, ?)", (seg, sum(n for _, n in group)))
    return seg
