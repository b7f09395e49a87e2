"""normalize → dedup → tokenize → store, through the import path (no network)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pipelines import run
from pipelines.search import search
from pipelines.store import Store
from scraper.config import Config
from scraper.errors import InputError, StoreError

RELEASE = [
    "인천시는 12일 송도 컨벤시아에서 바이오 특화단지 기업 설명회를 열고 입주 지원 방안을 소개했다고 밝혔다.",
    "설명회에는 바이오 기업과 연구기관 관계자 80여 명이 참석해 세제 감면과 인력 양성 계획을 들었다.",
    "시는 내년까지 공동 연구 장비 센터를 세우고 중소 바이오 기업의 시제품 생산을 돕기로 했다.",
    '김하늘 시 미래산업국장은 "기업이 체감하는 지원으로 특화단지를 키우겠다"고 말했다.',
]
OTHER = [
    "시흥시는 배곧 해안공원에서 가을 걷기 축제를 연다고 13일 밝혔다.",
    "축제는 오는 주말 이틀 동안 열리며 가족 단위 참가자를 위한 체험 부스가 운영된다.",
]


def _line(url: str, title: str, paras: list[str], **extra: str) -> str:
    return json.dumps({"url": url, "title": title, "body": "\n".join(paras), **extra}, ensure_ascii=False)


@pytest.fixture()
def corpus(tmp_path: Path, tokenizer: object, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(run, "Tokenizer", lambda *args, **kwargs: tokenizer)
    src = tmp_path / "in.jsonl"
    lines = [
        _line(
            "https://a.example.kr/news/articleView.html?idxno=1&utm_source=feed",
            "송도 바이오 설명회",
            ["[에이일보] " + RELEASE[0], *RELEASE[1:]],
            published="2026-10-12 10:00",
            source="a",
        ),
        _line(
            "https://b.example.kr/news/view/1065000000000001",
            "인천시, 바이오 특화단지 기업 설명회 개최",
            ["(인천=비뉴스) 박서준 기자 = " + RELEASE[0], *RELEASE[1:3]],
            published="2026-10-12T09:30:00+09:00",
            source="b",
        ),
        _line("https://c.example.kr/2026/10/13/walk/", "배곧 걷기 축제", OTHER, published="2026-10-13", source="c"),
        "{not json",
        _line("ftp://bad.example.kr/x", "t", ["본문"]),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "corpus.db"
    result = run.import_file(Config(db_path=db), src)
    assert result.stats.stored == 3
    assert [n for n, _ in result.stats.bad_lines] == [4, 5]
    assert result.stats.exit_code == 2
    return db


def test_copies_share_a_cluster_with_the_earliest_as_canonical(corpus: Path) -> None:
    con = sqlite3.connect(corpus)
    rows = {r[0]: r[1:] for r in con.execute("SELECT source, cluster_id, duplicate_of, id FROM articles")}
    assert rows["a"][0] == rows["b"][0]  # one story
    assert rows["c"][0] != rows["a"][0]
    # b was published 30 minutes earlier, so it is the canonical one even though it arrived second
    assert rows["b"][1] is None and rows["a"][1] == rows["b"][2]
    size, canonical = con.execute("SELECT size, canonical_id FROM clusters WHERE id = ?", (rows["a"][0],)).fetchone()
    assert (size, canonical) == (2, rows["b"][2])
    assert con.execute("SELECT count(*) FROM unique_articles").fetchone()[0] == 2


def test_url_is_canonical_and_times_are_kst(corpus: Path) -> None:
    con = sqlite3.connect(corpus)
    url, published = con.execute("SELECT url, published FROM articles WHERE source = 'a'").fetchone()
    assert "utm_source" not in url
    assert published == "2026-10-12T10:00:00+09:00"
    assert con.execute("SELECT published FROM articles WHERE source='c'").fetchone()[0] == "2026-10-13T00:00:00+09:00"


def test_tokens_layout_points_into_title_and_body(corpus: Path) -> None:
    con = sqlite3.connect(corpus)
    for title, body, morphemes, offsets in con.execute(
        "SELECT title, body, morphemes, offsets FROM articles JOIN tokens ON tokens.article_id = articles.id"
    ):
        text = f"{title}\n{body}"
        pairs = list(zip(morphemes.split(), offsets.split(), strict=True))
        assert pairs
        for m, o in pairs:
            form, _, tag = m.rpartition("/")
            start, length = map(int, o.split(":"))
            assert tag and form
            if tag.startswith("NN"):  # nouns are surface substrings at their offsets
                assert text[start : start + length] == form.replace("_", " ")


def test_search_is_morpheme_aware(corpus: Path, tokenizer: object) -> None:
    store = Store(corpus)
    hits = search(store, tokenizer, "바이오가")  # type: ignore[arg-type]
    assert len(hits) == 1  # the copy is hidden by default
    assert "[바이오]" in hits[0].snippet
    assert len(search(store, tokenizer, "바이오", include_duplicates=True)) == 2  # type: ignore[arg-type]
    assert [h.source for h in search(store, tokenizer, "축제를")] == ["c"]  # type: ignore[arg-type]
    assert search(store, tokenizer, "바이오 NOT 설명회") == []  # type: ignore[arg-type]
    assert len(search(store, tokenizer, "바이오 OR 축제")) == 2  # type: ignore[arg-type]
    with pytest.raises(InputError):
        search(store, tokenizer, '"unbalanced')  # type: ignore[arg-type]


def test_reimport_stores_nothing_twice(corpus: Path, tmp_path: Path) -> None:
    again = run.import_file(Config(db_path=corpus), tmp_path / "in.jsonl")
    assert again.stats.stored == 0 and again.stats.already_stored == 3
    con = sqlite3.connect(corpus)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    assert con.execute("SELECT count(*) FROM runs WHERE kind='import'").fetchone()[0] == 2


def test_missing_db_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        Store(tmp_path / "nope" / "corpus.db")
    with pytest.raises(StoreError):
        run.open_existing(tmp_path / "missing.db")


def test_rebuild_gives_the_same_clusters(corpus: Path) -> None:
    con = sqlite3.connect(corpus)
    before = con.execute("SELECT id, cluster_id, duplicate_of FROM articles ORDER BY id").fetchall()
    before_clusters = con.execute("SELECT * FROM clusters ORDER BY id").fetchall()
    con.close()
    stats = run.rebuild(Config(db_path=corpus))
    assert stats.articles == 3 and stats.duplicates == 1
    con = sqlite3.connect(corpus)
    assert con.execute("SELECT id, cluster_id, duplicate_of FROM articles ORDER BY id").fetchall() == before
    assert con.execute("SELECT * FROM clusters ORDER BY id").fetchall() == before_clusters
    assert con.execute("SELECT count(*) FROM duplicates").fetchone()[0] == 3
