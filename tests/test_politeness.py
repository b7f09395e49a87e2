"""Per-host spacing is start to start; concurrency per host stays 1; the per-origin transport."""

from __future__ import annotations

import asyncio
import http.server
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import httpx

from scraper.config import FetchConfig
from scraper.fetch import Fetcher
from scraper.politeness import PolitenessGate
from scraper.transport import PerOriginTransport

ORIGIN = ("http", "a.example", 80)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_next_slot_is_previous_start_plus_delay_not_response_end() -> None:
    clock = FakeClock()
    gate = PolitenessGate(1, 4, clock=clock)

    async def go() -> list[float]:
        reserved = []
        for _ in range(3):
            async with gate.slot(ORIGIN, 0.2):
                reserved.append(gate.next_start(ORIGIN))
                clock.now += 0.15  # a slow response: 0.15 s of the 0.2 s delay
        return reserved

    reserved = asyncio.run(go())
    # start-to-start: 100.0 → 100.2 → 100.4 (end-to-start would give 100.2, 100.55, 100.9)
    assert [round(r - 100.0, 3) for r in reserved] == [0.2, 0.4, 0.6]


def test_a_late_request_moves_the_next_slot_with_it() -> None:
    clock = FakeClock()
    gate = PolitenessGate(1, 4, clock=clock)

    async def go() -> None:
        async with gate.slot(ORIGIN, 0.2):
            clock.now += 1.0  # the response took longer than the delay
        async with gate.slot(ORIGIN, 0.2):  # starts at once (now = 101.0) ...
            pass

    asyncio.run(go())
    assert round(gate.next_start(ORIGIN) - 101.0, 3) == 0.2  # ... and the one after waits a full delay


class _Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    starts: list[float]
    lock = threading.Lock()
    in_flight = 0
    peak = 0

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.starts.append(time.monotonic())
            cls.in_flight += 1
            cls.peak = max(cls.peak, cls.in_flight)
        try:
            time.sleep(0.08)  # slow response, shorter than the delay
            body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else b"<p>x</p>"
            ctype = "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with cls.lock:
                cls.in_flight -= 1

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def slow_server() -> Iterator[tuple[int, type[_Slow]]]:
    handler = type("Handler", (_Slow,), {"starts": [], "in_flight": 0, "peak": 0, "lock": threading.Lock()})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv.server_address[1], handler
    finally:
        srv.shutdown()
        srv.server_close()


def test_real_requests_start_at_least_delay_apart_one_at_a_time() -> None:
    delay = 0.15
    cfg = replace(FetchConfig(), min_delay_s=delay, timeout_s=5.0)
    with slow_server() as (port, handler):
        urls = [f"http://127.0.0.1:{port}/{i}" for i in range(5)]
        sent: list[float] = []

        async def on_request(request: httpx.Request) -> None:
            sent.append(time.monotonic())

        async def go() -> None:
            transport = PerOriginTransport(1)
            async with httpx.AsyncClient(transport=transport, event_hooks={"request": [on_request]}) as client:
                fetcher = Fetcher(cfg, client, private_allowed=frozenset({("127.0.0.1", port)}))
                await asyncio.gather(*(fetcher.fetch(u) for u in urls))
                assert transport.origins == 1  # one pool for the one origin

        asyncio.run(go())
    assert len(sent) == len(handler.starts) == 6  # robots.txt + 5 pages
    # request starts as the crawler sends them (the server's own clock adds its thread scheduling);
    # the hook runs a moment after the gate let the request go, hence the 2 ms
    assert min(b - a for a, b in itertools.pairwise(sent)) >= delay - 0.002
    assert handler.peak == 1


def test_per_origin_transport_keeps_one_pool_per_origin() -> None:
    seen: list[str] = []

    async def go() -> int:
        transport = PerOriginTransport(1)
        async with httpx.AsyncClient(transport=transport) as client:
            with slow_server() as (port_a, _), slow_server() as (port_b, _):
                for port in (port_a, port_b, port_a):
                    r = await client.get(f"http://127.0.0.1:{port}/p")
                    seen.append(r.text)
            return transport.origins

    assert asyncio.run(go()) == 2
    assert seen == ["<p>x</p>"] * 3


def test_fetch_config_default_is_one_request_per_host() -> None:
    assert FetchConfig().per_host_concurrency == 1
