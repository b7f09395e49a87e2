"""The raw archive as the crawl's spool: pages wait there, not in memory, and survive a killed run."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from shared_kiwi import handing_out

from demo.app import truth_articles
from demo.server import RunningDemo, serve
from pipelines import crawl, run
from scraper.config import Config
from scraper.models import Source
from scraper.sources import load_sources
from scraper.urls import canonical_url


@pytest.fixture()
def demo(tokenizer: object) -> Iterator[RunningDemo]:
    with handing_out(tokenizer, (run, "Tokenizer")), serve() as running:
        yield running


def _setup(demo: RunningDemo, tmp: Path, *, archive: bool = True) -> tuple[Config, list[Source]]:
    path = tmp / "sources.toml"
    path.write_text(demo.sources_toml().replace("rate = 0.05", "rate = 0.01"), encoding="utf-8")
    cfg = Config(db_path=tmp / "corpus.db")
    cfg = replace(cfg, fetch=replace(cfg.fetch, allow_private_hosts=True),
                  archive=replace(cfg.archive, enabled=archive))
    return cfg, load_sources(path)


def _truth(demo: RunningDemo) -> set[str]:
    return {canonical_url(demo.base_urls[t.site] + t.path) for t in truth_articles()}


def _stored(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return [r[0] for r in con.execute("SELECT url FROM articles")]


def test_pages_past_the_memory_budget_wait_in_the_archive_and_are_all_stored(demo: RunningDemo,
                                                                           tmp_path: Path) -> None:
    cfg, sources = _setup(demo, tmp_path)
    stats = run.crawl(cfg, sources, queue_bytes=1)  # every page but the first in line goes by reference
    assert stats.queue["spooled"] > 0 and stats.queue["resumed_from_archive"] == 0
    assert stats.queue["full_waits"] == 0  # fetchers never waited for processing
    rows = _stored(cfg.db_path)
    assert len(rows) == len(set(rows)) and set(rows) == _truth(demo)
    with sqlite3.connect(cfg.db_path) as con:
        assert con.execute("SELECT count(*) FROM articles WHERE warc_file IS NULL").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM frontier WHERE state = 'fetched'").fetchone()[0] == 0


def _fetch_without_processing(cfg: Config, sources: list[Source], monkeypatch: pytest.MonkeyPatch) -> None:
    """A run whose processing only records what was fetched: the state a SIGKILL can leave behind."""
    with monkeypatch.context() as m:
        m.setattr(crawl.CrawlRun, "_process",
                  lambda self, batch, arrived=None: self._mark_fetched(arrived) if arrived else None)
        run.crawl(cfg, sources)


def test_pages_fetched_by_a_killed_run_are_processed_from_the_archive_not_fetched_again(
        demo: RunningDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, sources = _setup(demo, tmp_path)
    _fetch_without_processing(cfg, sources, monkeypatch)
    with sqlite3.connect(cfg.db_path) as con:
        spooled = {r[0] for r in con.execute("SELECT url FROM frontier WHERE state = 'fetched'")}
    assert _stored(cfg.db_path) == []
    truth = _truth(demo)
    assert truth <= spooled

    mark = len(demo.requests_snapshot())
    stats = run.crawl(cfg, sources)
    assert stats.exit_code == 0, stats.to_dict()
    assert stats.queue["resumed_from_archive"] == len(spooled)
    refetched = [r.path for r in demo.requests_snapshot()[mark:]
                 if canonical_url(demo.base_urls[r.site] + r.path) in spooled]
    assert refetched == []
    rows = _stored(cfg.db_path)
    assert len(rows) == len(set(rows)) and set(rows) == truth
    with sqlite3.connect(cfg.db_path) as con:
        assert con.execute("SELECT count(*) FROM frontier WHERE state = 'fetched'").fetchone()[0] == 0


def test_without_the_archive_nothing_is_spooled_and_pages_are_fetched_again(
        demo: RunningDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, sources = _setup(demo, tmp_path, archive=False)
    _fetch_without_processing(cfg, sources, monkeypatch)
    with sqlite3.connect(cfg.db_path) as con:
        assert con.execute("SELECT count(*) FROM frontier WHERE state = 'fetched'").fetchone()[0] == 0
    mark = len(demo.requests_snapshot())
    stats = run.crawl(cfg, sources)
    assert stats.queue["resumed_from_archive"] == 0
    again = {canonical_url(demo.base_urls[r.site] + r.path) for r in demo.requests_snapshot()[mark:]}
    truth = _truth(demo)
    assert truth <= again
    assert set(_stored(cfg.db_path)) == truth


def test_an_unreadable_spooled_page_fails_with_its_reason_and_is_fetched_next_time(
        demo: RunningDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, sources = _setup(demo, tmp_path)
    _fetch_without_processing(cfg, sources, monkeypatch)
    for warc in cfg.archive.folder(cfg.db_path).glob("*.warc.gz"):
        warc.unlink()
    stats = run.crawl(cfg, sources)
    reasons = {r for s in stats.sources.values() for r in s.reasons}
    assert any(r.startswith("spooled page unreadable (WARC file missing") for r in reasons), reasons
    assert stats.exit_code == 1
    with sqlite3.connect(cfg.db_path) as con:
        states = dict(con.execute("SELECT state, count(*) FROM frontier GROUP BY state").fetchall())
        # failed, so a later run fetches them again (after the retry delay, as for any failure)
        due = {r[0] for r in con.execute("SELECT url FROM frontier WHERE state = 'failed' AND attempts < 3"
                                         " AND next_retry_at IS NOT NULL")}
    assert "fetched" not in states
    assert _truth(demo) <= due


def test_max_pages_counts_the_pages_resumed_from_the_archive(demo: RunningDemo, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """--max-pages N: at most N pages per source this run, the spooled ones first; the rest wait for the next."""
    cfg, sources = _setup(demo, tmp_path)
    _fetch_without_processing(cfg, sources, monkeypatch)
    with sqlite3.connect(cfg.db_path) as con:
        per_source = dict(con.execute("SELECT source, count(*) FROM frontier WHERE state = 'fetched' GROUP BY source"))
        spooled = {r[0] for r in con.execute("SELECT url FROM frontier WHERE state = 'fetched'")}
    assert per_source and min(per_source.values()) >= 2

    mark = len(demo.requests_snapshot())
    stats = run.crawl(cfg, sources, max_pages=1)
    assert stats.queue["resumed_from_archive"] == len(per_source)
    with sqlite3.connect(cfg.db_path) as con:
        left = dict(con.execute("SELECT source, count(*) FROM frontier WHERE state = 'fetched' GROUP BY source"))
    assert left == {s: n - 1 for s, n in per_source.items() if n > 1}  # still spooled: nothing lost

    stats = run.crawl(cfg, sources)  # without the cap: the rest, still from the archive
    assert stats.queue["resumed_from_archive"] == sum(left.values())
    refetched = [r.path for r in demo.requests_snapshot()[mark:]
                 if canonical_url(demo.base_urls[r.site] + r.path) in spooled]
    assert refetched == []
    rows = _stored(cfg.db_path)
    assert len(rows) == len(set(rows)) and set(rows) == _truth(demo)
