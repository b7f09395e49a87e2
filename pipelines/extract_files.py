"""`newscorpus extract`: the pipeline's own extractor over saved HTML files, one result per file."""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from pipelines.normalize import iso, normalize_article
from scraper.charset import decode_body
from scraper.errors import CorpusError
from scraper.extract import extract


def _page_url(html: str, path: Path) -> str:
    """The page's own canonical/og:url, else a file:// URL (profiles also detect from markup)."""
    tree = LexborHTMLParser(html[:200_000])
    for selector, attr in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = tree.css_first(selector)
        value = (node.attributes.get(attr) or "").strip() if node else ""
        if value.startswith(("http://", "https://")):
            return value
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
