"""The segmented band index (dedup schema 5): a chunked segment a merge, compacted by size, all read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedup import LONG_RELEASE, REWRITE, doc, store, stored_pairs
from test_dedup_tiers import CUT_DOWN, CUT_TITLE, LIBRARY, TITLE, as_schema_4, copy_of, count

from pipelines.dedup import Deduper
from pipelines.dedup.index import DedupIndex, drop_index
from pipelines.dedup.segments import (
    BODY,
    FANOUT,
    HEADLINE,
    TABLES,
    chunk_rows,
    compact_due,
    live,
    lookup,
    segment_pairs,
    size_class,
    sorted_pairs,
)
from scraper.config import DedupConfig


def test_size_classes_grow_by_the_fanout() -> None:
    batch = 100_000
    assert [size_class(n, batch) for n in (1, batch, batch * FANOUT - 1)] == [0, 0, 0]
    assert size_class(batch * FANOUT, batch) == 1
    assert size_class(batch * FANOUT**2 - 1, batch) == 1 and size_class(batch * FANOUT**2, batch) == 2


def keys_of(rng: np.random.Generator, n: int) -> list[int]:
    return rng.integers(-(2**63), 2**63 - 1, size=n).tolist()  # type: ignore[no-any-return]


def test_each_merge_writes_a_segment_and_a_full_class_is_compacted() -> None:
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "t", "tt", None, merge_every=100)  # merged by hand below: class 0 below 800
    rng = np.random.default_rng(3)
    body = {a: keys_of(rng, 8) for a in range(1, 2 * FANOUT + 1)}
    titles = {a: keys_of(rng, 2) for a in body}
    body[FANOUT + 1] = body[1][:5] + keys_of(rng, 3)  # shares 5 body buckets and a headline bucket with 1
    titles[FANOUT + 1] = titles[1][:1] + keys_of(rng, 1)
    for a in range(1, FANOUT):  # one article a merge: FANOUT - 1 segments, nothing compacted
        index.add_doc(a, f"h{a}", b"", "", body[a], "v", "제목", titles[a])
        assert index.merge() == 1
    assert [n for _, n in live(conn)] == [1] * (FANOUT - 1)
    assert segment_pairs(conn, BODY) == (FANOUT - 1) * 8 and count(conn, BODY.main) == 0
    for a in (FANOUT, FANOUT + 1):
        index.add_doc(a, f"h{a}", b"", "", body[a], "v", "제목", titles[a])
    before_rows = stored_pairs(conn, BODY)
    probe, title_probe = body[1], titles[1]
    before = (index.candidates(probe, 5), sorted(index.title_candidates(title_probe, 5, 5)))
    assert before == ([(1, 8), (FANOUT + 1, 5)], [1, FANOUT + 1])  # one stored, one recent
    index.merge()  # the FANOUT-th segment of class 0: all compacted into one
    assert live(conn) == [(FANOUT + 1, FANOUT + 1)]
    assert conn.execute(f"SELECT DISTINCT seg FROM {BODY.chunks}").fetchall() == [(FANOUT + 1,)]
    rows = stored_pairs(conn, BODY)
    assert len(rows) == (FANOUT + 1) * 8 and set(before_rows) < set(rows)
    assert (index.candidates(probe, 5), sorted(index.title_candidates(title_probe, 5, 5))) == before
    drop_index(conn)
    names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    assert not names & set(TABLES)


def test_compactions_cascade_through_the_classes() -> None:
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "t", "tt", None, merge_every=1)  # every article merged: a segment each
    rng = np.random.default_rng(5)
    for a in range(1, FANOUT**2 + 3):
        index.add_doc(a, f"h{a}", b"", "", keys_of(rng, 4), "v", "제목", keys_of(rng, 1))
    assert [n for _, n in live(conn)] == [FANOUT**2, 1, 1]  # 8 × 8 became one of class 2
    assert segment_pairs(conn, BODY) == (FANOUT**2 + 2) * 4 and segment_pairs(conn, HEADLINE) == FANOUT**2 + 2
    assert compact_due(conn, 1) == 0  # nothing left to do


def test_the_newest_per_bucket_are_taken_across_the_table_segments_and_recent_tier() -> None:
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "t", "tt", None, merge_every=100)
    shared = 12345
    for a in (1, 2):
        index.add_doc(a, f"h{a}", b"", "", [a], "v", "제목", [shared])
    index.merge()
    conn.executemany(f"INSERT INTO {HEADLINE.main} VALUES (?, ?)", stored_pairs(conn, HEADLINE))  # as schema 4
    conn.execute(f"DELETE FROM {HEADLINE.chunks}")
    conn.execute("DELETE FROM dedup_filters")  # an old table's filter is built when the index is opened
    index = DedupIndex(conn, "t", "tt", None, merge_every=100)
    for group in ((3, 4), (5,)):
        for a in group:
            index.add_doc(a, f"h{a}", b"", "", [a], "v", "제목", [shared])
        index.merge()  # two more segments
    index.add_doc(6, "h6", b"", "", [6], "v", "제목", [shared])  # in the recent tier
    assert index.title_candidates([shared], 3, 10) == [6, 5, 4]
    assert index.title_candidates([shared], 6, 10) == [6, 5, 4, 3, 2, 1]


@pytest.mark.parametrize("segmented", ["library", "festival"])
def test_copies_are_found_in_segments(segmented: str) -> None:
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig(), merge_every=100)
    stories = [(doc(LIBRARY), "도서관 재개관"), (doc(LONG_RELEASE), TITLE)]
    if segmented == "festival":
        stories.reverse()
    store(d, 1, stories[0][0], title=stories[0][1])
    d._index.merge()
    store(d, 2, stories[1][0], title=stories[1][1])  # the other stays in the recent tier
    assert len(live(conn)) == 1
    ids = {title: i for i, (_, title) in enumerate(stories, 1)}
    assert d.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == ids["도서관 재개관"]
    assert d.check(CUT_TITLE, doc(CUT_DOWN)).match_id == ids[TITLE]  # the headline channel
    assert d.check("새 소식", doc(REWRITE)).method == "new"


def test_a_schema_4_index_keeps_its_band_tables_and_merges_into_segments(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = sqlite3.connect(path)
    d = Deduper(conn, DedupConfig())
    store(d, 1, doc(LONG_RELEASE), title=TITLE)
    d._index.merge()
    as_schema_4(conn)
    conn.commit()
    bands = sorted(conn.execute(f"SELECT * FROM {BODY.main}").fetchall())
    conn.close()
    conn = sqlite3.connect(path)
    migrated = Deduper(conn, DedupConfig())
    conn.commit()
    assert conn.execute("SELECT value FROM dedup_meta WHERE key = 'schema'").fetchone() == ("6",)
    assert sorted(conn.execute(f"SELECT * FROM {BODY.main}").fetchall()) == bands and live(conn) == []
    store(migrated, 2, doc(LIBRARY), title="도서관 재개관")
    migrated._index.merge()
    assert len(live(conn)) == 1 and sorted(conn.execute(f"SELECT * FROM {BODY.main}").fetchall()) == bands
    assert migrated.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1  # from the old table
    assert migrated.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2  # from the segment


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 40)), max_size=300), st.integers(1, 9))
def test_chunks_hold_each_pair_once_and_never_split_a_key(pairs: list[tuple[int, int]], size: int) -> None:
    keys, owners = sorted_pairs(np.array([k for k, _ in pairs], dtype=np.int64), np.array([o for _, o in pairs]))
    rows = list(chunk_rows(1, keys, owners, size))
    decoded = [
        (int(k), int(o))
        for _, _, kb, ob in rows
        for k, o in zip(np.frombuffer(kb, "<i8"), np.frombuffer(ob, "<i8"), strict=True)
    ]
    assert decoded == sorted(set(pairs))
    firsts = [first for _, first, _, _ in rows]
    assert firsts == sorted(set(firsts))  # one chunk a first key, in order
    for _, first, kb, _ in rows:
        held = np.frombuffer(kb, "<i8")
        assert held[0] == first and int((held != held[-1]).sum()) < size  # longer only by its last key
    ends = [int(np.frombuffer(kb, "<i8")[-1]) for _, _, kb, _ in rows]
    assert all(end < nxt for end, nxt in zip(ends[:-1], firsts[1:], strict=True))  # a key is in one chunk only


def test_a_compaction_reads_segments_a_slice_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny slices and chunks: many rounds of the streamed merge, keys repeated across segments."""
    monkeypatch.setattr("pipelines.dedup.segments._READ_CHUNKS", 2)
    monkeypatch.setattr("pipelines.dedup.segments.CHUNK_KEYS", 3)
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "t", "tt", None, merge_every=1)
    rng = np.random.default_rng(9)
    pool = keys_of(rng, 25)
    expected: set[tuple[int, int]] = set()
    for a in range(1, FANOUT + 1):  # the FANOUT-th merge compacts
        keys = sorted({pool[int(i)] for i in rng.integers(0, 25, size=12)})
        expected.update((k, a) for k in keys)
        index.add_doc(a, f"h{a}", b"", "", keys, "v", "제목", keys[:1])
    assert live(conn) == [(FANOUT + 1, FANOUT)]
    assert stored_pairs(conn, BODY) == sorted(expected)
    assert sorted(lookup(conn, BODY, [(FANOUT + 1, k) for k in pool])[0]) == sorted(expected)
    assert sorted(index.candidates(pool, 100)) == [(a, sum(1 for _, b in expected if b == a)) for a in range(1, 9)]
