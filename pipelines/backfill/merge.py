"""`newscorpus merge`: store backfill shards in corpus.db with the nightly crawl's dedup rules.

Each shard goes through the same Ingestor as a crawl batch (URL already stored → skipped, exact
copy by body hash, near copy by MinHash + verifier, cluster joining), with the Kiwi morphemes the
worker computed (Kiwi does not run again). A shard is read and checked whole before its first
row is stored, so a damaged shard stores nothing; its rows are stored in batches, one transaction
each, and the shard is then recorded in `merged_shards` (name + sha256 of the file): merging the
same shard again — under any name — adds nothing, and an interrupted merge resumes by URL.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipelines.backfill.shard import content_hash, list_shards, read_shard
from pipelines.ingest import Ingestor, Pretokenized
from pipelines.normalize import KST
from pipelines.store import Store
from pipelines.tokenize import analysed_text, decode_tokens
from scraper.errors import InputError
from scraper.models import Article

log = logging.getLogger(__name__)

BATCH_SIZE = 500  # articles per transaction

_MERGED_SHARDS = """
CREATE TABLE IF NOT EXISTS merged_shards (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    rows INTEGER NOT NULL,
    new INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    already_stored INTEGER NOT NULL,
    run_id INTEGER,
    merged_at TEXT NOT NULL
)
"""


@dataclass(slots=True)
class MergeStats:
    shards: int = 0
    merged: int = 0
    already_merged: int = 0
    rows: int = 0
    new: int = 0
    duplicates: int = 0
    already_stored: int = 0
    pretokenized: int = 0  # stored with the shard's morphemes (the rest went through Kiwi here)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (shard name, reason)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def to_dict(self) -> dict[str, object]:
        return {
            "shards": self.shards, "merged": self.merged, "already_merged": self.already_merged, "rows": self.rows,
            "stored": self.new + self.duplicates, "new": self.new, "duplicates": self.duplicates,
            "already_stored": self.already_stored, "pretokenized": self.pretokenized,
            "failures": [{"shard": s, "error": e} for s, e in self.failures], "seconds": round(self.seconds, 2),
        }


def merged_hashes(conn: sqlite3.Connection) -> set[str]:
    with conn:
        conn.execute(_MERGED_SHARDS)
    return {row[0] for row in conn.execute("SELECT sha256 FROM merged_shards")}


def merge_shards(folder: Path, store: Store, ingestor: Ingestor, run_id: int | None, stats: MergeStats,
                 on_progress: Callable[[int, int], None] | None = None, batch_size: int = BATCH_SIZE) -> MergeStats:
    """Merge every shard of `folder` not merged before, in name order; `stats` is filled as shards commit."""
    started = time.perf_counter()
    shards = list_shards(folder)
    stats.shards = len(shards)
    done_hashes = merged_hashes(store.conn)
    for n, path in enumerate(shards, 1):
        digest = content_hash(path)
        if digest in done_hashes:
            stats.already_merged += 1
        else:
            try:
                _merge_one(path, digest, store, ingestor, run_id, stats, batch_size)
                done_hashes.add(digest)
            except InputError as exc:
                stats.failures.append((path.name, str(exc)))
                log.info("%s", exc)  # reported by the caller (the CLI prints one line per shard)
        if on_progress:
            on_progress(n, len(shards))
    stats.pretokenized = ingestor.counts.pretokenized
    stats.seconds = time.perf_counter() - started
    return stats


def _merge_one(path: Path, digest: str, store: Store, ingestor: Ingestor, run_id: int | None, stats: MergeStats,
               batch_size: int) -> None:
    rows = read_shard(path)
    items = [_article(path.name, i, row) for i, row in enumerate(rows)]  # all checked before any write
    counts = {"new": 0, "exact": 0, "near": 0, "url": 0, "invalid": 0}
    for lo in range(0, len(items), batch_size):
        chunk = items[lo : lo + batch_size]
        outcomes = ingestor.ingest([a for a, _ in chunk], [p for _, p in chunk])
        for out in outcomes:
            counts[out.status] = counts.get(out.status, 0) + 1
    dup = counts["exact"] + counts["near"]
    with store.transaction():
        store.conn.execute(
            "INSERT OR REPLACE INTO merged_shards (sha256, name, rows, new, duplicates, already_stored, run_id,"
            " merged_at) VALUES (?,?,?,?,?,?,?,?)",
            (digest, path.name, len(rows), counts["new"], dup, counts["url"], run_id,
             datetime.now(UTC).isoformat(timespec="seconds")),
        )
    stats.merged += 1
    stats.rows += len(rows)
    stats.new += counts["new"]
    stats.duplicates += dup
    stats.already_stored += counts["url"]
    log.info("%s: %d rows, %d new, %d duplicates, %d already stored", path.name, len(rows), counts["new"], dup,
             counts["url"])


def _article(shard: str, n: int, row: dict[str, object]) -> tuple[Article, Pretokenized]:
    """A shard row as the Article the Ingestor takes, with its precomputed morphemes.

    Raises:
        InputError: a value of the row cannot be read (the whole shard is refused).
    """
    try:
        title, body = str(row["title"]), str(row["body"])
        article = Article(
            source=str(row.get("source") or ""), url=str(row["canonical_url"]), title=title, body=body,
            published=_time(row.get("published")), fetched_at=_time(row.get("fetched_at")),
            authors=_strings(row.get("authors")), captions=_strings(row.get("captions")),
            profile=str(row.get("profile") or "generic"),
        )
        doc = decode_tokens(str(row["morphemes"]), str(row["offsets"]))
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(f"shard {shard}: row {n}: unreadable ({exc})") from None
    return article, Pretokenized(analysed_text(title, body), doc)


def _time(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=KST)


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ValueError("expected a list of strings")
    return tuple(str(v) for v in value)
