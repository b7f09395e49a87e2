"""Read WARC files (gzip per record, whole-file gzip or plain): the records a backfill task looks at.

warcio's ArchiveIterator does the parsing (WARC 1.0/1.1, ARC, chunked transfer and gzip/deflate
content encodings are undone by `content_stream()`). A body is read only for records the caller
wants (`want(head)`), so feeds, images and request records cost only their headers.

A file that is not a WARC, or is cut short, raises `InputError` from the iterator, after every
record before the damage has been yielded: the caller keeps what it got and records the failure.
"""

from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from scraper.errors import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WarcHead:
    """What the WARC and HTTP headers say about one record (no body)."""

    rec_type: str  # "response", "request", "metadata", "revisit", …
    url: str  # WARC-Target-URI
    status: int  # HTTP status; 0 when the record has no HTTP headers
    content_type: str  # HTTP Content-Type, lower-cased; "" when absent
    date: datetime | None  # WARC-Date
    warc_file: str
    offset: int  # byte offset of the record in the (compressed) file
    record_id: str  # WARC-Record-ID, e.g. "<urn:uuid:…>"


@dataclass(frozen=True, slots=True)
class WarcRecord:
    head: WarcHead
    body: bytes | None  # the decoded HTTP payload, or None when the caller did not want it


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _status(record: object) -> int:
    http = getattr(record, "http_headers", None)
    if http is None:
        return 0
    try:
        return int(http.get_statuscode())
    except (TypeError, ValueError):
        return 0


def iter_records(path: Path, want: Callable[[WarcHead], bool], *, start: int = 0,
                 limit: int | None = None) -> Iterator[WarcRecord]:
    """The records of `path` from byte offset `start` (a record boundary), at most `limit` of them.

    Raises:
        InputError: the file cannot be opened, is not a WARC, or is truncated/corrupt (raised
            after the good records before the damage).
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    name = str(path)
    seen = 0
    end = start
    warnings = io.StringIO()  # warcio writes its complaints to stderr: keep them out of the terminal
    try:
        with path.open("rb") as fh:
            fh.seek(start)
            archive = ArchiveIterator(fh)
            records = iter(archive)
            while limit is None or seen < limit:
                try:
                    with redirect_stderr(warnings):
                        record = next(records, None)
                except (AttributeError, TypeError, KeyError, IndexError) as exc:  # warcio on mangled headers
                    raise InputError(f"{name}: corrupt after {seen} record(s) ({type(exc).__name__})") from None
                if record is None:
                    _check_end(fh, end, name, seen)
                    break
                if record.format != "warc":
                    raise InputError(f"{name}: not a WARC file (record {seen} is {record.format or 'unknown'})")
                if record.rec_type is None or record.length is None:
                    raise InputError(f"{name}: truncated after {seen} record(s) (a record without headers)")
                seen += 1
                http = record.http_headers
                head = WarcHead(
                    rec_type=record.rec_type or "",
                    url=record.rec_headers.get_header("WARC-Target-URI") or "",
                    status=_status(record),
                    content_type=((http.get_header("Content-Type") if http is not None else None) or "").lower(),
                    date=_date(record.rec_headers.get_header("WARC-Date")),
                    warc_file=name,
                    offset=-1,
                    record_id=record.rec_headers.get_header("WARC-Record-ID") or "",
                )
                body = record.content_stream().read() if want(head) else None
                with redirect_stderr(warnings):  # asking for the offset reads the rest of the record
                    offset = start + archive.get_record_offset()
                    end = offset + archive.get_record_length()
                if getattr(record.raw_stream, "limit", 0):  # bytes the record promised but the file lacks
                    raise InputError(f"{name}: truncated after {seen - 1} record(s) (record at byte {offset} is cut)")
                yield WarcRecord(replace(head, offset=offset), body)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a WARC file") from None
    except ArchiveLoadFailed as exc:
        raise InputError(f"{name}: not a WARC file or corrupt after {seen} record(s) ({_short(exc)})") from None
    except (EOFError, zlib.error, ValueError, OSError) as exc:
        raise InputError(f"{name}: truncated or corrupt after {seen} record(s) ({_short(exc)})") from None
    finally:
        if warnings.getvalue():
            log.debug("%s: warcio: %s", name, " ".join(warnings.getvalue().split())[:500])


def _check_end(fh: BinaryIO, end: int, name: str, seen: int) -> None:
    """Bytes after the last whole record are a record cut short (its gzip member gave nothing)."""
    fh.seek(end)
    rest = fh.read(1 << 16)
    if rest.strip(b"\r\n\0 "):
        raise InputError(f"{name}: truncated after {seen} record(s) ({len(rest)}+ unreadable bytes at byte {end})")


def record_offsets(path: Path, every: int) -> list[int]:
    """Byte offsets of records 0, every, 2·every, …: where a big file is cut into tasks.

    Returns [0] when the file cannot be cut (one gzip stream over the whole file has no record
    boundaries to seek to) — then one task reads it all.
    """
    from warcio.archiveiterator import ArchiveIterator

    offsets: list[int] = []
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        for n, _record in enumerate(it):
            if n % every == 0:
                offsets.append(it.get_record_offset())
        if offsets[:1] != [0] or len(set(offsets)) != len(offsets):
            return [0]
        if not all(_starts_record(fh, o) for o in offsets):
            return [0]
    return offsets


def _starts_record(fh: BinaryIO, offset: int) -> bool:
    """A gzip member or a plain WARC header starts at `offset` (not so inside one big gzip stream)."""
    fh.seek(offset)
    magic = fh.read(5)
    return magic.startswith((b"WARC/", b"\x1f\x8b"))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
