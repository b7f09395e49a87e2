"""`newscorpus import`: already-fetched articles from JSONL through normalize → dedup → tokenize → store.

Each line: url, title, body required; published, author, source, html optional. A bad line is
reported with its line number and skipped; every good line is stored.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from pipelines.ingest import Ingestor
from pipelines.normalize import KST, normalize_body
from scraper.errors import InputError
from scraper.models import Article

log = logging.getLogger(__name__)

BATCH_SIZE = 64
_PARTIAL_DATE = re.compile(
    r"^(\d{4})(?:[-./](\d{1,2})(?:[-./](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?)?)?$"
)


@dataclass(slots=True)
class ImportStats:
    lines: int = 0
    stored: int = 0
    duplicates: int = 0
    already_stored: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 2 if self.bad_lines else 0  # a malformed line is an input error (the good lines are stored)

    def to_dict(self) -> dict[str, object]:
        return {
            "lines": self.lines, "stored": self.stored, "new": self.stored - self.duplicates,
            "duplicates": self.duplicates, "already_stored": self.already_stored,
            "bad_lines": [{"line": n, "error": e} for n, e in self.bad_lines],
            "warnings": [{"line": n, "warning": w} for n, w in self.warnings],
        }


def parse_published(value: str) -> datetime:
    """ISO 8601 (with or without offset) or a partial date like '2023-10'; naive times are KST.

    Raises ValueError (or OverflowError for dates at the edge of the calendar).
    """
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        m = _PARTIAL_DATE.match(value)
        if not m:
            raise ValueError(f"unreadable date {value!r}") from None
        y, mo, d, h, mi, s = (int(g) if g else None for g in m.groups())
        parsed = datetime(y or 1970, mo or 1, d or 1, h or 0, mi or 0, s or 0)
    return parsed.replace(tzinfo=KST) if parsed.tzinfo is None else parsed.astimezone(KST)


def _article_from_line(n: int, line: str, stats: ImportStats) -> Article:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)") from None
    if not isinstance(obj, dict):
        raise InputError("not a JSON object")
    missing = [k for k in ("url", "title", "body") if not isinstance(obj.get(k), str)]
    if missing:
        raise InputError(f"missing or non-string field(s): {', '.join(missing)}")
    if not obj["url"].startswith(("http://", "https://")):
        raise InputError(f"url is not http(s): {obj['url'][:80]!r}")
    try:
        urlsplit(obj["url"]).hostname  # noqa: B018 - raises on a malformed host
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except ValueError as exc:  # UnicodeEncodeError is a ValueError too
        raise InputError(f"invalid url or text ({exc})") from None
    if not normalize_body(obj["body"]):
        raise InputError("empty body")
    published = None
    if obj.get("published"):
        try:
            published = parse_published(str(obj["published"]))
        except (ValueError, OverflowError) as exc:
            stats.warnings.append((n, f"{exc}; stored without a publish time"))
    author = obj.get("author")
    authors = tuple(a.strip() for a in author.split(",") if a.strip()) if isinstance(author, str) else ()
    return Article(
        source=str(obj.get("source") or ""), url=obj["url"], title=obj["title"], body=obj["body"],
        published=published, authors=authors, profile="import",
    )


def _lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """Non-blank lines with their numbers; None for a line that is not UTF-8."""
    try:
        with path.open("rb") as fh:
            for n, raw in enumerate(fh, 1):
                try:
                    line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
                except UnicodeDecodeError:
                    yield n, None
                    continue
                if line.strip():
                    yield n, line
    except FileNotFoundError:
        raise InputError(f"cannot read {path}: no such file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def check_input(path: Path) -> None:
    """Fail early (before any database is touched) on a missing or unreadable input file."""
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a JSONL file")
    if not path.exists():
        raise InputError(f"cannot read {path}: no such file")
    if not os.access(path, os.R_OK):
        raise InputError(f"cannot read {path}: permission denied")


def import_jsonl(path: Path, ingestor: Ingestor, *, on_progress: Callable[[int], None] | None = None,
                 stats: ImportStats | None = None) -> ImportStats:
    """Import a JSONL file in batches (one transaction each); `stats` is filled as batches commit."""
    check_input(path)
    stats = stats if stats is not None else ImportStats()
    batch: list[Article] = []

    def flush() -> None:
        outcomes = ingestor.ingest(batch)
        for out in outcomes:
            if out.status == "invalid":
                continue
            if out.status == "url":
                stats.already_stored += 1
            else:
                stats.stored += 1
                stats.duplicates += out.status != "new"
        if on_progress:
            on_progress(len(batch))
        batch.clear()

    for n, line in _lines(path):
        stats.lines += 1
        try:
            if line is None:
                raise InputError("not UTF-8 text")
            batch.append(_article_from_line(n, line, stats))
        except InputError as exc:
            stats.bad_lines.append((n, str(exc)))
            log.debug("line %d: %s", n, exc)
            continue
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    return stats
