"""Find candidate article URLs of one source: feeds, then sitemaps, then listing pages.

Every URL found is made absolute and canonical, filtered by the source's article_pattern
(searched in the canonical and in the raw URL), deduplicated within the run, and dropped if the
caller already knows it (`is_known`, e.g. "in the frontier"). A broken feed, sitemap or listing
page is reported in `errors` and discovery goes on with the next one. Each document's links are
checked against `known_among` in one call (one query) when the caller gives it.

Parsing (scraper.discover_parse: the parser, absolutizing, canonicalising, the article_pattern)
runs in the parser process when the caller gives one (`parser`, scraper.discover_worker), else on
the event loop. Not in a worker thread: it would hold the GIL while the loop waits for it after
every system call (up to the 5 ms switch interval each); that was tried and lost more than it gained.

Listings: for each template, pages 1..max_listing_pages are read in order and the walk stops at
the first page that brings no new URL (all links seen earlier in this run or already known), that
fails, or that is not modified since the last run.

Conditional GET: with a ValidatorCache, feeds, sitemaps and listing pages are fetched with
If-None-Match / If-Modified-Since; a 304 means nothing new there. New validators are stored at
the end of discover(), after every fetch — the caller should persist the refs promptly, since a
run killed between the two would find the feed "not modified" until it changes again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from scraper.discover_parse import feed_links, listing_links, sitemap_links
from scraper.errors import FetchError, HttpStatusError
from scraper.fetch import Fetcher, NotModified
from scraper.models import ArticleRef, RawPage, Source
from scraper.urls import absolutize

log = logging.getLogger(__name__)

MAX_CHILD_SITEMAPS = 50  # newest children of a sitemap index read per run
MAX_SITEMAP_DEPTH = 2  # index → index → urlset


T = TypeVar("T")


class Parser(Protocol):
    """Runs a function of scraper.discover_parse somewhere (e.g. another process); same result."""

    async def call(self, fn: Callable[..., T], *args: Any) -> T: ...


class ValidatorCache(Protocol):
    """Where discover() keeps ETag / Last-Modified of feeds, sitemaps and listing pages."""

    def get(self, url: str) -> tuple[str | None, str | None] | None: ...

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None: ...


@dataclass(frozen=True)
class DiscoveryResult:
    refs: list[ArticleRef]  # new candidate articles, canonical URLs, in discovery order
    errors: list[tuple[str, str]]  # (url, reason) of feeds/sitemaps/listing pages that failed
    pages_fetched: int  # feed/sitemap/listing documents received (not counting 304s)
    not_modified: int = 0  # documents that answered 304


@dataclass
class _Run:
    source: Source
    fetcher: Fetcher
    is_known: Callable[[str], bool]
    validators: ValidatorCache | None
    max_child_sitemaps: int
    known_among: Callable[[list[str]], set[str]] | None = None
    parser: Parser | None = None
    refs: list[ArticleRef] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    pages: int = 0
    not_modified: int = 0
    new_validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    async def get(self, url: str, accept: str, *, end_ok: bool = False) -> RawPage | None:
        """Fetch a discovery document; None when it failed (recorded) or is unchanged.

        With end_ok, a 404/410 is the end of a paginated listing, not an error.
        """
        etag = last_modified = None
        if self.validators is not None:
            known = self.validators.get(url)
            if known is not None:
                etag, last_modified = known
        try:
            page = await self.fetcher.fetch(
                url,
                source=self.source.id,
                rate=self.source.rate,
                encoding=self.source.encoding if accept == "html" else None,
                etag=etag,
                last_modified=last_modified,
                accept=accept,
                purpose="discovery",
            )
        except HttpStatusError as e:
            if end_ok and e.status in (404, 410):
                log.debug("discovery: %s: listing ends at %s (HTTP %d)", self.source.id, url, e.status)
                return None
            log.warning("discovery: %s: %s", self.source.id, e)
            self.errors.append((url, e.reason))
            return None
        except FetchError as e:
            log.warning("discovery: %s: %s", self.source.id, e)
            self.errors.append((url, e.reason))
            return None
        if isinstance(page, NotModified):
            self.not_modified += 1
            return None
        self.pages += 1
        if page.etag or page.last_modified:
            self.new_validators[url] = (page.etag, page.last_modified)
        return page

    async def parse(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) of scraper.discover_parse: in the parser process if there is one."""
        if self.parser is None:
            return fn(*args)
        return await self.parser.call(fn, *args)

    def take(self, found: list[tuple[str, datetime | None]], via: str) -> int:
        """Keep accepted URLs (canonical, with their date hint); how many are new (not seen in this run,
        not known). The known check is one query for the whole document when `known_among` is given."""
        fresh: list[tuple[str, datetime | None]] = []
        for url, hint in found:
            if url not in self.seen:
                self.seen.add(url)
                fresh.append((url, hint))
        urls = [url for url, _ in fresh]
        known = self.known_among(urls) if self.known_among is not None else {u for u in urls if self.is_known(u)}
        new = 0
        for url, hint in fresh:
            if url not in known:
                self.refs.append(ArticleRef(self.source.id, url, via, hint))
                new += 1
        return new

    async def feeds(self) -> None:
        for feed_url in self.source.feeds:
            page = await self.get(feed_url, "xml")
            if page is None:
                continue
            body = page.body or page.html.encode("utf-8")
            error, items, accepted = await self.parse(feed_links, page.url, body, self.source.article_pattern)
            if error and not items:
                self.errors.append((feed_url, error))
                continue
            if error:
                log.info("discovery: %s: %s (kept %d items)", feed_url, error, items)
            self.take(accepted, "feed")

    async def sitemaps(self) -> None:
        visited: set[str] = set()
        for sitemap_url in self.source.sitemaps:
            await self._sitemap(sitemap_url, 0, visited)

    async def _sitemap(self, url: str, depth: int, visited: set[str]) -> None:
        if url in visited:
            return
        visited.add(url)
        page = await self.get(url, "xml")
        if page is None:
            return
        body = page.body or page.html.encode("utf-8")
        sitemap, refused, accepted = await self.parse(sitemap_links, url, page.url, body,
                                                      self.source.article_pattern)
        if sitemap is None:
            self.errors.append((url, refused or "not a sitemap"))
            return
        if sitemap.error:
            self.errors.append((url, sitemap.error))
        if not sitemap.is_index:
            self.take(accepted, "sitemap")
            return
        if depth >= MAX_SITEMAP_DEPTH:
            self.errors.append((url, "sitemap index nested too deep"))
            return
        children = sorted(sitemap.entries, key=lambda e: e.published.timestamp() if e.published else 0.0)
        for child in reversed(children[-self.max_child_sitemaps :]):
            target = absolutize(page.url, child.loc)
            if target is not None:
                await self._sitemap(target, depth + 1, visited)

    async def listings(self) -> None:
        for template in self.source.listings:
            for number in range(1, self.source.max_listing_pages + 1):
                listing_url = template.replace("{page}", str(number))
                page = await self.get(listing_url, "html", end_ok=number > 1)
                if page is None:
                    break
                links = await self.parse(listing_links, page.url, page.html, self.source.article_pattern)
                new = self.take([(url, None) for url in links], "listing")
                log.debug("listing %s: %d new", listing_url, new)
                if new == 0:
                    break


async def discover(
    source: Source,
    fetcher: Fetcher,
    *,
    is_known: Callable[[str], bool] = lambda u: False,
    validators: ValidatorCache | None = None,
    max_child_sitemaps: int = MAX_CHILD_SITEMAPS,
    known_among: Callable[[list[str]], set[str]] | None = None,
    parser: Parser | None = None,
) -> DiscoveryResult:
    """Candidate articles of one source (feeds → sitemaps → listings).

    `known_among`: which of these URLs the caller already knows, in one call per document (used
    instead of `is_known` for each URL when given). `parser`: where documents are parsed (default:
    here, on the event loop)."""
    run = _Run(source, fetcher, is_known, validators, max_child_sitemaps, known_among, parser)
    await run.feeds()
    await run.sitemaps()
    await run.listings()
    if validators is not None:
        for url, (etag, last_modified) in run.new_validators.items():
            validators.put(url, etag, last_modified)
    log.info(
        "discovered %d new URLs for %s (%d documents, %d not modified, %d errors)",
        len(run.refs),
        source.id,
        run.pages,
        run.not_modified,
        len(run.errors),
    )
    return DiscoveryResult(run.refs, run.errors, run.pages, run.not_modified)
