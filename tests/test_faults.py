"""Fault injection: a real crawl (run.crawl) against small loopback servers that misbehave.

Every case builds one site (a ThreadingHTTPServer on 127.0.0.1) whose feed lists a few healthy
articles and one or more broken ones. The crawl must not crash, must store each healthy article
exactly once, and must record each broken page in the frontier (state + reason) and in the run
summary. The CLI cases (a second concurrent run, a read-only database) run `python -m pipelines`.
"""

from __future__ import annotations

import gzip
import itertools
import os
import re
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from shared_kiwi import handing_out

from pipelines import run
from pipelines.crawl import CrawlStats
from scraper.config import Config, FetchConfig
from scraper.models import Source
from scraper.urls import canonical_url

Handler = Callable[[BaseHTTPRequestHandler], None]
REPO = Path(__file__).resolve().parents[1]
FAST = FetchConfig(
    user_agent="newscorpus-bot/0.1 (+test)",
    timeout_s=0.5,
    min_delay_s=0.01,
    backoff_base_s=0.01,
    max_retry_after_s=1.0,
    max_bytes=300_000,
    allow_private_hosts=True,
)
PLACES = ["송도", "부평", "계양", "연수", "남동", "서구", "강화", "옹진", "미추홀", "중구"]
THINGS = ["도서관", "체육관", "주차장", "공원", "시장", "보건소", "어린이집", "복지관", "산책로", "버스 정류장"]


