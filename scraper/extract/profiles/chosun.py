"""조선일보 (chosun.com) and other Arc XP / Fusion sites: the article may exist only as page JSON.

Server-rendered pages carry `h1.article-header__headline`, `.article-byline__author`, `.inputDate`
(입력 2025.07.09. 16:55) and `section.article-body` of `p.article-body__content-text`. Many pages
ship only an empty app shell plus `<script id="fusion-metadata">…Fusion.globalContent={…};
Fusion.globalContentConfig=…` whose `content_elements` list holds the article: `text` (HTML
paragraphs), `header` (중간제목), `image` (with `caption`), and `raw_html` / `interstitial_link` /
`oembed_response` (ads, related links, embeds — not prose). Times are UTC (`first_publish_date`),
reporters `credits.by[].name`.
"""

from __future__ import annotations

import json
import re
from html import escape

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.profile import Embedded, SiteProfile

_START = "Fusion.globalContent="
_MAX_ELEMENTS = 2000


def _element_html(el: object) -> str:
    if not isinstance(el, dict):
        return ""
    kind = el.get("type")
    content = el.get("content")
    if kind == "text" and isinstance(content, str):
        return f"<p>{content}</p>"
    if kind == "header" and isinstance(content, str):
        return f"<h3>{content}</h3>"
    if kind == "list" and isinstance(el.get("items"), list):
        return "".join(_element_html(item) for item in el["items"][:200])
    if kind == "image" and isinstance(el.get("caption"), str) and el["caption"].strip():
        return f"<figure><figcaption>{escape(el['caption'])}</figcaption></figure>"
    return ""


def fusion_article(tree: LexborHTMLParser) -> Embedded | None:
    """The article in `Fusion.globalContent`, or None when the page has none."""
    script = tree.css_first("script#fusion-metadata")
    text = script.text(deep=True) if script is not None else ""
    start = text.find(_START)
    if start < 0:
        return None
    data, _end = json.JSONDecoder(strict=False).raw_decode(text, start + len(_START))
    if not isinstance(data, dict) or not isinstance(data.get("content_elements"), list):
        return None
    body = "".join(_element_html(el) for el in data["content_elements"][:_MAX_ELEMENTS])
    published = next((data[k] for k in ("first_publish_date", "display_date", "publish_date")
                      if isinstance(data.get(k), str)), None)
    credits = data.get("credits")
    people = credits.get("by") if isinstance(credits, dict) else None
    authors = tuple(p["name"] for p in people or () if isinstance(p, dict) and isinstance(p.get("name"), str))
    return Embedded(body_html=body, published=published, authors=authors)


CHOSUN = SiteProfile(
    name="chosun",
    url=re.compile(r"chosun\.com/[a-z_-]+/(?:[a-z_-]+/)?\d{4}/\d{2}/\d{2}/[A-Z0-9]{16,}"),
    markers=("#fusion-metadata", "p.article-body__content-text"),
    title=("h1.article-header__headline",),
    byline=(".article-byline__author",),
    published=(".inputDate", ".upDate"),
    body=("section.article-body",),
    paragraphs="p.article-body__content-text, h3.article-body__content-header, .article-body__content-list li",
    drop=(".article-body__content-ad", ".arcad", "[class*=interstitial]"),
    captions=("figcaption",),
    embedded=fusion_article,
)
