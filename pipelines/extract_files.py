"""`newscorpus extract`: the pipeline's own extractor over saved HTML files, one result per file."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from pipelines.normalize import iso, normalize_article
from scraper.charset import decode_body
from scraper.errors import CorpusError
from scraper.extract import extract

_CANONICAL = (
    re.compile(r"""<link\b[^>]*\brel=["']?canonical["']?[^>]*\bhref=["']([^"'>\s]+)""", re.I),
    re.compile(r"""<link\b[^>]*\bhref=["']([^"'>\s]+)["'][^>]*\brel=["']?canonical""", re.I),
    re.compile(r"""<meta\b[^>]*\bproperty=["']og:url["'][^>]*\bcontent=["']([^"'>\s]+)""", re.I),
    re.compile(r"""<meta\b[^>]*\bcontent=["']([^"'>\s]+)["'][^>]*\bproperty=["']og:url""", re.I),
)
_HEAD_CHARS = 60_000  # canonical links live in <head>; no second full parse of the page


def _page_url(html: str, path: Path) -> str:
    """The page's own canonical/og:url, else a file:// URL (profiles also detect from markup)."""
    head = html[:_HEAD_CHARS]
    for pattern in _CANONICAL:
        m = pattern.search(head)
        if m and m.group(1).startswith(("http://", "https://")):
            return unescape(m.group(1))
    return path.resolve().as_uri()


def extract_file(path: Path, url: str | None = None) -> dict[str, object]:
    """Extract one saved page. Failures come back as {"file", "error"}, never as an exception."""
    result: dict[str, object] = {"file": str(path)}
    try:
        raw = path.read_bytes()
    except OSError as exc:
        result["error"] = f"cannot read file: {exc.strerror}"
        return result
    html, _encoding = decode_body(raw)
    page_url = url or _page_url(html, path)
    result["url"] = page_url
    try:
        article = normalize_article(extract(html, page_url))
    except CorpusError as exc:
        result["error"] = str(exc)
        return result
    result.update({
        "url": page_url if page_url.startswith("file:") else article.url,
        "title": article.title,
        "author": article.author,
        "published": iso(article.published),
        "body": article.body,
        "captions": list(article.captions),
        "profile": article.profile,
    })
    return result
