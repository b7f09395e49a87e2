"""Page metadata: <meta> tags (OpenGraph, article:*, author) and JSON-LD NewsArticle objects."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

log = logging.getLogger(__name__)

_MAX_JSONLD = 1_000_000
_JSON = json.JSONDecoder(strict=False)  # json.loads(…, strict=False) builds a new one per call
_AUTHOR_KEYS = frozenset({"author", "article:author", "dable:author", "byl", "dc.creator", "sailthru.author"})
_META_OR_JSONLD = 'meta, script[type="application/ld+json"]'
_ARTICLE_TYPES = ("Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting")


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What the page says about itself, before we look at the visible markup."""

    meta: dict[str, str] = field(default_factory=dict)  # lower-cased property/name -> first content
    headline: str | None = None  # JSON-LD headline
    date_published: str | None = None  # JSON-LD datePublished
    authors: tuple[str, ...] = ()  # JSON-LD author names (Person or plain strings)
    article_body: str | None = None  # JSON-LD articleBody
    meta_authors: tuple[str, ...] = ()  # every <meta name="author"> (pages repeat it: outlet, then reporter)


def _is_article(obj: dict[str, object]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k in _ARTICLE_TYPES for k in kinds)


def _article_objects(data: object) -> list[dict[str, object]]:
    """Article objects at the top level, in a top-level list, or in an @graph (no deep walk)."""
    found: list[dict[str, object]] = []
    stack: list[object] = [data]
    steps = 0
    while stack and steps < 200:
        steps += 1
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item[:50])
        elif isinstance(item, dict):
            if _is_article(item):
                found.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(graph[:50])
    return found


def _author_names(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items[:20]:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and item.get("@type") in (None, "Person") and isinstance(item.get("name"), str):
            names.append(str(item["name"]))
    return names


def read_meta(tree: LexborHTMLParser) -> PageMeta:
    """Collect <meta> tags and the first JSON-LD article object."""
    meta: dict[str, str] = {}
    meta_authors: list[str] = []
    found = tree.css(_META_OR_JSONLD)  # one pass over the page for both
    metas = [n for n in found if n.tag == "meta"][:400]
    scripts = [n for n in found if n.tag == "script"][:20]
    for node in metas:
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = attrs.get("content")
        if key and content:
            key = key.strip().lower()
            meta.setdefault(key, content.strip())
            if key in _AUTHOR_KEYS:
                meta_authors.append(content.strip())
    headline = published = body = None
    authors: list[str] = []
    for node in scripts:
        raw = node.text(deep=True) or ""
        if not raw.strip() or len(raw) > _MAX_JSONLD:
            continue
        try:
            data = _JSON.decode(raw)
        except (ValueError, RecursionError):
            continue
        for obj in _article_objects(data):
            if headline is None and isinstance(obj.get("headline"), str):
                headline = str(obj["headline"]).strip() or None
            if published is None and isinstance(obj.get("datePublished"), str):
                published = str(obj["datePublished"])
            if not authors:
                authors = _author_names(obj.get("author"))
            if body is None and isinstance(obj.get("articleBody"), str):
                body = str(obj["articleBody"])
    return PageMeta(meta=meta, headline=headline, date_published=published, authors=tuple(authors),
                    article_body=body, meta_authors=tuple(meta_authors))
