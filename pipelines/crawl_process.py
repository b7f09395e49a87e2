"""The crawl's processing side: each fetched page (or why it failed) to a terminal frontier state.

It runs in the crawl's processing thread, one batch (one ingest transaction) at a time: a page
waiting in the raw archive is read back, pages are extracted, and the batch's articles go through
dedup → Kiwi → store; a failure or skip is recorded with its reason, attempts and next-retry time.
`mark_fetched` records where archived pages are before any of them is stored (the spool, see
pipelines.crawl). `pace` is called between pages: the crawl sleeps there while fetching runs late.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipelines.crawl_stats import CrawlStats, SourceStats
from pipelines.ingest import Ingestor, Outcome
from pipelines.normalize import KST, iso
from pipelines.store import Store
from scraper.archive import read_page
from scraper.errors import ArchiveError, CorpusError, ExtractError
from scraper.extract import BoilerplateLearner, extract
from scraper.fetch import NotModified
from scraper.models import Article, RawPage, Source, WarcRef

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a page that failed this often is left alone until --refresh
RETRY_AFTER = timedelta(minutes=30)  # a failed page is retried by a later run after this, doubling


def _now() -> datetime:
    return datetime.now(UTC).astimezone(KST)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch worker's result for one frontier URL, waiting in the queue for processing."""

    source: Source
    url: str
    page: RawPage | NotModified | None = None
    failure: str | None = None  # recorded as failed with this reason
    permanent: bool = False  # ... and not retried
    skip: str | None = None  # recorded as skipped with this reason
    spooled: WarcRef | None = None  # page is None: read it back from the raw archive here


class PageProcessor:
    """Turns fetched pages into stored articles and frontier states (used from one thread at a time)."""

    def __init__(self, store: Store, ingestor: Ingestor, stats: CrawlStats, *, pace: Callable[[], None],
                 learner: BoilerplateLearner | None = None, archive_folder: Path | None = None,
                 since: date | None = None) -> None:
        self._store = store
        self._ingestor = ingestor
        self.stats = stats
        self._pace = pace
        self._learner = learner  # host-level boilerplate counts: every page is observed as it is extracted
        self._archive = archive_folder  # where spooled pages are read back from
        self._since = since

    def mark_fetched(self, arrived: list[tuple[str, WarcRef]]) -> None:
        """Record archived pages as 'fetched' with their archive place (the spool)."""
        self._store.frontier_mark_fetched(arrived, iso(_now()) or "")

    def process(self, batch: list[Fetched], arrived: list[tuple[str, WarcRef]] | None = None) -> None:
        """Record every item of a batch; the batch's articles are stored in one transaction."""
        if arrived:
            self.mark_fetched(arrived)  # durable before any of them is stored
        articles: list[tuple[Article, str]] = []  # (article, frontier url)
        for item in batch:
            st, url = self.stats.sources[item.source.id], item.url
            if item.failure is not None:
                self._fail(st, url, item.failure, permanent=item.permanent)
            elif item.skip is not None:
                self._skip(st, url, item.skip)
            elif isinstance(item.page, NotModified):
                self._mark(url, "stored", reason="not modified")
            else:
                page = item.page if isinstance(item.page, RawPage) else self._unspool(st, item)
                self._pace()
                article = self._extract(st, item.source, page) if page is not None else None
                if article is not None:
                    articles.append((article, url))
        if articles:
            self._store_batch(articles)

    def _unspool(self, st: SourceStats, item: Fetched) -> RawPage | None:
        """A spooled page read back from the raw archive; unreadable: failed, fetched again later."""
        if item.spooled is None or self._archive is None:
            return None
        try:
            return read_page(self._archive, item.spooled)
        except ArchiveError as exc:
            self._fail(st, item.url, f"spooled page unreadable ({exc.reason})")
            return None

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
            outcomes = self._ingestor.ingest([a for a, _ in batch], pace=self._pace)
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
