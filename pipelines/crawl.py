"""One incremental crawl run: discover → frontier → fetch → extract → ingest.

The frontier lives in SQLite, so a run killed at any moment resumes on the next start: discovered
URLs are rows before anything is fetched, and an article is marked stored only after its batch
committed. SIGINT/SIGTERM stop new fetches, let in-flight pages finish and write the run summary.

Fetching never waits on processing: fetch workers put each page (or why it failed) into a
byte-bounded queue and go on to the next URL; one processing task takes batches from it and runs
extract → dedup → Kiwi → store in a worker thread (Kiwi adds its own threads). Fetchers only wait
when QUEUE_BYTES of fetched pages are waiting (backpressure). At the end, or after a stop request,
the queue is drained, so every fetched page reaches a terminal state before the summary; a page
still in the queue at a SIGKILL is still 'discovered' in the frontier and is fetched again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from pipelines.crawl_queue import ByteBoundedQueue
from pipelines.ingest import Ingestor, Outcome
from pipelines.normalize import KST, iso
from pipelines.store import Store
from scraper.discover import discover
from scraper.errors import (
    CorpusError,
    ExtractError,
    FetchError,
    HttpStatusError,
    RefusedAddress,
    RobotsDisallowed,
    SkippedContent,
)
from scraper.extract import BoilerplateLearner, extract
from scraper.fetch import Fetcher, NotModified
from scraper.models import Article, RawPage, Source

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a page that failed this often is left alone until --refresh
RETRY_AFTER = timedelta(minutes=30)  # a failed page is retried by a later run after this, doubling
BATCH_SIZE = 64  # most fetched pages per processing batch (one ingest transaction)
QUEUE_BYTES = 256 * 1024 * 1024  # fetched HTML waiting for processing before fetching pauses
WORKERS_PER_SOURCE = 2  # one fetching, one waiting at the politeness gate

ProgressFn = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass(slots=True)
class SourceStats:
    discovered: int = 0
    pages_fetched: int = 0
    new: int = 0
    duplicates: int = 0
    already_stored: int = 0
    skipped: int = 0
    failures: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    # extraction health (the redesign alarm compares these with the source's history)
    extracted: int = 0
    not_article: int = 0
    no_date: int = 0
    no_author: int = 0
    body_chars: int = 0


@dataclass(slots=True)
class CrawlStats:
    run_id: int
    started_at: datetime
    finished_at: datetime | None = None
    sources: dict[str, SourceStats] = field(default_factory=dict)
    discovery_errors: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False
    fetch: dict[str, dict[str, object]] = field(default_factory=dict)  # per origin: requests, bytes, ...
    warnings: list[str] = field(default_factory=list)  # e.g. extraction health alarms
    queue: dict[str, int] = field(default_factory=dict)  # fetch → processing hand-off: high water, full waits

    @property
    def failures(self) -> int:
        return sum(s.failures for s in self.sources.values()) + len(self.discovery_errors)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.interrupted else 0

    def to_dict(self) -> dict[str, object]:
        total = SourceStats()
        for s in self.sources.values():
            for name in ("discovered", "pages_fetched", "new", "duplicates", "already_stored", "skipped",
                         "failures"):
                setattr(total, name, getattr(total, name) + getattr(s, name))
        seconds = (self.finished_at - self.started_at).total_seconds() if self.finished_at else None
        return {
            "run_id": self.run_id,
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "seconds": round(seconds, 2) if seconds is not None else None,
            "interrupted": self.interrupted,
            "totals": _stats_dict(total),
            "sources": {k: _stats_dict(v) for k, v in self.sources.items()},
            "discovery_errors": [{"url": u, "reason": r} for u, r in self.discovery_errors],
            "hosts": self.fetch,
            "warnings": self.warnings,
            "queue": self.queue,
        }


def _stats_dict(s: SourceStats) -> dict[str, object]:
    return {
        "discovered": s.discovered, "pages_fetched": s.pages_fetched, "new": s.new,
        "duplicates": s.duplicates, "already_stored": s.already_stored, "skipped": s.skipped,
        "failures": s.failures, "reasons": dict(s.reasons),
        "health": {"extracted": s.extracted, "not_article": s.not_article, "no_date": s.no_date,
                   "no_author": s.no_author, "mean_chars": round(s.body_chars / s.extracted) if s.extracted else 0},
    }


def _now() -> datetime:
    return datetime.now(UTC).astimezone(KST)


@dataclass(frozen=True, slots=True)
class _Fetched:
    """A fetch worker's result for one frontier URL, waiting in the queue for processing."""

    source: Source
    url: str
    page: RawPage | NotModified | None = None
    failure: str | None = None  # recorded as failed with this reason
    permanent: bool = False  # ... and not retried
    skip: str | None = None  # recorded as skipped with this reason


