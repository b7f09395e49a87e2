"""Canonical URLs: one spelling per page, never two pages on one spelling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.urls import canonical_url, origin_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "HTTP://WWW.Example.KR:80/news/articleView.html?idxno=962205&replyAll=&reply_sc_order_by=C#reply",
            "http://www.example.kr/news/articleView.html?idxno=962205",
        ),
        ("https://example.kr:443/a?utm_source=x&b=2&a=1&fbclid=z&gclid=q&ref=tw", "https://example.kr/a?a=1&b=2"),
        ("https://example.kr", "https://example.kr/"),
        ("https://example.kr:8443/news/view/1065123456789", "https://example.kr:8443/news/view/1065123456789"),
        (
            "https://example.kr/search?sc_word=%C8%AB%B1%E6%B5%BF",
            "https://example.kr/search?sc_word=%C8%AB%B1%E6%B5%BF",
        ),
        ("https://example.kr/뉴스?q=바이오", "https://example.kr/%EB%89%B4%EC%8A%A4?q=%EB%B0%94%EC%9D%B4%EC%98%A4"),
        ("https://example.kr/article.html?no=1&page=2", "https://example.kr/article.html?no=1&page=2"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_content_parameters_are_kept_apart() -> None:
    a = canonical_url("https://example.kr/news/articleView.html?idxno=1")
    b = canonical_url("https://example.kr/news/articleView.html?idxno=2")
    assert a != b


def test_origin_of() -> None:
    assert origin_of("HTTPS://Example.KR/x") == ("https", "example.kr", 443)
    assert origin_of("http://127.0.0.1:8080/") == ("http", "127.0.0.1", 8080)


@given(
    path=st.lists(st.text(alphabet="abc가나다-_.~%20", min_size=1, max_size=6), max_size=3),
    params=st.lists(
        st.tuples(st.sampled_from(["idxno", "page", "utm_medium", "q", "replyAll"]), st.text("xyz가1", max_size=4)),
        max_size=4,
    ),
)
def test_canonical_url_is_idempotent(path: list[str], params: list[tuple[str, str]]) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    url = "https://Example.kr/" + "/".join(path) + (f"?{query}" if query else "")
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "utm_" not in once and "replyAll" not in once
