"""The raw archive: WARC files written by the crawl, read back, and `reextract` rebuilding rows from them."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from shared_kiwi import handing_out
from warcio.archiveiterator import ArchiveIterator

from demo.server import RunningDemo, serve
from pipelines import reextract as reextract_mod
from pipelines import run
from pipelines.cli import main
from pipelines.crawl import CrawlStats
from pipelines.store import SCHEMA_VERSION, Store
from scraper.archive import ArchivedResponse, ArchiveWriter, iter_pages, read_page, read_pages
from scraper.config import Config, FetchConfig
from scraper.errors import ArchiveError, ExtractError
from scraper.fetch import Fetcher
from scraper.models import WarcRef
from scraper.sources import load_sources

V1_DUMP = Path(__file__).parent / "fixtures" / "old_schema_v1.sql"
PAGE = "<html><head><title>시험</title></head><body><p>{}</p></body></html>"


def _response(n: int, body: bytes | None = None, **kw: object) -> ArchivedResponse:
    fields: dict[str, object] = {
        "requested_url": f"http://news.example/a/{n}", "url": f"http://news.example/a/{n}", "status": 200,
        "reason": "OK", "http_version": "HTTP/1.1",
        "headers": (("Content-Type", "text/html; charset=utf-8"), ("ETag", f'"e{n}"')),
        "body": body if body is not None else PAGE.format(f"가상의 기사 본문 {n} " * 40).encode(),
        "fetched_at": datetime(2026, 11, 2, 3, 4, 5, 123456, tzinfo=UTC), "source": "demo-src",
    }
    fields.update(kw)
    return ArchivedResponse(**fields)  # type: ignore[arg-type]


def _records(folder: Path) -> list[tuple[str, str, str | None]]:
    """(file, record type, target URI) of every record, read by warcio itself with digest checks."""
    out = []
    for path in sorted(folder.glob("*.warc.gz")):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh, check_digests="raise"):
                rec.content_stream().read()
                out.append((path.name, rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI")))
    return out


def _text(path: Path) -> str:
    with gzip.open(path) as fh:
        return fh.read().decode("utf-8", "replace")


# -- writer and reader ---------------------------------------------------------------------------

def test_round_trip_one_record(tmp_path: Path) -> None:
    sent = _response(1, headers=(("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                                 ("Content-Length", "321"), ("ETag", '"x1"')))
    with ArchiveWriter(tmp_path) as writer:
        ref = writer.write(sent)
    assert ref.file.startswith("newscorpus-") and ref.file.endswith(".warc.gz")
    assert ref.record_id.startswith("<urn:uuid:") and ref.offset > 0  # after the warcinfo record
    page = read_page(tmp_path, ref)
    assert (page.url, page.status, page.body, page.fetched_at, page.source) == (
        sent.url, 200, sent.body, sent.fetched_at, "demo-src")
    assert page.headers == sent.headers  # the original codings are given back
    assert page.warc == ref and page.etag == '"x1"' and "가상의 기사" in page.html
    raw = _text(tmp_path / ref.file)
    assert "HTTP/1.1 200 OK\r\n" in raw
    assert "X-Archive-Orig-Content-Encoding: gzip" in raw and "WARC-X-Payload-Decoded: content-encoding=gzip" in raw
    assert f"Content-Length: {len(sent.body)}\r\n" in raw  # the stored (decoded) payload's length
    assert [t for _, t, _ in _records(tmp_path)] == ["warcinfo", "response"]


def test_rotation_each_file_opens_with_warcinfo(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with ArchiveWriter(tmp_path, max_file_bytes=2_000) as writer:
        refs = [writer.write(_response(n)) for n in range(8)]
    assert len(writer.files) > 1
    records = _records(tmp_path)
    for name in writer.files:
        assert next(t for f, t, _ in records if f == name) == "warcinfo"
    assert sum(t == "response" for _, t, _ in records) == 8 == writer.records
    assert [read_page(tmp_path, r).url for r in refs] == [f"http://news.example/a/{n}" for n in range(8)]
    with caplog.at_level(logging.WARNING):
        assert [p.warc for f in writer.files for p in iter_pages(tmp_path / f)] == refs
    assert not caplog.records  # complete files: no warning


def test_truncated_last_record_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with ArchiveWriter(tmp_path) as writer:
        refs = [writer.write(_response(n)) for n in range(3)]
    path = tmp_path / refs[0].file
    data = path.read_bytes()
    for cut in (60, (len(data) - refs[2].offset) // 2, len(data) - refs[2].offset - 5):
        path.write_bytes(data[:-cut])
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert [p.warc for p in iter_pages(path)] == refs[:2]
        assert "truncated" in caplog.text
        with pytest.raises(ArchiveError, match="offset"):
            read_page(tmp_path, refs[2])
        assert read_page(tmp_path, refs[1]).url.endswith("/1")


def test_a_new_writer_never_appends_to_an_old_file(tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path) as first:
        first.write(_response(1))
    with ArchiveWriter(tmp_path) as second:
        second.write(_response(2))
    assert set(first.files).isdisjoint(second.files)
    assert len(list(tmp_path.glob("*.warc.gz"))) == 2


def test_nothing_written_no_file(tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path / "a"):
        pass
    assert not (tmp_path / "a").exists()


def test_bad_references_are_archive_errors(tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path) as writer:
        ref = writer.write(_response(1))
    for bad in (replace(ref, file="../etc/passwd"), replace(ref, file="gone.warc.gz"),
                replace(ref, offset=ref.offset + 3), replace(ref, record_id="<urn:uuid:0>"), replace(ref, offset=0)):
        with pytest.raises(ArchiveError):
            read_page(tmp_path, bad)
    results = dict(read_pages(tmp_path, [ref, replace(ref, file="gone.warc.gz")]))
    assert not isinstance(results[ref], ArchiveError)
    assert "missing" in str(results[replace(ref, file="gone.warc.gz")])


def test_charset_override_is_replayed(tmp_path: Path) -> None:
    body = PAGE.format("충청 지역 소식 " * 30).encode("cp949")
    with ArchiveWriter(tmp_path) as writer:
        ref = writer.write(_response(1, body=body, headers=(("Content-Type", "text/html; charset=utf-8"),),
                                     encoding_override="euc-kr"))
    assert "충청 지역 소식" in read_page(tmp_path, ref).html


def test_fetcher_archives_article_pages_not_discovery(tmp_path: Path) -> None:
    import asyncio

    gz = gzip.compress(PAGE.format("압축된 본문").encode())

    def web(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "http://news.example/a/1"})
        if request.url.path == "/feed.xml":
            return httpx.Response(200, content=b"<rss/>", headers={"content-type": "application/rss+xml"})
        return httpx.Response(200, content=gz, headers={"content-type": "text/html; charset=utf-8",
                                                        "content-encoding": "gzip"})

    async def go(scope: str) -> list[WarcRef | None]:
        async def resolver(host: str, port: int) -> list[str]:
            return ["93.184.216.34"]

        cfg = FetchConfig(min_delay_s=0.0)
        with ArchiveWriter(tmp_path / scope, scope=scope) as writer:
            async with httpx.AsyncClient(transport=httpx.MockTransport(web)) as client:
                fetcher = Fetcher(cfg, client, resolver=resolver, archive=writer)
                page = await fetcher.fetch("http://news.example/old", source="s")
                feed = await fetcher.fetch("http://news.example/feed.xml", accept="xml", purpose="discovery")
        return [page.warc, feed.warc]  # type: ignore[union-attr]

    page_ref, feed_ref = asyncio.run(go("articles"))
    assert feed_ref is None and page_ref is not None
    page = read_page(tmp_path / "articles", page_ref)
    assert page.url == "http://news.example/a/1" and "압축된 본문" in page.html
    raw = _text(tmp_path / "articles" / page_ref.file)
    assert "WARC-X-Newscorpus-Requested-URI: http://news.example/old" in raw
    assert all(ref is not None for ref in asyncio.run(go("all")))


# -- the crawl, and reextract --------------------------------------------------------------------

@dataclass
class Crawled:
    demo: RunningDemo
    sources: Path
    db: Path
    archive: Path
    stats: CrawlStats


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, tokenizer: object) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("archive")
    with handing_out(tokenizer, (run, "Tokenizer"), (reextract_mod, "LazyTokenizer")), serve() as demo:
        sources_path = tmp / "sources.toml"
        sources_path.write_text(demo.sources_toml(), encoding="utf-8")
        cfg = Config(db_path=tmp / "corpus.db")
        cfg = replace(cfg, fetch=replace(cfg.fetch, allow_private_hosts=True))
        stats = run.crawl(cfg, load_sources(sources_path))
        yield Crawled(demo, sources_path, cfg.db_path, tmp / "archive", stats)


@pytest.fixture()
def corpus(crawled: Crawled, tmp_path: Path) -> Path:
    """A private copy of the crawled corpus and its archive."""
    shutil.copy(crawled.db, tmp_path / "corpus.db")
    shutil.copytree(crawled.archive, tmp_path / "archive")
    return tmp_path / "corpus.db"


def _snapshot(db: Path) -> dict[str, object]:
    con = sqlite3.connect(db)
    try:
        return {
            "articles": con.execute(
                "SELECT id, url, source, title, author, published, fetched_at, body, body_hash, chars, cluster_id,"
                " duplicate_of, captions, profile, warc_file, warc_offset, warc_record_id FROM articles ORDER BY id"
            ).fetchall(),
            "tokens": con.execute("SELECT * FROM tokens ORDER BY article_id").fetchall(),
            "clusters": con.execute("SELECT * FROM clusters ORDER BY id").fetchall(),
        }
    finally:
        con.close()


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_crawl_archives_every_article_page(crawled: Crawled) -> None:
    assert crawled.stats.exit_code == 0
    records = _records(crawled.archive)
    responses = [uri for _, t, uri in records if t == "response"]
    pages = sum(s.extracted + s.not_article for s in crawled.stats.sources.values())  # article pages fetched
    assert len(responses) == pages > 0
    assert len(set(responses)) == len(responses)
    con = sqlite3.connect(crawled.db)
    rows = con.execute("SELECT url, warc_file, warc_offset, warc_record_id FROM articles").fetchall()
    assert rows and all(r[1] is not None for r in rows)
    assert len({r[3] for r in rows}) == len(rows)
    for url, file, offset, record_id in rows:
        page = read_page(crawled.archive, WarcRef(file, offset, record_id))
        assert page.status == 200 and page.body
        assert url.split("://", 1)[1].split("/", 1)[0] in page.url  # same host (the row has the canonical URL)


def test_reextract_rebuilds_identical_rows(corpus: Path) -> None:
    before = _snapshot(corpus)
    con = sqlite3.connect(corpus)
    with con:  # wipe everything extraction and dedup produced; keep ids, URLs and archive references
        con.execute("UPDATE articles SET title = '', author = NULL, published = NULL, body = '', body_hash = '',"
                    " chars = 0, captions = '[]', profile = NULL, cluster_id = NULL, duplicate_of = NULL")
        con.execute("DELETE FROM tokens")
        con.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
        con.execute("DELETE FROM clusters")
    con.close()
    assert _snapshot(corpus) != before
    code, out, err = _cli("reextract", "--db", str(corpus), "--json", "--quiet")
    assert code == 0, err
    summary = json.loads(out)
    n = len(before["articles"])  # type: ignore[arg-type]
    assert summary["considered"] == summary["updated"] == summary["retokenized"] == n
    assert summary["failed"] == summary["archive_errors"] == 0 and summary["clusters_rebuilt"]
    assert _snapshot(corpus) == before
    store = Store(corpus)
    try:
        store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        assert store.conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '바이오'").fetchone()[0]
    finally:
        store.close()
    code, out, _ = _cli("reextract", "--db", str(corpus), "--json", "--quiet")  # again: nothing to do
    assert code == 0 and json.loads(out)["unchanged"] == n and _snapshot(corpus) == before


def test_reextract_restores_deleted_rows_under_their_ids(corpus: Path) -> None:
    before = _snapshot(corpus)
    con = sqlite3.connect(corpus)
    ids = [r[0] for r in con.execute("SELECT id FROM articles ORDER BY id")]
    gone, orphaned = ids[::3], ids[1::3]  # every third row deleted outright; some leave their tokens behind
    with con:
        marks = ",".join("?" * len(gone + orphaned))
        con.execute(f"DELETE FROM tokens WHERE article_id IN ({','.join('?' * len(gone))})", gone)
        con.execute(f"DELETE FROM articles WHERE id IN ({marks})", gone + orphaned)
        con.execute("UPDATE articles SET body = '', title = '', cluster_id = NULL, duplicate_of = NULL")
        con.execute("DELETE FROM clusters")
    con.close()
    store = Store(corpus)
    with store.transaction():
        store.rebuild_fts()  # the full-text index without the deleted rows (orphaned tokens still index)
    store.close()
    code, out, err = _cli("reextract", "--db", str(corpus), "--json", "--quiet", "--no-restore")
    assert code == 0 and json.loads(out)["restored"] == 0, err
    assert len(_snapshot(corpus)["articles"]) == len(ids) - len(gone + orphaned)  # type: ignore[arg-type]
    code, out, err = _cli("reextract", "--db", str(corpus), "--json", "--quiet")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["restored"] == len(gone + orphaned) and summary["archive_errors"] == summary["failed"] == 0
    assert _snapshot(corpus) == before
    store = Store(corpus)
    try:
        store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        n = store.conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '바이오'").fetchone()[0]
        assert n == store.conn.execute(
            "SELECT count(*) FROM tokens WHERE ' ' || morphemes || ' ' LIKE '% 바이오/%'").fetchone()[0] > 0
    finally:
        store.close()


def test_reextract_source_filter_and_changed_body(corpus: Path) -> None:
    before = _snapshot(corpus)
    con = sqlite3.connect(corpus)
    victim_id, source = con.execute("SELECT id, source FROM articles ORDER BY id LIMIT 1").fetchone()
    other = con.execute("SELECT id FROM articles WHERE source != ? LIMIT 1", (source,)).fetchone()[0]
    with con:
        con.execute("UPDATE articles SET body = body || ' 덧붙임' WHERE id IN (?, ?)", (victim_id, other))
    con.close()
    code, _, err = _cli("reextract", "--db", str(corpus), "--source", source, "--json", "--quiet")
    assert code == 0, err
    after = _snapshot(corpus)["articles"]
    assert after[0] == before["articles"][0]  # type: ignore[index]
    body_of = {r[0]: r[7] for r in after}  # type: ignore[union-attr]
    assert body_of[other].endswith(" 덧붙임")  # another source: left alone


def test_reextract_reports_missing_and_corrupt_archives(corpus: Path) -> None:
    files = sorted((corpus.parent / "archive").glob("*.warc.gz"))
    assert files
    files[0].unlink()
    before = _snapshot(corpus)
    code, _, err = _cli("reextract", "--db", str(corpus))
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("newscorpus: article")]
    assert len(lines) == len(before["articles"]) and all("WARC file missing" in line for line in lines)  # type: ignore[arg-type]
    assert "Traceback" not in err and _snapshot(corpus) == before


def test_reextract_corrupt_record(corpus: Path) -> None:
    con = sqlite3.connect(corpus)
    file, offset = con.execute("SELECT warc_file, warc_offset FROM articles ORDER BY warc_offset DESC LIMIT 1"
                               ).fetchone()
    con.close()
    path = corpus.parent / "archive" / file
    data = bytearray(path.read_bytes())
    data[offset + 30: offset + 60] = b"\x00" * 30
    path.write_bytes(bytes(data))
    before = _snapshot(corpus)
    code, out, _ = _cli("reextract", "--db", str(corpus), "--json", "--quiet")
    assert code == 1
    summary = json.loads(out)
    assert summary["archive_errors"] == 1 and summary["errors"][0]["reason"].startswith("archive: ")
    assert summary["unchanged"] == summary["considered"] - 1 and _snapshot(corpus) == before


def test_reextract_keeps_rows_that_no_longer_extract(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = reextract_mod.extract
    calls: list[str] = []

    def flaky(html: str, page_url: str, **kw: object) -> object:
        calls.append(page_url)
        if len(calls) == 1:  # today's extractor rejects the first archived page
            raise ExtractError(page_url, "no body found")
        return real(html, page_url, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(reextract_mod, "extract", flaky)
    before = _snapshot(corpus)
    code, out, err = _cli("reextract", "--db", str(corpus))
    assert code == 1 and _snapshot(corpus) == before
    assert [line for line in err.splitlines() if "extraction: no body found" in line] != []
    assert "1 failed extraction" in out


def test_reextract_usage_errors(corpus: Path, tmp_path: Path) -> None:
    code, _, err = _cli("reextract", "--db", str(tmp_path / "nope.db"))
    assert code == 2 and err.startswith("newscorpus: error: no corpus") and len(err.splitlines()) == 1
    code, _, err = _cli("reextract", "--db", str(corpus), "--since", "yesterday")
    assert code == 2 and "--since" in err
    code, _, err = _cli("reextract", "--db", str(corpus), "--archive-dir", str(tmp_path / "elsewhere"))
    assert code == 2 and "no raw archive" in err and len(err.splitlines()) == 1
    runs = sqlite3.connect(corpus).execute("SELECT count(*) FROM runs").fetchone()[0]
    code, _, err = _cli("reextract", "--db", str(corpus), "--source", "no-such-outlet")  # a typo is not "0 pages"
    assert code == 2 and "no-such-outlet" in err and len(err.splitlines()) == 1
    assert sqlite3.connect(corpus).execute("SELECT count(*) FROM runs").fetchone()[0] == runs


def test_no_archive_and_archive_all(crawled: Crawled, tmp_path: Path) -> None:
    common = ["crawl", "--sources", str(crawled.sources), "--allow-private-hosts", "--max-pages", "1", "--quiet"]
    (tmp_path / "a").mkdir()
    code, _, err = _cli(*common, "--db", str(tmp_path / "a" / "c.db"), "--no-archive")
    assert code == 0, err
    assert not (tmp_path / "a" / "archive").exists()
    con = sqlite3.connect(tmp_path / "a" / "c.db")
    assert con.execute("SELECT count(*), count(warc_file) FROM articles").fetchone()[1] == 0
    con.close()
    (tmp_path / "b").mkdir()
    code, _, err = _cli(*common, "--db", str(tmp_path / "b" / "c.db"), "--archive-all", "--archive-dir",
                        str(tmp_path / "warcs"))
    assert code == 0, err
    raw = "".join(_text(p) for p in (tmp_path / "warcs").glob("*.warc.gz"))
    assert "WARC-X-Newscorpus-Purpose: discovery" in raw and "WARC-X-Newscorpus-Purpose: article" in raw


# -- schema --------------------------------------------------------------------------------------

def test_v2_database_gains_the_archive_columns(tmp_path: Path) -> None:
    db = tmp_path / "v2.db"
    con = sqlite3.connect(db)
    con.executescript(V1_DUMP.read_text(encoding="utf-8"))
    con.close()
    Store(db).close()  # v1 -> v2 -> v3 -> v4
    con = sqlite3.connect(db)
    rows = con.execute("SELECT id, url, title, body, cluster_id FROM articles ORDER BY id").fetchall()
    with con:  # back to a v2 file: no archive columns
        for col in ("warc_file", "warc_offset", "warc_record_id"):
            con.execute(f"ALTER TABLE articles DROP COLUMN {col}")
        con.execute("PRAGMA user_version = 2")
    con.close()
    store = Store(db)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        query = "SELECT id, url, title, body, cluster_id FROM articles ORDER BY id"
        assert store.conn.execute(query).fetchall() == rows
        cols = {r[1] for r in store.conn.execute("PRAGMA table_info(articles)")}
        assert {"warc_file", "warc_offset", "warc_record_id"} <= cols
        assert store.conn.execute("SELECT count(warc_file) FROM articles").fetchone()[0] == 0
    finally:
        store.close()
    assert len(rows) == 3


def test_other_crawlers_coded_records_are_decoded(tmp_path: Path) -> None:
    """A third-party WARC keeps the body as sent (gzip, chunked): the reader gives back the page text."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    text = PAGE.format("다른 수집기의 기사 본문 " * 20).encode()
    coded = gzip.compress(text)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(coded), coded)
    path = tmp_path / "other.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                                           ("Transfer-Encoding", "chunked")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://other.example/n/1", "response",
                                                      payload=io.BytesIO(chunked), http_headers=http))
    pages = list(iter_pages(path))
    assert len(pages) == 1 and pages[0].body == text and "다른 수집기의 기사" in pages[0].html
    assert pages[0].source == "" and pages[0].warc is not None
    assert read_page(tmp_path, pages[0].warc).body == text


