"""`newscorpus extract`: the pipeline's own extractor over saved HTML files, one result per file.

Given several files of one host, `extract_files` learns that host's boilerplate first (two passes:
observe every page, then extract; see scraper/extract/learn.py) — blocks repeated across the
pages are dropped from pages that no profile matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html import unescape
from pathlib import Path

from pipelines.normalize import iso, normalize_article
from scraper.charset import decode_body
from scraper.errors import CorpusError
from scraper.extract import BoilerplateLearner, extract
from scraper.extract.learn import host_of

_CANONICAL = (
    re.compile(r"""<link\b[^>]*\brel=["']?canonical["']?[^>]*\bhref=["']([^"'>\s]+)""", re.I),
    re.compile(r"""<link\b[^>]*\bhref=["']([^"'>\s]+)["'][^>]*\brel=["']?canonical""", re.I),
    re.compile(r"""<meta\b[^>]*\bproperty=["']og:url["'][^>]*\bcontent=["']([^"'>\s]+)""", re.I),
    re.compile(r"""<meta\b[^>]*\bcontent=["']([^"'>\s]+)["'][^>]*\bproperty=["']og:url""", re.I),
)
_CACHE_CHARS = 64_000_000  # decoded pages kept between the two passes; the rest are read again
_HEAD_CHARS = 60_000  # canonical links live in <head>; no second full parse of the page


def _page_url(html: str, path: Path) -> str:
    """The page's own canonical/og:url, else a file:// URL (profiles also detect from markup)."""
    head = html[:_HEAD_CHARS]
    for pattern in _CANONICAL:
        m = pattern.search(head)
        if m and m.group(1).startswith(("http://", "https://")):
            return unescape(m.group(1))
    return path.resolve().as_uri()


def _read(path: Path, url: str | None) -> tuple[str, str] | str:
    """(html, page URL), or the error message when the file cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"cannot read file: {exc.strerror}"
    html, _encoding = decode_body(raw)
    return html, url or _page_url(html, path)


def learn_boilerplate(paths: Iterable[Path], url: str | None = None,
                      cache: dict[Path, tuple[str, str]] | None = None) -> BoilerplateLearner:
    """Pass 1: count the blocks of every distinct page of every host with enough pages.

    `cache` (optional) receives the decoded pages, up to _CACHE_CHARS in all, for pass 2.
    """
    learner = BoilerplateLearner()
    pages: dict[str, tuple[Path, str]] = {}  # URL -> (file, host): a page repeated counts once
    cached = 0
    for path in dict.fromkeys(paths):
        got = _read(path, url)
        if isinstance(got, str):
            continue
        if cache is not None and cached + len(got[0]) <= _CACHE_CHARS:
            cache[path] = got
            cached += len(got[0])
        if host_of(got[1]) and got[1] not in pages:
            pages[got[1]] = (path, host_of(got[1]))
    per_host: dict[str, int] = {}
    for _path, host in pages.values():
        per_host[host] = per_host.get(host, 0) + 1
    for page_url, (path, host) in pages.items():
        if per_host[host] >= learner.min_pages:
            got = (cache or {}).get(path) or _read(path, url)
            if isinstance(got, tuple):
                learner.observe(got[0], page_url)
    return learner


def extract_files(paths: Iterable[Path], url: str | None = None) -> Iterator[dict[str, object]]:
    """Extract several saved pages (two passes: learn each host's boilerplate, then extract)."""
    paths = list(paths)
    if len(paths) < 2:
        yield from (extract_file(path, url) for path in paths)
        return
    cache: dict[Path, tuple[str, str]] = {}
    learner = learn_boilerplate(paths, url, cache)
    for path in paths:
        yield extract_file(path, url, learner=learner, page=cache.get(path))


def extract_file(path: Path, url: str | None = None, *, learner: BoilerplateLearner | None = None,
                 page: tuple[str, str] | None = None) -> dict[str, object]:
    """Extract one saved page. Failures come back as {"file", "error"}, never as an exception.

    `page`: the file's (html, page URL) when already read.
    """
    result: dict[str, object] = {"file": str(path)}
    got = page or _read(path, url)
    if isinstance(got, str):
        result["error"] = got
        return result
    html, page_url = got
    result["url"] = page_url
    try:
        article = normalize_article(extract(html, page_url, learner=learner))
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
