"""Schema migrations: a database written by an older newscorpus opens, upgrades in place, and still searches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipelines.search import search
from pipelines.store import SCHEMA_VERSION, Store
from pipelines.tokenize import Tokenizer
from scraper.errors import StoreError

V1_DUMP = Path(__file__).parent / "fixtures" / "old_schema_v1.sql"


def _load(dump: Path, db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.executescript(dump.read_text(encoding="utf-8"))
    conn.close()


def _snapshot(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.id, a.url, a.title, a.body, a.duplicate_of, a.cluster_id, t.morphemes, t.nouns"
            " FROM articles a JOIN tokens t ON t.article_id = a.id ORDER BY a.id").fetchall()


@pytest.fixture()
def v1_db(tmp_path: Path) -> Path:
    db = tmp_path / "v1.db"
    _load(V1_DUMP, db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM articles_fts_content").fetchone()[0] == 3
    return db


def test_v1_database_is_upgraded_without_losing_rows(v1_db: Path) -> None:
    before = _snapshot(v1_db)
    assert len(before) == 3
    Store(v1_db).close()
    assert _snapshot(v1_db) == before
    with sqlite3.connect(v1_db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "articles_fts_content" not in tables  # v2: contentless, the text lives in `tokens` only
        assert conn.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0] == 3
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        # v4: the vocabulary of the rebuilt index, for prefix search
        conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, articles_fts, row)")
        vocab = {r[0] for r in conn.execute("SELECT term FROM temp.v")}
        assert vocab and {r[0] for r in conn.execute("SELECT term FROM fts_terms")} == vocab


def test_upgraded_database_still_searches(v1_db: Path, tokenizer: Tokenizer) -> None:
    store = Store(v1_db)
    try:
        assert {h.id for h in search(store, tokenizer, "바이오")} == {1}
        assert {h.id for h in search(store, tokenizer, "바이오", include_duplicates=True)} == {1, 2}
        assert {h.id for h in search(store, tokenizer, '"버스 노선"')} == {3}
        assert search(store, tokenizer, "삽", include_duplicates=True)[0].id == 2  # a title-only word
    finally:
        store.close()


def test_migration_is_idempotent(v1_db: Path, tokenizer: Tokenizer) -> None:
    Store(v1_db).close()
    store = Store(v1_db)
    try:
        assert store.conn.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0] == 3
        assert {h.id for h in search(store, tokenizer, "예산 OR 군의회")} == {3}
    finally:
        store.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        Store(db)


def test_interrupted_migration_leaves_v1_intact(v1_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: Store) -> int:
        raise RuntimeError("power cut")

    monkeypatch.setattr(Store, "rebuild_fts", boom)
    with pytest.raises(RuntimeError):
        Store(v1_db)
    with sqlite3.connect(v1_db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM articles_fts_content").fetchone()[0] == 3
        hits = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH '바이오'").fetchall()
        assert sorted(r[0] for r in hits) == [1, 2]
