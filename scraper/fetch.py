"""The polite async fetcher: one place where every request of a crawl goes through.

Per request, in order: the URL must be http(s); its host must pass the private-address rule
(scraper.addresses); robots.txt of its origin must allow it (scraper.robots, fetched once per
origin); then the request waits for its origin's slot (scraper.politeness: delay = the larger of
the source's `rate` — or `min_delay_s` without one — and robots.txt Crawl-delay). Redirects are
followed by hand so each hop gets the same checks. Connect errors, timeouts and
`retry_statuses` are retried with exponential backoff and jitter, or after the server's
Retry-After (capped). The body is streamed and cut off at `max_bytes`; non-HTML content is
skipped unless the caller asks for XML (feeds, sitemaps). Text is decoded by scraper.charset.

Raises (all FetchError): RobotsDisallowed, RefusedAddress, HttpStatusError (a non-success
status, after retries for retryable ones), SkippedContent (wrong content type, too large,
redirect loop, too many redirects) and plain FetchError for network errors after retries.
A 304 answer to a conditional request is not an error: fetch() returns NotModified.

With an archive sink (scraper.archive.ArchiveWriter), every final response the sink wants (by
`purpose`: article pages; with scope "all" also discovery documents) is written to the raw archive
before fetch() returns, and the RawPage carries its WarcRef.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from scraper.addresses import AddressGuard, Resolver, resolve_host
from scraper.archive.record import ArchivedResponse
from scraper.charset import decode_body
from scraper.config import FetchConfig
from scraper.errors import FetchError, HttpStatusError, RefusedAddress, RobotsDisallowed, SkippedContent
from scraper.models import RawPage, WarcRef
from scraper.pinning import PinnedAddresses
from scraper.politeness import PolitenessGate
from scraper.robots import (
    MAX_ROBOTS_BYTES,
    RobotsCache,
    RobotsRules,
    agent_token,
    rules_from_response,
    unreachable,
)
from scraper.urls import Origin, absolutize, is_http_url, origin_label, origin_of

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT_HEADERS = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "xml": "application/rss+xml,application/atom+xml,application/xml,text/xml;q=0.9,*/*;q=0.5",
    "any": "*/*",
}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_XML_MARKERS = ("xml", "rss", "atom", "gzip", "text/", "application/octet-stream")


@dataclass(frozen=True)
class NotModified:
    """The server answered 304 to a conditional GET: nothing new at this URL."""

    url: str


@dataclass
class OriginStats:
    """Counters for one origin (mutable inside the Fetcher; callers get copies)."""

    requests: int = 0  # attempts sent, including retries, redirect hops and robots.txt
    bytes: int = 0  # body bytes received (after Content-Encoding)
    retries: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # by reason ("HTTP 404", "robots", ...)
    robots: str = ""  # how robots.txt was resolved


@dataclass(frozen=True)
class FetchStats:
    """A snapshot of the fetcher's counters, per origin label ("https://host")."""

    origins: dict[str, OriginStats]

    @property
    def requests(self) -> int:
        return sum(o.requests for o in self.origins.values())

    @property
    def bytes(self) -> int:
        return sum(o.bytes for o in self.origins.values())

    @property
    def retries(self) -> int:
        return sum(o.retries for o in self.origins.values())

    @property
    def failures(self) -> int:
        return sum(sum(o.failures.values()) for o in self.origins.values())


class ArchiveSink(Protocol):
    """Where fetched responses are archived (scraper.archive.ArchiveWriter)."""

    def wants(self, purpose: str) -> bool: ...

    def write(self, response: ArchivedResponse) -> WarcRef: ...


@dataclass(frozen=True)
class _Answer:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    reason: str = ""
    http_version: str = ""


