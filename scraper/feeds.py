"""Article links from RSS/Atom feeds, parsed by feedparser.

feedparser is given the bytes we fetched, wrapped in a BytesIO: given a str it would fetch URLs
itself, and given bytes it first tries to open them as a *local file name*. It removes ENTITY
declarations before parsing, and its SAX parser has external entities turned off; malformed
feeds are parsed leniently (bozo) and whatever entries it recovers are kept.
"""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser


@dataclass(frozen=True)
class FeedItem:
    link: str
    published: datetime | None = None


@dataclass(frozen=True)
class Feed:
    items: tuple[FeedItem, ...]
    error: str | None = None  # the parser's complaint, if the feed was malformed


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def _link(entry: Any) -> str | None:
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        return link.strip()
    for candidate in entry.get("links", []):
        href = candidate.get("href")
        if candidate.get("rel", "alternate") == "alternate" and isinstance(href, str) and href.strip():
            return href.strip()
    guid = entry.get("id")
    if entry.get("guidislink") and isinstance(guid, str):
        return guid.strip()
    return None


def parse_feed(data: bytes) -> Feed:
    """Items of an RSS/Atom document (links as written; the caller resolves them)."""
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    items = []
    for entry in parsed.entries:
        link = _link(entry)
        if link:
            items.append(FeedItem(link, _when(entry)))
    error = None
    if parsed.get("bozo"):
        error = f"malformed feed ({parsed.get('bozo_exception')})"
    return Feed(tuple(items), error)
