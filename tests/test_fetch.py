"""The polite fetcher against fake sites (httpx.MockTransport) and a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import http.server
import itertools
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace

import httpx
import pytest

from scraper.config import FetchConfig
from scraper.errors import FetchError, HttpStatusError, RefusedAddress, RobotsDisallowed, SkippedContent
from scraper.fetch import Fetcher, NotModified, parse_retry_after
from scraper.models import RawPage

FAST = FetchConfig(
    user_agent="newscorpus-bot/0.1 (+test)",
    timeout_s=2.0,
    min_delay_s=0.0,
    backoff_base_s=0.01,
    max_retry_after_s=0.3,
    max_bytes=10_000,
)
PUBLIC_IP = "93.184.216.34"

Handler = Callable[[httpx.Request], httpx.Response]


async def public_resolver(host: str, port: int) -> list[str]:
    return [PUBLIC_IP]


class FakeWeb:
    """Routes full URLs to handlers and logs every request with its time."""

    def __init__(self, routes: dict[str, Handler | httpx.Response]) -> None:
        self.routes = routes
        self.log: list[tuple[float, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.log.append((time.monotonic(), url))
        route = self.routes.get(url)
        if route is None:
            return httpx.Response(404, text="not here")
        return route(request) if callable(route) else route

    def hits(self, url: str) -> list[float]:
        return [t for t, u in self.log if u == url]


def html(text: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=text.encode(), headers={"content-type": "text/html", **headers})


def run_fetch(web: FakeWeb, url: str, cfg: FetchConfig = FAST, **kwargs: object) -> RawPage | NotModified:
    async def go() -> RawPage | NotModified:
        async with httpx.AsyncClient(transport=httpx.MockTransport(web)) as client:
            fetcher = Fetcher(cfg, client, resolver=public_resolver)
            return await fetcher.fetch(url, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_plain_fetch_returns_decoded_page_and_validators() -> None:
    web = FakeWeb({"https://news.example/a": html("<p>송도 바이오</p>", etag='"v1"', **{"last-modified": "x"})})
    page = run_fetch(web, "https://news.example/a", source="s1")
    assert isinstance(page, RawPage)
    assert page.html == "<p>송도 바이오</p>" and page.status == 200 and page.source == "s1"
    assert page.etag == '"v1"' and page.last_modified == "x"
    # robots.txt was asked for first (404 → allow all), once
    assert [u for _, u in web.log] == ["https://news.example/robots.txt", "https://news.example/a"]


def test_user_agent_and_conditional_headers_are_sent() -> None:
    seen: list[httpx.Request] = []

    def page(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(304)

    web = FakeWeb({"https://news.example/feed": page})
    result = run_fetch(web, "https://news.example/feed", etag='"e"', last_modified="Wed, 01 Jan 2025 00:00:00 GMT")
    assert result == NotModified("https://news.example/feed")
    assert seen[0].headers["user-agent"] == FAST.user_agent
    assert seen[0].headers["if-none-match"] == '"e"'
    assert seen[0].headers["if-modified-since"].startswith("Wed")


def test_robots_disallow_is_refused_without_request() -> None:
    robots = "User-agent: *\nDisallow: /private/\n\nUser-agent: newscorpus-bot\nDisallow: /secret\n"
    web = FakeWeb(
        {
            "https://news.example/robots.txt": httpx.Response(200, text=robots),
            "https://news.example/secret/1": html("no"),
            "https://news.example/open": html("yes"),
        }
    )

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(web)) as client:
            fetcher = Fetcher(FAST, client, resolver=public_resolver)
            with pytest.raises(RobotsDisallowed):
                await fetcher.fetch("https://news.example/secret/1")
            page = await fetcher.fetch("https://news.example/open")
            assert isinstance(page, RawPage)
            assert fetcher.stats.origins["https://news.example"].failures["robots"] == 1

    asyncio.run(go())
    assert web.hits("https://news.example/secret/1") == []
    assert len(web.hits("https://news.example/robots.txt")) == 1


def test_robots_5xx_disallows_everything_and_4xx_allows() -> None:
    web = FakeWeb(
        {
            "https://down.example/robots.txt": httpx.Response(500),
            "https://down.example/a": html("x"),
            "https://gone.example/robots.txt": httpx.Response(403),
            "https://gone.example/a": html("x"),
        }
    )
    with pytest.raises(RobotsDisallowed):
        run_fetch(web, "https://down.example/a")
    assert web.hits("https://down.example/a") == []
    assert isinstance(run_fetch(web, "https://gone.example/a"), RawPage)


def test_crawl_delay_wins_over_smaller_rate_and_spaces_requests() -> None:
    web = FakeWeb(
        {
            "https://slow.example/robots.txt": httpx.Response(200, text="User-agent: *\nCrawl-delay: 0.25\n"),
            **{f"https://slow.example/{i}": html(str(i)) for i in range(3)},
        }
    )

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(web)) as client:
            fetcher = Fetcher(FAST, client, resolver=public_resolver)
            await asyncio.gather(*(fetcher.fetch(f"https://slow.example/{i}", rate=0.01) for i in range(3)))

    asyncio.run(go())
    times = sorted(t for t, u in web.log if not u.endswith("robots.txt"))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 2 and min(gaps) >= 0.23


def test_source_rate_spaces_one_origin_but_not_another() -> None:
    web = FakeWeb({f"https://{h}.example/{i}": html("x") for h in ("a", "b") for i in range(3)})

    async def go() -> float:
        async with httpx.AsyncClient(transport=httpx.MockTransport(web)) as client:
            fetcher = Fetcher(replace(FAST, min_delay_s=5.0), client, resolver=public_resolver)
            start = time.monotonic()
            await asyncio.gather(
                *(fetcher.fetch(f"https://{h}.example/{i}", rate=0.1) for h in ("a", "b") for i in range(3))
            )
            return time.monotonic() - start

    asyncio.run(go())
    per_host = {}
    for host in ("a", "b"):
        times = sorted(t for t, u in web.log if u.startswith(f"https://{host}.") and not u.endswith(".txt"))
        assert min(b - a for a, b in itertools.pairwise(times)) >= 0.09
        per_host[host] = times
    # a rate below min_delay_s is used as given; the two origins run in parallel (interleaved, not one after
    # the other) — checked by order, not by wall time, so a loaded machine cannot make it flaky
    assert per_host["a"][0] < per_host["b"][1] and per_host["b"][0] < per_host["a"][1]


def test_retries_503_then_succeeds() -> None:
    answers = iter([httpx.Response(503), httpx.Response(503), html("ok")])
    web = FakeWeb({"https://flaky.example/a": lambda r: next(answers)})

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(web)) as client:
            fetcher = Fetcher(FAST, client, resolver=public_resolver)
            page = await fetcher.fetch("https://flaky.example/a")
            assert isinstance(page, RawPage) and page.html == "ok"
            stats = fetcher.stats.origins["https://flaky.example"]
            assert stats.retries == 2 and stats.statuses[503] == 2 and stats.statuses[200] == 1

    asyncio.run(go())


def test_gives_up_after_max_retries_with_status() -> None:
    web = FakeWeb({"https://flaky.example/a": httpx.Response(502)})
    with pytest.raises(HttpStatusError) as info:
        run_fetch(web, "https://flaky.example/a")
    assert info.value.status == 502
    assert len(web.hits("https://flaky.example/a")) == FAST.max_retries + 1


def test_retry_after_is_honoured_and_capped() -> None:
    # Retry-After: 1 (s) is capped to 0.3 s by max_retry_after_s; the backoff alone would be ~0.01 s.
    answers = iter([httpx.Response(429, headers={"retry-after": "1"}), html("ok")])
    web = FakeWeb({"https://busy.example/a": lambda r: next(answers)})
    page = run_fetch(web, "https://busy.example/a")
    assert isinstance(page, RawPage)
    first, second = web.hits("https://busy.example/a")
    assert 0.28 <= second - first < 0.9


def test_parse_retry_after_forms() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 7, 9, 7, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 09 Jul 2025 07:00:30 GMT", now) == 30.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_404_is_not_retried() -> None:
    web = FakeWeb({})
    with pytest.raises(HttpStatusError) as info:
        run_fetch(web, "https://news.example/missing")
    assert info.value.status == 404
    assert len(web.hits("https://news.example/missing")) == 1


def test_connect_errors_are_retried_then_reported() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    web = FakeWeb({"https://dead.example/robots.txt": httpx.Response(404), "https://dead.example/a": refuse})
    with pytest.raises(FetchError, match="network error: ConnectError"):
        run_fetch(web, "https://dead.example/a")
    assert len(web.hits("https://dead.example/a")) == FAST.max_retries + 1


def test_size_cap_with_and_without_content_length() -> None:
    big = b"<p>" + b"x" * 20_000

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield big[:5000]

    def streamed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, content=chunks())

    web = FakeWeb(
        {
            "https://big.example/declared": httpx.Response(200, content=big, headers={"content-type": "text/html"}),
            "https://big.example/streamed": streamed,
        }
    )
    for path in ("declared", "streamed"):
        with pytest.raises(SkippedContent, match="too large"):
            run_fetch(web, f"https://big.example/{path}")


def test_non_html_is_skipped_but_xml_accepted_for_feeds() -> None:
    rss = httpx.Response(200, content=b"<rss/>", headers={"content-type": "application/rss+xml"})
    web = FakeWeb(
        {
            "https://news.example/logo.png": httpx.Response(
                200, content=b"\x89PNG", headers={"content-type": "image/png"}
            ),
            "https://news.example/rss": rss,
        }
    )
    with pytest.raises(SkippedContent, match="content type image/png"):
        run_fetch(web, "https://news.example/logo.png")
    with pytest.raises(SkippedContent):
        run_fetch(web, "https://news.example/rss")
    page = run_fetch(web, "https://news.example/rss", accept="xml")
    assert isinstance(page, RawPage) and page.body == b"<rss/>"


def test_redirects_followed_and_loops_and_chains_refused() -> None:
    def to(location: str) -> httpx.Response:
        return httpx.Response(301, headers={"location": location})

    web = FakeWeb(
        {
            "http://news.example/a": to("https://news.example/a"),
            "https://news.example/a": to("/b"),
            "https://news.example/b": html("final"),
            "https://news.example/loop1": to("/loop2"),
            "https://news.example/loop2": to("/loop1"),
            **{f"https://news.example/c{i}": to(f"/c{i + 1}") for i in range(10)},
        }
    )
    page = run_fetch(web, "http://news.example/a")
    assert isinstance(page, RawPage) and page.url == "https://news.example/b" and page.html == "final"
    with pytest.raises(SkippedContent, match="redirect loop"):
        run_fetch(web, "https://news.example/loop1")
    with pytest.raises(SkippedContent, match="too many redirects"):
        run_fetch(web, "https://news.example/c0")
    assert web.hits("https://news.example/c6") == []  # max_redirects=5: c0 + 5 hops


def test_redirect_to_private_address_is_refused_before_request() -> None:
    web = FakeWeb({"https://news.example/a": httpx.Response(302, headers={"location": "http://10.0.0.7/admin"})})
    with pytest.raises(RefusedAddress):
        run_fetch(web, "https://news.example/a")
    assert all("10.0.0.7" not in u for _, u in web.log)


def test_private_hostnames_and_literals_refused() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return {"intranet.example": ["192.168.1.5"], "v6.example": ["fe80::1"]}.get(host, [PUBLIC_IP])

    web = FakeWeb({})

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(web)) as client:
            fetcher = Fetcher(FAST, client, resolver=resolver)
            for url in (
                "http://intranet.example/",
                "http://v6.example/",
                "http://127.0.0.1:8080/",
                "http://[::1]/",
                "http://169.254.169.254/latest/meta-data/",
                "http://[::ffff:10.1.2.3]/",
            ):
                with pytest.raises(RefusedAddress):
                    await fetcher.fetch(url)

    asyncio.run(go())
    assert web.log == []


def test_mislabelled_euc_kr_decodes_right_and_override_wins() -> None:
    text = "<html><head><meta charset='utf-8'></head><body><p>시흥 배곧 똠방각하 바이오 특화단지</p></body></html>"
    raw = text.encode("cp949")
    web = FakeWeb(
        {
            "https://old.example/a": httpx.Response(
                200, content=raw, headers={"content-type": "text/html; charset=UTF-8"}
            ),
            "https://old.example/b": httpx.Response(200, content=raw, headers={"content-type": "text/html"}),
        }
    )
    for path in ("a", "b"):
        page = run_fetch(web, f"https://old.example/{path}")
        assert isinstance(page, RawPage)
        assert "시흥 배곧 똠방각하 바이오 특화단지" in page.html and page.encoding == "cp949"
    forced = run_fetch(web, "https://old.example/a", encoding="latin-1")
    assert isinstance(forced, RawPage) and "시흥" not in forced.html


# ------------------------------------------------------------------ a real server on 127.0.0.1


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        body = "<p>로컬 서버</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def local_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_loopback_refused_unless_host_and_port_allowed(local_server: int) -> None:
    port = local_server

    async def go(allowed: frozenset[tuple[str, int]], url: str) -> RawPage | NotModified:
        async with httpx.AsyncClient() as client:
            return await Fetcher(FAST, client, private_allowed=allowed).fetch(url)

    url = f"http://127.0.0.1:{port}/news/1"
    with pytest.raises(RefusedAddress):
        asyncio.run(go(frozenset(), url))
    with pytest.raises(RefusedAddress):  # another port on the same host is not allowed
        asyncio.run(go(frozenset({("127.0.0.1", port + 1)}), url))
    with pytest.raises(RefusedAddress):  # "localhost" resolves to loopback
        asyncio.run(go(frozenset({("127.0.0.1", port + 1)}), f"http://localhost:{port}/"))
    page = asyncio.run(go(frozenset({("127.0.0.1", port)}), url))
    assert isinstance(page, RawPage) and page.html == "<p>로컬 서버</p>"


def test_per_origin_and_global_concurrency_caps(caplog: pytest.LogCaptureFixture) -> None:
    in_flight: dict[str, int] = {}
    peaks: dict[str, int] = {}
    total = {"now": 0, "peak": 0}

    async def slow(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        in_flight[host] = in_flight.get(host, 0) + 1
        total["now"] += 1
        peaks[host] = max(peaks.get(host, 0), in_flight[host])
        total["peak"] = max(total["peak"], total["now"])
        await asyncio.sleep(0.03)
        in_flight[host] -= 1
        total["now"] -= 1
        return html("x")

    cfg = replace(FAST, per_host_concurrency=2, global_concurrency=3)

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as client:
            fetcher = Fetcher(cfg, client, resolver=public_resolver)
            urls = [f"https://h{h}.example/{i}" for h in range(3) for i in range(4)]
            await asyncio.gather(*(fetcher.fetch(u) for u in urls))
            stats = fetcher.stats
            assert stats.requests == 12 + 3 and stats.failures == 0
            assert stats.origins["https://h0.example"].statuses[200] == 4

    with caplog.at_level("DEBUG", logger="scraper.fetch"):
        asyncio.run(go())
    assert max(peaks.values()) == 2 and total["peak"] == 3
    assert any("GET https://h1.example/3 -> 200" in r.getMessage() for r in caplog.records)
