"""The run log of the corpus: `runs`, `extraction_health` and `reports` (mixed into `Store`)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime


class RunLog:
    """Rows about runs: one per crawl/import, extraction health per source, one per report."""

    conn: sqlite3.Connection

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, kind: str, started_at: datetime) -> int:
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO runs (kind, started_at, status) VALUES (?,?,?)",
                (kind, started_at.isoformat(timespec="seconds"), "running"),
            )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, finished_at: datetime, status: str, *, pages_fetched: int,
                   articles_new: int, duplicates: int, failures: int, summary: dict[str, object]) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE runs SET finished_at=?, status=?, pages_fetched=?, articles_new=?, duplicates=?,"
                " failures=?, summary=? WHERE id=?",
                (finished_at.isoformat(timespec="seconds"), status, pages_fetched, articles_new, duplicates,
                 failures, json.dumps(summary, ensure_ascii=False, default=str), run_id),
            )

    # -- extraction health ----------------------------------------------------------------------
    def record_health(self, run_id: int, source: str, pages: int, not_article: float, no_date: float,
                      no_author: float, mean_chars: float) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO extraction_health VALUES (?,?,?,?,?,?,?)",
                (run_id, source, pages, not_article, no_date, no_author, mean_chars),
            )

    def health_history(self, source: str, before_run: int, limit: int) -> list[tuple[float, float, float, float]]:
        rows = self.conn.execute(
            "SELECT not_article, no_date, no_author, mean_chars FROM extraction_health"
            " WHERE source = ? AND run_id < ? ORDER BY run_id DESC LIMIT ?", (source, before_run, limit),
        ).fetchall()
        return [(float(a), float(b), float(c), float(d)) for a, b, c, d in rows]

    # -- report runs --------------------------------------------------------------------------
    # `reports(id, created_at, since)`: one row per written coverage report, so the next report can
    # show what arrived in between. Created on first use (older corpora have no such table).
    def _ensure_reports(self) -> None:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, since TEXT)"
        )

    def last_report_at(self) -> str | None:
        """created_at of the most recent report, or None before the first one."""
        with self.conn:
            self._ensure_reports()
        row = self.conn.execute("SELECT created_at FROM reports ORDER BY id DESC LIMIT 1").fetchone()
        return str(row[0]) if row else None

    def record_report(self, created_at: datetime, since: str | None) -> int:
        with self.conn:
            self._ensure_reports()
            cur = self.conn.execute("INSERT INTO reports (created_at, since) VALUES (?,?)",
                                    (created_at.isoformat(timespec="seconds"), since))
        assert cur.lastrowid is not None
        return int(cur.lastrowid)
