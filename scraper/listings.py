"""Links from listing pages (section lists, "all articles" pages)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.urls import absolutize

_ID_LIKE = re.compile(r"\d{4,}")


def page_links(html: str, page_url: str) -> list[str]:
    """Absolute http(s) targets of every <a href> in document order (honouring <base href>)."""
    tree = LexborHTMLParser(html)
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = absolutize(page_url, base_node.attributes.get("href") or "") or page_url
    links: list[str] = []
    for node in tree.css("a[href]"):
        target = absolutize(base, node.attributes.get("href") or "")
        if target is not None:
            links.append(target)
    return links


def looks_like_article(url: str, listing_url: str) -> bool:
    """Fallback test when a source has no article_pattern: same host, and an id-like number."""
    target, listing = urlsplit(url), urlsplit(listing_url)
    if (target.hostname or "").lower() != (listing.hostname or "").lower():
        return False
    if target.path == listing.path and "page=" in target.query:
        return False  # pagination of the listing itself
    return bool(_ID_LIKE.search(f"{target.path}?{target.query}"))
