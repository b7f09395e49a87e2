"""The discovery parser process: same results as parsing on the event loop, and it never gets in the way."""

from __future__ import annotations

import asyncio
import gzip
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from test_discover import FAST, SITE, FakeWeb, art, page, public_resolver, source, xml

from scraper.discover import DiscoveryResult, discover
from scraper.discover_parse import feed_links, listing_links, sitemap_links
from scraper.discover_worker import ParserProcess
from scraper.fetch import Fetcher

FEED = f"""<?xml version="1.0"?><rss version="2.0"><channel>
<item><link>{art(1)}&amp;utm_source=rss</link><pubDate>Wed, 09 Jul 2025 07:55:30 GMT</pubDate></item>
<item><link>/news/articleView.html?idxno=2#top</link></item><item><link>{SITE}/photo/3</link></item>
</channel></rss>"""
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefg", "bcdefgh", strict=True))
          + f']><rss version="2.0"><channel><title>&h;</title><item><link>{art(7)}</link></item></channel></rss>')
XXE = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0">'
       f"<channel><item><title>&x;</title><link>{art(8)}</link></item></channel></rss>")
URLSET = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          + "".join(f"<url><loc>{art(n)}</loc><lastmod>2025-07-0{n}</lastmod></url>" for n in (4, 5, 6)) + "</urlset>")
LISTING = "<html><body>" + "".join(f'<a href="/news/articleView.html?idxno={n}">{n}</a>' for n in (9, 10, 9)) \
    + '<a href="/about">about</a></body></html>'


@asynccontextmanager
async def ready_parser() -> AsyncIterator[ParserProcess]:
    parser = ParserProcess(enabled=True)
    parser.start()
    try:
        await parser.attach()
        for _ in range(3000):  # a guard, not a timing: the worker imports its parsers first
            if parser.ready:
                break
            await asyncio.sleep(0.01)
        assert parser.ready
        yield parser
    finally:
        parser.close()


def web() -> FakeWeb:
    return FakeWeb({
        f"{SITE}/rss": xml(FEED, "application/rss+xml"),
        f"{SITE}/lol": xml(LAUGHS, "application/rss+xml"),
        f"{SITE}/xxe": xml(XXE, "application/rss+xml"),
        f"{SITE}/garbage": xml(b"\x00\x01 not a feed", "text/xml"),
        f"{SITE}/s.xml.gz": xml(gzip.compress(URLSET.encode()), "application/gzip"),
        f"{SITE}/bad-sitemap.xml": xml(XXE),
        f"{SITE}/list?page=1": page(LISTING),
    })


SOURCE = source(feeds=(f"{SITE}/rss", f"{SITE}/lol", f"{SITE}/xxe", f"{SITE}/garbage"),
                sitemaps=(f"{SITE}/s.xml.gz", f"{SITE}/bad-sitemap.xml"), listings=(f"{SITE}/list?page={{page}}",))


async def discover_with(parser: ParserProcess | None) -> DiscoveryResult:
    async with httpx.AsyncClient(transport=httpx.MockTransport(web())) as client:
        return await discover(SOURCE, Fetcher(FAST, client, resolver=public_resolver), parser=parser)


def test_same_refs_errors_and_order_as_on_the_event_loop() -> None:
    async def go() -> tuple[DiscoveryResult, DiscoveryResult, int]:
        here = await discover_with(None)
        async with ready_parser() as parser:
            there = await discover_with(parser)
            return here, there, parser.parsed_there

    here, there, parsed_there = asyncio.run(go())
    assert parsed_there == 7  # 4 feeds, 2 sitemaps, 1 listing page: all in the worker
    assert there == here
    assert [r.url for r in here.refs][:2] == [art(1), art(2)] and art(7) in {r.url for r in here.refs}
    assert {url for url, _ in here.errors} >= {f"{SITE}/garbage", f"{SITE}/bad-sitemap.xml"}


def test_each_function_gives_the_same_value_there() -> None:
    pattern = re.compile(r"/news/articleView\.html\?idxno=\d+")
    calls = [
        (feed_links, f"{SITE}/rss", FEED.encode(), pattern),
        (feed_links, f"{SITE}/lol", LAUGHS.encode(), None),
        (sitemap_links, f"{SITE}/s.xml", f"{SITE}/s.xml", URLSET.encode(), pattern),
        (sitemap_links, f"{SITE}/x.xml", f"{SITE}/x.xml", XXE.encode(), pattern),
        (listing_links, f"{SITE}/list", LISTING, None),
    ]

    async def go() -> list[object]:
        async with ready_parser() as parser:
            return [await parser.call(fn, *args) for fn, *args in calls]

    assert asyncio.run(go()) == [fn(*args) for fn, *args in calls]


def test_an_exception_there_is_raised_here() -> None:
    async def go() -> None:
        async with ready_parser() as parser:
            with pytest.raises(TypeError):
                await parser.call(feed_links, f"{SITE}/rss", "not bytes", None)
            assert parser.parsed_there == 0
            assert await parser.call(listing_links, f"{SITE}/list", LISTING, None) == listing_links(
                f"{SITE}/list", LISTING, None)  # and the worker still answers
            assert parser.parsed_there == 1

    asyncio.run(go())


def test_a_killed_worker_falls_back_to_the_event_loop(caplog: pytest.LogCaptureFixture) -> None:
    async def go() -> tuple[DiscoveryResult, ParserProcess]:
        async with ready_parser() as parser:
            assert parser._proc is not None
            parser._proc.kill()
            parser._proc.wait()
            return await discover_with(parser), parser

    with caplog.at_level(logging.WARNING, logger="scraper.discover_worker"):
        result, parser = asyncio.run(go())
    assert result == asyncio.run(discover_with(None))
    assert parser.parsed_there == 0 and parser.parsed_here == 7
    assert any("parser process ended" in r.getMessage() for r in caplog.records)


def test_close_ends_the_worker_and_a_closed_input_ends_it_too() -> None:
    parser = ParserProcess(enabled=True)
    parser.start()
    proc = parser._proc
    assert proc is not None and proc.poll() is None
    parser.close()
    assert proc.returncode == 0  # ended by end of input, not killed
    assert parser._proc is None
    parser.close()  # twice is harmless

    orphan = ParserProcess(enabled=True)
    orphan.start()
    proc = orphan._proc
    assert proc is not None and proc.stdin is not None
    proc.stdin.close()  # what a killed crawl leaves behind
    assert proc.wait(timeout=60) == 0
    orphan.close()


def test_disabled_or_not_ready_parses_here() -> None:
    async def go() -> tuple[object, int, int]:
        parser = ParserProcess(enabled=False)
        parser.start()
        await parser.attach()
        value = await parser.call(listing_links, f"{SITE}/list", LISTING, None)
        parser.close()
        return value, parser.parsed_here, parser.parsed_there

    assert asyncio.run(go()) == (listing_links(f"{SITE}/list", LISTING, None), 1, 0)
