"""End to end: crawl the bundled demo sites on 127.0.0.1 and compare the corpus with the truth files."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from shared_kiwi import handing_out

from demo.app import TruthArticle, non_articles, truth_articles
from demo.server import RunningDemo, serve
from pipelines import run
from pipelines.crawl import CrawlStats
from scraper.config import Config
from scraper.sources import load_sources
from scraper.urls import canonical_url

BOILERPLATE = ["최신뉴스", "많이 본 기사", "많이 본 뉴스", "PHOTO NEWS", "포토뉴스", "무단전재", "재배포", "저작권자",
               "관련기사", "뉴스댓글", "더보기", "인쇄", "▲", "@"]


@dataclass
class Crawled:
    demo: RunningDemo
    db: Path
    first: CrawlStats
    second: CrawlStats
    second_requests: list[tuple[str, str]]
    truth: dict[str, TruthArticle]  # canonical absolute URL -> truth


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, tokenizer: object) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("e2e")
    with handing_out(tokenizer, (run, "Tokenizer")), serve() as demo:
        sources_path = tmp / "sources.toml"
        sources_path.write_text(demo.sources_toml(), encoding="utf-8")
        sources = load_sources(sources_path)
        cfg = Config(db_path=tmp / "corpus.db")
        cfg = replace(cfg, fetch=replace(cfg.fetch, allow_private_hosts=True))
        first = run.crawl(cfg, sources)
        mark = len(demo.requests)
        second = run.crawl(cfg, sources)
        second_requests = [(r.site, r.path) for r in list(demo.requests)[mark:]]
        truth = {canonical_url(demo.base_urls[t.site] + t.path): t for t in truth_articles()}
        yield Crawled(demo, cfg.db_path, first, second, second_requests, truth)


def _rows(db: Path) -> dict[str, dict[str, object]]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return {r["url"]: dict(r) for r in con.execute("SELECT * FROM articles")}


def test_first_crawl_succeeds(crawled: Crawled) -> None:
    assert crawled.first.exit_code == 0, crawled.first.to_dict()
    assert not crawled.first.discovery_errors


def test_every_demo_article_stored_exactly_once(crawled: Crawled) -> None:
    rows = _rows(crawled.db)
    missing = sorted(set(crawled.truth) - set(rows))
    extra = sorted(set(rows) - set(crawled.truth))
    assert not missing, f"not stored: {missing[:5]}"
    assert not extra, f"stored but not articles: {extra[:5]}"


def test_non_articles_are_not_stored(crawled: Crawled) -> None:
    rows = _rows(crawled.db)
    for site, path in non_articles():
        assert canonical_url(crawled.demo.base_urls[site] + path) not in rows


def test_titles_dates_authors_bodies_match_the_truth(crawled: Crawled) -> None:
    rows = _rows(crawled.db)
    wrong = []
    for url, t in crawled.truth.items():
        row = rows.get(url)
        if row is None:
            continue
        for field, expected in (("title", t.title), ("published", t.published), ("author", t.author),
                                ("body", t.body)):
            if row[field] != expected:
                wrong.append((url, field, row[field], expected))
    assert not wrong, "\n".join(f"{u} {f}: got {g!r} want {w!r}"[:400] for u, f, g, w in wrong[:8])


def test_no_boilerplate_in_any_body(crawled: Crawled) -> None:
    for url, row in _rows(crawled.db).items():
        truth = crawled.truth.get(url)
        for marker in BOILERPLATE:
            if truth is None or marker not in truth.body:
                assert marker not in str(row["body"]), (url, marker)


def test_copies_share_a_cluster_and_rewrites_do_not(crawled: Crawled) -> None:
    rows = _rows(crawled.db)
    stored = [(t, rows[u]) for u, t in crawled.truth.items() if u in rows]
    for (ta, ra), (tb, rb) in itertools.combinations(stored, 2):
        same_story = ta.story == tb.story
        same_cluster = ra["cluster_id"] == rb["cluster_id"]
        assert same_story == same_cluster, (ta.path, ta.story, tb.path, tb.story)


def test_second_crawl_adds_nothing_and_refetches_no_article(crawled: Crawled) -> None:
    totals = crawled.second.to_dict()["totals"]
    assert isinstance(totals, dict)
    assert totals["new"] == 0 and totals["duplicates"] == 0
    article_paths = {(t.site, t.path) for t in crawled.truth.values()}
    refetched = [r for r in crawled.second_requests if r in article_paths]
    assert not refetched, refetched[:5]


def test_runs_are_recorded(crawled: Crawled) -> None:
    con = sqlite3.connect(crawled.db)
    runs = con.execute("SELECT kind, status, articles_new FROM runs ORDER BY id").fetchall()
    assert [r[0] for r in runs] == ["crawl", "crawl"]
    assert runs[0][2] > 0 and runs[1][2] == 0
