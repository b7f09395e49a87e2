"""`newscorpus export`: every format reads back to the same rows as the database holds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from word_tokens import whitespace_tokens

from pipelines.export import COLUMNS, export
from pipelines.store import ArticleRow, Store, fts_forms
from scraper.errors import InputError

# Invented rows; the body has a newline, a comma and a quote so CSV quoting is exercised.
ROWS = [
    ("https://a.example.kr/1", "a", "김하늘 기자", "2026-10-01T09:00:00+09:00", "해양 축제 개막",
     '바다 축제가 열린다.\n주최 측은 "가족, 친구와 오라"고 했다.'),
    ("https://b.example.kr/2", "b", None, "2026-10-01T11:00:00+09:00", "해양 축제 열려",
     '바다 축제가 열린다.\n주최 측은 "가족, 친구와 오라"고 했다.'),
    ("https://a.example.kr/3", "a", "이도윤 기자", None, "버스 노선 개편", "마을 버스가 늘어난다."),
]


def _morphemes(title: str, body: str) -> tuple[str, str, str]:
    """Whitespace 'morphemes' tagged NNG: enough to check the columns travel unchanged."""
    morphemes, offsets = whitespace_tokens(title, body)
    return morphemes, offsets, " ".join(m.split("/")[0] for m in morphemes.split()[:3])


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "corpus.db")
    with s.transaction():
        for url, source, author, published, title, body in ROWS:
            aid = s.insert_article(ArticleRow(url, source, title, author, published, None, body, "h" + url,
                                              (), "generic", None))
            morphemes, offsets, nouns = _morphemes(title, body)
            s.insert_tokens(aid, morphemes, offsets, nouns, *fts_forms(title, morphemes, offsets))
            s.join_cluster(aid, [1] if aid == 2 else [])
    return s


def _expected(store: Store, include_duplicates: bool) -> list[dict[str, object]]:
    where = "" if include_duplicates else "WHERE a.duplicate_of IS NULL"
    cur = store.conn.execute(
        "SELECT a.id, a.url, a.source, a.title, a.author, a.published, a.body, a.cluster_id, a.duplicate_of,"
        f" t.morphemes, t.nouns FROM articles a JOIN tokens t ON t.article_id = a.id {where} ORDER BY a.id")
    return [dict(zip(COLUMNS, r, strict=True)) for r in cur]


@pytest.mark.parametrize("include_duplicates", [False, True])
def test_jsonl_round_trips(store: Store, tmp_path: Path, include_duplicates: bool) -> None:
    out = tmp_path / "out.jsonl"
    n = export(store, "jsonl", out, include_duplicates=include_duplicates)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == _expected(store, include_duplicates)
    assert n == len(rows) == (3 if include_duplicates else 2)
    assert "해양" in out.read_text(encoding="utf-8")  # Hangul is written as is, not \\u escapes


def test_csv_round_trips(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert export(store, "csv", out) == 2
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    as_text = [{k: "" if v is None else str(v) for k, v in row.items()} for row in _expected(store, False)]
    assert rows == as_text


def test_parquet_round_trips(store: Store, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out.parquet"
    assert export(store, "parquet", out, include_duplicates=True) == 3
    assert pq.read_table(out).to_pylist() == _expected(store, True)


def test_unique_articles_are_the_default(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    export(store, "jsonl", out)
    assert [json.loads(line)["duplicate_of"] for line in out.read_text(encoding="utf-8").splitlines()] == [None, None]


def test_bad_format_and_parquet_to_stdout_are_input_errors(store: Store) -> None:
    with pytest.raises(InputError):
        export(store, "xlsx", None)
    pytest.importorskip("pyarrow")
    with pytest.raises(InputError):
        export(store, "parquet", None)
