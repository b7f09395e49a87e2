"""The Parquet shard: one file per backfill task, the unit `newscorpus merge` stores and remembers.

Columns (one row per kept article page; text is normalized exactly as the store would keep it):

    url               WARC-Target-URI as archived
    canonical_url     the normalized URL: what `articles.url` will hold
    source, host      source id (from --hosts, else the host) and host[:port]
    title, author     author = names joined ", " (as in `articles.author`)
    authors, captions lists of strings
    published         ISO 8601 +09:00 or null;  fetched_at: WARC-Date in KST
    body              paragraphs joined "\\n"
    profile           extraction profile that read the page
    body_hash         pipelines.dedup.body_hash(body), as on `articles.body_hash`
    minhash           MinHash signature of the cleaned body (num_perm little-endian uint32)
    dedup_settings    the signature's settings ("char5/perm128/bands64/seed…")
    morphemes, offsets, nouns   the `tokens` layout (pipelines.tokenize.encode_tokens)
    warc_file, warc_offset, warc_record_id   where the page is in the archive
    extractor_version which extraction code produced the row

Files are written to a temporary name and renamed, so a shard on disk is always complete.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scraper.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

SHARD_SUFFIX = ".parquet"


@dataclass(frozen=True, slots=True)
class ShardRow:
    url: str
    canonical_url: str
    source: str
    host: str
    title: str
    author: str | None
    authors: tuple[str, ...]
    published: str | None
    fetched_at: str | None
    body: str
    captions: tuple[str, ...]
    profile: str
    body_hash: str
    minhash: bytes
    dedup_settings: str
    morphemes: str
    offsets: str
    nouns: str
    warc_file: str
    warc_offset: int
    warc_record_id: str
    extractor_version: str


def _schema() -> pa.Schema:
    import pyarrow as pa

    s, opt_s, lst = pa.string(), pa.string(), pa.list_(pa.string())
    return pa.schema([
        pa.field("url", s, nullable=False), pa.field("canonical_url", s, nullable=False),
        pa.field("source", s, nullable=False), pa.field("host", s, nullable=False),
        pa.field("title", s, nullable=False), pa.field("author", opt_s), pa.field("authors", lst),
        pa.field("published", opt_s), pa.field("fetched_at", opt_s), pa.field("body", s, nullable=False),
        pa.field("captions", lst), pa.field("profile", s), pa.field("body_hash", s, nullable=False),
        pa.field("minhash", pa.binary()), pa.field("dedup_settings", s),
        pa.field("morphemes", s, nullable=False), pa.field("offsets", s, nullable=False), pa.field("nouns", s),
        pa.field("warc_file", s), pa.field("warc_offset", pa.int64()), pa.field("warc_record_id", s),
        pa.field("extractor_version", s),
    ])


REQUIRED = ("canonical_url", "source", "title", "author", "authors", "published", "fetched_at", "body", "captions",
            "profile", "morphemes", "offsets")


def write_shard(path: Path, rows: Sequence[ShardRow]) -> None:
    """Write rows to `path` atomically (temporary file, then rename)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: [asdict(r)[name] for r in rows] for name in _schema().names}
    columns["authors"] = [list(a) for a in columns["authors"]]
    columns["captions"] = [list(c) for c in columns["captions"]]
    table = pa.Table.from_pydict(columns, schema=_schema())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp, compression="zstd", write_page_checksum=True)  # damage is detected on read
    os.replace(tmp, path)


def read_shard(path: Path) -> list[dict[str, object]]:
    """Every row of a shard, fully read and checked before anything is stored.

    Raises:
        InputError: not a Parquet file, damaged, or missing a column merge needs.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, page_checksum_verification=True)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"shard {path.name}: unreadable ({_first_line(exc)})") from None
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise InputError(f"shard {path.name}: missing column(s) {', '.join(missing)}")
    rows: list[dict[str, object]] = table.to_pylist()
    for n, row in enumerate(rows):
        for col in ("canonical_url", "title", "body", "morphemes", "offsets"):
            if not isinstance(row.get(col), str):
                raise InputError(f"shard {path.name}: row {n}: {col} is not text")
    return rows


def content_hash(path: Path) -> str:
    """sha256 of the shard file: the same shard merged twice is recognised whatever its name."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def list_shards(folder: Path) -> list[Path]:
    """The shards in `folder`, in name order (the order merge stores them in).

    Raises:
        InputError: the folder does not exist or is a file.
    """
    if not folder.exists():
        raise InputError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise InputError(f"{folder} is a file, not a folder of shards")
    return sorted(p for p in folder.iterdir() if p.name.endswith(SHARD_SUFFIX) and not p.name.startswith("."))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:160]
