"""Fallback body finder for templates no profile knows.

Known article-body containers are tried first; otherwise every element holding paragraphs
(<p> children or <br>-separated text) is scored Readability-style: each paragraph adds to its
parent (and half to its grandparent) a score made of its length and its Korean sentence
endings (`다.`, `했다.`, `밝혔다.` …). Link-heavy candidates are discounted, and a page whose best
block is still mostly links (a listing, section or tag page) is not an article.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

log = logging.getLogger(__name__)

KNOWN_BODIES = (
    "#article-view-content-div", "[itemprop=articleBody]", "#articleBody", "#article-body", "#articeBody",
    "#news_body_area", ".news_body_area", "#newsct_article", "#dic_area", "#articletxt", "#article_body",
    ".article_body", ".article-body", ".entry-content", ".post-content", ".article_txt", ".article-txt",
    ".news_view", ".view_con", "#textinput", "#news_content", ".news_content", ".story-news",
    ".article-view", "#CmAdContent", ".cont_view", ".view_txt", "#viewContent", ".xe_content",
)
EMBEDDED_BODY_KEYS = ("contentHtml", "articleBodyHtml", "bodyHtml", "content_html")
_ENDING = re.compile(r"(?:다|요|죠|까|음|함|됨|임)[.!?][\"”’')]*(?=\s|$)")
_MAX_PARAS = 4000
_CHROME_WORDS = ("footer", "copyright", "address", "company", "gnb", "menu", "sidebar", "comment")
MIN_BODY_CHARS = 40


@dataclass(frozen=True, slots=True)
class Candidate:
    node: LexborNode
    score: float


def sentence_endings(text: str) -> int:
    return len(_ENDING.findall(text))


def link_density(node: LexborNode, text_len: int) -> float:
    if text_len <= 0:
        return 1.0
    link_chars = sum(len(a.text(deep=True).strip()) for a in node.css("a")[:2000])
    return min(1.0, link_chars / text_len)


_ANY_KNOWN_BODY = ", ".join(KNOWN_BODIES)


def known_container(tree: LexborHTMLParser) -> LexborNode | None:
    if tree.css_first(_ANY_KNOWN_BODY) is None:  # one pass over the page in the common miss case
        return None
    for sel in KNOWN_BODIES:
        node = tree.css_first(sel)
        if node is not None:
            text = node.text(deep=True, separator=" ")
            if len(text.strip()) >= 100 and sentence_endings(text) >= 1:
                return node
    return None


def _paragraph_score(text: str) -> float:
    n = len(text)
    if n < 15:
        return 0.0
    return 1.0 + sentence_endings(text) + min(n / 100.0, 3.0)


def scored_container(tree: LexborHTMLParser, skip: Callable[[str], bool] | None = None) -> Candidate | None:
    """The best-scoring paragraph container, or None when the page has no prose block.

    `skip(text)` true = a paragraph known to be site boilerplate (see learn.py): it scores nothing.
    """
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}

    def add(node: LexborNode | None, value: float) -> None:
        if node is None or node.tag in (None, "html", "body") or not value:
            return
        key = node.mem_id
        scores[key] = scores.get(key, 0.0) + value
        nodes.setdefault(key, node)

    for p in tree.css("p")[:_MAX_PARAS]:
        text = p.text(deep=True).strip()
        s = _paragraph_score(text)
        if s and skip is not None and skip(text):
            continue
        if s and link_density(p, len(text)) < 0.5:
            parent = p.parent
            add(parent, s)
            add(parent.parent if parent is not None else None, s / 2)
    seen_br_parents: set[int] = set()
    for br in tree.css("br")[:_MAX_PARAS]:
        parent = br.parent
        if parent is None or parent.mem_id in seen_br_parents or parent.tag == "p":
            continue
        seen_br_parents.add(parent.mem_id)
        own = " ".join(
            (c.text_content or "") for c in parent.iter(include_text=True) if c.tag == "-text"
        )
        add(parent, _paragraph_score(own) * 1.5 if len(own) > 80 else 0.0)
    if not scores:
        return None
    best: Candidate | None = None
    for key, raw in sorted(scores.items(), key=lambda kv: -kv[1])[:15]:
        node = nodes[key]
        if _is_chrome(node):
            continue
        text_len = len(node.text(deep=True).strip())
        final = raw * (1.0 - link_density(node, text_len))
        if best is None or final > best.score:
            best = Candidate(node, final)
    return best


def _is_chrome(node: LexborNode) -> bool:
    """Page furniture that holds text but never the article: footers, address boxes, menus."""
    if node.tag in ("footer", "nav", "aside", "header"):
        return True
    attrs = node.attributes
    names = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".lower()
    return any(word in names for word in _CHROME_WORDS)


def looks_like_listing(node: LexborNode, *, strict: bool = True) -> bool:
    """A block that is mostly links or linked list items: a listing, not an article.

    `strict` (a container found by scoring, not by a profile) also refuses short or link-dense blocks.
    """
    text = node.text(deep=True, separator=" ")
    text_len = len(text.strip())
    if text_len == 0:
        return False
    linked_items = [li for li in node.css("li, tr")[:500] if li.css_first("a") is not None]
    linked_text = sum(len(li.text(deep=True).strip()) for li in linked_items)
    if linked_items and linked_text >= (0.5 if len(linked_items) >= 3 else 0.6) * text_len:
        return True
    linked_heads = node.css("h2 a, h3 a, h4 a")
    if len(linked_heads) >= 3:
        return True
    if not strict:
        return False
    if text_len < MIN_BODY_CHARS or sentence_endings(text) < 2:
        return True
    anchors = node.css("a")
    density = link_density(node, text_len)
    endings = sentence_endings(text)
    return density > 0.45 or (len(anchors) >= 12 and density > 0.25 and endings < len(anchors))
