"""ArchiveWriter: append response records to rotating, gzip-per-record WARC files.

Crash safety: each record is built in memory and written with one write() plus a flush, so a
process killed at any moment leaves at most one truncated record, at the end of its last file
(the reader skips it with a warning). A writer never appends to an existing file: every run
starts a new one (`newscorpus-<UTC timestamp>-<serial>.warc.gz`, opened with O_EXCL), so a
possibly truncated file is never written after.
"""

from __future__ import annotations

import io
import logging
import os
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.archive.record import (
    DECODED_FIELD,
    ENCODING_FIELD,
    PURPOSE_FIELD,
    REQUESTED_FIELD,
    SOURCE_FIELD,
    ArchivedResponse,
    stored_headers,
    warc_date,
)
from scraper.errors import ArchiveError
from scraper.models import WarcRef

log = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"  # 1.1 for microsecond WARC-Date
PURPOSES = ("article", "discovery")
SCOPES = ("articles", "all")


def _software() -> str:
    try:
        return f"newscorpus/{version('newscorpus')}"
    except PackageNotFoundError:
        return "newscorpus"


class ArchiveWriter:
    """Writes WARC files into `folder`. Not thread-safe: use it from one thread (the event loop).

    Args:
        max_file_bytes: a new file is started before a record once the current file reached this.
        scope: "articles" archives only article pages; "all" also feeds, sitemaps and listings.
    """

    def __init__(self, folder: Path, *, max_file_bytes: int = 1024**3, scope: str = "articles") -> None:
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
        if max_file_bytes < 1:
            raise ValueError("max_file_bytes must be positive")
        self.folder = folder
        self._max = max_file_bytes
        self._scope = scope
        self._file: BinaryIO | None = None
        self._name = ""
        self._size = 0
        self._serial = 0
        self.files: list[str] = []  # names of the files this writer created, in order
        self.records = 0  # response records written
        self.bytes = 0  # compressed bytes written, warcinfo records included

    def wants(self, purpose: str) -> bool:
        """Whether a response fetched for `purpose` ("article" or "discovery") is archived."""
        return purpose == "article" or self._scope == "all"

    def write(self, response: ArchivedResponse) -> WarcRef:
        """Append one response record; returns where it lies."""
        if self._file is None or self._size >= self._max:
            self._open_next()
        assert self._file is not None
        headers, decoded = stored_headers(response.headers, len(response.body))
        http = StatusAndHeaders(f"{response.status} {response.reason}".rstrip(), headers,
                                protocol=response.http_version or "HTTP/1.1")
        fields = {"WARC-Date": warc_date(response.fetched_at), PURPOSE_FIELD: response.purpose}
        if response.source:
            fields[SOURCE_FIELD] = response.source
        if response.encoding_override:
            fields[ENCODING_FIELD] = response.encoding_override
        if response.requested_url != response.url:
            fields[REQUESTED_FIELD] = response.requested_url
        if decoded:
            fields[DECODED_FIELD] = decoded
        buf = io.BytesIO()
        warc = WARCWriter(buf, gzip=True, warc_version=WARC_VERSION)
        record = warc.create_warc_record(response.url, "response", payload=io.BytesIO(response.body),
                                         length=len(response.body), http_headers=http,
                                         warc_headers_dict=fields)
        warc.write_record(record)
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        offset = self._size
        self._append(buf.getvalue())
        self.records += 1
        return WarcRef(self._name, offset, record_id)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------
    def _open_next(self) -> None:
        self.close()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            while True:
                stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
                name = f"newscorpus-{stamp}-{self._serial:05d}.warc.gz"
                self._serial += 1
                try:
                    self._file = open(self.folder / name, "xb")  # noqa: SIM115 - closed in close()
                    break
                except FileExistsError:
                    continue
        except OSError as exc:
            raise ArchiveError(str(self.folder), f"cannot create a WARC file ({exc.strerror})") from exc
        self._name = name
        self._size = 0
        self.files.append(name)
        log.info("archive: writing %s", self.folder / name)
        buf = io.BytesIO()
        warc = WARCWriter(buf, gzip=True, warc_version=WARC_VERSION)
        info = {"software": _software(), "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "isPartOf": "newscorpus", "robots": "obey",
                "description": "Pages fetched by a newscorpus crawl; payloads stored after Content-Encoding"}
        warc.write_record(warc.create_warcinfo_record(name, info))
        self._append(buf.getvalue())

    def _append(self, data: bytes) -> None:
        assert self._file is not None
        try:
            self._file.write(data)
            self._file.flush()  # a killed process loses nothing already returned as a WarcRef
        except OSError as exc:  # maybe half a record written: never append after it
            self.close()
            raise ArchiveError(str(self.folder / self._name), f"cannot write ({exc.strerror})") from exc
        self._size += len(data)
        self.bytes += len(data)

    def sync(self) -> None:
        """fsync the current file (before a commit that must survive a power cut)."""
        if self._file is not None:
            os.fsync(self._file.fileno())
