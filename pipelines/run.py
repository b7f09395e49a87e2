"""The library API: each function builds the stage objects once and runs one job.

cli.py only parses options, calls one of these and prints what it returns.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pipelines.dedup import Deduper
from pipelines.health import Health, check_and_record
from pipelines.importer import ImportStats, check_input, import_jsonl
from pipelines.ingest import Ingestor
from pipelines.lock import run_lock
from pipelines.normalize import KST
from pipelines.store import Store
from pipelines.tokenize import Tokenizer
from scraper.archive import ArchiveWriter
from scraper.config import Config
from scraper.errors import StoreError
from scraper.extract import BoilerplateLearner
from scraper.models import Source

if TYPE_CHECKING:
    from pipelines.crawl import CrawlStats, ProgressFn
    from pipelines.rebuild import RebuildStats

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC).astimezone(KST)


def open_existing(db_path: Path) -> Store:
    """Open a corpus for reading; a missing file is an error, never silently created."""
    if not db_path.exists():
        raise StoreError(f"no corpus at {db_path}: run `newscorpus crawl` (or `make demo`) first, or pass --db")
    if db_path.is_dir():
        raise StoreError(f"{db_path} is a folder, not a corpus database")
    return Store(db_path)


@contextmanager
def writing_store(db_path: Path, *, threads: bool = False) -> Iterator[Store]:
    """The store of one writing run, under the per-database run lock."""
    if db_path.is_dir():
        raise StoreError(f"{db_path} is a folder, not a corpus database")
    if db_path.exists() and not os.access(db_path, os.W_OK):
        raise StoreError(f"cannot write to {db_path}: the database is read-only")
    if not os.access(db_path.parent if str(db_path.parent) else Path("."), os.W_OK):
        raise StoreError(f"cannot write to {db_path.parent}: the folder is read-only or missing")
    with run_lock(db_path):
        store = Store(db_path, check_same_thread=not threads)
        try:
            yield store
        finally:
            store.close()


def private_hosts(sources: Sequence[Source]) -> frozenset[tuple[str, int]]:
    """(host, port) of every URL named in the sources: the only private hosts a crawl may reach."""
    hosts: set[tuple[str, int]] = set()
    for s in sources:
        for url in (s.homepage, *s.feeds, *s.sitemaps, *(t.replace("{page}", "1") for t in s.listings)):
            parts = urlsplit(url)
            if parts.hostname:
                hosts.add((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)))
    return frozenset(hosts)


def crawl(cfg: Config, sources: Sequence[Source], *, max_pages: int | None = None, since: date | None = None,
          refresh: bool = False, user_dict: Path | None = None, on_progress: ProgressFn | None = None,
          workers: int | None = None, queue_bytes: int | None = None) -> CrawlStats:
    """One incremental crawl of every source into cfg.db_path.

    `queue_bytes`: fetched HTML held in memory for processing (default pipelines.crawl.QUEUE_BYTES);
    beyond it pages wait in the raw archive (or, with the archive off, fetching waits).
    """
    import httpx

    from pipelines.crawl import QUEUE_BYTES, CrawlRun, CrawlStats
    from scraper.discover_worker import ParserProcess
    from scraper.fetch import Fetcher
    from scraper.pinning import PinnedAddresses
    from scraper.transport import PerOriginTransport

    # the parser process boots (on another core) while the store, Kiwi and the archive are opened
    with writing_store(cfg.db_path, threads=True) as store, ParserProcess() as parser, \
            _archive_writer(cfg) as archive:
        tokenizer = Tokenizer(user_dict, num_workers=workers)
        tokenizer.wait_loaded()  # now, not in the middle of fetching (it would stop the event loop)
        deduper = Deduper(store.conn, cfg.dedup)
        started = _now()
        run_id = store.start_run("crawl", started)
        stats = CrawlStats(run_id, started)
        ingestor = Ingestor(store, tokenizer, deduper, run_id)
        allowed = private_hosts(sources) if cfg.fetch.allow_private_hosts else frozenset()
        learner = BoilerplateLearner.load(store.conn)  # what earlier nights learned of each host's template
        spool = cfg.archive.folder(cfg.db_path) if archive is not None else None  # fetched pages wait here

        async def _main() -> CrawlStats:
            timeout = httpx.Timeout(cfg.fetch.timeout_s, connect=min(cfg.fetch.timeout_s, 10.0))
            pins = PinnedAddresses()  # connections go to the address the private-address check approved
            transport = PerOriginTransport(cfg.fetch.per_host_concurrency, pins=pins)
            await parser.attach()
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, transport=transport,
                                         headers={"User-Agent": cfg.fetch.user_agent}) as client:
                fetcher = Fetcher(cfg.fetch, client, private_allowed=allowed, archive=archive, pins=pins)
                try:
                    return await CrawlRun(sources, fetcher, store, ingestor, stats, max_pages=max_pages,
                                          since=since, refresh=refresh, on_progress=on_progress,
                                          learner=learner, archive_folder=spool, parser=parser,
                                          queue_bytes=queue_bytes if queue_bytes is not None else QUEUE_BYTES).run()
                finally:
                    parser.detach()  # its pipes belong to this loop

        # Everything loaded so far (Kiwi, the extractors, the schema) lives for the whole run: out of the
        # collector's sight, a full collection no longer walks it (one was a 50 ms stop of every fetch)
        gc.freeze()
        try:
            asyncio.run(_main())
        except KeyboardInterrupt:
            stats.interrupted = True
        except BaseException:
            store.finish_run(run_id, _now(), "failed", pages_fetched=0, articles_new=ingestor.counts.new,
                             duplicates=ingestor.counts.duplicates, failures=stats.failures,
                             summary=stats.to_dict())
            raise
        finally:
            gc.unfreeze()
        learner.save(store.conn)
        stats.warnings.extend(check_and_record(store, run_id, _health(stats)))
        stats.finished_at = _now()
        totals = stats.to_dict()["totals"]
        assert isinstance(totals, dict)
        store.finish_run(
            run_id, stats.finished_at, "interrupted" if stats.interrupted else
            ("partial" if stats.failures else "ok"),
            pages_fetched=int(totals["pages_fetched"]), articles_new=int(totals["new"]),
            duplicates=int(totals["duplicates"]), failures=stats.failures, summary=stats.to_dict(),
        )
        return stats


@contextmanager
def _archive_writer(cfg: Config) -> Iterator[ArchiveWriter | None]:
    """The raw archive of a crawl (None with archiving off); its folder is checked before fetching."""
    if not cfg.archive.enabled:
        yield None
        return
    folder = cfg.archive.folder(cfg.db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the archive folder {folder}: {exc.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise StoreError(f"cannot write to the archive folder {folder}")
    with ArchiveWriter(folder, max_file_bytes=cfg.archive.max_file_bytes, scope=cfg.archive.scope) as writer:
        yield writer


def _health(stats: CrawlStats) -> list[Health]:
    out = []
    for source, s in stats.sources.items():
        pages = s.extracted + s.not_article
        if pages:
            out.append(Health(source, pages, s.not_article / pages, s.no_date / max(s.extracted, 1),
                              s.no_author / max(s.extracted, 1), s.body_chars / max(s.extracted, 1)))
    return out


@dataclass(frozen=True, slots=True)
class ImportResult:
    stats: ImportStats
    run_id: int


def import_file(cfg: Config, path: Path, *, user_dict: Path | None = None,
                on_progress: Callable[[int], None] | None = None, workers: int | None = None) -> ImportResult:
    """`newscorpus import`: push a JSONL file of articles through the pipeline.

    `workers`: Kiwi analysis threads (None: one per core; 0: none, all on this thread).
    """
    check_input(path)
    with writing_store(cfg.db_path) as store:
        tokenizer = Tokenizer(user_dict, num_workers=workers)
        deduper = Deduper(store.conn, cfg.dedup)
        started = _now()
        run_id = store.start_run("import", started)
        ingestor = Ingestor(store, tokenizer, deduper, run_id)
        status = "failed"
        stats = ImportStats()
        try:
            import_jsonl(path, ingestor, on_progress=on_progress, stats=stats)
            status = "partial" if stats.bad_lines else "ok"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            store.finish_run(run_id, _now(), status, pages_fetched=0, articles_new=stats.stored - stats.duplicates,
                             duplicates=stats.duplicates, failures=len(stats.bad_lines), summary=stats.to_dict())
        return ImportResult(stats, run_id)


def rebuild(cfg: Config, *, on_progress: ProgressFn | None = None) -> RebuildStats:
    """`newscorpus dedup --rebuild` under the run lock."""
    from pipelines.rebuild import rebuild_clusters

    if not cfg.db_path.exists():
        raise StoreError(f"no corpus at {cfg.db_path}")
    with writing_store(cfg.db_path) as store:
        return rebuild_clusters(store, cfg.dedup, on_progress)
