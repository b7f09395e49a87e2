"""The private-address check and the connection use the same address (no DNS rebinding in between)."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import httpcore
import httpx
import pytest

from scraper.config import FetchConfig
from scraper.errors import FetchError, RefusedAddress
from scraper.fetch import Fetcher
from scraper.models import RawPage
from scraper.pinning import PinnedAddresses, PinningBackend
from scraper.transport import PerOriginTransport

CFG = replace(FetchConfig(), min_delay_s=0.0, timeout_s=3.0, max_retries=0, obey_robots=False)
PUBLIC = "93.184.216.34"


class _Page(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = f"<p>{self.headers.get('Host')}</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def local_server() -> Iterator[int]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


class _Recorder(httpcore.AsyncNetworkBackend):
    """Records where connections go; every connect fails (no network in tests)."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[object] | None = None) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        raise httpcore.ConnectError("recorded")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[object] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("no unix sockets here")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def test_localhost_is_refused_without_allow_private_hosts_and_fetched_with_it() -> None:
    with local_server() as port:
        url = f"http://localhost:{port}/a"

        async def go(allowed: frozenset[tuple[str, int]]) -> RawPage:
            pins = PinnedAddresses()
            async with httpx.AsyncClient(transport=PerOriginTransport(1, pins=pins)) as client:
                page = await Fetcher(CFG, client, private_allowed=allowed, pins=pins).fetch(url)
                assert isinstance(page, RawPage)
                return page

        with pytest.raises(RefusedAddress, match="localhost resolves to loopback address"):
            asyncio.run(go(frozenset()))
        page = asyncio.run(go(frozenset({("localhost", port)})))
        assert page.html == f"<p>localhost:{port}</p>"  # the Host header keeps the name


def test_connection_goes_to_the_checked_address_not_a_second_dns_answer() -> None:
    answers = iter([[PUBLIC], ["127.0.0.1"]])  # DNS rebinding: public for the check, loopback after

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    recorder = _Recorder()
    pins = PinnedAddresses()
    transport = PerOriginTransport(1, pins=pins)
    transport._backend = PinningBackend(pins, inner=recorder)

    async def go() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await Fetcher(CFG, client, resolver=rebinding, pins=pins).fetch("http://rebind.example:8080/a")

    with pytest.raises(FetchError):
        asyncio.run(go())
    assert recorder.connects == [(PUBLIC, 8080)]
    assert pins.get("REBIND.example", 8080) == PUBLIC


def test_without_pins_the_connection_resolves_the_name_again() -> None:
    """The control: an unpinned backend gets the host name, so a second DNS answer would decide."""
    recorder = _Recorder()
    transport = PerOriginTransport(1, pins=PinnedAddresses())
    transport._backend = PinningBackend(PinnedAddresses(), inner=recorder)  # nothing pinned in this one

    async def public(host: str, port: int) -> list[str]:
        return [PUBLIC]

    async def go() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await Fetcher(CFG, client, resolver=public).fetch("http://rebind.example:8080/a")

    with pytest.raises(FetchError):
        asyncio.run(go())
    assert recorder.connects == [("rebind.example", 8080)]


def test_ipv4_is_pinned_before_ipv6() -> None:
    from scraper.addresses import AddressGuard

    async def both(host: str, port: int) -> list[str]:
        return ["2606:2800:220:1:248:1893:25c8:1946", PUBLIC]

    pins = PinnedAddresses()
    asyncio.run(AddressGuard(resolver=both, pins=pins).check("https://dual.example/"))
    assert pins.get("dual.example", 443) == PUBLIC


def test_environment_proxy_is_honoured_and_no_proxy_bypasses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """An origin covered by HTTP_PROXY goes through the proxy (which sees the absolute URL); NO_PROXY hosts don't."""
    from scraper.transport import environment_proxy

    with local_server() as port:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("NO_PROXY", "direct.example")
        assert environment_proxy("http", "news.example") == f"http://127.0.0.1:{port}"
        assert environment_proxy("http", "direct.example") is None

        async def public(host: str, port: int) -> list[str]:
            return [PUBLIC]

        async def go() -> RawPage:
            pins = PinnedAddresses()
            async with httpx.AsyncClient(transport=PerOriginTransport(1, pins=pins)) as client:
                page = await Fetcher(CFG, client, resolver=public, pins=pins).fetch("http://news.example/a")
                assert isinstance(page, RawPage)
                return page

        # The loopback "proxy" answers with the Host it was asked for: the request went through it.
        assert asyncio.run(go()).html == "<p>news.example</p>"
