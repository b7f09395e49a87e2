"""The dedup index's Bloom filters: a filter a band segment (schema 6), and one an old band table.

Never a missed candidate; stored with their segment and dropped with it; built once for an
older index; a lookup routed to a segment another connection replaced meanwhile is redone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedup import LONG_RELEASE, REWRITE, doc, store
from test_dedup_tiers import CUT_DOWN, CUT_TITLE, LIBRARY, TITLE, as_schema_4, copy_of, two_stories_merged

from pipelines.dedup import Deduper
from pipelines.dedup import index as index_module
from pipelines.dedup.bloom import BITS_PER_KEY, BloomFilter, BloomSet, Hashed
from pipelines.dedup.filters import BAND_TABLES, BUILT
from pipelines.dedup.index import DedupIndex, drop_index
from pipelines.dedup.segments import BODY, FILTERS, HEADLINE, TIERS, live, lookup
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


@pytest.mark.parametrize("data", [b"\0" * 8 * 10, b"\0" * 801])
def test_bytes_of_too_few_or_partial_words_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="words"):
        BloomFilter.from_bytes(data)


def test_a_filter_is_sized_for_its_keys_not_to_a_power_of_two() -> None:
    assert BloomFilter.for_keys(100_000).bits == 100_000 * BITS_PER_KEY
    assert BloomFilter.for_keys(0).bits == 64 * 64


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 5000), min_size=0, max_size=5), st.integers(0, 2**31))
def test_a_set_of_filters_answers_like_each_filter(sizes: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    filters = []
    for n in sizes:
        bloom = BloomFilter.for_keys(n)
        bloom.add(rng.integers(-(2**63), 2**63 - 1, size=n))
        filters.append(bloom)
    probe = rng.integers(-(2**63), 2**63 - 1, size=300)
    together = BloomSet(filters)
    assert together.may_hold(probe).shape == (len(sizes), 300)
    for i, bloom in enumerate(filters):
        assert (together.may_hold(probe)[i] == bloom.may_hold(probe)).all()
        assert (together.part(i).may_hold(probe) == bloom.may_hold(probe)).all()


def segment_filters(conn: sqlite3.Connection) -> dict[tuple[int, str], BloomFilter]:
    rows = conn.execute(f"SELECT seg, tier, bits FROM {FILTERS}").fetchall()
    return {(int(s), str(t)): BloomFilter.from_bytes(bytes(b)) for s, t, b in rows}


def chunk_keys(conn: sqlite3.Connection, seg: int, table: str) -> np.ndarray:
    blobs = [np.frombuffer(b, dtype="<i8") for (b,) in conn.execute(f"SELECT keys FROM {table} WHERE seg = ?", (seg,))]
    return np.concatenate(blobs) if blobs else np.zeros(0, dtype=np.int64)


def test_each_live_segment_has_a_filter_of_its_keys_through_merges_and_compactions() -> None:
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig(), merge_every=1)
    texts = [doc(LONG_RELEASE), doc(LIBRARY), doc(REWRITE)]
    for i in range(1, 20):  # 19 one-article merges: compactions at 8 and 16
        store(d, i, texts[i % 3] + f"\n추가 문장 {i}번째 {i * 7919}", title=f"한빛시 도서관 소식 제{i}호")
    segs = [s for s, _ in live(conn)]
    held = segment_filters(conn)
    assert set(held) == {(s, tier.chunks) for s in segs for tier in TIERS}  # the compacted ones' are gone
    assert any(n > 1 for _, n in live(conn))  # compacted segments among them
    for (seg, table), bloom in held.items():
        keys = chunk_keys(conn, seg, table)
        assert keys.size and bloom.may_hold(keys).all()
    assert filters(conn) == dict.fromkeys(BAND_TABLES, BUILT)  # the old tables' filters: built once, empty


def test_a_key_is_looked_up_only_in_the_segments_that_may_hold_it() -> None:
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "t", "tt", None, merge_every=1000)
    rng = np.random.default_rng(9)
    body = {a: rng.integers(-(2**63), 2**63 - 1, size=64).tolist() for a in range(1, 5)}
    for a, keys in body.items():  # four segments of one article each
        index.add_doc(a, f"h{a}", b"", "", keys, "v", "제목", [])
        index.merge()
    assert len(live(conn)) == 4
    index.load()
    routed = index._segments.route(BODY, Hashed.of(np.array(body[3], dtype=np.int64)))
    segs = {s for s, _ in routed}
    assert len(routed) < 64 + 8 and live(conn)[2][0] in segs  # one descent a key, not four
    found, chunks = lookup(conn, BODY, routed)
    assert {a for _, a in found} == {3} and chunks == len(routed)
    assert index.candidates(body[3], 5) == [(3, 64)]
    stranger = rng.integers(-(2**63), 2**63 - 1, size=64)
    assert len(index._segments.route(BODY, Hashed.of(stranger))) < 8  # false positives only: ~0.2 % of 4 × 64


def test_a_merge_stores_the_new_segments_filters(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = sqlite3.connect(path)
    d = Deduper(conn, DedupConfig(), merge_every=2)
    assert filters(conn) == dict.fromkeys(BAND_TABLES, BUILT) and segment_filters(conn) == {}
    store(d, 1, doc(LONG_RELEASE), title=TITLE)
    store(d, 2, doc(LIBRARY), title="도서관 재개관")  # fills the tier: merged
    conn.commit()
    assert merges(conn) == "1" and set(segment_filters(conn)) == {(1, t.chunks) for t in TIERS}
    conn.close()
    conn = sqlite3.connect(path)
    again = Deduper(conn, DedupConfig())
    assert again.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2  # found through the stored filter
    assert again.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1  # the headline segment's filter


def migrated(conn: sqlite3.Connection, path: Path, schema: str) -> sqlite3.Connection:
    """Mark the index at `path` as of `schema`, open it again: schema 6, old tables' filters built,
    both copies found. The migrated connection, for more checks."""
    conn.execute("UPDATE dedup_meta SET value = ? WHERE key = 'schema'", (schema,))
    conn.commit()
    conn.close()
    conn = sqlite3.connect(path)
    opened = Deduper(conn, DedupConfig())
    conn.commit()
    assert conn.execute("SELECT value FROM dedup_meta WHERE key = 'schema'").fetchone() == ("6",)
    assert filters(conn) == dict.fromkeys(BAND_TABLES, BUILT)
    assert opened.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2
    assert opened.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1
    return conn


def test_a_schema_5_index_gets_its_segment_filters_built_once(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = two_stories_merged(path)
    conn.execute(f"DELETE FROM {FILTERS}")  # schema 5: one filter a tier, under the merge count
    conn.execute("UPDATE dedup_filters SET generation = '1'")
    conn = migrated(conn, path, "5")
    assert set(segment_filters(conn)) == {(1, t.chunks) for t in TIERS}


def test_a_schema_3_index_gets_its_filters_built_once(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = two_stories_merged(path)
    as_schema_4(conn)  # the pairs in the old band tables
    conn.execute("DROP TABLE dedup_filters")  # what a schema-3 index looks like
    conn = migrated(conn, path, "3")
    assert conn.execute("SELECT keys FROM dedup_filters WHERE band_table = ?", (BODY.main,)).fetchone()[0] > 0


def test_an_old_tables_filter_stored_under_another_generation_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = two_stories_merged(path)
    as_schema_4(conn)
    conn.commit()
    conn.close()
    conn = sqlite3.connect(path)
    Deduper(conn, DedupConfig())
    conn.commit()
    # an empty filter under another generation (as schema 4 and 5 stored them)
    empty = BloomFilter.for_keys(10).to_bytes()
    conn.execute("UPDATE dedup_filters SET generation = '0', bits = ?, keys = 0", (empty,))
    conn.commit()
    conn.close()
    conn = sqlite3.connect(path)
    assert Deduper(conn, DedupConfig()).check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2
    assert filters(conn) == dict.fromkeys(BAND_TABLES, BUILT)  # rebuilt and stored when the index was opened


@pytest.mark.parametrize("scan_chunk", [1_000_000, 50])  # 50: the build reads many key ranges
def test_an_old_tables_filter_holds_every_key(scan_chunk: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("pipelines.dedup.filters._SCAN_CHUNK", scan_chunk)
    conn = sqlite3.connect(tmp_path / "corpus.db")
    d = Deduper(conn, DedupConfig(), merge_every=1)
    texts = [doc(LONG_RELEASE), doc(LIBRARY), doc(REWRITE)]
    for i in range(1, 12):
        store(d, i, texts[i % 3] + f"\n추가 문장 {i}번째 {i * 7919}", title=f"한빛시 도서관 소식 제{i}호")
    as_schema_4(conn)
    Deduper(conn, DedupConfig())  # migrates: builds the old tables' filters
    for tier in (BODY, HEADLINE):
        rows = np.array([k for (k,) in conn.execute(f"SELECT bucket FROM {tier.main}")], dtype=np.int64)
        stored = conn.execute("SELECT bits FROM dedup_filters WHERE band_table = ?", (tier.main,)).fetchone()[0]
        assert rows.size >= 11 and BloomFilter.from_bytes(stored).may_hold(rows).all()


def test_a_lookup_routed_to_a_segment_compacted_meanwhile_is_redone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "corpus.db"
    writer = sqlite3.connect(path)
    index = DedupIndex(writer, "t", "tt", None, merge_every=1000)
    rng = np.random.default_rng(4)
    body = {a: rng.integers(-(2**63), 2**63 - 1, size=16).tolist() for a in range(1, 9)}
    for a in range(1, 8):  # seven one-article segments: the eighth merge compacts them all
        index.add_doc(a, f"h{a}", b"", "", body[a], "v", "제목", [])
        index.merge()
    writer.commit()
    reader = DedupIndex(sqlite3.connect(path), "t", "tt", None, merge_every=1000)
    reader.load()  # routes by the seven segments from now on
    real_lookup = index_module.lookup
    calls = []

    def lookup_after_a_compaction(*args: object) -> object:
        if not calls:  # another connection merges the eighth article: the seven are compacted away
            index.add_doc(8, "h8", b"", "", body[8], "v", "제목", [])
            index.merge()
            writer.commit()
        calls.append(1)
        return real_lookup(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module, "lookup", lookup_after_a_compaction)
    assert reader.candidates(body[3], 5) == [(3, 16)]
    assert len(live(writer)) == 1 and len(calls) > 1  # redone at the new generation


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


def test_a_compaction_sizes_its_filter_from_the_chunks_of_segments_without_one() -> None:
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "t", "tt", None, merge_every=1000)
    rng = np.random.default_rng(12)
    for a in range(1, 8):
        index.add_doc(a, f"h{a}", b"", "", rng.integers(-(2**63), 2**63 - 1, size=300).tolist(), "v", "제목", [])
        index.merge()
    conn.execute(f"DELETE FROM {FILTERS}")  # as if from schema 5, not given filters yet
    index.add_doc(8, "h8", b"", "", rng.integers(-(2**63), 2**63 - 1, size=300).tolist(), "v", "제목", [])
    index.merge()  # the eighth segment: all eight compacted
    ((seg, articles),) = live(conn)
    keys, bits = conn.execute(
        f"SELECT keys, length(bits) * 8 FROM {FILTERS} WHERE seg = ? AND tier = ?", (seg, BODY.chunks)
    ).fetchone()
    assert articles == 8 and keys == 8 * 300 and bits >= keys * BITS_PER_KEY


def test_a_migrated_index_is_not_migrated_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "corpus.db"
    conn = two_stories_merged(path)
    conn.execute(f"DELETE FROM {FILTERS}")
    conn.execute("UPDATE dedup_meta SET value = '5' WHERE key = 'schema'")
    conn.commit()
    Deduper(conn, DedupConfig())  # builds the segment's filters
    conn.commit()
    conn.close()

    def no_build(*args: object) -> None:
        raise AssertionError("a filter was built again")

    monkeypatch.setattr("pipelines.dedup.routing.build_filter", no_build)
    monkeypatch.setattr("pipelines.dedup.filters.BandFilters._build", no_build)
    conn = sqlite3.connect(path)
    assert Deduper(conn, DedupConfig()).check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2


def test_filters_of_an_index_rebuilt_by_another_connection_are_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    first = sqlite3.connect(path)
    index = DedupIndex(first, "t", "tt", None, merge_every=1000)
    rng = np.random.default_rng(21)
    old, new = (rng.integers(-(2**63), 2**63 - 1, size=32).tolist() for _ in range(2))
    index.add_doc(1, "h1", b"", "", old, "v", "제목", [])
    index.merge()  # segment 1, one merge
    first.commit()
    reader = DedupIndex(sqlite3.connect(path), "t", "tt", None, merge_every=1000)
    assert reader.candidates(old, 5) == [(1, 32)]  # holds segment 1's filter now
    drop_index(first)  # `newscorpus dedup --rebuild` elsewhere: segment numbers and merges start again
    again = DedupIndex(first, "t", "tt", None, merge_every=1000)
    again.add_doc(2, "h2", b"", "", new, "v", "제목", [])
    again.merge()  # segment 1 again, one merge again
    first.commit()
    assert reader.candidates(new, 5) == [(2, 32)] and reader.candidates(old, 5) == []


def test_a_damaged_stored_filter_is_built_again_from_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = two_stories_merged(path)
    conn.commit()
    conn.execute(f"UPDATE {FILTERS} SET bits = x'0102'")  # not whole words
    conn.execute("UPDATE dedup_filters SET bits = x'01'")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(path)
    again = Deduper(conn, DedupConfig())
    assert again.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2
    assert again.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1
