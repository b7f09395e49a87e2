"""Search at scale: prefix queries expanded through `fts_terms`, and common words that filter without being scored."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import fts_terms
from pipelines.search import build_match, parse_query, search
from pipelines.store import SCHEMA_VERSION, ArticleRow, Store
from pipelines.tokenize import Tokenizer

# Invented morpheme texts (what the ingestor writes into articles_fts): 지역 is in 15 of 20 articles
# (75 %, too common to score), 교통 in 8 with different counts, 셔틀버스/셔틀콕 share a prefix.
BODIES = [
    ("지역 교통 정책", "지역 교통 교통 교통 대책 발표"),
    ("지역 축제", "지역 축제 개막 셔틀버스 운행"),
    ("교통 체증", "교통 체증 출근길 지역 도로"),
    ("지역 예산", "지역 예산 심사 의회"),
    ("배드민턴 대회", "셔틀콕 대회 지역 체육관"),
    ("지역 교통 개편", "지역 버스 노선 교통 교통 개편"),
    ("항만 물류", "항만 물류 증가"),
    ("지역 병원", "지역 병원 개원 교통 편의"),
    ("지역 학교", "지역 학교 신설"),
    ("공원 조성", "공원 조성 착공"),
    ("지역 도서관", "지역 도서관 개관 교통"),
    ("지역 시장", "지역 시장 활성화"),
    ("교통 안전", "교통 안전 캠페인 교통 교통 교통 교통"),
    ("지역 하천", "지역 하천 정비"),
    ("지역 공항", "지역 공항 노선 교통"),
    ("터널 개통", "터널 개통"),
    ("지역 청년", "지역 청년 일자리"),
    ("지역 문화", "지역 문화 행사"),
    ("역사 복원", "역사 복원 사업"),
    ("지역 농업", "지역 농업 지원"),
]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "plan.db")
    with s.transaction():
        for n, (title, body) in enumerate(BODIES, 1):
            aid = s.insert_article(ArticleRow(f"https://x.example.kr/{n}", "x", title, None, f"2026-10-{n:02d}",
                                              None, body, f"h{n}", (), "generic", None))
            s.insert_tokens(aid, "", "", "", title, body)
    return s


def _ids(store: Store, tokenizer: Tokenizer, query: str, **kw: object) -> list[int]:
    return [h.id for h in search(store, tokenizer, query, **kw)]  # type: ignore[arg-type]


def test_store_keeps_the_index_vocabulary(store: Store) -> None:
    store.conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, articles_fts, row)")
    vocab = {r[0] for r in store.conn.execute("SELECT term FROM temp.v")}
    assert {r[0] for r in store.conn.execute("SELECT term FROM fts_terms")} == vocab
    assert fts_terms.expand(store.conn, "셔틀") == ["셔틀버스", "셔틀콕"]
    assert fts_terms.expand(store.conn, "셔틀", limit=1) is None  # too wide: FTS5's own prefix search
    assert fts_terms.expand(store.conn, "없는말") == []


def test_prefix_is_expanded_to_the_terms_it_covers(store: Store, tokenizer: Tokenizer) -> None:
    expanded, _ = build_match("셔틀*", tokenizer, lambda p: fts_terms.expand(store.conn, p))
    assert expanded == '("셔틀버스" OR "셔틀콕")'
    native, _ = build_match("셔틀*", tokenizer)
    assert native == '"셔틀"*'
    assert sorted(_ids(store, tokenizer, "셔틀*")) == [2, 5]
    assert sorted(_ids(store, tokenizer, "셔틀* -대회")) == [2]
    # The same hits as FTS5's own prefix search.
    rows = store.conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (native,)).fetchall()
    assert sorted(r[0] for r in rows) == [2, 5]


def test_common_word_filters_without_changing_the_ranking(store: Store, tokenizer: Tokenizer,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    assert parse_query("지역 교통", tokenizer).positives == ('"지역"', '"교통"')
    with caplog.at_level(logging.DEBUG, logger="pipelines.search"):
        scored = _ids(store, tokenizer, "지역 교통", limit=50)
    assert '"지역" is in 75 % of the newest 20 articles' in caplog.text
    everything = _ids(store, tokenizer, "지역 교통", limit=50, common_share=None)
    assert scored == everything  # 지역 (75 %) has no bm25 weight: the order comes from 교통 alone
    assert sorted(scored) == [1, 3, 6, 8, 11, 15]
    # NOT still applies when the common word is only a filter.
    assert sorted(_ids(store, tokenizer, "지역 교통 -병원", limit=50)) == [1, 3, 6, 11, 15]


def test_only_common_words_list_the_newest_matches_first(store: Store, tokenizer: Tokenizer) -> None:
    ids = _ids(store, tokenizer, "지역", limit=50)
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == sum("지역" in f"{t} {b}" for t, b in BODIES)
    # With a share no word reaches, 지역 is scored by bm25 as before: most occurrences per length first.
    assert _ids(store, tokenizer, "지역", limit=50, common_share=0.99) == _ids(
        store, tokenizer, "지역", limit=50, common_share=None)


def test_rare_words_and_or_queries_are_scored_as_before(store: Store, tokenizer: Tokenizer) -> None:
    for query in ("교통", "교통 OR 지역", "교통 체증", '"교통 체증"'):
        assert _ids(store, tokenizer, query, limit=50) == _ids(store, tokenizer, query, limit=50, common_share=None)


def test_v3_database_gets_its_vocabulary_from_the_index(tmp_path: Path, store: Store) -> None:
    expected = {r[0] for r in store.conn.execute("SELECT term FROM fts_terms")}
    path = store.path
    assert path is not None
    store.close()
    with sqlite3.connect(path) as conn:  # what a schema-3 file looks like: no fts_terms, no frontier spool
        conn.execute("DROP TABLE fts_terms")
        for col in ("warc_file", "warc_offset", "warc_record_id"):
            conn.execute(f"ALTER TABLE frontier DROP COLUMN {col}")
        conn.execute("PRAGMA user_version = 3")
    reopened = Store(path)
    try:
        assert reopened.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert {r[0] for r in reopened.conn.execute("SELECT term FROM fts_terms")} == expected
        cols = {r[1] for r in reopened.conn.execute("PRAGMA table_info(frontier)")}
        assert {"warc_file", "warc_offset", "warc_record_id"} <= cols
    finally:
        reopened.close()


_WORDS = st.text(alphabet=st.sampled_from("가나다바이오AbcZ09_-.·ⅣＡé한글 ㄱ\u00a0\u200b😀"), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=6))
def test_terms_are_split_like_the_fts5_tokenizer(words: list[str]) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 0')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, row)")
    text = " ".join(words)
    conn.execute("INSERT INTO t (x) VALUES (?)", (text,))
    assert fts_terms.terms_of(text) == {r[0] for r in conn.execute("SELECT term FROM v")}
