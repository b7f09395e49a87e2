"""The pure part of discovery: a fetched feed, sitemap or listing page → its accepted article URLs.

Every function here takes plain values (URLs, bytes, the source's compiled article_pattern) and
returns plain values, so it can run on the event loop or in the parser process
(scraper.discover_worker) with the same result. Nothing here fetches, logs or touches a database.
A URL is accepted when its canonical form is wanted by the source: it matches article_pattern (in
the canonical or the raw form), or, without a pattern, looks like an article of a listing's host.
"""

from __future__ import annotations

import re
from datetime import datetime

from scraper.errors import FetchError
from scraper.feeds import parse_feed
from scraper.listings import looks_like_article, page_links
from scraper.sitemaps import Sitemap, parse_sitemap
from scraper.urls import absolutize, canonical_url

Found = list[tuple[str, datetime | None]]  # accepted canonical URLs with their date hint, in order


def accept(raw: str, pattern: re.Pattern[str] | None, listing_url: str = "") -> str | None:
    """The canonical form of a found URL if the source wants it, else None."""
    try:
        url = canonical_url(raw)
    except ValueError:
        return None
    if pattern is not None:
        if not (pattern.search(url) or pattern.search(raw)):
            return None
    elif listing_url and not looks_like_article(url, listing_url):
        return None
    return url


def feed_links(page_url: str, body: bytes, pattern: re.Pattern[str] | None) -> tuple[str | None, int, Found]:
    """(parser complaint, items, accepted (url, published)) of a feed."""
    feed = parse_feed(body)
    accepted = []
    for item in feed.items:
        target = absolutize(page_url, item.link)
        url = accept(target, pattern) if target is not None else None
        if url is not None:
            accepted.append((url, item.published))
    return feed.error, len(feed.items), accepted


def sitemap_links(url: str, page_url: str, body: bytes,
                  pattern: re.Pattern[str] | None) -> tuple[Sitemap | None, str | None, Found]:
    """(parsed sitemap, why it was refused, accepted (url, published) of a urlset).

    A refused document (declarations, broken gzip, not a sitemap) gives (None, reason, [])."""
    try:
        sitemap = parse_sitemap(url, body)
    except FetchError as e:
        return None, e.reason, []
    accepted = []
    if not sitemap.is_index:
        for entry in sitemap.entries:
            target = absolutize(page_url, entry.loc)
            canonical = accept(target, pattern) if target is not None else None
            if canonical is not None:
                accepted.append((canonical, entry.published))
    return sitemap, None, accepted


def listing_links(page_url: str, html: str, pattern: re.Pattern[str] | None) -> list[str]:
    """Accepted article URLs linked from a listing page, in document order."""
    accepted = (accept(link, pattern, listing_url=page_url) for link in page_links(html, page_url))
    return [url for url in accepted if url is not None]
