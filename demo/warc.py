"""Write WARC files of the demo sites (and of any canned responses): the input of backfill tests.

    with serve() as demo:
        write_demo_warc(tmp / "demo.warc.gz", demo.sites, demo.base_urls)

The responses come straight from `DemoSite.handle` with the Host header of the running server,
so their URLs are the ones a crawl of the same servers sees. Each page gets a request record
and a response record, like a crawler's archive; a redirect's target is archived too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from demo.app import DemoSite


@dataclass(frozen=True, slots=True)
class Exchange:
    """One archived fetch."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    date: datetime | None = None


def write_warc(path: Path, exchanges: Iterable[Exchange], *, gzip: bool = True) -> int:
    """Write request + response records for every exchange; returns the number of responses."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    n = 0
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        for ex in exchanges:
            when = (ex.date or datetime(2026, 11, 1, tzinfo=UTC)).astimezone(UTC)
            warc_date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            parts = urlsplit(ex.url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            req = StatusAndHeaders(f"GET {target or '/'} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True)
            writer.write_record(writer.create_warc_record(ex.url, "request", http_headers=req,
                                                          warc_headers_dict={"WARC-Date": warc_date}))
            try:
                reason = HTTPStatus(ex.status).phrase
            except ValueError:
                reason = "Unknown"
            http = StatusAndHeaders(f"{ex.status} {reason}", list(ex.headers), protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(ex.url, "response", payload=BytesIO(ex.body),
                                                          http_headers=http,
                                                          warc_headers_dict={"WARC-Date": warc_date}))
            n += 1
    return n


def site_paths(site: DemoSite) -> list[str]:
    """Every path of a demo site worth archiving: static resources, articles, linked non-articles."""
    hidden = {a.path for a in site.articles if a.embargoed}  # robots.txt keeps a polite crawler out
    paths = list(site.resources)
    paths += [a.path for a in site.articles]
    paths += list(site.renderer.non_articles())
    paths += [template.replace("{page}", "1") for template in site.listings()]
    return [p for p in dict.fromkeys(paths) if p not in hidden]


def demo_exchanges(sites: Sequence[DemoSite], base_urls: Mapping[str, str]) -> list[Exchange]:
    """Responses of every demo page as served from `base_urls` (redirects followed once)."""
    out: list[Exchange] = []
    for site in sites:
        base = base_urls[site.id]
        host = urlsplit(base).netloc
        todo = [base + p for p in site_paths(site)]
        seen: set[str] = set()
        while todo:
            url = todo.pop(0)
            if url in seen:
                continue
            seen.add(url)
            parts = urlsplit(url)
            resp = site.handle(parts.path + (f"?{parts.query}" if parts.query else ""), {"Host": host})
            out.append(Exchange(url, resp.status, tuple(resp.headers.items()), resp.body))
            location = resp.headers.get("Location")
            if 300 <= resp.status < 400 and location:
                target = urljoin(url, location)
                if urlsplit(target).netloc == host:
                    todo.append(target)
    return out


def write_demo_warc(path: Path, sites: Sequence[DemoSite], base_urls: Mapping[str, str], *,
                    gzip: bool = True) -> int:
    """A WARC of every demo page, as the servers at `base_urls` would answer."""
    return write_warc(path, demo_exchanges(sites, base_urls), gzip=gzip)
