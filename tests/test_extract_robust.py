"""The extractor never raises anything but ExtractError, and refuses pages that are not articles."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import ExtractError, MissingField
from scraper.extract import BoilerplateLearner, extract
from scraper.extract.dom import too_deep

PROSE = "가온시는 바이오 인재를 기르는 실습 과정을 새로 열었다고 밝혔다. 참여 기업은 다섯 곳이다."


def _article(body: str) -> str:
    head = "<head><title>가온시 실습 과정 개설 - 가온일보</title></head>"
    return f"<html>{head}<body><h1>가온시 실습 과정 개설</h1>{body}</body></html>"


def _extract_or_error(html: str) -> None:
    try:
        article = extract(html, "https://example.kr/a/1")
    except ExtractError:
        return
    assert article.title
    assert article.body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes_never_crash(data: bytes) -> None:
    _extract_or_error(data.decode("utf-8", "replace"))


TAGS = st.sampled_from(["p", "div", "span", "br", "a", "article", "script", "table", "td", "h1", "figure", "li"])
CHUNKS = st.one_of(
    st.text(alphabet="가나다라마바사아자차카타파하기자입력 다.<>/=\"'&;#:", max_size=30),
    TAGS.map(lambda t: f"<{t}>"),
    TAGS.map(lambda t: f"</{t}>"),
    st.just(PROSE),
    st.just("기사승인 : 2025-07-09 16:55:30"),
    st.just('<script type="application/ld+json">{"@type":"NewsArticle","headline":'),
    st.just('<meta property="article:published_time" content="2025-99-99T99:99">'),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CHUNKS, max_size=60))
def test_random_html_soup_never_crashes(chunks: list[str]) -> None:
    _extract_or_error("".join(chunks))


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=len(_article(f"<p>{PROSE}</p>" * 4))))
def test_truncated_html_never_crashes(cut: int) -> None:
    _extract_or_error(_article(f"<p>{PROSE}</p>" * 4)[:cut])


HANG_GUARD_S = 120  # far above the few seconds these take (benchmarks/extract.py --stress measures them)


@contextmanager
def _hang_guard(seconds: int = HANG_GUARD_S) -> Iterator[None]:
    """Fail instead of hanging the suite: a ceiling against runaway (quadratic) work, not a benchmark."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def _expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"extraction still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def nested_page(depth: int) -> str:
    return _article("<div>" * depth + f"<p>{PROSE}</p>" * 3 + "</div>" * depth)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TAGS, min_size=1, max_size=8), st.integers(min_value=100, max_value=1_500), st.booleans())
def test_random_deep_nesting_never_crashes(pattern: list[str], repeat: int, closed: bool) -> None:
    opening = "".join(f"<{t}>" for t in pattern) * repeat
    closing = "".join(f"</{t}>" for t in reversed(pattern)) * repeat if closed else ""
    with _hang_guard():
        _extract_or_error(_article(opening + f"<p>{PROSE}</p>" * 3 + closing))


def huge_page(min_chars: int = 20_000_000) -> str:
    """A 20 MB page: the article, then thousands of linked sidebar lists."""
    filler = "<div class='side'><ul>" + "<li><a href='/x'>다른 기사 제목</a></li>" * 20 + "</ul></div>"
    story = f"<div class='story'>{f'<p>{PROSE}</p>' * 5}</div>"
    return _article(story + filler * (min_chars // len(filler) + 1))


@pytest.mark.parametrize("depth", [1_000, 20_000])
def test_deep_nesting(depth: int) -> None:
    with _hang_guard():
        article = extract(nested_page(depth), "https://example.kr/a/1")
    assert article.body.count(PROSE) == 3


@pytest.mark.parametrize("tag", ["div", "SECTION", "Blockquote"])
def test_pathological_nesting_is_refused_before_parsing(tag: str) -> None:
    """100,000 nested blocks would keep the HTML parser busy for minutes (its work grows with depth²)."""
    html = _article(f"<{tag} class='x'>" * 100_000 + f"<p>{PROSE}</p>" * 3 + f"</{tag}>" * 100_000)
    with _hang_guard(), pytest.raises(ExtractError, match="nested more than"):
        extract(html, "https://example.kr/a/1")
    learner = BoilerplateLearner()
    with _hang_guard():
        assert learner.observe(html, "https://example.kr/a/1") is False


def test_deep_inline_nesting_is_not_refused() -> None:
    """Inline elements nest deep without the quadratic cost, and a flat 20 MB page is not deep."""
    html = _article("<div>" + "<span>" * 60_000 + f"{PROSE}<br>" * 3 + "</span>" * 60_000 + "</div>")
    with _hang_guard():
        article = extract(html, "https://example.kr/a/1")
    assert article.body.count(PROSE) == 3
    assert not too_deep(huge_page().encode())


def test_huge_page_is_handled() -> None:
    html = huge_page()
    assert len(html) > 20_000_000
    with _hang_guard():
        article = extract(html, "https://example.kr/a/1")
    assert article.body == "\n".join([PROSE] * 5)
    assert article.title == "가온시 실습 과정 개설"


def test_huge_page_with_the_learner_observing() -> None:
    """The crawl's way (observe=True walks every block of the page) on a 20 MB page."""
    learner = BoilerplateLearner()
    with _hang_guard():
        article = extract(huge_page(), "https://example.kr/a/1", learner=learner, observe=True)
    assert PROSE in article.body
    assert learner.hosts["example.kr"].pages == 1


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "<html><head><title>제목</title></head></html>"])
def test_empty_pages_raise(html: str) -> None:
    with pytest.raises(ExtractError):
        extract(html, "https://example.kr/a/1")


def test_missing_title_raises_missing_field() -> None:
    with pytest.raises(MissingField) as info:
        extract(f"<html><body><div>{f'<p>{PROSE}</p>' * 3}</div></body></html>", "https://example.kr/a/1")
    assert info.value.field == "title"


def test_listing_page_is_not_an_article() -> None:
    items = "".join(
        f'<li><a href="/news/articleView.html?idxno={i}">가온시 소식 {i}번째 기사 제목입니다</a>'
        f"<span>2025-07-0{i % 9 + 1}</span></li>"
        for i in range(30)
    )
    head = "<head><title>행정 - 가온일보</title></head>"
    html = f"<html>{head}<body><h1>행정</h1><ul class='list'>{items}</ul></body></html>"
    with pytest.raises(ExtractError):
        extract(html, "https://example.kr/news/articleList.html?sc_section_code=S1N1")


def test_unknown_profile_name_is_an_extract_error() -> None:
    with pytest.raises(ExtractError):
        extract(_article(f"<p>{PROSE}</p>"), "https://example.kr/a/1", profile="no-such-cms")


def test_bytes_input_is_decoded() -> None:
    article = extract(_article(f"<div><p>{PROSE}</p><p>{PROSE}</p></div>").encode(), "https://example.kr/a/1")  # type: ignore[arg-type]
    assert article.title == "가온시 실습 과정 개설"
