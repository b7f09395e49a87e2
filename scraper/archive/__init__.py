"""The raw archive: every fetched response kept in standard WARC files, and read back.

    with ArchiveWriter(folder) as archive:          # gzip per record, rotated by size
        ref = archive.write(response)               # -> WarcRef(file, offset, record_id)
    page = read_page(folder, ref)                   # -> RawPage, as the fetcher returned it
    for page in iter_pages(folder / ref.file): ...  # every response record of one file

Files are written with warcio (the Webrecorder/IIPC library), so any WARC tool reads them.
"""

from __future__ import annotations

from scraper.archive.reader import iter_pages, read_page, read_pages
from scraper.archive.record import ArchivedResponse
from scraper.archive.writer import ArchiveWriter

__all__ = ["ArchiveWriter", "ArchivedResponse", "iter_pages", "read_page", "read_pages"]
