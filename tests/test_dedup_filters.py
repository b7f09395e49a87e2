"""The band tables' Bloom filters (dedup schema 4): never a missed candidate, stored, rebuilt."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedup import LONG_RELEASE, REWRITE, doc, store, stored_pairs
from test_dedup_tiers import CUT_DOWN, CUT_TITLE, LIBRARY, TITLE, copy_of, two_stories_merged

from pipelines.dedup import Deduper
from pipelines.dedup.bloom import BloomFilter
from pipelines.dedup.filters import BAND_TABLES
from pipelines.dedup.index import DedupIndex
from pipelines.dedup.segments import BODY
from scraper.config import DedupConfig


def filters(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT band_table, generation FROM dedup_filters").fetchall())


def merges(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT coalesce(max(value), '0') FROM dedup_meta WHERE key = 'merges'").fetchone()[0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=300, unique=True), st.integers(0, 300))
def test_a_bloom_filter_never_misses_a_key_and_survives_bytes(keys: list[int], expected: int) -> None:
    bloom = BloomFilter.for_keys(expected)
    bloom.add(np.array(keys, dtype=np.int64))
    again = BloomFilter.from_bytes(bloom.to_bytes())
    assert again.may_hold(np.array(keys, dtype=np.int64)).all()
    assert again.bits == bloom.bits >= 64 * 64


def test_a_full_filter_keeps_false_positives_rare() -> None:
    rng = np.random.default_rng(7)
    bloom = BloomFilter.for_keys(100_000)
    bloom.add(rng.integers(-(2**63), 2**63 - 1, size=100_000))
    assert bloom.may_hold(rng.integers(-(2**63), 2**63 - 1, size=100_000)).mean() < 0.01


def test_bytes_of_another_length_are_refused() -> None:
    with pytest.raises(ValueError, match="power of two"):
        BloomFilter.from_bytes(b"\0" * 8 * 100)


def test_a_merge_stores_the_filters_under_its_generation(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = sqlite3.connect(path)
    d = Deduper(conn, DedupConfig(), merge_every=2)
    assert filters(conn) == dict.fromkeys(BAND_TABLES, "0")  # an empty index has empty filters
    store(d, 1, doc(LONG_RELEASE), title=TITLE)
    store(d, 2, doc(LIBRARY), title="도서관 재개관")  # fills the tier: merged
    conn.commit()
    assert merges(conn) == "1" and filters(conn) == dict.fromkeys(BAND_TABLES, "1")
    conn.close()
    conn = sqlite3.connect(path)
    again = Deduper(conn, DedupConfig())
    assert again.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2  # found through the stored filter
    assert again.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1  # the headline table's filter


def test_a_schema_3_index_gets_its_filters_built_once(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = two_stories_merged(path)
    conn.execute("DROP TABLE dedup_filters")  # what a schema-3 index looks like
    conn.execute("UPDATE dedup_meta SET value = '3' WHERE key = 'schema'")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(path)
    migrated = Deduper(conn, DedupConfig())
    conn.commit()
    assert conn.execute("SELECT value FROM dedup_meta WHERE key = 'schema'").fetchone() == ("5",)
    assert filters(conn) == dict.fromkeys(BAND_TABLES, "1")
    assert migrated.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2
    assert migrated.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1


def test_a_filter_stored_under_another_generation_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = sqlite3.connect(path)
    d = Deduper(conn, DedupConfig())
    store(d, 1, doc(LIBRARY), title="도서관 재개관")
    d._index.merge()
    conn.commit()
    # an empty filter under an old generation (as if a merge's filters had not been written)
    empty = BloomFilter.for_keys(10).to_bytes()
    conn.execute("UPDATE dedup_filters SET generation = '0', bits = ?, keys = 0", (empty,))
    conn.commit()
    conn.close()
    conn = sqlite3.connect(path)
    assert Deduper(conn, DedupConfig()).check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 1
    assert filters(conn) == dict.fromkeys(BAND_TABLES, "1")  # rebuilt and stored when the index was opened


@pytest.mark.parametrize("scan_chunk", [1_000_000, 50])  # 50: the rebuild reads many key ranges
def test_an_outgrown_filter_is_rebuilt_larger(scan_chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipelines.dedup.filters._SCAN_CHUNK", scan_chunk)
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig(), merge_every=1)
    small = len(dict(conn.execute("SELECT band_table, length(bits) FROM dedup_filters").fetchall()))
    sizes = []
    texts = [doc(LONG_RELEASE), doc(LIBRARY), doc(REWRITE)]
    for i in range(1, 60):  # distinct bodies: each merge adds 64 body keys
        store(d, i, texts[i % 3] + f"\n추가 문장 {i}번째 {i * 7919}", title=f"제목 {i}")
        size = conn.execute("SELECT length(bits) FROM dedup_filters WHERE band_table = 'dedup_bands'").fetchone()
        sizes.append(size[0])
    assert small == 2 and sizes[-1] > sizes[0]  # it grew with its table
    rows = np.array([k for k, _ in stored_pairs(conn, BODY)], dtype=np.int64)
    assert rows.size > 50 * 64
    stored = conn.execute("SELECT bits FROM dedup_filters WHERE band_table = 'dedup_bands'").fetchone()[0]
    assert BloomFilter.from_bytes(stored).may_hold(rows).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=40), st.integers(1, 7))
def test_candidates_equal_what_was_indexed(plan: list[tuple[int, bool]], merge_every: int) -> None:
    """Keys from a small pool (many shared buckets) across tiers, merges and compactions; an id
    indexed again (True) keeps its earlier pairs too, and a pair counts once."""
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "test", "test-titles", None, merge_every)
    rng = np.random.default_rng(len(plan))
    pool = rng.integers(-(2**63), 2**63 - 1, size=31).tolist()
    held: dict[int, set[int]] = {}
    for i, (k, again) in enumerate(plan, 1):
        article_id = max(1, i - 1) if again else i
        keys = sorted({pool[(k + j * j) % 31] for j in range(5)})
        held.setdefault(article_id, set()).update(keys)
        index.add_doc(article_id, f"h{article_id}", b"", "", keys, "v", "제목", keys[:2])
    for k, _ in plan:
        probe = [pool[(k + j) % 31] for j in range(4)]
        shared = {a: len(keys & set(probe)) for a, keys in held.items()}
        want = sorted(((a, n) for a, n in shared.items() if n), key=lambda x: (-x[1], x[0]))[:5]
        assert index.candidates(probe, 5) == want
