"""Read archived responses back as `RawPage`s: one record by reference, or a whole WARC file.

A record that cannot be read raises ArchiveError (missing file, bad offset, corrupt gzip, another
record id than expected). Iterating a file stops at a truncated or corrupt tail — what a killed
writer leaves — with a warning, after yielding every complete record before it.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from scraper.archive.record import (
    ENCODING_FIELD,
    PURPOSE_FIELD,
    REQUESTED_FIELD,
    SOURCE_FIELD,
    parse_warc_date,
    restored_headers,
)
from scraper.charset import decode_body
from scraper.errors import ArchiveError
from scraper.models import RawPage, WarcRef

log = logging.getLogger(__name__)

_READ_ERRORS = (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError)


def read_page(folder: Path, ref: WarcRef) -> RawPage:
    """The response record at `ref`, as a RawPage (with .warc = ref)."""
    path = _path(folder, ref.file)
    try:
        with path.open("rb") as fh:
            return _read_at(fh, path, ref)
    except FileNotFoundError:
        raise ArchiveError(str(path), "WARC file missing") from None
    except OSError as exc:
        raise ArchiveError(str(path), f"cannot read ({exc.strerror})") from None


def read_pages(folder: Path, refs: Iterable[WarcRef]) -> Iterator[tuple[WarcRef, RawPage | ArchiveError]]:
    """Each ref with its page, or the error that kept it from being read; each file is opened once."""
    by_file: dict[str, list[WarcRef]] = {}
    for ref in refs:
        by_file.setdefault(ref.file, []).append(ref)
    for name, group in by_file.items():
        group.sort(key=lambda r: r.offset)
        try:
            path = _path(folder, name)
            fh = path.open("rb")
        except ArchiveError as exc:
            yield from ((ref, exc) for ref in group)
            continue
        except FileNotFoundError:
            yield from ((ref, ArchiveError(str(path), "WARC file missing")) for ref in group)
            continue
        except OSError as exc:
            yield from ((ref, ArchiveError(str(path), f"cannot read ({exc.strerror})")) for ref in group)
            continue
        with fh:
            for ref in group:
                try:
                    yield ref, _read_at(fh, path, ref)
                except ArchiveError as exc:
                    yield ref, exc


def iter_pages(path: Path, *, purpose: str | None = None) -> Iterator[RawPage]:
    """Every response record of one WARC file, in order (ours or another crawler's)."""
    name = path.name
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ArchiveError(str(path), f"cannot read ({exc.strerror})") from None
    with fh:
        records = ArchiveIterator(fh, check_digests="raise")
        end = 0  # where the last complete record ended
        while True:
            page = None
            try:
                record = next(records)
                wanted = record.rec_type == "response" and (
                    purpose is None or (record.rec_headers.get_header(PURPOSE_FIELD) or "article") == purpose)
                record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
                if wanted:
                    page = _to_page(record, None)
                offset = records.get_record_offset()  # reads the record to its end: after _to_page
                end = offset + records.get_record_length()
            except StopIteration:
                size = path.stat().st_size
                if end < size:  # a tail warcio could not even parse as a record
                    log.warning("archive: %s: %d bytes after the last complete record skipped (truncated by a "
                                "killed run?)", path, size - end)
                return
            except _READ_ERRORS as exc:
                log.warning("archive: %s: unreadable from byte %d on (truncated by a killed run?): %s",
                            path, end, exc)
                return
            if page is None:
                continue
            page = replace(page, warc=WarcRef(name, offset, record_id))
            yield page


def _safe_tell(fh: IO[bytes]) -> int:
    try:
        return fh.tell()
    except OSError:
        return -1


def _path(folder: Path, name: str) -> Path:
    # A reference comes from the database: never let it point outside the archive folder.
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ArchiveError(name or "(empty)", "not a WARC file name")
    return folder / name


def _read_at(fh: IO[bytes], path: Path, ref: WarcRef) -> RawPage:
    try:
        fh.seek(ref.offset)
        record = next(ArchiveIterator(fh, check_digests="raise"))
        if record.rec_type != "response":
            raise ArchiveError(str(path), f"offset {ref.offset} holds a {record.rec_type} record, not a response")
        found = record.rec_headers.get_header("WARC-Record-ID")
        if found != ref.record_id:
            raise ArchiveError(str(path), f"offset {ref.offset} holds record {found}, not {ref.record_id}")
        return _to_page(record, ref)
    except StopIteration:
        raise ArchiveError(str(path), f"no record at offset {ref.offset} (file truncated?)") from None
    except _READ_ERRORS as exc:
        raise ArchiveError(str(path), f"corrupt or truncated record at offset {ref.offset} ({exc})") from None


def _to_page(record: ArcWarcRecord, ref: WarcRef | None) -> RawPage:
    rec = record.rec_headers
    http = record.http_headers
    body = record.content_stream().read()
    status = int(http.get_statuscode() or 0) if http is not None else 0
    headers = restored_headers(list(http.headers)) if http is not None else ()
    lookup = {k.lower(): v for k, v in headers}
    _check_complete(record, len(body))
    override = rec.get_header(ENCODING_FIELD)
    html, used = decode_body(body, lookup.get("content-type"), override)
    date = rec.get_header("WARC-Date")
    if not date:
        raise ValueError("record without WARC-Date")
    target = rec.get_header("WARC-Target-URI") or ""
    return RawPage(
        source=rec.get_header(SOURCE_FIELD) or "",
        url=target,
        status=status,
        html=html,
        fetched_at=parse_warc_date(date),
        encoding=used,
        etag=lookup.get("etag"),
        last_modified=lookup.get("last-modified"),
        body=body,
        headers=headers,
        warc=ref,
        requested_url=rec.get_header(REQUESTED_FIELD) or target,
    )


def _check_complete(record: ArcWarcRecord, got: int) -> None:
    """A truncated gzip member can decompress to a short record without any error: catch it.

    Without content or transfer codings the payload is stored as is, so header block + payload must
    fill the record's Content-Length (always so for our records). For other crawlers' coded records
    warcio's digest check is what we have.
    """
    http = record.http_headers
    if http is None or http.get_header("Content-Encoding") or http.get_header("Transfer-Encoding"):
        return
    if record.length is not None and http.total_len + got != int(record.length):
        raise ValueError(f"record is {http.total_len + got} bytes, WARC Content-Length says {record.length}"
                         " (truncated)")
