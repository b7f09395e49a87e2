"""Discovery from feeds, sitemaps and listing pages, against a fake network (MockTransport)."""

from __future__ import annotations

import asyncio
import gzip
import re
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from scraper.config import FetchConfig
from scraper.discover import DiscoveryResult, discover
from scraper.errors import SkippedContent
from scraper.fetch import Fetcher
from scraper.models import Source
from scraper.sitemaps import parse_sitemap

FAST = FetchConfig(min_delay_s=0.0, backoff_base_s=0.01, max_retries=1, timeout_s=2.0)
SITE = "https://news.example"
PATTERN = re.compile(r"/news/articleView\.html\?idxno=\d+")
Route = httpx.Response | Callable[[httpx.Request], httpx.Response]


async def public_resolver(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


class FakeWeb:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requested: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requested.append(url)
        route = self.routes.get(url)
        if route is None:
            return httpx.Response(404)
        return route(request) if callable(route) else route


def xml(body: str | bytes, ctype: str = "application/xml", **headers: str) -> httpx.Response:
    data = body.encode() if isinstance(body, str) else body
    return httpx.Response(200, content=data, headers={"content-type": ctype, **headers})


def page(body: str) -> httpx.Response:
    return httpx.Response(200, content=body.encode(), headers={"content-type": "text/html; charset=utf-8"})


def source(**kw: object) -> Source:
    base = Source(id="ex", name="예시일보", homepage=f"{SITE}/", article_pattern=PATTERN)
    return replace(base, **kw)  # type: ignore[arg-type]


def run(web: FakeWeb, src: Source, **kw: object) -> DiscoveryResult:
    async def go() -> DiscoveryResult:
        async with httpx.AsyncClient(transport=httpx.MockTransport(web)) as client:
            fetcher = Fetcher(FAST, client, resolver=public_resolver)
            return await discover(src, fetcher, **kw)  # type: ignore[arg-type]

    return asyncio.run(go())


def art(n: int) -> str:
    return f"{SITE}/news/articleView.html?idxno={n}"


RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>예시일보 전체기사</title>
<item><title>송도 바이오 공장 착공</title><link>{art(101)}&amp;replyAll=&amp;reply_sc_order_by=C</link>
<pubDate>Wed, 09 Jul 2025 07:55:30 GMT</pubDate></item>
<item><title>상대 링크</title><link>/news/articleView.html?idxno=102&amp;utm_source=rss</link></item>
<item><title>사진 페이지</title><link>{SITE}/photo/1</link></item>
<item><title>중복</title><link>{art(101)}#comments</link></item>
</channel></rss>"""


def test_feed_links_are_canonical_filtered_and_deduplicated() -> None:
    web = FakeWeb({f"{SITE}/rss/allArticle.xml": xml(RSS, "application/rss+xml")})
    result = run(web, source(feeds=(f"{SITE}/rss/allArticle.xml",)))
    assert [r.url for r in result.refs] == [art(101), art(102)]
    assert {r.found_via for r in result.refs} == {"feed"}
    hint = result.refs[0].published_hint
    assert hint is not None and hint.isoformat() == "2025-07-09T07:55:30+00:00"
    assert result.errors == [] and result.pages_fetched == 1


def test_atom_feed_and_known_urls_skipped() -> None:
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>a</title><link rel="alternate" href="{art(5)}"/><updated>2025-07-09T16:00:00+09:00</updated></entry>
<entry><title>b</title><link rel="alternate" href="{art(6)}"/></entry>
</feed>"""
    web = FakeWeb({f"{SITE}/atom": xml(atom, "application/atom+xml")})
    result = run(web, source(feeds=(f"{SITE}/atom",)), is_known=lambda u: u == art(5))
    assert [r.url for r in result.refs] == [art(6)]


def test_malformed_feed_is_tolerated_and_garbage_reported() -> None:
    broken = f"""<rss version="2.0"><channel><title>깨진 & 피드</title>
<item><title>하나</title><link>{art(1)}</link></item>
<item><title>둘 <b>굵게</title><link>{art(2)}</link></item>
</channel>"""
    web = FakeWeb(
        {
            f"{SITE}/broken.xml": xml(broken, "text/xml"),
            f"{SITE}/garbage.xml": xml(b"\x00\x01 this is not a feed", "text/xml"),
            f"{SITE}/missing.xml": httpx.Response(404),
        }
    )
    feeds = (f"{SITE}/garbage.xml", f"{SITE}/missing.xml", f"{SITE}/broken.xml")
    result = run(web, source(feeds=feeds))
    assert [r.url for r in result.refs] == [art(1), art(2)]
    failed = dict(result.errors)
    assert f"{SITE}/garbage.xml" in failed and failed[f"{SITE}/missing.xml"] == "HTTP 404"


def test_feed_body_is_never_opened_as_a_local_file(tmp_path: Path) -> None:
    local = tmp_path / "feed.xml"
    local.write_text(RSS, encoding="utf-8")
    web = FakeWeb({f"{SITE}/rss": xml(str(local), "text/xml")})
    result = run(web, source(feeds=(f"{SITE}/rss",)))
    assert result.refs == []


def _urlset(ids: list[int], news: bool = False) -> str:
    items = []
    for n in ids:
        extra = ""
        if news:
            extra = (
                "<news:news><news:publication><news:name>예시</news:name><news:language>ko</news:language>"
                "</news:publication><news:publication_date>2025-07-09T16:55:30+09:00</news:publication_date>"
                "<news:title>제목</news:title></news:news>"
            )
        items.append(f"<url><loc>{art(n)}</loc><lastmod>2025-07-01</lastmod>{extra}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(items) + "</urlset>"
    )


def test_sitemap_index_with_gzip_and_news_children() -> None:
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{SITE}/sitemap-old.xml.gz</loc><lastmod>2025-06-01</lastmod></sitemap>
<sitemap><loc>{SITE}/sitemap-news.xml</loc><lastmod>2025-07-09</lastmod></sitemap>
<sitemap><loc>{SITE}/sitemap.xml</loc></sitemap>
</sitemapindex>"""
    web = FakeWeb(
        {
            f"{SITE}/sitemap.xml": xml(index),
            f"{SITE}/sitemap-news.xml": xml(_urlset([3, 4], news=True)),
            f"{SITE}/sitemap-old.xml.gz": xml(gzip.compress(_urlset([1, 2, 3]).encode()), "application/x-gzip"),
        }
    )
    result = run(web, source(sitemaps=(f"{SITE}/sitemap.xml",)))
    assert sorted(r.url for r in result.refs) == [art(n) for n in (1, 2, 3, 4)]
    assert result.refs[0].url == art(3)  # the newest child is read first
    news_hint = result.refs[0].published_hint
    assert news_hint is not None and news_hint.isoformat() == "2025-07-09T16:55:30+09:00"
    old = next(r for r in result.refs if r.url == art(1))
    assert old.published_hint is not None and old.published_hint.isoformat() == "2025-07-01T00:00:00+09:00"
    assert web.requested.count(f"{SITE}/sitemap.xml") == 1  # self-reference not refetched
    assert result.errors == []


def test_billion_laughs_and_xxe_sitemaps_are_refused_quickly() -> None:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(10))
        + ']><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>'
    )
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;</loc></url></urlset>'
    )
    web = FakeWeb({f"{SITE}/lol.xml": xml(lol), f"{SITE}/xxe.xml": xml(xxe)})
    start = time.monotonic()
    result = run(web, source(sitemaps=(f"{SITE}/lol.xml", f"{SITE}/xxe.xml")))
    assert time.monotonic() - start < 15  # a bound against entity expansion, not a benchmark
    assert result.refs == []
    assert [u for u, _ in result.errors] == [f"{SITE}/lol.xml", f"{SITE}/xxe.xml"]
    assert all("DOCTYPE" in why for _, why in result.errors)


def test_gzip_bomb_stops_at_cap() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 3_000_000 + b"</urlset>")
    assert len(bomb) < 10_000
    with pytest.raises(SkippedContent, match="larger than"):
        parse_sitemap("https://x/s.xml.gz", bomb, cap=1_000_000)


def test_truncated_sitemap_keeps_entries_and_reports() -> None:
    text = _urlset([7, 8])
    web = FakeWeb({f"{SITE}/s.xml": xml(text[: text.index("<url><loc>" + art(8))] + "<url><loc>ht")})
    result = run(web, source(sitemaps=(f"{SITE}/s.xml",)))
    assert [r.url for r in result.refs] == [art(7)]
    assert result.errors and "malformed XML" in result.errors[0][1]


def _listing(ids: list[int]) -> str:
    links = "".join(
        f'<li><h2 class="titles"><a href="/news/articleView.html?idxno={n}">기사 {n}</a></h2></li>' for n in ids
    )
    nav = '<a href="/news/articleList.html?view_type=sm&page=2">2</a><a href="mailto:x@y">메일</a>'
    return f"<html><body><ul class='type2'>{links}</ul>{nav}</body></html>"


def test_listing_pages_until_nothing_new() -> None:
    template = f"{SITE}/news/articleList.html?view_type=sm&page={{page}}"
    pages = {1: [10, 9, 8], 2: [8, 7, 6], 3: [6, 5, 11], 4: [4, 3], 5: [2, 1]}
    web = FakeWeb({template.replace("{page}", str(n)): page(_listing(ids)) for n, ids in pages.items()})
    result = run(web, source(listings=(template,)), is_known=lambda u: u in {art(5), art(4), art(3)})
    assert [r.url for r in result.refs] == [art(n) for n in (10, 9, 8, 7, 6, 11)]
    # page 4 brings only known URLs → stop; page 5 is never fetched
    assert template.replace("{page}", "4") in web.requested
    assert template.replace("{page}", "5") not in web.requested
    assert result.pages_fetched == 4


def test_listing_respects_max_pages_and_stops_on_error() -> None:
    template = f"{SITE}/list?page={{page}}"
    web = FakeWeb({f"{SITE}/list?page={n}": page(_listing([n * 10 + 1, n * 10 + 2])) for n in (1, 2, 3)})
    result = run(web, source(listings=(template,), max_listing_pages=2))
    assert len(result.refs) == 4 and f"{SITE}/list?page=3" not in web.requested
    web = FakeWeb({f"{SITE}/list?page=1": page(_listing([1]))})  # page 2 is a 404
    result = run(web, source(listings=(template,)))
    # a 404 after page 1 is the end of the listing, not an error
    assert [r.url for r in result.refs] == [art(1)] and result.errors == []


def test_listing_without_pattern_uses_id_like_same_host_links() -> None:
    html = (
        '<a href="/news/view/1065012345678">기사</a><a href="/about">소개</a>'
        '<a href="https://other.example/news/view/1065999999999">남의 기사</a>'
        '<a href="/list?page=2">다음</a>'
    )
    web = FakeWeb({f"{SITE}/list?page=1": page(html)})
    result = run(web, source(listings=(f"{SITE}/list?page={{page}}",), article_pattern=None))
    assert [r.url for r in result.refs] == [f"{SITE}/news/view/1065012345678"]


class MemoryValidators:
    def __init__(self) -> None:
        self.data: dict[str, tuple[str | None, str | None]] = {}

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        return self.data.get(url)

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.data[url] = (etag, last_modified)


def test_conditional_get_makes_unchanged_feed_bring_nothing() -> None:
    def feed(request: httpx.Request) -> httpx.Response:
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return xml(RSS, "application/rss+xml", etag='"v1"')

    web = FakeWeb({f"{SITE}/rss": feed})
    cache = MemoryValidators()
    first = run(web, source(feeds=(f"{SITE}/rss",)), validators=cache)
    assert len(first.refs) == 2 and cache.data[f"{SITE}/rss"] == ('"v1"', None)
    second = run(web, source(feeds=(f"{SITE}/rss",)), validators=cache)
    assert second.refs == [] and second.not_modified == 1 and second.pages_fetched == 0


def test_refs_are_unique_across_feed_sitemap_and_listing() -> None:
    web = FakeWeb(
        {
            f"{SITE}/rss": xml(RSS, "application/rss+xml"),
            f"{SITE}/s.xml": xml(_urlset([101, 103])),
            f"{SITE}/list?page=1": page(_listing([102, 103, 104])),
        }
    )
    src = source(feeds=(f"{SITE}/rss",), sitemaps=(f"{SITE}/s.xml",), listings=(f"{SITE}/list?page={{page}}",))
    result = run(web, src)
    assert [(r.url, r.found_via) for r in result.refs] == [
        (art(101), "feed"),
        (art(102), "feed"),
        (art(103), "sitemap"),
        (art(104), "listing"),
    ]


def test_entity_bomb_feed_is_harmless() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + f"]><rss version='2.0'><channel><title>&j;</title><item><title>&j;</title><link>{art(9)}</link>"
        "</item></channel></rss>"
    )
    web = FakeWeb({f"{SITE}/rss": xml(bomb, "application/rss+xml")})
    start = time.monotonic()
    result = run(web, source(feeds=(f"{SITE}/rss",)))
    assert time.monotonic() - start < 15  # a bound against entity expansion, not a benchmark
    assert [r.url for r in result.refs] == [art(9)]
