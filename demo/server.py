"""Serve the demo sites on 127.0.0.1, one ThreadingHTTPServer (own origin) per site.

with serve() as demo:
    demo.faults.add("/rss/allArticle.xml", [503, 503], site="haenuri", retry_after="1")
    print(demo.sources_toml())
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from demo.app import DemoResponse, DemoSite, load_sites

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RequestLog:
    site: str
    method: str
    path: str  # path + query as requested
    status: int


@dataclass(frozen=True, slots=True)
class Fault:
    status: int
    retry_after: str | None = None


class Faults:
    """Statuses to return before the normal response, per path (optionally per site). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: dict[tuple[str | None, str], deque[Fault]] = {}

    def add(self, path: str, statuses: Sequence[int], site: str | None = None, retry_after: str | None = None) -> None:
        """Queue `statuses` for `path` (path + query, exact); site=None means any site."""
        with self._lock:
            q = self._queue.setdefault((site, path), deque())
            q.extend(Fault(s, retry_after) for s in statuses)

    def __setitem__(self, path: str, statuses: Sequence[int]) -> None:
        """`faults["/rss/allArticle.xml"] = [503, 503]`: the dict form, for any site."""
        self.add(path, statuses)

    def take(self, site: str, path: str) -> Fault | None:
        with self._lock:
            for key in ((site, path), (None, path)):
                q = self._queue.get(key)
                if q:
                    return q.popleft()
        return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def pending(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queue.values())


@dataclass
class RunningDemo:
    """The running servers: where they are, what they were asked, and the fault switchboard."""

    sites: list[DemoSite]
    base_urls: dict[str, str]
    requests: list[RequestLog] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, entry: RequestLog) -> None:
        with self._lock:
            self.requests.append(entry)

    def requests_snapshot(self) -> list[RequestLog]:
        with self._lock:
            return list(self.requests)

    def sources_toml(self) -> str:
        """A sources.toml (CONTRACT.md format) for the running servers; no profile: it is detected."""
        out = []
        for s in self.sites:
            base = self.base_urls[s.id]
            out.append("[[sources]]")
            out.append(f'id = "{s.id}"')
            out.append(f'name = "{s.name}"')
            out.append(f'homepage = "{base}/"')
            out.append("feeds = [" + ", ".join(f'"{base}{f}"' for f in s.feeds()) + "]")
            out.append("sitemaps = [" + ", ".join(f'"{base}{m}"' for m in s.sitemaps()) + "]")
            out.append("listings = [" + ", ".join(f'"{base}{t}"' for t in s.listings()) + "]")
            out.append(f"article_pattern = '{s.article_pattern()}'")
            out.append("rate = 0.05")
            out.append("")
        return "\n".join(out)


def _handler(site: DemoSite, demo: RunningDemo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "demo-cms/1.0"

        def _respond(self, head_only: bool) -> None:
            fault = demo.faults.take(site.id, self.path)
            if fault is not None:
                body = f"<html><body><h1>{fault.status}</h1></body></html>".encode()
                headers = {"Content-Type": "text/html; charset=utf-8"}
                if fault.retry_after is not None:
                    headers["Retry-After"] = fault.retry_after
                resp = DemoResponse(fault.status, headers, body)
            else:
                resp = site.handle(self.path, dict(self.headers.items()))
            demo.record(RequestLog(site.id, self.command, self.path, resp.status))
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            if resp.status != 304:
                self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if not head_only and resp.status != 304:
                self.wfile.write(resp.body)

        def do_GET(self) -> None:
            self._respond(head_only=False)

        def do_HEAD(self) -> None:
            self._respond(head_only=True)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", site.id, format % args)

    return Handler


@contextmanager
def serve(sites: Sequence[DemoSite] | None = None, port: int | None = None) -> Iterator[RunningDemo]:
    """Start one server per site on 127.0.0.1 (ports port, port+1, … or free ones); stop on exit."""
    chosen = list(sites) if sites is not None else load_sites()
    demo = RunningDemo(sites=chosen, base_urls={})
    servers: list[ThreadingHTTPServer] = []
    threads: list[threading.Thread] = []
    try:
        for i, site in enumerate(chosen):
            srv = ThreadingHTTPServer(("127.0.0.1", port + i if port else 0), _handler(site, demo))
            srv.daemon_threads = True
            servers.append(srv)
            demo.base_urls[site.id] = f"http://127.0.0.1:{srv.server_address[1]}"
            t = threading.Thread(target=srv.serve_forever, name=f"demo-{site.id}", daemon=True)
            t.start()
            threads.append(t)
        yield demo
    finally:
        for srv in servers:
            srv.shutdown()
            srv.server_close()
        for t in threads:
            t.join(timeout=5)
