"""metadata.json (for `datasette corpus.db -m metadata.json`): every canned query runs on a real schema."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from word_tokens import whitespace_tokens

from pipelines.store import ArticleRow, Store, fts_forms

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
