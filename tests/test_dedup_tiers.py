"""The dedup index's recent tier (schema 3): found like merged rows, merged, synced, migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_dedup import CUT_DOWN, LONG_RELEASE, REWRITE, doc, store, stored_pairs

from pipelines.dedup import Deduper
from pipelines.dedup.segments import BODY, HEADLINE
from scraper.config import DedupConfig
from scraper.models import DedupDecision

TITLE = "제9회 한빛 메밀꽃 축제 개막"
LIBRARY = [  # another story, invented for these tests
    "푸른시립도서관은 리모델링 공사를 마치고 다음 달 2일부터 전 층 운영을 재개한다고 5일 밝혔다.",
    "도서관은 지난 3월부터 여덟 달 동안 노후 냉난방 설비를 교체하고 열람실 좌석을 두 배로 늘렸다.",
    "1층에는 어린이 그림책 방과 가족 열람 공간이, 2층에는 조용한 개인 학습실과 노트북 좌석이 들어섰다.",
    "3층 다목적실은 주민 동아리와 독서 모임이 예약해 쓸 수 있도록 평일 밤 10시까지 개방한다.",
    "재개관 첫 주에는 작가 초청 강연과 헌책 교환 장터, 도서 대출 두 배 행사가 함께 열린다.",
    "관장은 새 단장한 도서관이 주민 누구나 편하게 머무는 동네 사랑방이 되도록 하겠다고 말했다.",
]
CUT_TITLE = "제9회 한빛 메밀꽃 축제 폐막"


def count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def copy_of(release: list[str]) -> str:
    """The release as another outlet ran it: another dateline, the last sentence dropped."""
    return doc(["(한빛=다른일보) 김기자 기자 =", *release[:-1]])


@pytest.mark.parametrize("merged", [False, True])
def test_copies_are_found_in_either_tier(merged: bool) -> None:
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig())
    store(d, 1, doc(LONG_RELEASE), title=TITLE)
    store(d, 2, doc(LIBRARY), title="도서관 재개관")
    assert count(conn, "dedup_pending") == 2 and count(conn, "dedup_band_chunks") == 0
    if merged:
        assert d._index.merge() == 2
        assert count(conn, "dedup_pending") == 0 and len(d._index._recent.body) == 0
        assert count(conn, "dedup_band_chunks") > 0 and count(conn, "dedup_title_band_chunks") > 0
    assert d.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2
    assert d.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1  # via the headline channel
    assert d.check("새 소식", doc(REWRITE)).method == "new"


def test_a_merge_moves_every_row_and_keeps_the_candidates() -> None:
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig())
    store(d, 1, doc(LONG_RELEASE), title=TITLE)
    store(d, 2, doc(LIBRARY), title="도서관 재개관")
    recent = sorted(conn.execute("SELECT j.value, article_id FROM dedup_pending, json_each(keys) AS j").fetchall())
    recent_titles = sorted(
        conn.execute("SELECT j.value, article_id FROM dedup_pending, json_each(title_keys) AS j").fetchall()
    )
    tier = d._index._recent
    tier.sync()
    assert sorted(tier.body.lookup([b for b, _ in recent])) == recent  # the mirror holds the same pairs
    assert sorted(tier.titles.lookup([b for b, _ in recent_titles])) == recent_titles
    a = d._analyse("보도자료", copy_of(LIBRARY))
    before = d._index.candidates(a.buckets, 10)
    d._index.merge()
    assert stored_pairs(conn, BODY) == recent and stored_pairs(conn, HEADLINE) == recent_titles
    assert d._index.candidates(a.buckets, 10) == before
    assert conn.execute("SELECT value FROM dedup_meta WHERE key = 'merges'").fetchone() == ("1",)


def test_the_tier_is_merged_when_it_is_full() -> None:
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig(), merge_every=2)
    store(d, 1, doc(LONG_RELEASE), title=TITLE)
    assert count(conn, "dedup_pending") == 1
    store(d, 2, doc(LIBRARY), title="도서관 재개관")
    assert count(conn, "dedup_pending") == 0 and count(conn, "dedup_band_chunks") > 0
    store(d, 3, doc(REWRITE), title="새 소식")
    assert count(conn, "dedup_pending") == 1
    assert d.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2


def test_exact_copies_add_only_headline_keys() -> None:
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig())
    store(d, 1, doc(LIBRARY), title="도서관 재개관")
    assert store(d, 2, doc(LIBRARY), title="같은 글 다른 제목").method == "exact"
    rows = dict(conn.execute("SELECT article_id, json_array_length(keys) FROM dedup_pending").fetchall())
    assert rows[1] > 0 and rows[2] == 0


def test_another_connection_sees_the_recent_tier_and_its_merges(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn_a, conn_b = sqlite3.connect(path), sqlite3.connect(path)
    conn_a.execute("PRAGMA journal_mode=WAL")
    a = Deduper(conn_a, DedupConfig())
    conn_a.commit()
    b = Deduper(conn_b, DedupConfig())
    conn_b.commit()
    assert b.check("도서관 다시 문 열어", copy_of(LIBRARY)).method == "new"  # b's mirror is loaded (empty)
    store(a, 1, doc(LIBRARY), title="도서관 재개관")
    conn_a.commit()
    assert b.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 1  # picked up from dedup_pending
    store(b, 2, doc(LONG_RELEASE), title=TITLE)
    b._index.merge()
    conn_b.commit()
    store(a, 3, doc(REWRITE), title="새 소식")  # a reloads after b's merge, then adds to the new tier
    conn_a.commit()
    assert a.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 2
    assert a.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 1
    assert b.check("새 소식", doc(REWRITE)).match_id == 3


def test_a_rolled_back_article_leaves_no_candidate() -> None:
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig())
    store(d, 1, doc(LONG_RELEASE), title=TITLE)
    conn.commit()
    store(d, 2, doc(LIBRARY), title="도서관 재개관")
    conn.rollback()
    d.forget_uncommitted()
    assert count(conn, "dedup_pending") == 1
    assert d.check("도서관 다시 문 열어", copy_of(LIBRARY)).method == "new"
    store(d, 2, doc(REWRITE), title="새 소식")  # the id is reused by another article
    assert d.check("도서관 다시 문 열어", copy_of(LIBRARY)).method == "new"
    assert d.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1


def two_stories_merged(path: Path) -> sqlite3.Connection:
    """An index at `path` with the festival release (1) and the library story (2) in the band tables."""
    conn = sqlite3.connect(path)
    d = Deduper(conn, DedupConfig())
    store(d, 1, doc(LONG_RELEASE), title=TITLE)
    store(d, 2, doc(LIBRARY), title="도서관 재개관")
    d._index.merge()
    return conn


def as_schema_4(conn: sqlite3.Connection) -> None:
    """Move every segment's pairs into the band tables of schema 4 and drop the segment tables."""
    for tier in (BODY, HEADLINE):
        conn.executemany(f"INSERT INTO {tier.main} (bucket, article_id) VALUES (?, ?)", stored_pairs(conn, tier))
        conn.execute(f"DROP TABLE {tier.chunks}")
    conn.execute("DROP TABLE dedup_segments")
    conn.execute("DROP TABLE dedup_segment_filters")
    # schema 4 kept its filters under the merge count (these ones were made for empty tables)
    conn.execute("UPDATE dedup_filters SET generation = (SELECT value FROM dedup_meta WHERE key = 'merges')")
    conn.execute("UPDATE dedup_meta SET value = '4' WHERE key = 'schema'")


