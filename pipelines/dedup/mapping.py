"""How the dedup index uses the connection's memory mapping (``PRAGMA mmap_size``, set by Store).

The mapping makes the pages every article reads (the right edges of the tables it appends to,
the interior pages of the indexes it descends) cheap to reach. But a read of one scattered page
maps more than that page: the kernel maps the cached pages around it too (*fault-around*, 64 KB
on Linux; `madvise` does not turn it off). At 1M articles the band segments' lookups and the
candidates' stored texts are scattered over ~1.5 GB, and within one recent-tier cycle they left
nearly all of it mapped: resident memory of this process (1.4 GB of a 2.0 GB peak), though the
pages are only page cache that the kernel keeps either way.

So: reads that read the whole of a table (a merge, a filter build) go through SQLite's page
cache instead (`unmapped`), and `MappedReads` drops the mapping after every `SCATTERED_READS`
scattered reads, which bounds what they leave mapped to ~``SCATTERED_READS × 64 KB``. Dropping
it costs a few hundred minor faults when the hot pages are read again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

SCATTERED_READS = 2048  # scattered reads before the mapping is dropped (~128 MB of mapped pages)


@contextmanager
def unmapped(conn: sqlite3.Connection) -> Iterator[None]:
    """Read through SQLite's page cache, not the memory mapping, for a while.

    For the operations that read (nearly) all of a band table — a merge, a filter build — so that
    the table does not become resident memory of this process. Measured at 1M articles: no slower.
    Leaving it also drops what was mapped before.
    """
    row = conn.execute("PRAGMA mmap_size").fetchone()  # no row for an in-memory database
    if row is None or not row[0]:
        yield
        return
    conn.execute("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA mmap_size={int(row[0])}")


class MappedReads:
    """Counts a connection's scattered reads and drops its mapping after every `budget` of them."""

    def __init__(self, conn: sqlite3.Connection, budget: int = SCATTERED_READS) -> None:
        self._conn = conn
        self._budget = max(1, budget)
        self._reads = 0
        self.drops = 0  # times the mapping was dropped (for tests and benchmarks)

    def count(self, reads: int) -> None:
        """`reads` scattered page reads were made (call between statements, never inside one)."""
        self._reads += reads
        if self._reads >= self._budget:
            self._reads = 0
            self.drops += 1
            with unmapped(self._conn):
                pass