class _Retry(Exception):
    """Internal: the attempt failed in a retryable way."""

    def __init__(self, why: str, wait_s: float | None = None, status: int | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.wait_s = wait_s
        self.status = status


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _content_type_ok(content_type: str, accept: str) -> bool:
    ctype = content_type.split(";", 1)[0].strip().lower()
    if not ctype or accept == "any":
        return True
    if accept == "xml":
        return any(marker in ctype for marker in _XML_MARKERS)
    return ctype in _HTML_TYPES


class Fetcher:
    """Polite fetching for one crawl run. Holds the robots cache, the politeness state and stats.

    Args:
        private_allowed: (host, port) pairs that may resolve to private/loopback addresses.
        resolver: optional keyword; async (host, port) -> addresses, for tests with fake hosts.
        archive: optional keyword; where final responses are archived (see the module docstring).
        pins: optional keyword; where the address approved for each resolved host is recorded, for the
            client's connections to use (scraper.pinning: no DNS rebinding between check and connect).
    """

    def __init__(
        self,
        cfg: FetchConfig,
        client: httpx.AsyncClient,
        *,
        private_allowed: frozenset[tuple[str, int]] = frozenset(),
        resolver: Resolver = resolve_host,
        archive: ArchiveSink | None = None,
        pins: PinnedAddresses | None = None,
    ) -> None:
        self._cfg = cfg
        self._archive = archive
        self._client = client
        self._guard = AddressGuard(private_allowed, resolver, pins)
        self._gate = PolitenessGate(cfg.per_host_concurrency, cfg.global_concurrency)
        self._robots = RobotsCache()
        self._agent = agent_token(cfg.user_agent)
        self._stats: dict[Origin, OriginStats] = {}
        self._rng = random.Random()

    @property
    def stats(self) -> FetchStats:
        return FetchStats({origin_label(o): copy.deepcopy(s) for o, s in self._stats.items()})

    @property
    def lateness(self) -> float:
        """How late requests start after their politeness slot, recently (seconds, moving average)."""
        return self._gate.lateness

    def robots_unavailable(self, url: str) -> str | None:
        """Why robots.txt of url's origin could not be read (5xx, 429, network), or None.

        Such an origin is treated as fully disallowed for this run, but unlike a real Disallow
        the verdict is temporary: callers should retry its pages in a later run.
        """
        stats = self._stats.get(origin_of(url)) if is_http_url(url) else None
        note = stats.robots if stats is not None else ""
        return note if note.startswith(("HTTP 429", "HTTP 5", "unreachable")) else None

    def _origin_stats(self, origin: Origin) -> OriginStats:
        stats = self._stats.get(origin)
        if stats is None:
            stats = self._stats[origin] = OriginStats()
        return stats

    async def fetch(
        self,
        url: str,
        *,
        source: str = "",
        rate: float | None = None,
        encoding: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "html",
        purpose: str = "article",
    ) -> RawPage | NotModified:
        """Fetch one URL politely. `accept` is "html" (pages) or "xml" (feeds and sitemaps).

        `purpose` ("article" or "discovery") decides whether the archive sink keeps the response.
        """
        if accept not in ACCEPT_HEADERS:
            raise ValueError(f"accept must be one of {sorted(ACCEPT_HEADERS)}, not {accept!r}")
        headers = {"User-Agent": self._cfg.user_agent, "Accept": ACCEPT_HEADERS[accept]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            answer = await self._follow(url, headers, rate, accept, self._cfg.max_bytes, check_robots=True)
        except FetchError as e:
            if is_http_url(url):
                self._origin_stats(origin_of(url)).failures[_failure_key(e)] += 1
            raise
        if answer.status == 304:
            return NotModified(url)
        ctype = answer.headers.get("content-type")
        html, used = decode_body(answer.body, ctype, encoding)
        fetched_at = datetime.now(UTC)
        received = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in answer.headers.raw)
        warc = None
        if self._archive is not None and self._archive.wants(purpose):
            warc = self._archive.write(ArchivedResponse(
                requested_url=url, url=answer.url, status=answer.status, reason=answer.reason,
                http_version=answer.http_version, headers=received, body=answer.body, fetched_at=fetched_at,
                source=source, encoding_override=encoding, purpose=purpose))
        return RawPage(
            source=source,
            url=answer.url,
            status=answer.status,
            html=html,
            fetched_at=fetched_at,
            encoding=used,
            etag=answer.headers.get("etag"),
            last_modified=answer.headers.get("last-modified"),
            body=answer.body,
            headers=received,
            warc=warc,
            requested_url=url,
        )

    # ---------------------------------------------------------------- redirects and checks

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        rate: float | None,
        accept: str,
        cap: int,
        *,
        check_robots: bool,
    ) -> _Answer:
        if not is_http_url(url):
            raise SkippedContent(url, "not an http(s) URL")
        current = url
        seen = {url}
        for hop in range(self._cfg.max_redirects + 1):
            await self._guard.check(current)
            delay = await self._delay_for(current, rate, check_robots)
            answer = await self._with_retries(current, headers, delay, accept, cap)
            if answer.status not in REDIRECT_STATUSES:
                return answer
            location = answer.headers.get("location", "")
            target = absolutize(current, location)
            if target is None:
                raise SkippedContent(url, f"redirect to unusable location {location!r}")
            if target in seen:
                raise SkippedContent(url, f"redirect loop at {target}")
            if hop == self._cfg.max_redirects:
                break
            log.debug("redirect %s -> %s", current, target)
            seen.add(target)
            current = target
        raise SkippedContent(url, f"too many redirects (> {self._cfg.max_redirects})")

    async def _delay_for(self, url: str, rate: float | None, check_robots: bool) -> float:
        base = rate if rate is not None else self._cfg.min_delay_s
        if not (check_robots and self._cfg.obey_robots):
            return base
        origin = origin_of(url)
        rules = await self._robots.get(origin, lambda: self._load_robots(origin, base))
        self._origin_stats(origin).robots = rules.note
        if not rules.allows(url, self._agent):
            raise RobotsDisallowed(url)
        crawl_delay = rules.crawl_delay(self._agent)
        return max(base, crawl_delay) if crawl_delay is not None else base

    async def _load_robots(self, origin: Origin, delay: float) -> RobotsRules:
        url = f"{origin_label(origin)}/robots.txt"
        headers = {"User-Agent": self._cfg.user_agent, "Accept": "text/plain,*/*;q=0.5"}
        try:
            answer = await self._follow(url, headers, delay, "any", MAX_ROBOTS_BYTES * 4, check_robots=False)
        except HttpStatusError as e:
            return rules_from_response(e.status, b"")
        except FetchError as e:
            return unreachable(e.reason)
        return rules_from_response(answer.status, answer.body)

    # ---------------------------------------------------------------- one URL, with retries

    async def _with_retries(self, url: str, headers: dict[str, str], delay: float, accept: str, cap: int) -> _Answer:
        origin = origin_of(url)
        stats = self._origin_stats(origin)
        attempt = 0
        while True:
            try:
                async with self._gate.slot(origin, delay):
                    return await self._attempt(url, headers, accept, cap, stats)
            except _Retry as retry:
                if attempt >= self._cfg.max_retries:
                    if retry.status is not None:
                        raise HttpStatusError(url, retry.status) from None
                    raise FetchError(url, f"network error: {retry.why}") from None
                wait = retry.wait_s
                if wait is None:
                    wait = self._cfg.backoff_base_s * (2**attempt) * self._rng.uniform(0.5, 1.5)
                wait = min(wait, self._cfg.max_retry_after_s)
                attempt += 1
                stats.retries += 1
                log.debug("retry %d/%d of %s in %.2fs (%s)", attempt, self._cfg.max_retries, url, wait, retry.why)
                self._gate.push_back(origin, wait)

    async def _attempt(self, url: str, headers: dict[str, str], accept: str, cap: int, stats: OriginStats) -> _Answer:
        started = time.monotonic()
        stats.requests += 1
        try:
            request = self._client.build_request("GET", url, headers=headers, timeout=self._cfg.timeout_s)
        except httpx.InvalidURL as e:
            raise SkippedContent(url, f"invalid URL ({e})") from None
        try:
            async with asyncio.timeout(self._cfg.timeout_s * 4):  # a trickling body must end too
                response = await self._client.send(request, stream=True, follow_redirects=False)
                try:
                    answer = await self._read(url, response, accept, cap, stats)
                finally:
                    await response.aclose()
        except httpx.DecodingError as e:  # a broken Content-Encoding: retrying will not help
            raise FetchError(url, f"undecodable body ({e})") from None
        except (httpx.TransportError, TimeoutError) as e:
            log.debug("GET %s -> %s (%.2fs)", url, type(e).__name__, time.monotonic() - started)
            raise _Retry(type(e).__name__) from e
        log.debug("GET %s -> %d (%d bytes, %.2fs)", url, answer.status, len(answer.body), time.monotonic() - started)
        return answer

    async def _read(self, url: str, response: httpx.Response, accept: str, cap: int, stats: OriginStats) -> _Answer:
        status = response.status_code
        stats.statuses[status] += 1
        if status in self._cfg.retry_statuses:
            wait = parse_retry_after(response.headers.get("retry-after"))
            raise _Retry(f"HTTP {status}", wait, status)
        if status in REDIRECT_STATUSES or status == 304:
            return _Answer(url, status, response.headers)
        if not 200 <= status < 300:
            raise HttpStatusError(url, status)
        ctype = response.headers.get("content-type", "")
        if not _content_type_ok(ctype, accept):
            raise SkippedContent(url, f"content type {ctype.split(';', 1)[0].strip()}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise SkippedContent(url, f"too large (Content-Length {declared} > {cap})")
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            stats.bytes += len(chunk)
            if total > cap:
                raise SkippedContent(url, f"too large (> {cap} bytes)")
            chunks.append(chunk)
        return _Answer(url, status, response.headers, b"".join(chunks), response.reason_phrase,
                       response.http_version)


def _failure_key(error: FetchError) -> str:
    """A short, low-cardinality label for the stats ("HTTP 404", "skipped: too large", ...)."""
    if isinstance(error, SkippedContent):
        why = error.reason.removeprefix("skipped (").removesuffix(")")
        return "skipped: " + " ".join(why.split()[:2])
    if isinstance(error, RobotsDisallowed):
        return "robots"
    if isinstance(error, RefusedAddress):
        return "refused address"
    if error.reason.startswith("cannot resolve host"):
        return "cannot resolve host"
    return error.reason
