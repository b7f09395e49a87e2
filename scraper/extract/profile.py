"""`SiteProfile`: the declarative description of one CMS family, and how a page picks one.

A profile holds selectors and URL rules only. The single generic routine in `core.py` reads
them; code that a family genuinely needs lives in its profile file as the `postprocess` hook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from scraper.models import Article


@dataclass(frozen=True, slots=True)
class Embedded:
    """An article serialized in a page script (client-rendered templates), read by a profile hook."""

    body_html: str  # paragraphs as HTML (<p>, <h3>, <figure><figcaption>)
    published: str | None = None  # any format `dates.parse_datetime` reads
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """Selectors for one CMS family. Tuples of selectors are tried in order; first hit wins."""

    name: str
    url: re.Pattern[str] | None = None  # detection: article URLs of the family
    markers: tuple[str, ...] = ()  # detection: any of these selectors present in the page
    title: tuple[str, ...] = ()
    title_suffix: re.Pattern[str] | None = None  # removed from og:title / <title> fallbacks
    byline: tuple[str, ...] = ()
    published: tuple[str, ...] = ()  # elements whose text (or content/datetime attr) has the time
    body: tuple[str, ...] = ()  # article container candidates
    paragraphs: str | None = None  # paragraph elements inside the container; None = block lines
    drop: tuple[str, ...] = ()  # boilerplate inside the container
    captions: tuple[str, ...] = ()  # caption elements inside the container (moved to captions)
    json_body_keys: tuple[str, ...] = ()  # JSON string keys holding the body HTML in <script>s
    json_date_keys: tuple[str, ...] = ()  # JSON string keys holding the publish time
    not_article: tuple[str, ...] = ()  # selectors marking pages of the family that are not articles
    embedded: Callable[[LexborHTMLParser], Embedded | None] | None = None  # article JSON in a <script>
    postprocess: Callable[[Article], Article] | None = None


def _in_head(selector: str) -> bool:
    """`<meta>` / `<link>` markers: searched in <head> only, which costs nothing on a big page."""
    return selector.startswith(("meta[", "link["))


def _present(tree: LexborHTMLParser, markers: tuple[str, ...]) -> bool:
    head_sel = ", ".join(m for m in markers if _in_head(m))
    body_sel = ", ".join(m for m in markers if not _in_head(m))
    head = tree.head
    return bool((head_sel and head is not None and head.css_first(head_sel) is not None)
                or (body_sel and tree.css_first(body_sel) is not None))


def detect_profile(url: str, tree: LexborHTMLParser, profiles: Mapping[str, SiteProfile]) -> SiteProfile | None:
    """Pick the profile whose markers are in the page (URL match breaks ties); None if none fits.

    A marker match is required: a URL shape alone is not enough, because many CMSs share URL
    conventions while their markup differs (the generic extractor handles those). Every marker
    costs one pass over the page, except `meta[…]` / `link[…]` ones, looked up in <head> only.
    """
    for prof in profiles.values():  # the URL names a family: confirm with its markers only
        if prof.url and url and prof.markers and prof.url.search(url) and _present(tree, prof.markers):
            return prof
    head_sel = ", ".join(m for prof in profiles.values() for m in prof.markers if _in_head(m))
    body_sel = ", ".join(m for prof in profiles.values() for m in prof.markers if not _in_head(m))
    head = tree.head
    hits = list(head.css(head_sel)[:64]) if head_sel and head is not None else []
    hits += tree.css(body_sel)[:64] if body_sel else []  # one pass over the page; then test only the hits
    if not hits:
        return None
    best: SiteProfile | None = None
    best_score = 0
    for prof in profiles.values():
        if not prof.markers:
            continue
        selector = ", ".join(prof.markers)
        if not any(node.css_matches(selector) for node in hits):
            continue
        score = 2 + bool(prof.url and url and prof.url.search(url))
        if score > best_score:
            best, best_score = prof, score
    return best