def test_a_schema_2_index_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = two_stories_merged(path)
    # make it a schema-2 index: the band rows in the band tables, no recent tier
    as_schema_4(conn)
    conn.execute("DROP TABLE dedup_pending")
    conn.execute("DELETE FROM dedup_meta WHERE key = 'merges'")
    conn.execute("UPDATE dedup_meta SET value = '2' WHERE key = 'schema'")
    conn.commit()
    tables = ("dedup_bands", "dedup_title_bands", "dedup_docs", "dedup_titles", "duplicates")
    before = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    assert before["dedup_bands"] and before["dedup_title_bands"]
    conn.close()
    conn = sqlite3.connect(path)
    migrated = Deduper(conn, DedupConfig())
    conn.commit()
    assert conn.execute("SELECT value FROM dedup_meta WHERE key = 'schema'").fetchone() == ("6",)
    assert {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables} == before
    assert count(conn, "dedup_pending") == 0
    assert migrated.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2
    assert migrated.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1
    store(migrated, 3, doc(REWRITE), title="새 소식")
    assert count(conn, "dedup_pending") == 1


def test_decisions_do_not_depend_on_when_the_tier_is_merged() -> None:
    """The same articles in the same order give the same decisions, whatever tier holds the rows."""
    from test_dedup import CONDENSED, RELEASE

    texts = [
        (TITLE, doc(LONG_RELEASE)),
        ("도서관 재개관", doc(LIBRARY)),
        ("새 소식", doc(REWRITE)),
        ("보도자료", doc(RELEASE)),
        (CUT_TITLE, doc(CUT_DOWN)),
        ("도서관 다시 문 열어", copy_of(LIBRARY)),
        ("메밀꽃 축제", doc(CONDENSED)),
        ("도서관 재개관", doc(LIBRARY)),  # an exact copy
    ]

    def decisions(merge_every: int) -> list[DedupDecision]:
        d = Deduper(sqlite3.connect(":memory:"), DedupConfig(), merge_every=merge_every)
        return [store(d, i, body, title=title) for i, (title, body) in enumerate(texts, 1)]

    expected = decisions(100_000)
    assert {x.method for x in expected} == {"new", "near", "exact"}
    for merge_every in (1, 2, 3):
        assert decisions(merge_every) == expected


@pytest.mark.parametrize("bad", ["[1, 2", "[1, \"x\"]", "{}", "[1.5]", "[99999999999999999999999]"])
def test_a_malformed_pending_row_is_a_clear_error(bad: str) -> None:
    from scraper.errors import StoreError

    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig())
    store(d, 1, doc(LIBRARY), title="도서관 재개관")
    conn.execute("UPDATE dedup_pending SET keys = ?", (bad,))
    d.forget_uncommitted()
    with pytest.raises(StoreError, match="malformed key list"):
        d.check("도서관 다시 문 열어", copy_of(LIBRARY))
