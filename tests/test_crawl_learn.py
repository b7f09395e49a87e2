"""The nightly crawl keeps what it learned of a host's template: a later night's pages lose the sidebars."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_extract_learn import CLOSING, HOST, SIDEBAR, article_lines, page, short_page

from pipelines import run
from scraper.config import Config, FetchConfig
from scraper.models import Source


class _Site(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, bytes]


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def do_GET(self) -> None:
        body = self.server.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        ctype = "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _serving() -> Iterator[_Site]:
    site = _Site(("127.0.0.1", 0), _Handler)
    site.pages = {"/robots.txt": b""}
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()


def _night(site: _Site, db: Path, pages: dict[int, str]) -> None:
    base = f"http://127.0.0.1:{site.server_address[1]}"
    for i, html in pages.items():
        site.pages[f"/n/{1000 + i}"] = html.replace(HOST, base).encode()
    items = "".join(f"<item><title>{i}</title><link>{base}/n/{1000 + i}</link></item>" for i in pages)
    site.pages["/rss.xml"] = f"<rss><channel><title>t</title>{items}</channel></rss>".encode()
    source = Source(id="dalbit", name="달빛뉴스", homepage=base + "/", feeds=(base + "/rss.xml",),
                    article_pattern=re.compile(r"/n/\d+"), rate=0.01)
    fetch = replace(FetchConfig(), allow_private_hosts=True, timeout_s=5.0, max_retries=0)
    cfg = Config(db_path=db, fetch=fetch)
    cfg = replace(cfg, archive=replace(cfg.archive, enabled=False))
    stats = run.crawl(cfg, [source])
    assert stats.exit_code == 0, stats.to_dict()


def _bodies(db: Path, ids: range) -> dict[int, str]:
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT url, body FROM articles").fetchall()
    return {int(url.rsplit("/", 1)[1]) - 1000: body for url, body in rows if int(url.rsplit("/", 1)[1]) - 1000 in ids}


@pytest.mark.parametrize("first_night", [True, False], ids=["learned", "control-without-history"])
def test_a_later_night_drops_the_hosts_learned_sidebar(tmp_path: Path, first_night: bool,
                                                        tokenizer: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "Tokenizer", lambda *args, **kwargs: tokenizer)
    db = tmp_path / "corpus.db"
    with _serving() as site:
        if first_night:
            _night(site, db, {i: page(i) for i in range(6)})
        _night(site, db, {i: short_page(i) for i in (6, 7)})
    bodies = _bodies(db, range(6, 8))
    assert sorted(bodies) == [6, 7]
    for i, body in bodies.items():
        leaked = any(line in body for line in SIDEBAR) or CLOSING in body
        if first_night:
            assert not leaked, body
            assert all(line in body for line in article_lines(i)[:2])
        else:  # the same pages without the history: the column box is taken for the article
            assert leaked, body
    if first_night:
        with sqlite3.connect(db) as con:
            assert con.execute("SELECT sum(pages) FROM boilerplate_host").fetchone()[0] == 8