class _DeferredValidators:
    """ETag/Last-Modified cache whose new values are written only once discovery's refs are stored."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._pending: dict[str, tuple[str | None, str | None]] = {}

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        return self._store.get(url)

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self._pending[url] = (etag, last_modified)

    def save(self) -> None:
        for url, (etag, last_modified) in self._pending.items():
            self._store.put(url, etag, last_modified)
        self._pending.clear()


class CrawlRun:
    """Runs one crawl over the given sources with the objects built by run.py."""

    def __init__(self, sources: Sequence[Source], fetcher: Fetcher, store: Store, ingestor: Ingestor,
                 stats: CrawlStats, *, max_pages: int | None = None, since: date | None = None,
                 refresh: bool = False, on_progress: ProgressFn | None = None,
                 queue_bytes: int = QUEUE_BYTES, learner: BoilerplateLearner | None = None) -> None:
        self._sources = list(sources)
        self._fetcher = fetcher
        self._store = store
        self._ingestor = ingestor
        self.stats = stats
        self._max_pages = max_pages
        self._since = since
        self._refresh = refresh
        self._learner = learner  # host-level boilerplate counts: every page is observed as it is extracted
        self._on_progress = on_progress or (lambda phase, done, total: None)
        self._stop = asyncio.Event()
        self._queue: ByteBoundedQueue[_Fetched] = ByteBoundedQueue(queue_bytes)
        self._done = 0
        self._total = 0

    async def run(self) -> CrawlStats:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
                loop.add_signal_handler(sig, self._request_stop)
        try:
            for s in self._sources:
                self.stats.sources.setdefault(s.id, SourceStats())
            await self._discover_all()
            if not self._stop.is_set():
                await self._fetch_all()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
        self.stats.interrupted = self._stop.is_set()
        self.stats.fetch = {
            origin: {"requests": o.requests, "bytes": o.bytes, "retries": o.retries,
                     "statuses": {str(k): v for k, v in o.statuses.items()}, "failures": dict(o.failures),
                     "robots": o.robots}
            for origin, o in self._fetcher.stats.origins.items()
        }
        return self.stats

    def _request_stop(self) -> None:
        log.warning("stop requested: finishing in-flight pages, then writing the run summary")
        self._stop.set()

    # -- discovery ------------------------------------------------------------------------------
    async def _discover_all(self) -> None:
        self._on_progress("discover", 0, len(self._sources))
        done = 0
        results = await asyncio.gather(*(self._discover_one(s) for s in self._sources))
        for source, new in zip(self._sources, results, strict=True):
            self.stats.sources[source.id].discovered += new
            done += 1
        self._on_progress("discover", done, len(self._sources))

    async def _discover_one(self, source: Source) -> int:
        validators = _DeferredValidators(self._store)
        result = await discover(source, self._fetcher, is_known=self._store.frontier_known,
                                validators=validators)
        self.stats.discovery_errors.extend(result.errors)
        self.stats.sources[source.id].pages_fetched += result.pages_fetched
        now = iso(_now()) or ""
        new = 0
        filtered = False
        with self._store.transaction():
            for ref in result.refs:
                if self._since and ref.published_hint and ref.published_hint.astimezone(KST).date() < self._since:
                    filtered = True
                    continue
                new += self._store.frontier_add(ref.url, source.id, ref.found_via, iso(ref.published_hint), now)
        # Saved only after the refs are stored, so a kill in between never hides them; and not when --since
        # left refs out, so a later run without it still sees them instead of a 304.
        if not filtered:
            validators.save()
        return new

    # -- fetching -------------------------------------------------------------------------------
    async def _fetch_all(self) -> None:
        now = iso(_now()) or ""
        jobs: dict[str, list[tuple[Source, str]]] = {}
        for source in self._sources:
            if self._refresh:
                self._store.conn.execute(
                    "UPDATE frontier SET state='discovered', attempts=0 WHERE source=?", (source.id,))
            pending = self._store.frontier_pending(source.id, now, MAX_ATTEMPTS)
            if self._max_pages is not None:
                pending = pending[: self._max_pages]
            jobs.setdefault(source.id, []).extend((source, url) for url, _ in pending)
        self._total = sum(len(j) for j in jobs.values())
        self._on_progress("fetch", 0, self._total)
        # a few workers per source, not one task per page: a stop request must keep queued pages
        # from starting (a task per page would already be waiting at the politeness gate)
        queues = [iter(j) for j in jobs.values()]
        fetching = asyncio.gather(*(self._worker(q) for q in queues for _ in range(WORKERS_PER_SOURCE)))
        processing = asyncio.create_task(self._process_all())
        try:
            await asyncio.wait({fetching, processing}, return_when=asyncio.FIRST_COMPLETED)
            if processing.done():  # it ends before the queue is closed only by failing: stop fetching
                fetching.cancel()
                processing.result()
            await fetching
        finally:
            await self._queue.close()  # processing drains every fetched page, then ends
            await processing
        self.stats.queue = {"high_water_bytes": self._queue.high_water, "full_waits": self._queue.waits}

    async def _worker(self, queue: Iterator[tuple[Source, str]]) -> None:
        for source, url in queue:
            if self._stop.is_set():
                return
            await self._fetch_one(source, url)

    async def _fetch_one(self, source: Source, url: str) -> None:
        """Fetch one page and hand it (or why it failed) to processing; never waits on processing
        unless QUEUE_BYTES of fetched pages are already waiting."""
        if self._stop.is_set():
            return
        page: RawPage | NotModified | None = None
        failure: str | None = None
        permanent = False
        skip: str | None = None
        try:
            page = await self._fetcher.fetch(url, source=source.id, rate=source.rate, encoding=source.encoding)
        except RobotsDisallowed as exc:
            unavailable = self._fetcher.robots_unavailable(url)
            if unavailable:  # a server error, not a rule: try again in a later run
                failure = f"robots.txt unavailable ({unavailable})"
            else:
                skip = exc.reason
        except (SkippedContent, RefusedAddress) as exc:  # retrying will not change the answer
            failure, permanent = exc.reason, True
        except HttpStatusError as exc:
            failure, permanent = exc.reason, exc.status in (404, 410)
        except FetchError as exc:
            failure = exc.reason
        fetched = _Fetched(source, url, page, failure, permanent, skip)
        size = len(page.html) if isinstance(page, RawPage) else 0
        await self._queue.put(fetched, size + 1024)

    # -- processing: extract → ingest, in a worker thread, one batch (one transaction) at a time -----
    async def _process_all(self) -> None:
        while batch := await self._queue.get_batch(BATCH_SIZE):
            # the only user of the SQLite connection while pages are fetched; the event loop stays free
            await asyncio.to_thread(self._process, batch)
            self._done += len(batch)
            self._on_progress("fetch", self._done, self._total)

    def _process(self, batch: list[_Fetched]) -> None:
        articles: list[tuple[Article, str]] = []  # (article, frontier url)
        for item in batch:
            st, url = self.stats.sources[item.source.id], item.url
            if item.failure is not None:
                self._fail(st, url, item.failure, permanent=item.permanent)
            elif item.skip is not None:
                self._skip(st, url, item.skip)
            elif isinstance(item.page, NotModified):
                self._mark(url, "stored", reason="not modified")
            elif item.page is not None:
                article = self._extract(st, item.source, item.page)
                if article is not None:
                    articles.append((article, url))
        if articles:
            self._store_batch(articles)

    def _extract(self, st: SourceStats, source: Source, page: RawPage) -> Article | None:
        st.pages_fetched += 1
        try:
            article = extract(page.html, page.url, fetched_at=page.fetched_at, profile=source.profile,
                              source=source.id, learner=self._learner, observe=self._learner is not None)
            article = replace(article, warc=page.warc)  # the raw archive reference (scraper.archive)
        except ExtractError as exc:
            st.not_article += 1
            self._skip(st, page.url, f"not an article ({exc.reason})")
            return None
        st.extracted += 1
        st.no_date += article.published is None
        st.no_author += not article.authors
        st.body_chars += len(article.body)
        if self._since and article.published and article.published.astimezone(KST).date() < self._since:
            self._skip(st, page.url, "published before --since")
            return None
        return article

    def _store_batch(self, batch: list[tuple[Article, str]]) -> None:
        try:
            outcomes = self._ingestor.ingest([a for a, _ in batch])
        except (CorpusError, ValueError, sqlite3.Error) as exc:  # the batch rolled back; its pages retry later
            log.error("storing a batch failed: %s", exc)
            for article, url in batch:
                self._fail(self.stats.sources[article.source], url, f"store: {exc}")
            return
        self._write_stored(batch, outcomes, iso(_now()) or "")

    def _write_stored(self, batch: list[tuple[Article, str]], outcomes: list[Outcome], now: str) -> None:
        with self._store.transaction():
            for (article, url), out in zip(batch, outcomes, strict=True):
                st = self.stats.sources[article.source]
                if out.status == "invalid":
                    st.skipped += 1
                    st.reasons["empty article"] += 1
                    self._store.frontier_set(url, "skipped", now, reason="empty article", attempt=True)
                    continue
                if out.status == "url":
                    st.already_stored += 1
                elif out.status == "new":
                    st.new += 1
                else:
                    st.duplicates += 1
                article_id = out.article_id if out.article_id is not None else out.match_id
                self._store.frontier_set(url, "stored", now, article_id=article_id, attempt=True)
                if out.url != url:
                    self._store.frontier_alias(out.url, article.source, now)

    def _mark(self, url: str, state: str, *, reason: str | None = None) -> None:
        with self._store.transaction():
            self._store.frontier_set(url, state, iso(_now()) or "", reason=reason, attempt=True)

    def _skip(self, st: SourceStats, url: str, reason: str) -> None:
        st.skipped += 1
        st.reasons[reason] += 1
        log.info("skipped %s: %s", url, reason)
        self._mark(url, "skipped", reason=reason)

    def _fail(self, st: SourceStats, url: str, reason: str, *, permanent: bool = False) -> None:
        st.failures += 1
        st.reasons[reason] += 1
        log.warning("failed %s: %s", url, reason)
        self._record_failure(url, reason, permanent)

    def _record_failure(self, url: str, reason: str, permanent: bool) -> None:
        row = self._store.conn.execute("SELECT attempts FROM frontier WHERE url=?", (url,)).fetchone()
        attempts = (int(row[0]) if row else 0) + 1
        retry_at = None if permanent else iso(_now() + RETRY_AFTER * (2 ** (attempts - 1)))
        with self._store.transaction():
            self._store.frontier_set(url, "failed", iso(_now()) or "", reason=reason, next_retry_at=retry_at,
                                     attempt=True)
            if permanent:
                self._store.conn.execute("UPDATE frontier SET attempts=? WHERE url=?", (MAX_ATTEMPTS, url))
