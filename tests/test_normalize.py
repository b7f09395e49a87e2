from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from pipelines.importer import parse_published
from pipelines.normalize import iso, normalize_article, normalize_body, normalize_text
from scraper.models import Article


@given(st.text())
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(st.text())
def test_normalize_body_is_idempotent_and_has_no_empty_lines(text: str) -> None:
    once = normalize_body(text)
    assert normalize_body(once) == once
    assert "" not in once.split("\n") or once == ""


def test_nfd_hangul_becomes_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "바이오 특화단지")
    assert nfd != "바이오 특화단지"
    assert normalize_text(nfd) == "바이오 특화단지"


def test_repeated_paragraph_kept_once_short_lines_kept() -> None:
    para = "인천시는 송도에서 바이오 기업 설명회를 열었다고 밝혔다."
    assert normalize_body(f"{para}\n\n{para}\n사진\n사진") == f"{para}\n사진\n사진"


def test_article_times_become_kst_and_url_canonical() -> None:
    utc = datetime(2026, 10, 9, 7, 55, tzinfo=UTC)
    art = Article(source="s", url="HTTPS://WWW.Example.kr:443/news/articleView.html?idxno=7&utm_medium=rss#c",
                  title="  제목\u3000 ", body="본문", published=utc)
    out = normalize_article(art)
    assert iso(out.published) == "2026-10-09T16:55:00+09:00"
    assert out.url == "https://www.example.kr/news/articleView.html?idxno=7"
    assert out.title == "제목"


def test_malformed_host_is_kept_not_mangled() -> None:
    art = Article(source="s", url="https://outlet.kr (mirror)/eval/1", title="t", body="b")
    assert normalize_article(art).url == "https://outlet.kr (mirror)/eval/1"


def test_parse_published_forms() -> None:
    kst = timezone(timedelta(hours=9))
    assert parse_published("2026-10-09 16:55") == datetime(2026, 10, 9, 16, 55, tzinfo=kst)
    assert parse_published("2026-10-09T07:55:00Z") == datetime(2026, 10, 9, 16, 55, tzinfo=kst)
    assert parse_published("2023-10") == datetime(2023, 10, 1, tzinfo=kst)
