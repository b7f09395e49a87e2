"""`newscorpus extract`: the pipeline's own extractor over saved HTML files, one result per file.

Given several files of one host, `extract_files` learns that host's boilerplate (two passes:
observe every page, then extract; see scraper/extract/learn.py) — blocks repeated across the
pages are dropped from pages that no profile matches. A host is observed only when one of its
pages needs it, so hosts whose pages all match a profile cost no second parse.
"""

from __future__ import annotations

import re
from codecs import BOM_UTF8
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


def _read(path: Path, url: str | None) -> tuple[str, str, bytes | None] | str:
    """(html, page URL, the file's bytes when they are exactly `html` in UTF-8, else None),
    or the error message when the file cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"cannot read file: {exc.strerror}"
    html, encoding = decode_body(raw)
    # Strict UTF-8 without a BOM (a lossy decode leaves U+FFFD): the parser can take the bytes as they are.
    utf8 = raw if encoding == "utf-8" and not raw.startswith(BOM_UTF8) and "\ufffd" not in html else None
    return html, url or _page_url(html, path), utf8


class _OnDemandLearner(BoilerplateLearner):
    """A learner that counts a host's pages only when a page of that host first needs it.

    Only pages no profile matches consult the learner (`learner.knows(url)`), so hosts whose pages
    all match a profile are never observed: the second parse of each of their pages is saved. The
    counts of a host, once observed, are exactly those of observing all its pages up front (hosts
    are counted independently, in the same page order).
    """

    def __init__(self, per_host: dict[str, list[tuple[str, Path]]], url: str | None,
                 cache: dict[Path, tuple[str, str, bytes | None]]) -> None:
        super().__init__()
        # host -> its distinct (page URL, file), not yet observed; hosts with too few pages learn nothing
        self._pending = {host: todo for host, todo in per_host.items() if len(todo) >= self.min_pages}
        self._url = url
        self._cache = cache

    def observe_all(self) -> None:
        for host in list(self._pending):
            self._observe_host(host)

    def _observe_host(self, host: str) -> None:
        todo = self._pending.pop(host, None)
        for page_url, path in todo or ():
            got = self._cache.get(path) or _read(path, self._url)
            if isinstance(got, tuple):
                self.observe(got[0], page_url)

    def knows(self, url: str) -> bool:
        if self._pending:
            self._observe_host(host_of(url))
        return BoilerplateLearner.knows(self, url)

    def is_boilerplate(self, url: str, text: str) -> bool:
        if self._pending:
            self._observe_host(host_of(url))
        return BoilerplateLearner.is_boilerplate(self, url, text)


def learn_boilerplate(paths: Iterable[Path], url: str | None = None,
                      cache: dict[Path, tuple[str, str, bytes | None]] | None = None) -> BoilerplateLearner:
    """Pass 1: count the blocks of every distinct page of every host with enough pages.

    `cache` (optional) receives the decoded pages, up to _CACHE_CHARS in all, for pass 2.
    """
    learner = _plan_learning(paths, url, {} if cache is None else cache)
    learner.observe_all()
    return learner


def _plan_learning(paths: Iterable[Path], url: str | None,
                   cache: dict[Path, tuple[str, str, bytes | None]]) -> _OnDemandLearner:
    """Read every file once (into `cache`, up to _CACHE_CHARS) and list each host's distinct pages."""
    pages: dict[str, tuple[Path, str]] = {}  # URL -> (file, host): a page repeated counts once
    cached = 0
    for path in dict.fromkeys(paths):
        got = _read(path, url)
        if isinstance(got, str):
            continue
        size = len(got[0]) + len(got[2] or b"")
        if cached + size <= _CACHE_CHARS:
            cache[path] = got
            cached += size
        host = host_of(got[1])
        if host and got[1] not in pages:
            pages[got[1]] = (path, host)
    per_host: dict[str, list[tuple[str, Path]]] = {}
    for page_url, (path, host) in pages.items():
        per_host.setdefault(host, []).append((page_url, path))
    return _OnDemandLearner(per_host, url, cache)


def extract_files(paths: Iterable[Path], url: str | None = None) -> Iterator[dict[str, object]]:
    """Extract several saved pages (two passes: learn each host's boilerplate, then extract).

    A host's pages are observed only once one of them turns out to need the learner (no profile
    matched it); the result is the same as observing every page first.
    """
    paths = list(paths)
    if len(paths) < 2:
        yield from (extract_file(path, url) for path in paths)
        return
    cache: dict[Path, tuple[str, str, bytes | None]] = {}
    learner = _plan_learning(paths, url, cache)
    for path in paths:
        yield extract_file(path, url, learner=learner, page=cache.get(path))


def extract_file(path: Path, url: str | None = None, *, learner: BoilerplateLearner | None = None,
                 page: tuple[str, str] | tuple[str, str, bytes | None] | None = None) -> dict[str, object]:
    """Extract one saved page. Failures come back as {"file", "error"}, never as an exception.

    `page`: the file's (html, page URL[, its UTF-8 bytes]) when already read.
    """
    result: dict[str, object] = {"file": str(path)}
    got = page or _read(path, url)
    if isinstance(got, str):
        result["error"] = got
        return result
    html, page_url = got[0], got[1]
    utf8 = got[2] if len(got) > 2 else None
    result["url"] = page_url
    try:
        article = normalize_article(extract(html, page_url, learner=learner, utf8=utf8))
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
