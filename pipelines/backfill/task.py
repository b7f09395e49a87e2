"""One backfill task: a WARC file (or a run of its records) → one Parquet shard.

    records → keep Korean article pages → extract → normalize → body hash + MinHash → Kiwi → shard

`run_task` is the only function the engines run, locally (a process pool) or on Ray, so both give
the same shards. It takes and returns small frozen records that pickle cheaply; the page data
never travels back to the driver, only counters.

Each worker process builds its Kiwi model and MinHasher once and keeps them for every task it runs
(`_worker`): that per-process cache is the deliberate exception to "no global state" — a worker
process has no caller that could build the model and pass it in.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pipelines.backfill.filters import HostFilter, hangul_ratio, is_html, origin_host
from pipelines.backfill.shard import ShardRow, write_shard
from pipelines.backfill.warc_input import WarcHead, WarcRecord, iter_records
from pipelines.dedup import body_hash
from pipelines.dedup.minhash import MinHasher, signature_to_blob
from pipelines.dedup.text import clean_body, key
from pipelines.normalize import iso, normalize_article
from pipelines.tokenize import Tokenizer, analysed_text, encode_tokens, nouns
from scraper.charset import decode_body
from scraper.config import DedupConfig
from scraper.errors import ExtractError, InputError
from scraper.extract import extract
from scraper.models import Article

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TaskSettings:
    """What every task of one backfill shares."""

    out_dir: str
    hosts: HostFilter = field(default_factory=HostFilter)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    user_dict: str | None = None
    min_hangul: float = 0.5  # share of Hangul among the body's letters for a page to count as Korean
    tokenize_batch: int = 64  # texts per Kiwi call


@dataclass(frozen=True, slots=True)
class ShardTask:
    warc: str
    shard_name: str  # file name of the shard this task writes
    settings: TaskSettings
    start: int = 0  # byte offset of the first record
    max_records: int | None = None  # None: to the end of the file


@dataclass(frozen=True, slots=True)
class ShardResult:
    task: ShardTask
    records: int = 0
    kept: int = 0
    skipped: tuple[tuple[str, int], ...] = ()  # (reason, count)
    shard: str | None = None  # path of the shard written; None when no page was kept
    error: str | None = None  # the file was unreadable or cut short (pages before the damage are kept)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the worker process (all its threads) for this task


@dataclass(frozen=True, slots=True)
class _Worker:
    tokenizer: Tokenizer
    hasher: MinHasher
    dedup_settings: str
    extractor_version: str


@functools.cache
def _worker(user_dict: str | None, dedup: DedupConfig) -> _Worker:
    """The per-process Kiwi model and MinHasher (built on the first task a process runs)."""
    # one Kiwi thread per process: the parallelism is the pool's (batched calls need a worker thread)
    tokenizer = Tokenizer(Path(user_dict) if user_dict else None, num_workers=1)
    hasher = MinHasher(dedup.num_perm, dedup.shingle_size, dedup.seed)
    settings = f"char{dedup.shingle_size}/perm{dedup.num_perm}/bands{dedup.bands}/seed{dedup.seed}"
    return _Worker(tokenizer, hasher, settings, extractor_version())


@functools.cache
def extractor_version() -> str:
    """`<package version>+<hash of the extraction code>`: changes whenever scraper/extract changes."""
    try:
        pkg = version("newscorpus")
    except PackageNotFoundError:
        pkg = "0"
    root = Path(__file__).resolve().parents[2] / "scraper" / "extract"
    h = hashlib.blake2b(digest_size=5)
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return f"{pkg}+{h.hexdigest()}"


def _wanted(head: WarcHead) -> bool:
    return head.rec_type == "response" and head.status == 200 and is_html(head.content_type)


def _skip_reason(head: WarcHead, settings: TaskSettings) -> str | None:
    if head.rec_type != "response":
        return "not a response record"
    if head.status != 200:
        return "HTTP status not 200"
    if not is_html(head.content_type):
        return "not HTML"
    if settings.hosts.source_for(head.url) is None:
        return "host not listed"
    return None


def run_task(task: ShardTask) -> ShardResult:
    """Process one task and write its shard; never raises for bad input (it is in the result)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    settings = task.settings
    skipped: Counter[str] = Counter()
    pending: list[tuple[Article, WarcHead]] = []
    rows: list[ShardRow] = []
    records = 0
    error = None
    worker = _worker(settings.user_dict, settings.dedup)

    def want(head: WarcHead) -> bool:
        return _wanted(head) and settings.hosts.source_for(head.url) is not None

    try:
        for rec in iter_records(Path(task.warc), want, start=task.start, limit=task.max_records):
            records += 1
            reason = _skip_reason(rec.head, settings)
            if reason is None:
                article, reason = _page(rec, settings)
                if article is not None:
                    pending.append((article, rec.head))
                    if len(pending) >= settings.tokenize_batch:
                        rows += _rows(pending, worker)
                        pending.clear()
            if reason is not None:
                skipped[reason] += 1
    except InputError as exc:
        error = str(exc)
        log.info("%s", exc)  # in the result: the driver reports it
    rows += _rows(pending, worker)
    shard = None
    if rows:
        path = Path(settings.out_dir) / task.shard_name
        write_shard(path, rows)
        shard = str(path)
    return ShardResult(task, records, len(rows), tuple(sorted(skipped.items())), shard, error,
                       time.perf_counter() - started, time.process_time() - cpu_started)


def _page(rec: WarcRecord, settings: TaskSettings) -> tuple[Article | None, str | None]:
    """The normalized article of a kept record, or the reason it is skipped."""
    head = rec.head
    source = settings.hosts.source_for(head.url) or ""
    html, _ = decode_body(rec.body or b"", head.content_type)
    try:
        raw = extract(html, head.url, fetched_at=head.date, source=source)
    except ExtractError:
        return None, "not an article"
    article = normalize_article(raw)
    if not article.body.strip():
        return None, "empty after normalization"
    if hangul_ratio(article.title + article.body) < settings.min_hangul:
        return None, "not Korean"
    return article, None


def _rows(batch: list[tuple[Article, WarcHead]], worker: _Worker) -> list[ShardRow]:
    """Hash, sign and tokenize a batch (one Kiwi call) into shard rows."""
    if not batch:
        return []
    texts = [analysed_text(a.title, a.body) for a, _ in batch]
    docs = worker.tokenizer.tokenize_many(texts)
    out = []
    for (a, head), doc in zip(batch, docs, strict=True):
        morphemes, offsets = encode_tokens(doc)
        out.append(ShardRow(
            url=head.url, canonical_url=a.url, source=a.source, host=origin_host(head.url), title=a.title,
            author=a.author, authors=a.authors, published=iso(a.published), fetched_at=iso(a.fetched_at),
            body=a.body, captions=a.captions, profile=a.profile, body_hash=body_hash(a.body),
            minhash=signature_to_blob(worker.hasher.signature(key(clean_body(a.body)))),
            dedup_settings=worker.dedup_settings, morphemes=morphemes, offsets=offsets, nouns=" ".join(nouns(doc)),
            warc_file=head.warc_file, warc_offset=head.offset, warc_record_id=head.record_id,
            extractor_version=worker.extractor_version,
        ))
    return out
