"""Articles serialized inside page scripts (client-rendered templates), turned into a DOM to extract.

Two shapes: one JSON string key holding the body HTML (`"contentHtml": "<p>…"`, found by key in
any <script>), and a profile's own reader (`SiteProfile.embedded`) for structured JSON such as Arc
Fusion's `content_elements`.
"""

from __future__ import annotations

import json
import logging
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.profile import Embedded, SiteProfile

log = logging.getLogger(__name__)


def fragment(body_html: str) -> LexborNode | None:
    """A detached <div> holding `body_html`."""
    return LexborHTMLParser(f"<html><body><div>{body_html}</div></body></html>").css_first("body > div")


def read_embedded(tree: LexborHTMLParser, prof: SiteProfile | None) -> Embedded | None:
    if prof is None or prof.embedded is None:
        return None
    try:
        return prof.embedded(tree)
    except (ValueError, TypeError, KeyError, AttributeError) as e:  # a hook meeting unexpected JSON
        log.debug("profile %s: embedded article unreadable: %r", prof.name, e)
        return None


def json_string_body(tree: LexborHTMLParser, keys: tuple[str, ...]) -> LexborNode | None:
    """Body HTML serialized as a JSON string inside a <script> (client-rendered templates)."""
    best = ""
    for key in keys:
        # Runs of plain characters at a time, possessively (a JSON string parses one way only): the same
        # matches as (?:[^"\\]|\\.)*, ~3x faster on long strings and linear on an unterminated one.
        pattern = re.compile(r'"' + re.escape(key) + r'"\s*:\s*"((?:[^"\\]++|\\.)*+)"')
        needle = f'"{key}"'
        for script in tree.css("script")[:300]:
            text = script.text(deep=True) or ""
            if needle not in text:
                continue
            for m in pattern.finditer(text):
                try:
                    value = json.loads('"' + m.group(1) + '"', strict=False)
                except ValueError:
                    continue
                if isinstance(value, str) and len(value) > len(best):
                    best = value
    if len(best) < 100:
        return None
    return fragment(best)
