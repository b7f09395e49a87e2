"""Parse sitemaps (urlset, sitemap index, Google News, gzip, plain text) safely.

Safety: the document is never given to a parser that could expand entities. Any `<!DOCTYPE`
or `<!ENTITY` declaration makes the whole sitemap unacceptable (sitemaps never need one), which
rules out billion-laughs and external-entity (XXE) tricks before parsing; the rest is read with
xml.etree's incremental XMLPullParser, keeping only <loc>/<lastmod>/<news:publication_date>.
Gzip bodies are inflated with a cap on the decompressed size (a gzip bomb stops at the cap).
A document that breaks off mid-way keeps the entries read before the break and says why.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from scraper.errors import SkippedContent

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file
KST = timezone(timedelta(hours=9), "KST")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    published: datetime | None = None  # news:publication_date, else lastmod


@dataclass(frozen=True)
class Sitemap:
    is_index: bool
    entries: tuple[SitemapEntry, ...]
    error: str | None = None  # set when the document broke off; entries before it are kept


def parse_w3c_datetime(text: str | None) -> datetime | None:
    """A W3C datetime (2025-07-09, 2025-07-09T16:55:30+09:00, ...Z); KST when no zone is given.

    Korean sites omit the zone for local time, so a naive value is read as KST.
    """
    if not text:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=KST)


def inflate(url: str, data: bytes, cap: int = MAX_SITEMAP_BYTES) -> bytes:
    """Gunzip `data` if it is gzip, refusing more than `cap` decompressed bytes."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, cap + 1)
    except zlib.error as e:
        raise SkippedContent(url, f"broken gzip ({e})") from None
    if len(out) > cap or inflater.unconsumed_tail:
        raise SkippedContent(url, f"sitemap larger than {cap} bytes when decompressed")
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(element: Element, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _collect(element: Element, entries: list[SitemapEntry]) -> None:
    loc = _child_text(element, "loc")
    if loc:
        when = _child_text(element, "publication_date") or _child_text(element, "lastmod")
        entries.append(SitemapEntry(loc, parse_w3c_datetime(when)))


def parse_sitemap(url: str, data: bytes, cap: int = MAX_SITEMAP_BYTES) -> Sitemap:
    """Entries of a sitemap document (raw bytes as fetched; gzip allowed)."""
    data = inflate(url, data, cap)
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        return _parse_text(data)
    if _DECLARATION.search(data):
        raise SkippedContent(url, "DOCTYPE/ENTITY declarations are not allowed in a sitemap")
    parser = XMLPullParser(events=("start", "end"))
    entries: list[SitemapEntry] = []
    root: str | None = None
    error: str | None = None
    try:
        for offset in range(0, len(data), _CHUNK):
            parser.feed(data[offset : offset + _CHUNK])
            for event, element in parser.read_events():
                if not isinstance(element, Element):
                    continue
                name = _local(element.tag)
                if event == "start":
                    root = root or name
                elif name in ("url", "sitemap"):
                    _collect(element, entries)
                    element.clear()
        parser.close()
    except ParseError as e:
        error = f"malformed XML ({e})"
    if root not in ("urlset", "sitemapindex"):
        if error:
            raise SkippedContent(url, error)
        raise SkippedContent(url, f"not a sitemap (root element {root!r})")
    return Sitemap(root == "sitemapindex", tuple(entries), error)


def _parse_text(data: bytes) -> Sitemap:
    """The plain-text sitemap form: one URL per line."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    entries = tuple(SitemapEntry(line.strip()) for line in lines if line.strip().startswith(("http://", "https://")))
    return Sitemap(False, entries)
