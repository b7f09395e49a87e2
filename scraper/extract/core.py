"""The one generic extraction routine: profile selectors first, generic fallbacks after.

Order of evidence per field:
- body: the profile's container → body HTML embedded in <script> JSON (profile keys) → a known
  article container → the best-scoring paragraph block → JSON-LD articleBody;
- title: the profile's headline element → the visible heading a metadata title starts with →
  cleaned og:title / JSON-LD headline / <title>;
- published: article:published_time / JSON-LD datePublished → profile date elements → profile
  JSON keys → labelled dates (입력/승인/등록 …) near the body, then anywhere;
- authors: JSON-LD persons → profile byline elements → the body's sign-off / dateline → meta author.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.errors import ExtractError, MissingField
from scraper.extract import generic
from scraper.extract.boilerplate import clean_lines
from scraper.extract.bylines import dateline_names, parse_byline, parse_name_list
from scraper.extract.dates import find_published, parse_datetime
from scraper.extract.dom import ALWAYS_DROP, MAX_NESTING, block_lines, has_text, node_text, remove_all, squash, too_deep
from scraper.extract.embedded import fragment, json_string_body, read_embedded
from scraper.extract.learn import BoilerplateLearner, drop_learned
from scraper.extract.metadata import PageMeta, read_meta
from scraper.extract.profile import Embedded, SiteProfile, detect_profile
from scraper.extract.titles import choose_title, clean_title
from scraper.models import Article

log = logging.getLogger(__name__)

MAX_HTML_CHARS = 32_000_000
COMMON_DROP = (
    ".article-copyright", ".copyright", "#copyright", ".relation", ".related", ".related-articles",
    ".article-relation", ".view-sns", ".share", ".share-area", ".sns-share", ".social-share", ".btn-area",
    ".ad", ".ads", ".advertisement", "[id^=div-gpt-ad]", ".banner", ".article-ad", ".tag-group", ".tags",
    "nav", "aside", "[class*=sub-tit]", "[class*=subtitle]", "[class*=subheading]", "[class*=midtitle]",
    "[class*=sub_title]", "[class*=pullquote]", "[class*=pull-quote]", ".module-quote", ".writer", ".reporter-box",
    ".reporter_box", ".byline-box", ".article-writer",
)
COMMON_CAPTIONS = ("figcaption", "div.caption", "p.caption", ".photo_caption", ".photo-caption", ".img_caption",
                   ".wp-caption-text")
_META_DATES = ("article:published_time", "og:article:published_time", "article:published", "pubdate",
               "publishdate", "publish-date", "dc.date.issued", "dcterms.created", "parsely-pub-date",
               "sailthru.date", "date")
NOT_ARTICLE = ('body[onload*="print("]', 'body[onload*="print()"]')
_TITLE_METAS = ("og:title", "twitter:title")
_SITE_METAS = ("og:site_name", "application-name", "twitter:site")
_AD_MARKER = re.compile(r"\$\$[A-Z_]{2,30}\$\$")


def run(html: str, url: str, profiles: Mapping[str, SiteProfile], *, fetched_at: datetime | None,
        profile: str | None, source: str, learner: BoilerplateLearner | None = None,
        observe: bool = False, utf8: bytes | None = None) -> Article:
    if not isinstance(html, str):
        html = bytes(html).decode("utf-8", "replace") if isinstance(html, bytes | bytearray) else ""
    if not html or html.isspace():  # `not html.strip()` without copying a big page
        raise ExtractError(url, "empty page")
    if len(html) > MAX_HTML_CHARS:
        html, utf8 = html[:MAX_HTML_CHARS], None
    if profile is not None and profile not in profiles:
        raise ExtractError(url, f"unknown profile {profile!r}")
    # The parser's own input: it encodes text exactly so (selectolax: UTF-8, errors="ignore").
    data = utf8 if isinstance(utf8, bytes) else html.encode("utf-8", "ignore")
    if too_deep(data):  # parsing it would take minutes
        raise ExtractError(url, f"page nested more than {MAX_NESTING} elements deep")
    tree = LexborHTMLParser(data)
    if learner is not None and observe:
        learner.observe_tree(tree, url)
    meta = read_meta(tree)
    prof = profiles[profile] if profile is not None else detect_profile(url, tree, profiles)
    learned = learner if learner is not None and prof is None and learner.knows(url) else None

    if _refused(tree, prof):
        raise ExtractError(url, "not an article (print view, archive or static page)")
    title = _title(tree, prof, meta)
    if not title:
        raise MissingField(url, "title")
    published = _published_meta(meta)
    embedded = read_embedded(tree, prof)
    container, from_profile = _container(tree, prof, _skip_learned(learned, url), embedded)
    if container is None:
        lines = [squash(x) for x in (meta.article_body or "").splitlines() if squash(x)]
        if sum(map(len, lines)) < 200:
            raise MissingField(url, "body")
        captions: list[str] = []
    else:
        captions = _take_captions(container, prof)
        remove_all(container, ", ".join((ALWAYS_DROP, *COMMON_DROP, *(prof.drop if prof else ()))))
        if generic.looks_like_listing(container, strict=not from_profile):
            raise ExtractError(url, "not an article (link-dense listing page)")
        lines = _lines(container, prof)
        if learned is not None:
            lines = drop_learned(lines, learned, url)
    cleaned = clean_lines(lines)
    body_lines = [line for line in cleaned.lines if line]
    while body_lines and body_lines[0] == title:  # the headline inside a generic container
        body_lines.pop(0)
    if not body_lines or sum(map(len, body_lines)) < generic.MIN_BODY_CHARS:
        raise MissingField(url, "body")
    captions.extend(c for c in cleaned.captions if c not in captions)

    if published is None and embedded is not None:
        published = parse_datetime(embedded.published)
    if published is None:
        published = _published_visible(tree, prof, container)
    authors = _authors(tree, prof, meta, container, cleaned.signoff_names, body_lines[0],
                       embedded.authors if embedded is not None else ())
    article = Article(
        source=source, url=url, title=title, body="\n".join(body_lines), published=published,
        authors=authors, captions=tuple(captions), profile=prof.name if prof else "generic",
        fetched_at=fetched_at,
    )
    if prof is not None and prof.postprocess is not None:
        article = prof.postprocess(article)
    return article


def _refused(tree: LexborHTMLParser, prof: SiteProfile | None) -> bool:
    """A print view (NOT_ARTICLE) or a page the profile marks as not an article."""
    if prof is not None and prof.not_article:
        return tree.css_first(", ".join((*NOT_ARTICLE, *prof.not_article))) is not None
    body = tree.body  # a document has one <body>: read its onload instead of matching the whole tree
    return body is not None and body.tag == "body" and "print(" in (body.attributes.get("onload") or "")


def _matches(tree: LexborHTMLParser | LexborNode, selector: str, limit: int = 5) -> Iterator[LexborNode]:
    """`tree.css(selector)[:limit]`, lazily: the first match alone stops at it, and most callers need no more."""
    first = tree.css_first(selector)
    if first is None:
        return
    yield first
    yield from tree.css(selector)[1:limit]


def _first_text(tree: LexborHTMLParser | LexborNode, selectors: tuple[str, ...]) -> str:
    for sel in selectors:
        for node in _matches(tree, sel):
            text = node_text(node)
            if text:
                return text
    return ""


def _title(tree: LexborHTMLParser, prof: SiteProfile | None, meta: PageMeta) -> str:
    if prof is not None:
        text = _first_text(tree, prof.title)
        if text:
            return text
    site_names = tuple(squash(meta.meta[k]) for k in _SITE_METAS if k in meta.meta)
    suffix = prof.title_suffix if prof else None
    raw = [meta.meta.get(k, "") for k in _TITLE_METAS] + [node_text(tree.css_first("title"))]
    candidates = [clean_title(r, site_names, suffix) for r in raw if r and r.strip()]
    headline = squash(meta.headline) if meta.headline else ""
    if headline and any(c.startswith(headline) and len(c) - len(headline) <= 20 for c in candidates):
        candidates.insert(0, headline)
    elif headline:
        candidates.append(headline)
    headings = [node_text(n) for n in tree.css("h1, h2, h3")[:40]]
    headings = [h for h in headings if h]
    chosen = choose_title(candidates, headings)
    if chosen:
        return chosen
    return headings[0] if headings else ""


def _published_meta(meta: PageMeta) -> datetime | None:
    for key in _META_DATES:
        value = parse_datetime(meta.meta.get(key))
        if value is not None:
            return value
    return parse_datetime(meta.date_published)


def _published_visible(tree: LexborHTMLParser, prof: SiteProfile | None,
                       container: LexborNode | None) -> datetime | None:
    if prof is not None:
        for sel in prof.published:
            for node in _matches(tree, sel):
                attrs = node.attributes
                for attr in ("datetime", "content", "data-published-time", "data-date-time"):
                    value = parse_datetime(attrs.get(attr))
                    if value is not None:
                        return value
                text = node_text(node)
                value = find_published(text) or parse_datetime(text)
                if value is not None:
                    return value
        for key in prof.json_date_keys:
            pattern = re.compile(r'"' + re.escape(key) + r'"\s*:\s*"([^"\\]{6,40})"')
            for script in tree.css("script")[:300]:
                m = pattern.search(script.text(deep=True) or "")
                if m:
                    value = parse_datetime(m.group(1))
                    if value is not None:
                        return value
    node = container.parent if container is not None else None
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            break
        value = find_published(squash(node.text(deep=True, separator=" ")[:20_000]))
        if value is not None:
            return value
        for tnode in node.css("time[datetime]")[:3]:
            value = parse_datetime(tnode.attributes.get("datetime"))
            if value is not None:
                return value
        node = node.parent
    body = tree.body
    if body is None:
        return None
    return find_published(squash(body.text(deep=True, separator=" ")[:300_000]), need_time=True)


def _skip_learned(learned: BoilerplateLearner | None, url: str) -> Callable[[str], bool] | None:
    if learned is None:
        return None
    return lambda text: learned.is_boilerplate(url, text)


def _container(tree: LexborHTMLParser, prof: SiteProfile | None, skip: Callable[[str], bool] | None = None,
               embedded: Embedded | None = None) -> tuple[LexborNode | None, bool]:
    if prof is not None:
        for sel in prof.body:
            node = tree.css_first(sel)
            if has_text(node):
                return node, True
        if embedded is not None and embedded.body_html.strip():
            node = fragment(embedded.body_html)
            if has_text(node):
                return node, True
        if prof.json_body_keys:
            node = json_string_body(tree, prof.json_body_keys)
            if node is not None:
                return node, True
    node = generic.known_container(tree) or json_string_body(tree, generic.EMBEDDED_BODY_KEYS)
    if node is not None:
        return node, False
    best = generic.scored_container(tree, skip)
    if skip is not None and (best is None or best.score < 3.0):  # every paragraph learned: trust the page
        best = generic.scored_container(tree)
    return (best.node, False) if best is not None and best.score >= 3.0 else (None, False)


def _take_captions(container: LexborNode, prof: SiteProfile | None) -> list[str]:
    selectors = ", ".join((prof.captions if prof else ()) + COMMON_CAPTIONS)
    captions: list[str] = []
    found = container.css(selectors)
    for node in found[:200]:
        text = node_text(node).lstrip("▲△ ").strip()
        if text and not any(text in c for c in captions):
            captions.append(text)
    for node in found:  # as remove_all(container, selectors), without matching the subtree again
        if node.parent is not None:
            node.decompose()
    return captions


def _lines(container: LexborNode, prof: SiteProfile | None) -> list[str]:
    lines: list[str] = []
    if prof is not None and prof.paragraphs:
        for node in container.css(prof.paragraphs):
            lines.extend(block_lines(node))
    if not lines:  # no profile paragraphs (or a template variant without them): every block line
        lines = block_lines(container)
    return [_AD_MARKER.sub("", line).strip() if "$$" in line else line for line in lines]


def _authors(tree: LexborHTMLParser, prof: SiteProfile | None, meta: PageMeta, container: LexborNode | None,
             signoff: tuple[str, ...], first_line: str, embedded: tuple[str, ...] = ()) -> tuple[str, ...]:
    if meta.authors:
        names = parse_name_list(", ".join(meta.authors))
        if names:
            return names
    if prof is not None:
        for sel in prof.byline:
            for node in _matches(tree, sel):
                text = node_text(node)
                names = parse_byline(text) or parse_name_list(text)
                if names:
                    return names
    if embedded:
        names = parse_name_list(", ".join(embedded))
        if names:
            return names
    if signoff:
        return signoff
    names = dateline_names(first_line)
    if names:
        return names
    for value in meta.meta_authors:
        names = parse_name_list(value)
        if names:
            return names
    node = container.parent if container is not None else None
    if node is not None and node.tag not in ("body", "html"):
        text = node_text(node)
        head = text.split(first_line[:20], 1)[0] if first_line else text
        names = parse_byline(head[-300:])
        if names:
            return names
    return ()

