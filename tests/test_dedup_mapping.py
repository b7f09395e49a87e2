"""How the dedup index uses the memory mapping: read unmapped for a while, dropped after a budget."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipelines.dedup.mapping import MappedReads, unmapped


def mmap_size(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA mmap_size").fetchone()[0])


def mapped(tmp_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "corpus.db")
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(1000)])
    conn.commit()
    conn.execute("PRAGMA mmap_size=1048576")
    return conn


def test_unmapped_reads_without_the_mapping_and_restores_it(tmp_path: Path) -> None:
    conn = mapped(tmp_path)
    with unmapped(conn):
        assert mmap_size(conn) == 0
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (1000,)
    assert mmap_size(conn) == 1048576
    memory = sqlite3.connect(":memory:")  # no mapping to drop: nothing happens
    with unmapped(memory):
        pass


def test_the_mapping_is_dropped_after_the_budget_of_scattered_reads(tmp_path: Path) -> None:
    conn = mapped(tmp_path)
    reads = MappedReads(conn, budget=10)
    cursor = conn.execute("SELECT x FROM t ORDER BY x")
    first = cursor.fetchmany(10)
    for _ in range(9):
        reads.count(1)
    assert reads.drops == 0
    reads.count(1)
    reads.count(25)  # a budget's worth at once: one drop
    assert reads.drops == 2 and mmap_size(conn) == 1048576
    assert first + cursor.fetchall() == [(i,) for i in range(1000)]  # a statement left open reads on
