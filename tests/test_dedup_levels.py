"""The stored levels of the band index (dedup schema 5): merges go to the delta, compactions empty it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from test_dedup import LONG_RELEASE, REWRITE, doc, store
from test_dedup_tiers import CUT_DOWN, CUT_TITLE, LIBRARY, TITLE, copy_of, count, two_stories_merged

from pipelines.dedup import Deduper
from pipelines.dedup.index import DedupIndex, drop_index
from pipelines.dedup.levels import BODY, HEADLINE, compact, compact_at, delta_articles
from scraper.config import DedupConfig


def test_the_delta_limit_balances_merges_against_compactions() -> None:
    assert compact_at(100_000, 0) == 1  # a corpus smaller than a batch: compacted at every merge
    assert compact_at(100_000, 1_000_000) == 447_213  # sqrt(2·B·N): about 4.5 merges at 1M
    assert compact_at(100_000, 100_000) == 141_421
    assert compact_at(100_000, 10_000_000) == 1_414_213  # grows like sqrt(N): a compaction is rarer


def keys_of(rng: np.random.Generator, n: int) -> list[int]:
    return rng.integers(-(2**63), 2**63 - 1, size=n).tolist()  # type: ignore[no-any-return]


def test_merges_fill_the_delta_until_it_is_compacted() -> None:
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "t", "tt", None, merge_every=100)  # merged by hand below
    rng = np.random.default_rng(3)
    body = {a: keys_of(rng, 8) for a in range(1, 31)}
    titles = {a: keys_of(rng, 2) for a in range(1, 31)}
    body[20] = body[1][:5] + keys_of(rng, 3)  # 20 shares 5 body buckets and a headline bucket with 1
    titles[20] = titles[1][:1] + keys_of(rng, 1)

    def add(article_id: int) -> None:
        index.add_doc(article_id, f"h{article_id}", b"", "", body[article_id], "v", "제목", titles[article_id])

    for a in range(1, 10):
        add(a)
    assert index.merge() == 9  # nothing in the main tables yet: compacted at once
    assert count(conn, BODY.delta) == 0 and count(conn, BODY.main) == 9 * 8 and delta_articles(conn) == 0
    for a in range(10, 21):  # compact_at(100, 9) == 42: these stay in the delta
        add(a)
    assert index.merge() == 11
    assert count(conn, BODY.delta) == 11 * 8 and count(conn, HEADLINE.delta) == 11 * 2 and delta_articles(conn) == 11
    probe, title_probe = body[1], titles[1]
    assert index.candidates(probe, 5) == [(1, 8), (20, 5)]  # one from each level
    assert sorted(index.title_candidates(title_probe, 5, 5)) == [1, 20]
    before = (index.candidates(probe, 5), index.title_candidates(title_probe, 5, 5))
    compact(conn)
    assert count(conn, BODY.delta) == count(conn, HEADLINE.delta) == 0 and delta_articles(conn) == 0
    assert count(conn, BODY.main) == 20 * 8
    assert (index.candidates(probe, 5), index.title_candidates(title_probe, 5, 5)) == before
    drop_index(conn)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'dedup%delta'").fetchone() == (0,)


def test_the_newest_per_bucket_are_taken_across_levels() -> None:
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "t", "tt", None, merge_every=100)
    shared = 12345
    for a in (1, 2, 3):
        index.add_doc(a, f"h{a}", b"", "", [a], "v", "제목", [shared])
    index.merge()  # 1-3 in the main table
    for a in (4, 5):
        index.add_doc(a, f"h{a}", b"", "", [a], "v", "제목", [shared])
    index.merge()  # 4-5 in the delta
    index.add_doc(6, "h6", b"", "", [6], "v", "제목", [shared])  # 6 in the recent tier
    assert count(conn, HEADLINE.delta) == 2
    assert index.title_candidates([shared], 3, 10) == [6, 5, 4]
    assert index.title_candidates([shared], 5, 10) == [6, 5, 4, 3, 2]


@pytest.mark.parametrize("in_delta", ["library", "festival"])
def test_copies_are_found_in_the_delta(in_delta: str) -> None:
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig(), merge_every=100)
    stories = [(doc(LIBRARY), "도서관 재개관"), (doc(LONG_RELEASE), TITLE)]
    if in_delta == "library":
        stories.reverse()
    ids = {}
    for article_id, (body, title) in enumerate(stories, 1):
        store(d, article_id, body, title=title)
        d._index.merge()  # the first into the main tables, the second into the delta
        ids[title] = article_id
    assert count(conn, BODY.delta) > 0 and count(conn, BODY.main) > 0
    assert d.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == ids["도서관 재개관"]
    assert d.check(CUT_TITLE, doc(CUT_DOWN)).match_id == ids[TITLE]  # the headline channel
    assert d.check("새 소식", doc(REWRITE)).method == "new"


def test_a_schema_4_index_gets_empty_delta_tables(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    conn = two_stories_merged(path)
    for table in (*BODY.tables[1:], *HEADLINE.tables[1:]):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("UPDATE dedup_meta SET value = '4' WHERE key = 'schema'")
    conn.commit()
    bands = sorted(conn.execute(f"SELECT * FROM {BODY.main}").fetchall())
    conn.close()
    conn = sqlite3.connect(path)
    migrated = Deduper(conn, DedupConfig())
    conn.commit()
    assert conn.execute("SELECT value FROM dedup_meta WHERE key = 'schema'").fetchone() == ("5",)
    assert count(conn, BODY.delta) == 0 and sorted(conn.execute(f"SELECT * FROM {BODY.main}").fetchall()) == bands
    assert migrated.check("도서관 다시 문 열어", copy_of(LIBRARY)).match_id == 2
    assert migrated.check(CUT_TITLE, doc(CUT_DOWN)).match_id == 1
