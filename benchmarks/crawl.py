"""Crawl throughput against the politeness bound: 50 loopback hosts, 0.2 s per host, ~2,000 articles.

    .venv/bin/python benchmarks/crawl.py [--hosts 50] [--per-host 41] [--rate 0.2] [--workers N] [--fetch-only]

The bound is hosts / rate requests per second (one request per host per `rate` seconds). Prints:
  * fetch rate ÷ bound: requests / (time of the last request any host saw − crawl start), i.e. how
    close fetching alone comes to the bound while processing drains in parallel (goal ≥ 0.95);
  * end to end ÷ bound: requests / (time until every page is stored and the run is written);
  * CPU ms per page (this process, all threads), and the cores end to end would need to keep up
    with the bound: bound × CPU seconds per page;
  * the CPU time of the discovery parser process (scraper.discover_worker), apart;
  * the most requests any host saw at once (must be 1).
Kiwi is loaded before the clock starts, as the nightly crawl pays that once. The hosts run in a
child process, so neither their CPU nor their threads' GIL time is charged to the crawler.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path

from pipelines import crawl, run
from pipelines.tokenize import Tokenizer
from scraper.config import Config, FetchConfig
from scraper.models import Source

WORDS = ["시청", "구청", "도서관", "시장", "공원", "학교", "병원", "항만", "공항", "역사", "하천", "터널"]


def article(host: int, n: int) -> bytes:
    a, b = WORDS[(host + n) % 12], WORDS[(host * 7 + n * 3) % 12]
    title = f"{a} 주변 {b} 정비 {host}-{n}번 사업 착수"
    paras = "".join(
        f"<p>{a} 일대 {b} 정비 사업이 {host}지구 {n}구역에서 {k + 1}단계로 시작됐다. "
        f"사업비 {host * 11 + n * 5 + k}억 원이 "
        f"들어가며 주민 의견 {n * 13 + k}건이 설계에 반영됐다.</p>"
        for k in range(4)
    )
    return (f'<html><head><meta charset="utf-8"><title>{title}</title><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="2026-11-{n % 25 + 1:02d}T08:30:00+09:00">'
            f"</head><body><article><h1>{title}</h1>{paras}</article></body></html>").encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the crawler closing its keep-alive connections at the end
    host_no: int
    per_host: int
    lock: threading.Lock
    in_flight: int = 0
    max_in_flight: int = 0
    served: int = 0
    last_request: float = 0.0  # time.monotonic() when the latest request arrived


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        srv = self.server
        with srv.lock:
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
            srv.served += 1
            srv.last_request = time.monotonic()
        try:
            status, ctype, body = 404, "text/plain", b"no"
            if self.path == "/rss.xml":
                port = srv.server_address[1]
                items = "".join(f"<item><link>http://127.0.0.1:{port}/news/{n}</link></item>"
                                for n in range(srv.per_host))
                status, ctype = 200, "application/rss+xml"
                body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
            elif self.path.startswith("/news/"):
                status, ctype, body = 200, "text/html; charset=utf-8", article(srv.host_no, int(self.path[6:]))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with srv.lock:
                srv.in_flight -= 1

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class HostStats:
    port: int
    served: int = 0
    max_in_flight: int = 0
    last_request: float = 0.0  # time.monotonic() (the same clock in every process on Linux)


def _serve(count: int, per_host: int, conn: Connection) -> None:
    """Child process: run the hosts until told to stop, then send their counters."""
    servers = []
    for i in range(count):
        srv = _Server(("127.0.0.1", 0), _Handler)
        srv.host_no, srv.per_host, srv.lock = i, per_host, threading.Lock()
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    conn.send([s.server_address[1] for s in servers])
    conn.recv()  # stop
    conn.send([HostStats(s.server_address[1], s.served, s.max_in_flight, s.last_request) for s in servers])
    for s in servers:
        s.shutdown()
        s.server_close()


@contextmanager
def hosts(count: int, per_host: int, stats: list[HostStats]) -> Iterator[list[int]]:
    """The hosts' ports; they run in another process, so their CPU (and GIL) is not the crawler's.

    On exit `stats` is filled with each host's counters."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(count, per_host, child), daemon=True)
    proc.start()
    try:
        yield parent.recv()
        parent.send("stop")
        stats.extend(parent.recv())
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--per-host", type=int, default=41)
    ap.add_argument("--rate", type=float, default=0.2)
    ap.add_argument("--workers", type=int, default=None, help="Kiwi threads (crawl --workers); default: one per core")
    ap.add_argument("--fetch-only", action="store_true",
                    help="drop fetched pages instead of processing them: the fetch side's own ceiling")
    args = ap.parse_args()
    if args.fetch_only:
        crawl.CrawlRun._process = lambda self, batch, arrived=None: None  # type: ignore[method-assign]
    servers: list[HostStats] = []
    with hosts(args.hosts, args.per_host, servers) as ports, tempfile.TemporaryDirectory() as tmp:
        tok = Tokenizer(num_workers=args.workers)  # after the fork: the hosts' process has no Kiwi threads
        tok.wait_loaded()
        run.Tokenizer = lambda user_dict=None, num_workers=None: tok  # type: ignore[assignment,misc]
        sources = [
            Source(id=f"h{i}", name=f"h{i}", homepage=f"http://127.0.0.1:{port}/",
                   feeds=(f"http://127.0.0.1:{port}/rss.xml",), rate=args.rate)
            for i, port in enumerate(ports)
        ]
        cfg = Config(db_path=Path(tmp) / "bench.db",
                     fetch=FetchConfig(min_delay_s=args.rate, allow_private_hosts=True))
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the parser process, once it has ended
        start, cpu = time.monotonic(), time.process_time()
        stats = run.crawl(cfg, sources)
        wall, cpu = time.monotonic() - start, time.process_time() - cpu
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)
        parser_cpu = ended.ru_utime + ended.ru_stime - children.ru_utime - children.ru_stime
    fetch_wall = max(s.last_request for s in servers) - start
    totals = stats.to_dict()["totals"]
    assert isinstance(totals, dict)
    requests = sum(s.served for s in servers)
    pages = int(totals["pages_fetched"])
    bound = args.hosts / args.rate
    # --fetch-only processes nothing, so its CPU is the fetch side's: per request
    cpu_per_page = cpu / max(requests if args.fetch_only else pages, 1)
    print(f"hosts {args.hosts}, rate {args.rate} s, Kiwi threads {tok.workers}, pages fetched {pages}, "
          f"requests {requests}, new {totals['new']}, duplicates {totals['duplicates']}, "
          f"failures {totals['failures']}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"bound {bound:.0f} requests/s; shortest possible run {requests / bound:.2f} s")
    print(f"fetch:      {fetch_wall:7.2f} s, {requests / fetch_wall:6.1f} requests/s, "
          f"ratio {requests / fetch_wall / bound:.3f} (goal >= 0.95)")
    print(f"end to end: {wall:7.2f} s, {requests / wall:6.1f} requests/s, ratio {requests / wall / bound:.3f}")
    print(f"CPU {cpu_per_page * 1000:.2f} ms per {'request' if args.fetch_only else 'page'} (the crawl process, "
          f"all threads); end to end at the "
          f"bound needs {bound * cpu_per_page:.1f} cores")
    print(f"discovery parser process: {parser_cpu * 1000:.0f} ms CPU (not in the figure above)")
    print(f"queue: {stats.queue}")
    print(f"max concurrent requests on one host: {max(s.max_in_flight for s in servers)} (must be 1)")


if __name__ == "__main__":
    main()