def article_html(n: int, *, charset: str = "utf-8", head_extra: str = "") -> str:
    """A small invented article page that the generic extractor accepts; every n gives new text."""
    place, thing = PLACES[n % 10], THINGS[(n // 10) % 10]
    title = f"{place} {thing} 새 단장 {n}호 계획 발표"
    paras = [
        f"{place}구는 {thing} {n}곳을 고쳐 다시 문을 여는 계획을 {n % 28 + 1}일 내놓았다. "
        f"공사비는 {n * 7 + 13}억 원으로 잡혔고 설계는 올해 안에 마친다.",
        f"구 관계자는 주민 {n * 3 + 41}명이 설문에 답했으며 가장 많이 나온 요청은 {thing} 이용 시간 연장이었다고 "
        f"설명했다. 공사 기간에는 임시 시설 {n % 5 + 2}곳을 운영한다.",
        f"주민 대표 모임은 {n}차 회의에서 이번 계획을 반기면서도 소음 대책을 함께 마련해 달라고 요구했다. "
        f"구는 야간 공사를 하지 않겠다고 답했다.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title>{head_extra}'
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="2026-11-{n % 20 + 1:02d}T09:00:00+09:00">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def title_of(n: int) -> str:
    return f"{PLACES[n % 10]} {THINGS[(n // 10) % 10]} 새 단장 {n}호 계획 발표"


def rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>기사 {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>시험</title>'
            f"{items}</channel></rss>").encode()


# -- response handlers ----------------------------------------------------------------------------

def send(status: int = 200, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
         **headers: str) -> Handler:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        for k, v in headers.items():
            h.send_header(k.replace("_", "-"), v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return handle


def page(n: int) -> Handler:
    return send(body=article_html(n).encode())


def then(*handlers: Handler) -> Handler:
    """The first call answers with handlers[0], the next with handlers[1], …; the last one repeats."""
    lock = threading.Lock()
    it = itertools.chain(handlers, itertools.repeat(handlers[-1]))

    def handle(h: BaseHTTPRequestHandler) -> None:
        with lock:
            chosen = next(it)
        chosen(h)

    return handle


def reset_mid_body(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", "20000")
    h.end_headers()
    h.wfile.write(article_html(1)[:300].encode())
    h.wfile.flush()
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.close_connection = True
    h.connection.close()


def stall_then_body(stop: threading.Event, seconds: float) -> Handler:
    def handle(h: BaseHTTPRequestHandler) -> None:
        body = article_html(3).encode()
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.flush()
        stop.wait(seconds)
        h.wfile.write(body)

    return handle


def trickle(stop: threading.Event) -> Handler:
    """Ten bytes every 0.1 s: never idle long enough for a read timeout, never done."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        try:
            while not stop.wait(0.1):
                h.wfile.write(b"<p>........")
                h.wfile.flush()
        except OSError:
            pass

    return handle


def no_length(body: bytes) -> Handler:
    """An HTTP/1.0-style body that ends when the connection closes (no Content-Length)."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        try:
            for i in range(0, len(body), 16384):
                h.wfile.write(body[i:i + 16384])
        except OSError:
            pass

    return handle


# -- the site -------------------------------------------------------------------------------------

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        visit = site.hit(self.path)
        self.wfile = _WatchedWriter(self.wfile, site, visit)  # type: ignore[assignment]
        try:
            handler = site.routes.get(self.path)
            if handler is None:
                send(404, b"<html><body>not found</body></html>")(self)
            else:
                handler(self)
        finally:
            site.leave(visit)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(eq=False)
class _Visit:
    """One request being answered; counts the requests to the same site that arrived meanwhile."""

    arrived_meanwhile: int = 0


class _WatchedWriter:
    """The handler's socket writer, telling the site each time response bytes go out."""

    def __init__(self, raw: Any, site: Site, visit: _Visit) -> None:
        self._raw, self._site, self._visit = raw, site, visit

    def write(self, data: bytes) -> int:
        self._site.wrote(self._visit)
        return self._raw.write(data)

    def flush(self) -> None:
        self._raw.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


@dataclass
class Site:
    """One origin on 127.0.0.1 with a route table and a request log."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    max_in_flight: int = 0  # most requests seen in flight at once (see `wrote`)
    _active: list[_Visit] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def hit(self, path: str) -> _Visit:
        with self._lock:
            self.requests.append(path)
            visit = _Visit()
            for other in self._active:
                other.arrived_meanwhile += 1
            self._active.append(visit)
            return visit

    def wrote(self, visit: _Visit) -> None:
        """Bytes of `visit`'s response went out: requests that arrived before them overlapped it for real.

        Counting from hit to the handler's return instead would race: the client may hold the whole
        response (and send its next request) before this server thread gets to run its `finally`.
        """
        with self._lock:
            self.max_in_flight = max(self.max_in_flight, 1 + visit.arrived_meanwhile)

    def leave(self, visit: _Visit) -> None:
        with self._lock:
            self.max_in_flight = max(self.max_in_flight, 1)
            self._active.remove(visit)

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str) -> int:
        return sum(p == path for p in self.requests)


@dataclass
class Env:
    """What one case builds: its sites and extra sources, and what must come out."""

    a: Site
    stop: threading.Event
    b: Site | None = None
    closed_port: int = 0
    feed: list[str] = field(default_factory=list)  # links of a's feed
    extra_sources: list[Source] = field(default_factory=list)
    listings: tuple[str, ...] = ()
    max_listing_pages: int = 20
    stored: set[str] = field(default_factory=set)  # URLs that must be stored (once each)
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)  # url -> (state, reason part)
    discovery_error: str | None = None  # part of a discovery error reason
    never_requested: list[str] = field(default_factory=list)  # paths of a that must not be asked for
    titles: dict[str, str] = field(default_factory=dict)  # url -> expected stored title
    server_sees_abandoned: bool = False  # handlers outlive the client's timeout (in-flight count is off)

    def good(self, n: int, site: Site | None = None) -> str:
        """Add a healthy article /news/<n> and list it in the feed; returns its URL."""
        s = site or self.a
        s.routes[f"/news/{n}"] = page(n)
        url = s.url(f"/news/{n}")
        self.feed.append(url)
        self.stored.add(url)
        return url

    def bad(self, n: int, handler: Handler, state: str, reason: str, *, path: str | None = None) -> str:
        p = path or f"/news/{n}"
        self.a.routes[p] = handler
        url = self.a.url(p)
        self.feed.append(url)
        self.failed[url] = (state, reason)
        return url


@contextmanager
def running_site(stop: threading.Event) -> Iterator[Site]:
    site = Site()
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.site = site
    site.base = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        stop.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the cases --------------------------------------------------------------------------------------

def connection_refused(env: Env) -> None:
    gone = f"http://127.0.0.1:{env.closed_port}"
    env.extra_sources.append(Source(id="gone", name="gone", homepage=gone + "/", rate=0.01))
    env.feed.append(gone + "/news/2001")
    env.failed[gone + "/news/2001"] = ("failed", "ConnectError")


def reset(env: Env) -> None:
    env.bad(2002, reset_mid_body, "failed", "network error")


def reset_once(env: Env) -> None:
    env.a.routes["/news/2003"] = then(reset_mid_body, page(2003))
    env.feed.append(env.a.url("/news/2003"))
    env.stored.add(env.a.url("/news/2003"))


def read_timeout(env: Env) -> None:
    env.bad(2004, stall_then_body(env.stop, 5), "failed", "ReadTimeout")
    env.server_sees_abandoned = True


def slow_body(env: Env) -> None:
    env.bad(2005, trickle(env.stop), "failed", "network error")
    env.server_sees_abandoned = True


def retry_after(status: int) -> Callable[[Env], None]:
    def case(env: Env) -> None:
        n = 2006 + status
        env.a.routes[f"/news/{n}"] = then(send(status, b"busy", Retry_After="1"), page(n))
        env.feed.append(env.a.url(f"/news/{n}"))
        env.stored.add(env.a.url(f"/news/{n}"))

    return case


def unavailable_forever(env: Env) -> None:
    env.bad(2007, send(503, b"down", Retry_After="0"), "failed", "HTTP 503")


def burst_then_ok(env: Env) -> None:
    env.a.routes["/news/2008"] = then(send(500), send(500), page(2008))
    env.feed.append(env.a.url("/news/2008"))
    env.stored.add(env.a.url("/news/2008"))


def not_found(env: Env) -> None:
    env.bad(2009, send(404, b"gone"), "failed", "HTTP 404")


def redirect_loop(env: Env) -> None:
    env.a.routes["/news/2010b"] = send(302, Location="/news/2010")
    env.bad(2010, send(302, Location="/news/2010b"), "failed", "redirect loop")


def redirect_private(env: Env) -> None:
    port = env.a.base.rsplit(":", 1)[1]
    env.bad(2011, send(302, Location=f"http://127.0.0.2:{port}/news/2011"), "failed", "refused address")


def oversize_streamed(env: Env) -> None:
    env.bad(2012, no_length(article_html(2012).encode() * 400), "failed", "too large")


def oversize_declared(env: Env) -> None:
    env.bad(2013, send(body=b"<p>" + b"x" * 400_000), "failed", "too large")


def gzip_bomb(env: Env) -> None:
    bomb = gzip.compress(b"<p>" + b"\0" * 50_000_000, compresslevel=9)
    env.bad(2014, send(body=bomb, Content_Encoding="gzip"), "failed", "too large")


def euc_kr_labelled_utf8(env: Env) -> None:
    url = env.good(2015)
    env.a.routes["/news/2015"] = send(body=article_html(2015, charset="utf-8").encode("euc-kr"))
    env.titles[url] = title_of(2015)


def invalid_bytes(env: Env) -> None:
    url = env.good(2016)
    raw = article_html(2016).encode()
    cut = raw.index(b"<p>") + 3
    env.a.routes["/news/2016"] = send(body=raw[:cut] + b"\xff\xfe\xc3" + raw[cut:])
    env.titles[url] = title_of(2016)


def truncated_html(env: Env) -> None:
    url = env.good(2017)
    raw = article_html(2017).encode()
    env.a.routes["/news/2017"] = send(body=raw[: int(len(raw) * 0.8)])
    env.titles[url] = title_of(2017)


def empty_200(env: Env) -> None:
    env.bad(2018, send(200, b""), "skipped", "not an article")


def pdf(env: Env) -> None:
    env.bad(2019, send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", ctype="application/pdf"), "failed",
            "content type application/pdf")


def image(env: Env) -> None:
    env.bad(2020, send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, ctype="image/png"), "failed",
            "content type image/png")


def malformed_feed(env: Env) -> None:
    env.good(2021)
    env.good(2022)
    links = list(env.feed)
    broken = rss(links).replace(b"</channel>", b"<item><title>&nbsp<link>")  # unclosed, undefined entity
    env.a.routes["/rss.xml"] = send(body=broken, ctype="application/rss+xml")


def garbage_feed_with_listing(env: Env) -> None:
    env.good(2023)
    env.a.routes["/rss.xml"] = send(body=b"\x00\x01 this is not xml <<<", ctype="application/rss+xml")
    links = "".join(f'<a href="{u}">기사</a>' for u in env.feed)
    env.a.routes["/list?page=1"] = send(body=f"<html><body>{links}</body></html>".encode())
    env.listings = ("/list?page={page}",)
    env.discovery_error = "malformed feed"


def billion_laughs(env: Env) -> None:
    env.good(2024)
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    doc = (f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(ents)}]><rss version="2.0"><channel>'
           f"<title>&lol9;</title><item><title>&lol9;</title><link>{env.a.url('/news/2024')}</link></item>"
           + "".join(f"<item><link>{u}</link></item>" for u in env.feed) + "</channel></rss>").encode()
    env.a.routes["/rss.xml"] = send(body=doc, ctype="application/rss+xml")


def xxe(env: Env) -> None:
    env.good(2025)
    doc = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           f'<rss version="2.0"><channel><title>&x;</title><item><title>&x;</title>'
           f"<link>{env.a.url('/news/2025')}</link></item>"
           + "".join(f"<item><link>{u}</link></item>" for u in env.feed) + "</channel></rss>").encode()
    env.a.routes["/rss.xml"] = send(body=doc, ctype="application/rss+xml")


def robots_5xx(env: Env) -> None:
    assert env.b is not None
    env.b.routes["/robots.txt"] = send(503, b"down")
    env.extra_sources.append(Source(id="b", name="b", homepage=env.b.url("/"), rate=0.01))
    env.b.routes["/news/2030"] = page(2030)
    env.feed.append(env.b.url("/news/2030"))
    env.failed[env.b.url("/news/2030")] = ("failed", "robots.txt unavailable")


def robots_disallow(env: Env) -> None:
    env.a.routes["/robots.txt"] = send(body=b"User-agent: *\nDisallow: /news/private/\n", ctype="text/plain")
    env.bad(2031, page(2031), "skipped", "robots", path="/news/private/2031")
    env.never_requested.append("/news/private/2031")


def pagination_trap(env: Env) -> None:
    for n in range(1, 60):
        links = "".join(f'<a href="/news/{3000 + 2 * n + k}">기사</a>' for k in (0, 1))
        nxt = f'<a href="/list?page={n + 1}">다음</a>'
        env.a.routes[f"/list?page={n}"] = send(body=f"<html><body>{links}{nxt}</body></html>".encode())
        env.a.routes[f"/news/{3000 + 2 * n}"] = page(3000 + 2 * n)
        env.a.routes[f"/news/{3001 + 2 * n}"] = page(3001 + 2 * n)
    env.listings = ("/list?page={page}",)
    env.max_listing_pages = 4
    env.stored |= {env.a.url(f"/news/{3000 + 2 * n + k}") for n in range(1, 5) for k in (0, 1)}
    env.never_requested.append("/list?page=5")


def tracking_params(env: Env) -> None:
    url = env.good(2040)
    env.feed += [url + "?utm_source=naver&utm_medium=rss", url + "?fbclid=AbC123", url + "#comments"]


CASES: dict[str, Callable[[Env], None]] = {
    "connection refused": connection_refused,
    "reset mid-body": reset,
    "reset once, then success": reset_once,
    "read timeout": read_timeout,
    "slow body": slow_body,
    "429 with Retry-After": retry_after(429),
    "503 with Retry-After": retry_after(503),
    "503 forever": unavailable_forever,
    "500 burst then success": burst_then_ok,
    "404": not_found,
    "redirect loop": redirect_loop,
    "redirect to a private address": redirect_private,
    "oversize body, streamed": oversize_streamed,
    "oversize body, declared": oversize_declared,
    "gzip bomb": gzip_bomb,
    "EUC-KR labelled UTF-8": euc_kr_labelled_utf8,
    "invalid bytes": invalid_bytes,
    "truncated HTML": truncated_html,
    "empty 200": empty_200,
    "PDF": pdf,
    "image": image,
    "malformed feed": malformed_feed,
    "garbage feed, listing still read": garbage_feed_with_listing,
    "billion laughs feed": billion_laughs,
    "XXE feed": xxe,
    "robots.txt 5xx": robots_5xx,
    "robots.txt disallow": robots_disallow,
    "pagination trap": pagination_trap,
    "tracking parameters": tracking_params,
}


@pytest.fixture(scope="module", autouse=True)
def one_kiwi(tokenizer: object) -> Iterator[None]:
    """The session's Kiwi model for every crawl of the module: run.crawl builds a Tokenizer per run."""
    with handing_out(tokenizer, (run, "Tokenizer")):
        yield


def crawl_case(build: Callable[[Env], None], tmp: Path) -> tuple[Env, CrawlStats, Path]:
    stop = threading.Event()
    with running_site(stop) as a, running_site(stop) as b:
        env = Env(a=a, b=b, stop=stop, closed_port=free_port())
        env.good(1001)
        env.good(1002)
        build(env)
        a.routes.setdefault("/rss.xml", send(body=rss(env.feed), ctype="application/rss+xml"))
        source = Source(id="a", name="a", homepage=a.url("/"), feeds=(a.url("/rss.xml"),),
                        listings=tuple(a.url(t) for t in env.listings), article_pattern=re.compile(r"/news/"),
                        rate=0.01, max_listing_pages=env.max_listing_pages)
        cfg = Config(db_path=tmp / "corpus.db", fetch=FAST)
        stats = run.crawl(cfg, [source, *env.extra_sources])
        stop.set()
    return env, stats, cfg.db_path


@pytest.mark.parametrize("name", list(CASES))
def test_fault(name: str, tmp_path: Path) -> None:
    env, stats, db = crawl_case(CASES[name], tmp_path)
    con = sqlite3.connect(db)
    summary = stats.to_dict()

    stored = [r[0] for r in con.execute("SELECT url FROM articles")]
    assert sorted(stored) == sorted({canonical_url(u) for u in env.stored}), summary["sources"]
    for url, title in env.titles.items():
        got = con.execute("SELECT title FROM articles WHERE url=?", (canonical_url(url),)).fetchone()
        assert got == (title,)
    for url in env.stored:
        state = con.execute("SELECT state FROM frontier WHERE url=?", (canonical_url(url),)).fetchone()
        assert state == ("stored",), url

    reasons: dict[str, int] = {}
    for s in summary["sources"].values():  # type: ignore[union-attr]
        reasons.update(s["reasons"])
    for url, (state, part) in env.failed.items():
        row = con.execute("SELECT state, reason FROM frontier WHERE url=?", (canonical_url(url),)).fetchone()
        assert row is not None, f"{url} not in the frontier"
        assert row[0] == state and part in (row[1] or ""), row
        assert any(part in r for r in reasons), reasons
    if env.failed and any(s == "failed" for s, _ in env.failed.values()):
        assert stats.exit_code == 1
        run_row = con.execute("SELECT status, failures FROM runs").fetchone()
        assert run_row[0] == "partial" and run_row[1] >= 1
    if env.discovery_error:
        assert any(env.discovery_error in r for _, r in stats.discovery_errors), stats.discovery_errors
    elif not env.failed:
        assert stats.exit_code == 0, summary
    for path in env.never_requested:
        assert env.a.count(path) == 0, path
    for url in env.stored:  # healthy pages are fetched once (retries of a broken answer aside)
        path = url.split("/", 3)[3]
        site = env.a if url.startswith(env.a.base) else env.b
        assert site is not None and site.count("/" + path) <= 3
    leaked = con.execute("SELECT url FROM frontier WHERE url LIKE '%root:%' OR url LIKE '%/bin/%'").fetchall()
    assert not leaked
    leaked = con.execute("SELECT id FROM articles WHERE title LIKE '%root:%' OR body LIKE '%root:%'").fetchall()
    assert not leaked
    if not env.server_sees_abandoned:
        assert env.a.max_in_flight == 1


def test_tracking_parameter_copies_are_fetched_once(tmp_path: Path) -> None:
    env, _, db = crawl_case(tracking_params, tmp_path)
    assert env.a.count("/news/2040") == 1
    assert [r[0] for r in sqlite3.connect(db).execute("SELECT count(*) FROM frontier WHERE url LIKE '%2040%'")] == [1]


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    started = time.monotonic()
    _, stats, _ = crawl_case(retry_after(503), tmp_path)
    assert time.monotonic() - started >= 0.9  # Retry-After: 1
    hosts = stats.to_dict()["hosts"]
    assert isinstance(hosts, dict) and sum(int(h["retries"]) for h in hosts.values()) >= 1


# -- the command line -------------------------------------------------------------------------------

def cli(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pipelines", *args], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


def test_second_concurrent_run_exits_2(tmp_path: Path) -> None:
    stop = threading.Event()
    with running_site(stop) as a:
        a.routes["/news/1001"] = stall_then_body(stop, 30)
        a.routes["/rss.xml"] = send(body=rss([a.url("/news/1001")]), ctype="application/rss+xml")
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[sources]]\nid = "a"\nname = "a"\nhomepage = "{a.url("/")}"\n'
                           f'feeds = ["{a.url("/rss.xml")}"]\narticle_pattern = \'/news/\'\nrate = 0.01\n')
        db = tmp_path / "corpus.db"
        args = ("crawl", "--sources", str(sources), "--db", str(db), "--allow-private-hosts", "--json")
        first = cli(*args)
        try:
            deadline = time.monotonic() + 30
            while a.count("/news/1001") == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert a.count("/news/1001") == 1, "the first run never reached the article"
            second = cli(*args)
            _, err = second.communicate(timeout=60)
            assert second.returncode == 2
            lines = err.strip().splitlines()
            assert len(lines) == 1 and "another newscorpus run" in lines[0], err
        finally:
            first.terminate()
            stop.set()
            first.communicate(timeout=30)


def test_read_only_database_exits_2_with_one_line(tmp_path: Path) -> None:
    from pipelines.store import Store

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "corpus.db"
    Store(db).close()
    for extra in ("-wal", "-shm"):
        Path(str(db) + extra).unlink(missing_ok=True)
    db.chmod(0o444)
    immutable = False
    if os.geteuid() == 0:  # root writes through file modes: make the file immutable instead
        immutable = subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode == 0
        if not immutable:
            pytest.skip("running as root without chattr: cannot make a read-only file")
    sources = folder / "sources.toml"
    sources.write_text('[[sources]]\nid = "a"\nname = "a"\nhomepage = "http://127.0.0.1:9/"\n'
                       'feeds = ["http://127.0.0.1:9/rss.xml"]\n')
    sources.chmod(0o644)
    try:
        proc = cli("crawl", "--sources", str(sources), "--db", str(db), "--allow-private-hosts")
        out, err = proc.communicate(timeout=60)
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(db)], check=True)
    assert proc.returncode == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and ("read" in lines[0].lower() or "cannot" in lines[0].lower()), err


def test_control_in_flight_count_sees_real_concurrency(tmp_path: Path) -> None:
    """The per-host check above can fail: let two requests per host run at once and it sees 2."""
    stop = threading.Event()
    with running_site(stop) as a:
        links = []
        for n in range(2001, 2007):
            def slow(h: BaseHTTPRequestHandler, n: int = n) -> None:
                time.sleep(0.3)
                page(n)(h)
            a.routes[f"/news/{n}"] = slow
            links.append(a.url(f"/news/{n}"))
        a.routes["/rss.xml"] = send(body=rss(links), ctype="application/rss+xml")
        source = Source(id="a", name="a", homepage=a.url("/"), feeds=(a.url("/rss.xml"),),
                        article_pattern=re.compile(r"/news/"), rate=0.01)
        run.crawl(Config(db_path=tmp_path / "corpus.db", fetch=replace(FAST, per_host_concurrency=2)), [source])
        stop.set()
    assert a.max_in_flight == 2
