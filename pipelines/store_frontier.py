"""The crawler's own state in the corpus: `frontier` and `validators` (mixed into `Store`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from scraper.models import WarcRef


class CrawlState:
    """Each discovered URL with its state, and the HTTP validators for conditional GET."""

    conn: sqlite3.Connection

    # -- frontier -----------------------------------------------------------------------------
    def frontier_add(self, url: str, source: str, found_via: str, published_hint: str | None,
                     now: str) -> bool:
        """Record a discovered URL; True when it is new."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO frontier (url, source, state, found_via, published_hint, discovered_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?)",
            (url, source, "discovered", found_via, published_hint, now, now),
        )
        return cur.rowcount > 0

    def frontier_add_many(self, rows: Sequence[tuple[str, str, str, str | None]], now: str) -> int:
        """Record discovered URLs, (url, source, found_via, published_hint) each; how many were new."""
        cur = self.conn.executemany(
            "INSERT OR IGNORE INTO frontier (url, source, state, found_via, published_hint, discovered_at,"
            " updated_at) VALUES (?,?,'discovered',?,?,?,?)",
            [(url, source, via, hint, now, now) for url, source, via, hint in rows],
        )
        return max(cur.rowcount, 0)

    def frontier_known_among(self, urls: Sequence[str]) -> set[str]:
        """Which of these URLs the frontier holds (one query per 500)."""
        known: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i : i + 500]
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in self.conn.execute(f"SELECT url FROM frontier WHERE url IN ({marks})", chunk))
        return known

    def frontier_known(self, url: str) -> bool:
        return self.conn.execute("SELECT 1 FROM frontier WHERE url = ?", (url,)).fetchone() is not None

    def frontier_pending(self, source: str, now: str, max_attempts: int) -> list[tuple[str, int]]:
        """URLs still to fetch for a source: discovered, or failed and due for a retry."""
        rows = self.conn.execute(
            "SELECT url, attempts FROM frontier WHERE source = ? AND (state = 'discovered' OR"
            " (state = 'failed' AND attempts < ? AND (next_retry_at IS NULL OR next_retry_at <= ?)))"
            " ORDER BY discovered_at, url",
            (source, max_attempts, now),
        ).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def frontier_set(self, url: str, state: str, now: str, *, reason: str | None = None,
                     next_retry_at: str | None = None, article_id: int | None = None,
                     attempt: bool = False) -> None:
        self.conn.execute(
            "UPDATE frontier SET state=?, reason=?, next_retry_at=?, article_id=COALESCE(?, article_id),"
            " attempts = attempts + ?, updated_at=? WHERE url=?",
            (state, reason, next_retry_at, article_id, 1 if attempt else 0, now, url),
        )

    def frontier_alias(self, url: str, source: str, now: str) -> None:
        """Make sure a final (post-redirect) URL is known too, so it is never fetched again."""
        self.conn.execute(
            "INSERT OR IGNORE INTO frontier (url, source, state, found_via, discovered_at, updated_at)"
            " VALUES (?,?,?,?,?,?)",
            (url, source, "stored", "redirect", now, now),
        )

    # -- frontier spool: fetched pages waiting for processing, by their raw-archive record -------
    def frontier_mark_fetched(self, items: Sequence[tuple[str, WarcRef]], now: str) -> None:
        """State 'fetched' with the archive record of each URL (only URLs not yet stored or skipped)."""
        with self.transaction():
            self.conn.executemany(
                "UPDATE frontier SET state='fetched', warc_file=?, warc_offset=?, warc_record_id=?, updated_at=?"
                " WHERE url=? AND state IN ('discovered', 'failed')",
                [(ref.file, ref.offset, ref.record_id, now, url) for url, ref in items],
            )

    def frontier_fetched(self, source: str) -> list[tuple[str, WarcRef]]:
        """URLs of a source fetched into the archive by an earlier run but never processed."""
        rows = self.conn.execute(
            "SELECT url, warc_file, warc_offset, warc_record_id FROM frontier WHERE source = ? AND state = 'fetched'"
            " AND warc_file IS NOT NULL ORDER BY warc_file, warc_offset", (source,),
        ).fetchall()
        return [(r[0], WarcRef(r[1], int(r[2]), r[3] or "")) for r in rows]

    # -- validators (conditional GET) ---------------------------------------------------------
    def get(self, url: str) -> tuple[str | None, str | None] | None:
        row = self.conn.execute("SELECT etag, last_modified FROM validators WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else None

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO validators (url, etag, last_modified) VALUES (?,?,?)",
                (url, etag, last_modified),
            )
