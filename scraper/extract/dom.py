"""Turning a DOM subtree into text lines: paragraphs split at block elements and <br>.

Iterative walks only (no recursion), so pathological nesting cannot exhaust the stack.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "main", "h1", "h2", "h3", "h4", "h5", "h6",
     "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "td", "th", "blockquote", "pre",
     "figure", "figcaption", "hr", "address", "center", "caption", "form", "fieldset", "body", "html"}
)
SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "svg", "button", "select", "textarea", "input",
     "object", "embed", "video", "audio", "canvas", "map", "head", "title", "-comment", "meta", "link"}
)
ALWAYS_DROP = "script, style, noscript, template, iframe, svg, button, select, textarea, form, ins, object, embed"
_INVISIBLE = "\u200b\u200c\u200d\ufeff\u00ad"
MAX_NODES = 200_000
MAX_NESTING = 25_000  # lexbor takes ~2 s for 20,000 nested <div>s, and the time grows with the square
# Start tags that make the HTML tree builder search the open elements for a <p> to close, and that
# nothing but their own end tag (or an ancestor's) closes: nesting them deep is quadratic work.
_NESTING_TAG = re.compile(  # matched on the lower-cased bytes (tag names are ASCII-case-insensitive)
    rb"<(/?)(?:div|section|article|aside|nav|header|footer|main|blockquote|center|ul|ol|dl|dir|menu|"
    rb"figure|figcaption|fieldset|details|summary|dialog|address|hgroup|search|pre|listing)(?=[\s/>])"
)


def too_deep(data: bytes, limit: int = MAX_NESTING) -> bool:
    """True when block elements in the page (UTF-8 bytes) nest more than `limit` deep: hostile or broken.

    Counted on the markup, before parsing, from those elements' start and end tags (an element closed
    implicitly by an ancestor's end tag counts as still open, so this errs towards "deep"). Each such
    start tag takes at least 4 bytes, and a page with at most `limit` "<" cannot be that deep: ordinary
    pages cost a length test or one fast byte deletion, never the scan.
    """
    if len(data) <= 4 * limit or len(data) - len(data.replace(b"<", b"")) <= limit:
        return False
    depth = 0
    for m in _NESTING_TAG.finditer(data.lower()):
        if m.group(1):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > limit:
                return True
    return False


def squash(text: str | None) -> str:
    """Collapse all whitespace (NBSP included) to single spaces and drop zero-width characters."""
    if not text:
        return ""
    for ch in _INVISIBLE:
        if ch in text:
            text = text.replace(ch, "")
    return " ".join(text.split())


def node_text(node: LexborNode | None) -> str:
    if node is None:
        return ""
    return squash(node.text(deep=True, separator=" "))


def has_text(node: LexborNode | None) -> bool:
    """`bool(node_text(node))` without building the squashed text (mostly decided by one character)."""
    if node is None:
        return False
    text = node.text(deep=True).strip()
    return bool(text) and (text[0] not in _INVISIBLE or bool(squash(text)))


def block_lines(root: LexborNode) -> list[str]:
    """Text lines of `root`: one per block element or <br>-separated run; inline text stays joined."""
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            text = squash("".join(buf))
            buf.clear()
            if text:
                lines.append(text)

    root_id = root.mem_id
    node: LexborNode | None = root.child
    seen = 0
    while node is not None and seen < MAX_NODES:  # each step asks lexbor once per link it follows
        seen += 1
        tag = node.tag
        child = None
        if tag == "-text":
            buf.append(node.text_content or "")
        elif tag == "br":
            flush()
        elif tag not in SKIP_TAGS and tag is not None and not tag.startswith("-"):
            if tag in BLOCK_TAGS:
                flush()
            child = node.child
        if child is not None:
            node = child
            continue
        nxt = node.next
        while nxt is None:  # climb to the next sibling of the nearest ancestor that has one
            node = node.parent
            if node is None or node.mem_id == root_id:
                break
            if node.tag in BLOCK_TAGS:
                flush()
            nxt = node.next
        node = nxt
    flush()
    return lines


def remove_all(root: LexborNode, selector: str) -> None:
    """Decompose every match of `selector` below `root` (outermost first is fine: lexbor copes)."""
    if not selector:
        return
    for node in root.css(selector):
        if node.parent is not None:
            node.decompose()
