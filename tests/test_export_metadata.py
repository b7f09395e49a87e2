"""metadata.json (for `datasette corpus.db -m metadata.json`, `make browse`): every canned query runs on a real
schema, and in a real Datasette on a corpus built by the importer (skipped when datasette is not installed).
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from word_tokens import whitespace_tokens

from pipelines import run
from pipelines.store import ArticleRow, Store, fts_forms
from pipelines.tokenize import Tokenizer
from scraper.config import Config

METADATA = Path(__file__).parent.parent / "metadata.json"

# Invented: (url, source, published, title, nouns, copy of url index or None)
ARTICLES = [
    ("https://a.example.kr/1", "a", "2026-10-05T23:30:00+09:00", "항만 물류 센터", "항만 물류 센터 항만", None),
    ("https://b.example.kr/2", "b", "2026-10-06T08:00:00+09:00", "항만 물류", "항만 물류 센터 항만", 0),
    ("https://c.example.kr/3", "c", "2026-10-06T09:00:00+09:00", "항만 물류 소식", "항만 물류 센터 항만", 0),
    ("https://a.example.kr/4", "a", "2026-10-13T10:00:00+09:00", "드론 배송 시험",
     "드론 배송 시험 드론 섬 \"따옴표\"", None),
    ("https://b.example.kr/5", "b", None, "날짜 없는 기사", "날짜 기사", None),
]


def _queries() -> dict[str, dict[str, str]]:
    meta = json.loads(METADATA.read_text(encoding="utf-8"))
    queries: dict[str, dict[str, str]] = meta["databases"]["corpus"]["queries"]
    return queries


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "corpus.db")
    with s.transaction():
        for n, (url, source, published, title, nouns, copy_of) in enumerate(ARTICLES, 1):
            body = nouns + " 본문"
            aid = s.insert_article(ArticleRow(url, source, title, None, published, None, body, f"h{n}", (),
                                              "generic", None))
            morphemes, offs = whitespace_tokens(title, body)
            s.insert_tokens(aid, morphemes, offs, nouns, *fts_forms(title, morphemes, offs))
            s.join_cluster(aid, [copy_of + 1] if copy_of is not None else [])
    return s


def _run(store: Store, name: str, since: str) -> list[dict[str, object]]:
    sql = _queries()[name]["sql"]
    params = {p: since for p in re.findall(r":(\w+)", sql)}
    cur = store.conn.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def test_every_canned_query_is_documented_and_runs(store: Store) -> None:
    queries = _queries()
    assert {"articles_per_source_per_day", "top_nouns_per_week", "biggest_clusters"} <= queries.keys()
    for name, q in queries.items():
        assert q["title"] and q["description"], name
        _run(store, name, "")


def test_articles_per_source_per_day(store: Store) -> None:
    rows = _run(store, "articles_per_source_per_day", "")
    got = {(r["day"], r["source"]): (r["articles"], r["unique_articles"]) for r in rows}
    assert got == {("2026-10-05", "a"): (1, 1), ("2026-10-06", "b"): (1, 0), ("2026-10-06", "c"): (1, 0),
                   ("2026-10-13", "a"): (1, 1), (None, "b"): (1, 1)}  # the KST day, not the UTC one
    assert {(r["day"], r["source"]) for r in _run(store, "articles_per_source_per_day", "2026-10-06")} == {
        ("2026-10-06", "b"), ("2026-10-06", "c"), ("2026-10-13", "a")}


def test_top_nouns_per_week_counts_unique_articles(store: Store) -> None:
    rows = _run(store, "top_nouns_per_week", "2026-10-01")
    by_week: dict[str, list[tuple[str, int]]] = {}
    for r in rows:
        by_week.setdefault(str(r["week"]), []).append((str(r["noun"]), int(r["mentions"])))  # type: ignore[call-overload]
    expected: dict[str, Counter[str]] = {"2026-40": Counter(ARTICLES[0][4].split()),
                                         "2026-41": Counter(ARTICLES[3][4].split())}
    for week, counts in expected.items():
        want = sorted(((w, c) for w, c in counts.items() if len(w) >= 2), key=lambda x: (-x[1], x[0]))
        assert by_week[week] == want  # copies (the 2026-10-06 articles) are not counted
    assert by_week.keys() == expected.keys()


def test_biggest_clusters(store: Store) -> None:
    rows = _run(store, "biggest_clusters", "")
    assert [(r["size"], r["url"]) for r in rows] == [(3, "https://a.example.kr/1")]
    assert json.loads(str(rows[0]["sources"])) == ["a", "b", "c"]
    assert _run(store, "biggest_clusters", "2026-10-07") == []


# -- the same queries in a real Datasette (`datasette corpus.db -m metadata.json`, as `make browse` runs it) --------

_RELEASE = ("남동구는 9일 구청 대회의실에서 소상공인 디지털 전환 지원 설명회를 열었다고 밝혔다.\n"
            "설명회에서는 온라인 판로 개척과 간편결제 도입 비용을 돕는 사업 내용을 안내했다.\n"
            "구 관계자는 신청 기업 가운데 200곳을 골라 전문가 상담을 붙이겠다고 말했다.")

# Invented: one release run by three outlets over two days, two independent stories a week later, one undated.
IMPORTED = [
    {"url": "https://hana.example.kr/n/1", "source": "hana", "published": "2026-03-09T09:00:00+09:00",
     "title": "남동구, 소상공인 디지털 전환 설명회", "body": _RELEASE},
    {"url": "https://dul.example.kr/n/2", "source": "dul", "published": "2026-03-09T15:00:00+09:00",
     "title": "소상공인 디지털 전환 지원 설명회 열려", "body": _RELEASE},
    {"url": "https://set.example.kr/n/3", "source": "set", "published": "2026-03-10T08:00:00+09:00",
     "title": "남동구 소상공인 지원 설명회", "body": _RELEASE},
    {"url": "https://hana.example.kr/n/4", "source": "hana", "published": "2026-03-17T10:00:00+09:00",
     "title": "공원 산책로 야간 조명 설치",
     "body": "구월동 근린공원 산책로에 야간 조명 40개가 새로 들어섰다.\n주민들은 공원 산책로가 밝아졌다고 말했다."},
    {"url": "https://dul.example.kr/n/5", "source": "dul", "published": "2026-03-18T11:00:00+09:00",
     "title": "도서관 주말 그림책 교실",
     "body": "구립 도서관이 주말마다 그림책 교실을 연다.\n도서관 관계자는 그림책 교실 신청을 받는다고 밝혔다."},
    {"url": "https://set.example.kr/n/6", "source": "set", "published": None,
     "title": "날짜 없는 공지", "body": "주민센터 민원 창구 운영 시간이 바뀐다.\n민원 창구는 오후 여섯 시까지 연다."},
]


@pytest.fixture(scope="module")
def imported_db(tmp_path_factory: pytest.TempPathFactory, tokenizer: Tokenizer) -> Path:
    """corpus.db (the name metadata.json's queries are filed under) built by the importer from IMPORTED."""
    folder = tmp_path_factory.mktemp("datasette")
    src = folder / "articles.jsonl"
    src.write_text("".join(json.dumps({k: v for k, v in a.items() if v is not None}, ensure_ascii=False) + "\n"
                           for a in IMPORTED), encoding="utf-8")
    db = folder / "corpus.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(run, "Tokenizer", lambda *args, **kwargs: tokenizer)  # reuse the session's Kiwi model
        result = run.import_file(Config(db_path=db), src)
    assert not result.stats.bad_lines
    return db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def datasette_url(imported_db: Path) -> Iterator[str]:
    """`datasette corpus.db -m metadata.json` on a free loopback port, as a subprocess."""
    pytest.importorskip("datasette", reason="needs datasette (the dev or browse extra)")
    port = _free_port()
    log = imported_db.parent / "datasette.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "datasette", imported_db.name, "-m", str(METADATA),
                                 "-h", "127.0.0.1", "-p", str(port)], cwd=imported_db.parent, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # startup wait, not a speed assertion
        while True:
            assert proc.poll() is None, log.read_text("utf-8", "replace")
            try:
                if httpx.get(f"{url}/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text("utf-8", "replace")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _canned(url: str, name: str, since: str) -> tuple[list[str], list[dict[str, object]]]:
    response = httpx.get(f"{url}/corpus/{name}.json", params={"since": since}, timeout=30)
    assert response.status_code == 200, response.text[:500]
    data = response.json()
    assert data["ok"], data
    columns: list[str] = data["columns"]
    return columns, [dict(zip(columns, row, strict=True)) for row in data["rows"]]


def _db_rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_datasette_lists_the_canned_queries(datasette_url: str) -> None:
    data = httpx.get(f"{datasette_url}/corpus.json", timeout=30).json()
    names = {q["name"] for q in data["queries"]}
    assert names == set(_queries())
    titles = {q["name"]: q["title"] for q in data["queries"]}
    assert titles["biggest_clusters"] == _queries()["biggest_clusters"]["title"]


def test_datasette_articles_per_source_per_day(datasette_url: str, imported_db: Path) -> None:
    columns, rows = _canned(datasette_url, "articles_per_source_per_day", "")
    assert columns == ["day", "source", "articles", "unique_articles"]
    expected: Counter[tuple[object, object]] = Counter()
    unique: Counter[tuple[object, object]] = Counter()
    sql = "SELECT source, published, duplicate_of FROM articles"
    for source, published, duplicate_of in _db_rows(imported_db, sql):
        key = (str(published)[:10] if published else None, source)
        expected[key] += 1
        unique[key] += duplicate_of is None
    assert {(r["day"], r["source"]): (r["articles"], r["unique_articles"]) for r in rows} == {
        k: (n, unique[k]) for k, n in expected.items()}
    assert sum(int(str(r["articles"])) for r in rows) == len(IMPORTED)
    assert sum(int(str(r["unique_articles"])) for r in rows) == len(IMPORTED) - 2  # two copies of the release
    _, later = _canned(datasette_url, "articles_per_source_per_day", "2026-03-10")
    assert {r["day"] for r in later} == {"2026-03-10", "2026-03-17", "2026-03-18"}


def test_datasette_top_nouns_per_week(datasette_url: str, imported_db: Path) -> None:
    columns, rows = _canned(datasette_url, "top_nouns_per_week", "2026-01-01")
    assert columns == ["week", "rank", "noun", "mentions", "articles"]
    counts: dict[str, Counter[str]] = {}
    docs: dict[str, Counter[str]] = {}
    for published, nouns in _db_rows(imported_db, "SELECT a.published, t.nouns FROM articles a JOIN tokens t "
                                                  "ON t.article_id = a.id WHERE a.duplicate_of IS NULL "
                                                  "AND a.published IS NOT NULL"):
        week = date.fromisoformat(str(published)[:10]).strftime("%Y-%W")  # SQLite's %W: weeks start on Monday
        words = [w for w in str(nouns).split() if len(w) >= 2]
        counts.setdefault(week, Counter()).update(words)
        docs.setdefault(week, Counter()).update(set(words))
    assert {str(r["week"]) for r in rows} == set(counts) and len(counts) == 2  # the release's week and the next
    for week, counter in counts.items():
        ranked = sorted(counter, key=lambda w: (-counter[w], -docs[week][w], w))[:20]
        got = [r for r in rows if r["week"] == week]
        assert [r["rank"] for r in got] == list(range(1, len(ranked) + 1))
        assert [(r["noun"], r["mentions"], r["articles"]) for r in got] == [
            (w, counter[w], docs[week][w]) for w in ranked]
    release_week = date(2026, 3, 9).strftime("%Y-%W")
    (first,) = _db_rows(imported_db, "SELECT t.nouns FROM tokens t JOIN articles a ON a.id = t.article_id "
                                     f"WHERE a.url = '{IMPORTED[0]['url']}'")
    top = next(r for r in rows if r["week"] == release_week and r["noun"] == "설명회")
    assert (top["mentions"], top["articles"]) == (str(first[0]).split().count("설명회"), 1)  # copies not counted


def test_datasette_biggest_clusters(datasette_url: str) -> None:
    columns, rows = _canned(datasette_url, "biggest_clusters", "")
    assert columns == ["cluster_id", "size", "first_published", "sources", "title", "url"]
    assert [(r["size"], r["title"], r["url"], r["first_published"]) for r in rows] == [
        (3, IMPORTED[0]["title"], IMPORTED[0]["url"], IMPORTED[0]["published"])]
    assert json.loads(str(rows[0]["sources"])) == ["dul", "hana", "set"]
    assert _canned(datasette_url, "biggest_clusters", "2026-03-10")[1] == []
