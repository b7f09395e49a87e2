"""Search: filters, query syntax, the rank window, and re-indexing an article (contentless FTS5)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipelines import run
from pipelines.search import search
from pipelines.store import Store, fts_forms
from pipelines.tokenize import Tokenizer, encode_tokens, nouns
from scraper.config import Config
from scraper.errors import InputError

# Invented articles: (url, source, author, published, title, body).
ARTICLES = [
    ("https://a.example.kr/1", "a", "김하늘 기자", "2026-10-01 09:00", "송도 바이오 특화단지 지정",
     "인천시는 송도 바이오 특화단지 지정을 환영한다고 1일 밝혔다.\n시는 연구 장비를 함께 쓰는 센터를 세운다."),
    ("https://b.example.kr/2", "b", "박서준 기자", "2026-10-02 10:00", "인천 송도, 바이오 특화단지로",
     "인천시는 송도 바이오 특화단지 지정을 환영한다고 1일 밝혔다.\n시는 연구 장비를 함께 쓰는 센터를 세운다."),
    ("https://a.example.kr/3", "a", "이도윤 기자", "2026-10-05 08:00", "배곧 가을 축제 개막",
     "시흥시 배곧 해안공원에서 가을 축제가 열린다.\n행사장까지 무료 셔틀버스가 다닌다."),
    ("https://c.example.kr/4", "c", "김하늘 기자", "2026-10-08 07:30", "송도 출근길 교통 체증 심각",
     "송도 바이오 기업 직원들은 아침마다 교통 체증을 겪는다.\n시는 신호 체계를 바꾸기로 했다."),
    ("https://c.example.kr/5", "c", "최민서 기자", "2026-10-10 16:00", "시의회 내년 예산 심사",
     "시의회는 교통 예산을 먼저 심사한다.\n의원들은 출근길 체증 대책을 물었다."),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, tokenizer: Tokenizer) -> Store:
    tmp = tmp_path_factory.mktemp("search")
    src = tmp / "in.jsonl"
    src.write_text("".join(
        json.dumps({"url": u, "source": s, "author": a, "published": p, "title": t, "body": b},
                   ensure_ascii=False) + "\n" for u, s, a, p, t, b in ARTICLES), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setattr(run, "Tokenizer", lambda *args, **kwargs: tokenizer)
    try:
        result = run.import_file(Config(db_path=tmp / "corpus.db"), src)
    finally:
        mp.undo()
    assert result.stats.stored == len(ARTICLES)
    return Store(tmp / "corpus.db")


def _urls(store: Store, tokenizer: Tokenizer, query: str, **kw: object) -> set[str]:
    return {h.url.rsplit("/", 1)[1] for h in search(store, tokenizer, query, **kw)}  # type: ignore[arg-type]


def test_copy_is_hidden_unless_duplicates_are_asked_for(store: Store, tokenizer: Tokenizer) -> None:
    assert _urls(store, tokenizer, "특화단지") == {"1"}
    assert _urls(store, tokenizer, "특화단지", include_duplicates=True) == {"1", "2"}


def test_since_and_until_are_inclusive_days(store: Store, tokenizer: Tokenizer) -> None:
    assert _urls(store, tokenizer, "송도", since=date(2026, 10, 8)) == {"4"}
    assert _urls(store, tokenizer, "송도", until=date(2026, 10, 1)) == {"1"}
    assert _urls(store, tokenizer, "체증", since=date(2026, 10, 2), until=date(2026, 10, 9)) == {"4"}


def test_source_filter(store: Store, tokenizer: Tokenizer) -> None:
    assert _urls(store, tokenizer, "체증", source="c") == {"4", "5"}
    assert _urls(store, tokenizer, "체증", source="a") == set()


def test_author_filter_matches_part_of_the_byline(store: Store, tokenizer: Tokenizer) -> None:
    assert _urls(store, tokenizer, "송도", author="김하늘") == {"1", "4"}
    assert _urls(store, tokenizer, "송도", author="최민서") == set()


def test_words_are_anded_and_phrases_keep_order(store: Store, tokenizer: Tokenizer) -> None:
    assert _urls(store, tokenizer, "교통 체증") == {"4", "5"}
    assert _urls(store, tokenizer, '"교통 체증"') == {"4"}


def test_or_and_not(store: Store, tokenizer: Tokenizer) -> None:
    assert _urls(store, tokenizer, "셔틀버스 OR 예산") == {"3", "5"}
    assert _urls(store, tokenizer, "바이오 -특화단지") == {"4"}
    assert _urls(store, tokenizer, "송도 NOT 체증") == {"1"}


def test_prefix_matches_longer_morphemes(store: Store, tokenizer: Tokenizer) -> None:
    assert _urls(store, tokenizer, "셔틀") == set()
    assert _urls(store, tokenizer, "셔틀*") == {"3"}


@pytest.mark.parametrize("query", ['"송도 바이오', "OR 송도", "송도 OR", "-송도", "*", "?! ..."])
def test_invalid_queries_are_input_errors(store: Store, tokenizer: Tokenizer, query: str) -> None:
    with pytest.raises(InputError):
        search(store, tokenizer, query)


def test_bad_order_and_limit_are_input_errors(store: Store, tokenizer: Tokenizer) -> None:
    with pytest.raises(InputError):
        search(store, tokenizer, "송도", order="oldest")
    with pytest.raises(InputError):
        search(store, tokenizer, "송도", limit=0)


def test_newest_order_follows_publication(store: Store, tokenizer: Tokenizer) -> None:
    hits = search(store, tokenizer, "체증 OR 송도", order="newest")
    assert [h.published for h in hits] == sorted((h.published for h in hits), reverse=True)
    assert len(hits) == 3


def test_rank_window_ranks_only_the_newest_matches(store: Store, tokenizer: Tokenizer) -> None:
    everything = search(store, tokenizer, "송도", include_duplicates=True, window=None, limit=10)
    assert len(everything) == 3
    # A window of one match (the highest rowid) and limit 1: only that article can come back.
    newest = max(h.id for h in everything)
    assert [h.id for h in search(store, tokenizer, "송도", include_duplicates=True, window=1, limit=1)] == [newest]
    # Fewer hits than the limit inside the window: the query is re-run over every match.
    assert {h.id for h in search(store, tokenizer, "송도", include_duplicates=True, window=1, limit=10)} == {
        h.id for h in everything}


def test_reindexing_an_article_replaces_its_terms(tmp_path: Path, tokenizer: Tokenizer) -> None:
    s = Store(tmp_path / "re.db")
    from pipelines.store import ArticleRow

    aid = s.insert_article(ArticleRow("https://x.example.kr/1", "x", "해양 축제", None, "2026-10-01", None,
                                      "바다 축제가 열린다.", "h", (), "generic", None))

    def index(title: str, body: str) -> None:
        text = f"{title}\n{body}"
        doc = tokenizer.tokenize_many([text])[0]
        morphemes, offsets = encode_tokens(doc)
        forms = fts_forms(title, morphemes, offsets)
        s.insert_tokens(aid, morphemes, offsets, " ".join(nouns(doc)), *forms)

    with s.transaction():
        index("해양 축제", "바다 축제가 열린다.")
    assert _urls(s, tokenizer, "바다") == {"1"}
    with s.transaction():
        index("해양 축제", "드론 공연이 열린다.")  # the article was re-analysed: old terms must go
    assert _urls(s, tokenizer, "바다") == set()
    assert _urls(s, tokenizer, "드론") == {"1"}
    s.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    s.close()


def test_ingested_index_equals_a_rebuild_from_tokens(store: Store) -> None:
    """The migration and 'delete' both re-derive indexed text with fts_forms: it must match the ingestor's."""
    store.conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, articles_fts, instance)")
    query = "SELECT term, doc, col, offset FROM temp.vocab ORDER BY 1, 2, 3, 4"
    before = store.conn.execute(query).fetchall()
    with store.transaction():
        assert store.rebuild_fts() == len(ARTICLES)
    assert store.conn.execute(query).fetchall() == before
    assert len(before) > 50