def test_a_killed_writer_leaves_a_readable_file(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import sys, itertools\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from scraper.archive import ArchivedResponse, ArchiveWriter\n"
        "w = ArchiveWriter(Path(sys.argv[1]))\n"
        "for n in itertools.count():\n"
        "    w.write(ArchivedResponse(f'http://k.example/{n}', f'http://k.example/{n}', 200, 'OK', 'HTTP/1.1',\n"
        "        (('Content-Type', 'text/html'),), ('<p>기사 %d</p>' % n).encode() * 3000, datetime.now(UTC)))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=Path(__file__).parent.parent)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = list(tmp_path.glob("*.warc.gz"))
            if files and files[0].stat().st_size > 200_000:
                break
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    (path,) = tmp_path.glob("*.warc.gz")
    pages = list(iter_pages(path))
    assert len(pages) > 5
    assert [p.url for p in pages] == [f"http://k.example/{n}" for n in range(len(pages))]
    assert all(read_page(tmp_path, p.warc).body == p.body for p in pages if p.warc is not None)


def test_stats_count_archived_articles(corpus: Path) -> None:
    code, out, _ = _cli("stats", "--db", str(corpus), "--json")
    data = json.loads(out)
    assert code == 0 and data["archived_articles"] == data["articles"] > 0


def test_reextract_since_selects_by_publication_date(corpus: Path) -> None:
    con = sqlite3.connect(corpus)
    undated = con.execute("SELECT count(*) FROM articles WHERE published IS NULL").fetchone()[0]
    day, later = con.execute("SELECT substr(max(published), 1, 10), count(*) FROM articles WHERE published >="
                             " (SELECT substr(max(published), 1, 10) FROM articles)").fetchone()
    con.close()
    code, out, _ = _cli("reextract", "--db", str(corpus), "--since", "2999-01-01", "--json", "--quiet")
    assert code == 0 and json.loads(out)["considered"] == undated
    code, out, _ = _cli("reextract", "--db", str(corpus), "--since", day, "--json", "--quiet")
    assert code == 0 and json.loads(out)["considered"] == undated + later > undated
