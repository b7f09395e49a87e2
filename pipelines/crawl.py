"""One incremental crawl run: discover → frontier → fetch → extract → ingest.

The frontier lives in SQLite, so a run killed at any moment resumes on the next start: discovered
URLs are rows before anything is fetched, and an article is marked stored only after its batch
committed. SIGINT/SIGTERM stop new fetches, let in-flight pages finish and write the run summary.

Each source is fetched as soon as its own discovery is written (no barrier for the slowest feed).
Fetching never waits on processing: fetch workers put each page (or why it failed) into a
byte-bounded queue and go on to the next URL; one processing task takes batches from it and runs
extract → dedup → Kiwi → store in a worker thread (Kiwi adds its own threads), starting once every
source is discovered (until then the event loop writes the frontier).

The raw archive is the spool: an article page is in a WARC file before fetch() returns, and the
processing thread marks it 'fetched' in the frontier with its record's place (at the start of each
batch, for every page that arrived since). When QUEUE_BYTES of fetched HTML are already waiting, a
page goes into the queue as its archive reference only and processing reads it back, so fetchers
never wait and memory stays bounded. A run killed by SIGKILL leaves 'fetched' rows that the next
run processes from the archive without fetching them again. Without an archive (archive off) the
queue falls back to backpressure: fetchers wait while it is full.

Processing yields to fetching: while pages are being fetched and requests start later than their
politeness slot (the gate's lateness, e.g. the GIL taken by dedup), it pauses between small
batches, so fetching keeps pace with the politeness bound and processing catches up from the spool.
At the end, or after a stop request, the queue is drained, so every fetched page reaches a terminal
state before the summary. What processing does with a page is pipelines.crawl_process.

--max-pages N caps the pages of a source per run, counting those a killed run left in the archive
(processed first); the rest wait for the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.crawl_process import MAX_ATTEMPTS, Fetched, PageProcessor
from pipelines.crawl_queue import ByteBoundedQueue
from pipelines.crawl_stats import CrawlStats, SourceStats
from pipelines.ingest import Ingestor
from pipelines.normalize import KST, iso
from pipelines.store import Store
from scraper.discover import Parser, discover
from scraper.errors import (
    FetchError,
    HttpStatusError,
    RefusedAddress,
    RobotsDisallowed,
    SkippedContent,
)
from scraper.extract import BoilerplateLearner
from scraper.fetch import Fetcher, NotModified
from scraper.models import RawPage, Source, WarcRef

log = logging.getLogger(__name__)

BATCH_SIZE = 64  # most fetched pages per processing batch (one ingest transaction)
BATCH_WHILE_FETCHING = 8  # ... while pages are still being fetched: shorter holds of the GIL
LATE_S = 0.002  # processing pauses while requests start this much after their slot (moving average)
PAUSE_S = 0.05  # and looks again after this long
MAX_PAUSE_S = 2.0  # longest single pause (inside a batch it holds the database's write transaction)
SPOOLED_BYTES = 256  # queue charge of a page waiting in the archive instead of memory
QUEUE_BYTES = 256 * 1024 * 1024  # fetched HTML waiting for processing before fetching pauses
WORKERS_PER_SOURCE = 2  # one fetching, one waiting at the politeness gate

ProgressFn = Callable[[str, int, int], None]  # (phase, done, total)


def _now() -> datetime:
    return datetime.now(UTC).astimezone(KST)




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
                 queue_bytes: int = QUEUE_BYTES, learner: BoilerplateLearner | None = None,
                 archive_folder: Path | None = None, parser: Parser | None = None) -> None:
        self._sources = list(sources)
        self._parser = parser  # where discovery parses feeds, sitemaps and listings (None: on the loop)
        self._fetcher = fetcher
        self._store = store
        self.stats = stats
        self._max_pages = max_pages
        self._since = since
        self._refresh = refresh
        self._on_progress = on_progress or (lambda phase, done, total: None)
        self._stop = asyncio.Event()
        self._queue: ByteBoundedQueue[Fetched] = ByteBoundedQueue(queue_bytes)
        self._done = 0
        self._total = 0
        self._archive = archive_folder  # the spool (the raw archive), or None: backpressure instead
        self._arrived: list[tuple[str, WarcRef]] = []  # archived since the last 'fetched' marks
        self._discovered = asyncio.Event()  # every source discovered: processing may use the database
        self._sources_discovered = 0
        self._fetching = True  # fetch workers still running
        self._spooled = 0  # pages queued by archive reference (queue full, or left by an earlier run)
        self._resumed = 0  # ... of which an earlier run had fetched
        self._paused_s = 0.0  # how long processing yielded to fetching
        self._processor = PageProcessor(store, ingestor, stats, pace=self._pace, learner=learner,
                                        archive_folder=archive_folder, since=since)

    async def run(self) -> CrawlStats:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
                loop.add_signal_handler(sig, self._request_stop)
        try:
            for s in self._sources:
                self.stats.sources.setdefault(s.id, SourceStats())
            await self._crawl_all()
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

    # -- per source: discovery, then fetching; processing beside them --------------------------
    async def _crawl_all(self) -> None:
        self._on_progress("discover", 0, len(self._sources))
        self._on_progress("fetch", 0, 0)
        if not self._sources:
            self._discovered.set()
        crawling = asyncio.gather(*(self._crawl_source(s) for s in self._sources))
        processing = asyncio.create_task(self._process_all())
        try:
            await asyncio.wait({crawling, processing}, return_when=asyncio.FIRST_COMPLETED)
            if processing.done():  # it ends before the queue is closed only by failing: stop fetching
                crawling.cancel()
                processing.result()
            await crawling
        finally:
            self._fetching = False
            self._discovered.set()  # (after a failure in discovery: let processing drain and end)
            await self._queue.close()  # processing drains every fetched page, then ends
            await processing
        self.stats.queue = {"high_water_bytes": self._queue.high_water, "full_waits": self._queue.waits,
                            "spooled": self._spooled, "resumed_from_archive": self._resumed,
                            "processing_paused_ms": round(self._paused_s * 1000)}

    async def _crawl_source(self, source: Source) -> None:
        try:
            self.stats.sources[source.id].discovered += await self._discover_one(source)
            # the frontier is read here, on the event loop, before processing may start
            jobs = [] if self._stop.is_set() else self._pending(source)
            spooled = [] if self._stop.is_set() or self._archive is None else self._store.frontier_fetched(source.id)
            if self._max_pages is not None:  # pages fetched by a killed run count too (processed first)
                spooled = spooled[: self._max_pages]
                jobs = jobs[: self._max_pages - len(spooled)]
        finally:
            self._sources_discovered += 1
            self._on_progress("discover", self._sources_discovered, len(self._sources))
            if self._sources_discovered == len(self._sources):
                self._discovered.set()
        self._total += len(jobs) + len(spooled)
        self._on_progress("fetch", self._done, self._total)
        for url, ref in spooled:  # fetched by a run that was killed: processed from the archive
            self._spooled += 1
            self._resumed += 1
            await self._queue.put(Fetched(source, url, spooled=ref), SPOOLED_BYTES, wait=False)
        # a few workers per source, not one task per page: a stop request must keep queued pages
        # from starting (a task per page would already be waiting at the politeness gate)
        queue = iter(jobs)
        await asyncio.gather(*(self._worker(queue) for _ in range(WORKERS_PER_SOURCE)))

    async def _discover_one(self, source: Source) -> int:
        validators = _DeferredValidators(self._store)
        result = await discover(source, self._fetcher, is_known=self._store.frontier_known,
                                known_among=self._store.frontier_known_among, validators=validators,
                                parser=self._parser)
        self.stats.discovery_errors.extend(result.errors)
        self.stats.sources[source.id].pages_fetched += result.pages_fetched
        now = iso(_now()) or ""
        rows = [(ref.url, source.id, ref.found_via, iso(ref.published_hint)) for ref in result.refs
                if not (self._since and ref.published_hint and ref.published_hint.astimezone(KST).date() < self._since)]
        filtered = len(rows) < len(result.refs)
        with self._store.transaction():  # one statement for the whole source
            new = self._store.frontier_add_many(rows, now)
        # Saved only after the refs are stored, so a kill in between never hides them; and not when --since
        # left refs out, so a later run without it still sees them instead of a 304.
        if not filtered:
            validators.save()
        return new

    # -- fetching -------------------------------------------------------------------------------
    def _pending(self, source: Source) -> list[tuple[Source, str]]:
        if self._refresh:
            self._store.conn.execute(
                "UPDATE frontier SET state='discovered', attempts=0 WHERE source=?", (source.id,))
        pending = self._store.frontier_pending(source.id, iso(_now()) or "", MAX_ATTEMPTS)
        if self._max_pages is not None:
            pending = pending[: self._max_pages]
        return [(source, url) for url, _ in pending]

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
        fetched = Fetched(source, url, page, failure, permanent, skip)
        if not isinstance(page, RawPage):  # a failure, a skip or a 304: a few hundred bytes, never waits
            await self._queue.put(fetched, SPOOLED_BYTES, wait=False)
            return
        size = len(page.html) + 1024
        if page.warc is not None:
            self._arrived.append((url, page.warc))  # marked 'fetched' by processing before it is stored
            if not self._queue.has_room(size):  # the queue is full: leave the page in the archive
                self._spooled += 1
                await self._queue.put(Fetched(source, url, spooled=page.warc), SPOOLED_BYTES, wait=False)
                return
        await self._queue.put(fetched, size)  # without an archive: waits while the queue is full

    # -- processing: extract → ingest, in a worker thread, one batch (one transaction) at a time -----
    async def _process_all(self) -> None:
        await self._discovered.wait()
        while True:
            await self._yield_to_fetching()
            batch = await self._queue.get_batch(BATCH_WHILE_FETCHING if self._fetching else BATCH_SIZE)
            if not batch:
                break
            arrived, self._arrived = self._arrived, []
            # the only user of the SQLite connection while pages are fetched; the event loop stays free
            await asyncio.to_thread(self._process, batch, arrived)
            self._done += len(batch)
            self._on_progress("fetch", self._done, self._total)
        if self._arrived:  # archived pages that never reached the queue (cannot happen; kept safe)
            await asyncio.to_thread(self._mark_fetched, self._arrived)

    async def _yield_to_fetching(self) -> None:
        """Pause while fetching runs behind its politeness slots and the archive can hold the pages."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while (self._archive is not None and self._fetching and not self._stop.is_set()
               and self._fetcher.lateness > LATE_S and loop.time() - started < MAX_PAUSE_S):
            # (the average moves only when requests start: the cap keeps a stale one from starving us)
            if len(self._arrived) >= BATCH_SIZE:  # keep the spool's marks current while paused
                arrived, self._arrived = self._arrived, []
                await asyncio.to_thread(self._mark_fetched, arrived)
            await asyncio.sleep(PAUSE_S)
        self._paused_s += loop.time() - started

    def _pace(self) -> None:
        """In the processing thread, between pages: sleep (freeing the GIL) while fetching runs late."""
        paused = 0.0
        while (self._archive is not None and self._fetching and not self._stop.is_set()
               and self._fetcher.lateness > LATE_S and paused < MAX_PAUSE_S):
            time.sleep(PAUSE_S / 5)
            paused += PAUSE_S / 5
        self._paused_s += paused

    # (kept as methods: the benchmark's --fetch-only and the spool tests replace _process)
    def _mark_fetched(self, arrived: list[tuple[str, WarcRef]]) -> None:
        self._processor.mark_fetched(arrived)

    def _process(self, batch: list[Fetched], arrived: list[tuple[str, WarcRef]] | None = None) -> None:
        self._processor.process(batch, arrived)
