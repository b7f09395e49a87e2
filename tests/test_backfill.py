"""Backfill from WARC (local process pool and Ray) + merge gives the same corpus as crawling the demo sites."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from shared_kiwi import handing_out

from demo.server import serve
from demo.warc import Exchange, demo_exchanges, write_warc
from pipelines import run
from pipelines.backfill.api import merge_folder, run_backfill
from pipelines.backfill.driver import BackfillStats, Plan
from pipelines.backfill.filters import HostFilter, hangul_ratio, load_hosts
from pipelines.backfill.merge import MergeStats
from pipelines.backfill.task import TaskSettings
from scraper.config import Config
from scraper.errors import InputError
from scraper.sources import load_sources

pytest.importorskip("pyarrow")
pytest.importorskip("warcio")

HAVE_RAY = importlib.util.find_spec("ray") is not None

COLUMNS = ("url", "source", "title", "author", "published", "body")


@dataclass
class World:
    tmp: Path
    warcs: list[Path]  # one gzip WARC and one plain WARC
    hosts: Path
    crawl_db: Path
    local_db: Path
    local_shards: Path
    local_stats: BackfillStats
    local_merge: MergeStats
    second_sources: set[str]  # the sites archived in warcs[1]


def _settings(out: Path, hosts: Path) -> TaskSettings:
    return TaskSettings(out_dir=str(out), hosts=load_hosts(hosts), dedup=Config().dedup)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, tokenizer: object) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("backfill")
    with handing_out(tokenizer, (run, "Tokenizer")):
        with serve() as demo:
            exchanges = demo_exchanges(demo.sites, demo.base_urls)
            half = {s.id for s in demo.sites[: len(demo.sites) // 2]}
            first = [e for e in exchanges if any(e.url.startswith(demo.base_urls[s]) for s in half)]
            rest = [e for e in exchanges if e not in first]
            warcs = [tmp / "a.warc.gz", tmp / "b.warc"]
            write_warc(warcs[0], first, gzip=True)
            write_warc(warcs[1], rest, gzip=False)
            hosts = tmp / "hosts.txt"
            hosts.write_text("# demo servers\n" + "".join(
                f"{url.split('//', 1)[1]} {site}  # {site}\n" for site, url in demo.base_urls.items()), "utf-8")
            sources_path = tmp / "sources.toml"
            sources_path.write_text(demo.sources_toml(), encoding="utf-8")
            cfg = Config(db_path=tmp / "crawl.db")
            cfg = replace(cfg, fetch=replace(cfg.fetch, allow_private_hosts=True))
            assert run.crawl(cfg, load_sources(sources_path)).exit_code == 0
        # small tasks: the gzip file is cut into several, so chunking is exercised too
        local_shards = tmp / "shards-local"
        stats = run_backfill(warcs, _settings(local_shards, hosts), engine="local", workers=2,
                             plan=Plan(split_bytes=0, records_per_task=60))
        local_db = tmp / "local.db"
        merged = merge_folder(Config(db_path=local_db), local_shards).stats
        second = {s.id for s in demo.sites} - half
        yield World(tmp, warcs, hosts, cfg.db_path, local_db, local_shards, stats, merged, second)


def _articles(db: Path) -> set[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return set(con.execute(f"SELECT {', '.join(COLUMNS)} FROM articles"))
    finally:
        con.close()


def _partition(db: Path) -> set[frozenset[str]]:
    con = sqlite3.connect(db)
    try:
        clusters: dict[int, set[str]] = {}
        for url, cluster in con.execute("SELECT url, cluster_id FROM articles"):
            clusters.setdefault(cluster, set()).add(url)
        return {frozenset(c) for c in clusters.values()}
    finally:
        con.close()


def _count(db: Path, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


def test_local_backfill_reads_both_files_in_several_tasks(world: World) -> None:
    s = world.local_stats
    assert s.exit_code == 0, s.failures
    assert s.files == 2 and s.tasks > 2
    assert len(s.shards) >= 2
    assert s.skipped["not a response record"] > 0  # the request records
    assert s.skipped["not HTML"] > 0  # feeds, sitemaps, robots.txt
    assert s.skipped["not an article"] > 0  # listings, print views, tag pages


def test_local_backfill_gives_the_crawled_corpus(world: World) -> None:
    crawled = _articles(world.crawl_db)
    assert len(crawled) > 50
    backfilled = _articles(world.local_db)
    assert backfilled == crawled, (sorted(backfilled - crawled)[:2], sorted(crawled - backfilled)[:2])
    assert world.local_stats.kept == len(crawled)


def test_local_backfill_gives_the_crawled_clusters(world: World) -> None:
    partition = _partition(world.crawl_db)
    assert any(len(c) > 1 for c in partition)  # the demo has copied stories
    assert _partition(world.local_db) == partition


def test_merged_articles_are_searchable_with_their_tokens(world: World) -> None:
    assert _count(world.local_db, "tokens") == _count(world.local_db, "articles")
    con = sqlite3.connect(world.local_db)
    try:
        hits = con.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH '바이오'").fetchone()[0]
        crawl = sqlite3.connect(world.crawl_db)
        expected = crawl.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH '바이오'").fetchone()[0]
        crawl.close()
    finally:
        con.close()
    assert hits == expected > 0


def test_merge_stores_the_workers_morphemes_identical_to_the_crawls(world: World) -> None:
    m = world.local_merge
    assert m.pretokenized == m.new + m.duplicates > 0  # Kiwi did not run again in the merge
    query = ("SELECT a.url, t.morphemes, t.offsets, t.nouns FROM articles a JOIN tokens t ON t.article_id = a.id"
             " WHERE a.body_hash IN (SELECT body_hash FROM articles GROUP BY body_hash HAVING COUNT(*) = 1)")
    # (exact copies are left out: the crawl reuses the original's body morphemes for them)
    crawl = sqlite3.connect(world.crawl_db)
    expected = {row[0]: row[1:] for row in crawl.execute(query)}
    crawl.close()
    con = sqlite3.connect(world.local_db)
    got = {row[0]: row[1:] for row in con.execute("SELECT a.url, t.morphemes, t.offsets, t.nouns FROM articles a"
                                                   " JOIN tokens t ON t.article_id = a.id")}
    con.close()
    assert len(expected) > 30
    assert {u: got.get(u) for u in expected} == expected


def test_merging_twice_adds_nothing(world: World) -> None:
    before = _count(world.local_db, "articles"), _count(world.local_db, "clusters"), _count(world.local_db, "tokens")
    again = merge_folder(Config(db_path=world.local_db), world.local_shards).stats
    assert again.already_merged == again.shards > 0 and again.merged == 0
    after = _count(world.local_db, "articles"), _count(world.local_db, "clusters"), _count(world.local_db, "tokens")
    assert after == before


def test_a_renamed_shard_is_recognised_and_new_shards_of_stored_urls_add_nothing(world: World, tmp_path: Path) -> None:
    copy = tmp_path / "shards"
    copy.mkdir()
    for p in world.local_shards.glob("*.parquet"):
        (copy / f"renamed-{p.name}").write_bytes(p.read_bytes())
    again = merge_folder(Config(db_path=world.local_db), copy).stats
    assert again.already_merged == again.shards and again.new == 0
    # shards with other bytes (another task cut, another extractor run) of URLs already stored
    redo = tmp_path / "redo"
    run_backfill(world.warcs[1:], _settings(redo, world.hosts), engine="local", workers=1)
    before = _count(world.local_db, "articles")
    result = merge_folder(Config(db_path=world.local_db), redo).stats
    assert _count(world.local_db, "articles") == before
    assert result.merged == result.shards == 1  # one task per file here: not the bytes merged before
    assert result.new == result.duplicates == 0
    assert result.already_stored == result.rows > 0


@pytest.mark.skipif(not HAVE_RAY, reason="ray is not installed (pip install '.[scale]')")
def test_ray_backfill_with_two_workers_gives_the_crawled_corpus(world: World) -> None:
    import ray

    shards = world.tmp / "shards-ray"
    stats = run_backfill(world.warcs, _settings(shards, world.hosts), engine="ray", workers=2)
    assert stats.exit_code == 0 and stats.tasks == 2
    assert stats.kept == world.local_stats.kept
    db = world.tmp / "ray.db"
    merge_folder(Config(db_path=db), shards)
    assert _articles(db) == _articles(world.crawl_db)
    assert _partition(db) == _partition(world.crawl_db)
    assert not ray.is_initialized()  # the private Ray was shut down


# -- damaged input ------------------------------------------------------------------------------

def test_a_truncated_and_a_non_warc_file_are_failures_and_the_good_file_still_counts(world: World,
                                                                                     tmp_path: Path) -> None:
    data = world.warcs[0].read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a WARC file at all\n" * 20)
    out = tmp_path / "shards"
    stats = run_backfill([cut, junk, world.warcs[1]], _settings(out, world.hosts), engine="local", workers=2)
    assert stats.exit_code == 1
    failed = {Path(f).name: e for f, e in stats.failures}
    assert set(failed) == {"cut.warc.gz", "junk.warc.gz"}, failed
    con = sqlite3.connect(world.crawl_db)
    in_second = sum(con.execute("SELECT COUNT(*) FROM articles WHERE source = ?", (sid,)).fetchone()[0]
                    for sid in world.second_sources)
    con.close()
    # every page of the good file, plus those of the cut file before the damage (but not all of them)
    assert in_second < stats.kept < world.local_stats.kept


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelines", *args], capture_output=True, text=True, timeout=300)


def test_cli_backfill_json_and_exit_code_on_a_bad_file(world: World, tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc"
    junk.write_text("not a warc\n", encoding="utf-8")
    proc = _cli("backfill", str(world.warcs[1]), str(junk), "--out", str(tmp_path / "s"), "--hosts",
                str(world.hosts), "--workers", "1", "--json", "--quiet")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["files"] == 2 and data["pages_kept"] > 0 and data["shards_written"] == 1
    assert [Path(f["file"]).name for f in data["failures"]] == ["junk.warc"]
    assert "Traceback" not in proc.stderr


def test_cli_usage_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()  # a folder without shards (e.g. a mistyped path) is an error, not 0 merged
    for args in (("backfill", str(tmp_path / "missing.warc"), "--out", str(tmp_path / "s")),
                 ("backfill", str(tmp_path / "*.warc.gz"), "--out", str(tmp_path / "s")),
                 ("merge", str(tmp_path / "no-such-folder"), "--db", str(tmp_path / "c.db")),
                 ("merge", str(tmp_path / "empty"), "--db", str(tmp_path / "c.db"))):
        proc = _cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("newscorpus: error:") and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "c.db").exists()


def test_engine_ray_without_ray_is_a_one_line_error(world: World, tmp_path: Path) -> None:
    code = ("import sys; sys.modules['ray'] = None; from pipelines.cli import main; "
            f"main(['backfill', {str(world.warcs[1])!r}, '--out', {str(tmp_path / 's')!r}, '--engine', 'ray'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "newscorpus: error: --engine ray needs Ray: pip install 'newscorpus[scale]'"


def test_importing_newscorpus_never_imports_ray() -> None:
    code = "import sys, pipelines.cli, pipelines.backfill.api, pipelines.backfill.task; print('ray' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "False", proc.stderr


def test_a_corrupt_shard_is_refused_whole_and_the_others_merge(world: World, tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    good = sorted(world.local_shards.glob("*.parquet"))
    for p in good:
        (shards / p.name).write_bytes(p.read_bytes())
    damaged = shards / "0-damaged.parquet"  # first in name order
    data = good[0].read_bytes()
    at = _inside_body_pages(good[0])
    damaged.write_bytes(data[:at] + b"\0" * 64 + data[at + 64:])
    (shards / "1-not-parquet.parquet").write_text("hello", encoding="utf-8")
    db = tmp_path / "c.db"
    proc = _cli("merge", str(shards), "--db", str(db), "--quiet")
    assert proc.returncode == 1
    errors = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(errors) == 2 and all(e.startswith("newscorpus: shard ") for e in errors), proc.stderr
    assert "Traceback" not in proc.stderr
    assert _articles(db) == _articles(world.local_db)  # every good shard merged, nothing of the bad ones
    con = sqlite3.connect(db)
    merged = {row[0] for row in con.execute("SELECT name FROM merged_shards")}
    con.close()
    assert merged == {p.name for p in good}


def _inside_body_pages(shard: Path) -> int:
    """A byte offset in the middle of the compressed `body` column of the first row group."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(shard).metadata.row_group(0)
    col = next(meta.column(i) for i in range(meta.num_columns) if meta.column(i).path_in_schema == "body")
    return int(col.data_page_offset + col.total_compressed_size // 2)


# -- filters ------------------------------------------------------------------------------------

def test_hosts_file_and_host_matching(tmp_path: Path) -> None:
    path = tmp_path / "hosts.txt"
    path.write_text("# comment\nexample.kr\n127.0.0.1:8001 haenuri\n\nhttps://news.other.kr/ other\n", "utf-8")
    hosts = load_hosts(path)
    assert hosts.source_for("https://www.example.kr/a/1") == "example.kr"
    assert hosts.source_for("http://127.0.0.1:8001/news/1") == "haenuri"
    assert hosts.source_for("http://127.0.0.1:8002/news/1") is None
    assert hosts.source_for("https://news.other.kr/x") == "other"
    assert hosts.source_for("https://notexample.kr/") is None
    assert HostFilter().source_for("https://www.any.kr:8443/x") == "www.any.kr:8443"
    (tmp_path / "empty.txt").write_text("# nothing\n", "utf-8")
    with pytest.raises(InputError):
        load_hosts(tmp_path / "empty.txt")


def test_hangul_ratio_tells_korean_from_other_languages() -> None:
    assert hangul_ratio("인천시는 26일 바이오 특화단지 지정을 위한 TF를 꾸렸다.") > 0.8
    assert hangul_ratio("The city formed a task force on the bio cluster on Monday.") == 0
    assert hangul_ratio("2026-11-26 12:00") == 0


def test_non_korean_pages_and_unlisted_hosts_are_skipped(world: World, tmp_path: Path) -> None:
    con = sqlite3.connect(world.crawl_db)
    url, title, body = con.execute("SELECT url, title, body FROM articles LIMIT 1").fetchone()
    con.close()
    # an English article the extractor reads (from its JSON-LD): only the language check drops it
    text = " ".join(f"The city said on Monday that part {i} of the plan is ready for review." for i in range(8))
    ld = json.dumps({"@type": "NewsArticle", "headline": "City forms bio task force", "articleBody": text})
    english = (f'<html><head><title>City forms bio task force</title><script type="application/ld+json">{ld}'
               "</script></head><body><p>menu</p></body></html>").encode()
    korean = ("<html><head><title>" + title + "</title></head><body><article><h1>" + title + "</h1>"
              + "".join(f"<p>{p}</p>" for p in body.split("\n")) + "</article></body></html>").encode()
    headers = (("Content-Type", "text/html; charset=utf-8"),)
    warc = tmp_path / "mixed.warc.gz"
    write_warc(warc, [Exchange("https://en.example.com/news/1", 200, headers, english),
                      Exchange("https://ko.example.kr/news/2", 200, headers, korean),
                      Exchange("https://ko.example.kr/news/3", 404, headers, korean),
                      Exchange("https://elsewhere.kr/news/4", 200, headers, korean)])
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("en.example.com\nko.example.kr\n", "utf-8")
    stats = run_backfill([warc], _settings(tmp_path / "s", hosts), engine="local", workers=1)
    assert stats.kept == 1, stats.to_dict()
    assert stats.skipped["not Korean"] == 1
    assert stats.skipped["HTTP status not 200"] == 1
    assert stats.skipped["host not listed"] == 1
    assert url  # the Korean page came from a stored article
