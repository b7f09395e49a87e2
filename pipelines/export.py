"""`newscorpus export`: the corpus as JSONL, CSV or Parquet, streamed (rows never all in memory)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pipelines.store import Store
from scraper.errors import InputError

COLUMNS = ("id", "url", "source", "title", "author", "published", "body", "cluster_id", "duplicate_of",
           "morphemes", "nouns")
FORMATS = ("jsonl", "csv", "parquet")
_CHUNK = 1000


def _rows(store: Store, include_duplicates: bool) -> Iterator[dict[str, object]]:
    where = "" if include_duplicates else "WHERE a.duplicate_of IS NULL"
    cur = store.conn.execute(
        "SELECT a.id, a.url, a.source, a.title, a.author, a.published, a.body, a.cluster_id, a.duplicate_of,"
        f" t.morphemes, t.nouns FROM articles a LEFT JOIN tokens t ON t.article_id = a.id {where} ORDER BY a.id"
    )
    while chunk := cur.fetchmany(_CHUNK):
        for r in chunk:
            yield dict(zip(COLUMNS, r, strict=True))


def export(store: Store, fmt: str, out: Path | None, *, include_duplicates: bool = False) -> int:
    """Write the export; returns the number of rows."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    if fmt == "parquet":
        return _parquet(store, out, include_duplicates)
    try:
        fh: IO[str] = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}") from None
    n = 0
    try:
        if fmt == "jsonl":
            for row in _rows(store, include_duplicates):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        else:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for row in _rows(store, include_duplicates):
                writer.writerow(row)
                n += 1
    finally:
        if out:
            fh.close()
    return n


def _parquet(store: Store, out: Path | None, include_duplicates: bool) -> int:
    try:
        import pyarrow as pa  # type: ignore[import-not-found]
        import pyarrow.parquet as pq  # type: ignore[import-not-found]
    except ImportError:
        raise InputError("parquet export needs pyarrow: pip install 'newscorpus[parquet]'") from None
    if out is None:
        raise InputError("parquet export needs --out FILE")
    schema = pa.schema([(c, pa.int64() if c in ("id", "cluster_id", "duplicate_of") else pa.string())
                        for c in COLUMNS])
    n = 0
    with pq.ParquetWriter(str(out), schema) as writer:
        chunk: list[dict[str, object]] = []
        for row in _rows(store, include_duplicates):
            chunk.append(row)
            if len(chunk) >= _CHUNK:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                n += len(chunk)
                chunk = []
        if chunk:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            n += len(chunk)
    return n
