"""`newscorpus reextract`: run extraction → normalize → tokenize → dedup again from the raw archive.

No network. Rows are updated in place: ids, URLs and runs stay; an article whose title or body
changed gets new tokens, full-text entries and body hash, and then every cluster is recomputed with
`dedup --rebuild`'s routine (dedup signatures included), so cluster membership is what a crawl of
the same pages with today's extractor would have produced. Everything happens in one transaction:
an interrupted or failed run leaves the corpus as it was.

An article whose archived page no longer extracts keeps its row and is reported; a missing or
corrupt WARC record is reported per article (exit 1); articles without an archive reference
(imported, or crawled before archiving) are counted and left alone.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.dedup import body_hash
from pipelines.normalize import KST, iso, normalize_article
from pipelines.rebuild import rebuild_clusters
from pipelines.run import writing_store
from pipelines.store import ArticleRow, Store
from pipelines.tokenize import LazyTokenizer, analysed_text, encode_tokens, nouns
from scraper.archive import iter_pages, read_pages
from scraper.config import Config
from scraper.errors import ArchiveError, ExtractError, InputError, StoreError
from scraper.extract import PROFILES, BoilerplateLearner, extract
from scraper.models import Article, TokenizedDoc, WarcRef

log = logging.getLogger(__name__)

BATCH = 64  # pages per Kiwi call
ProgressFn = Callable[[str, int, int], None]

_STORED = "title, author, published, body, captions, profile"  # what extraction decides, compared per field


@dataclass(slots=True)
class ReextractStats:
    run_id: int = 0
    considered: int = 0  # archived articles matching the filters
    unchanged: int = 0
    updated: int = 0  # some extracted field changed
    restored: int = 0  # rows deleted from `articles`, re-created under their old id from the archive
    retokenized: int = 0  # of those, title or body changed
    not_archived: int = 0  # matching articles without an archive reference (left alone)
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (id, url, reason): extraction
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (id, url, reason): archive
    orphan_tokens: int = 0  # tokens rows of deleted articles replaced (then articles_fts is rebuilt)
    clusters_rebuilt: bool = False
    clusters: int | None = None
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.errors else 0

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id, "considered": self.considered, "unchanged": self.unchanged,
            "updated": self.updated, "restored": self.restored, "retokenized": self.retokenized,
            "failed": len(self.failed), "archive_errors": len(self.errors), "not_archived": self.not_archived,
            "clusters_rebuilt": self.clusters_rebuilt, "clusters": self.clusters, "seconds": round(self.seconds, 2),
            "pages_per_second": round(self.considered / self.seconds, 1) if self.seconds else None,
            "failures": [{"id": i, "url": u, "reason": r} for i, u, r in self.failed],
            "errors": [{"id": i, "url": u, "reason": r} for i, u, r in self.errors],
        }


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    url: str
    source: str | None
    profile: str | None
    warc: WarcRef


def reextract(cfg: Config, *, source: str | None = None, since: date | None = None, user_dict: Path | None = None,
              restore: bool = True, on_progress: ProgressFn | None = None) -> ReextractStats:
    """Re-extract the archived articles of cfg.db_path (optionally one source / published since a date).

    With `restore`, article rows deleted since the crawl are re-created under their old ids.
    """
    if not cfg.db_path.exists():
        raise StoreError(f"no corpus at {cfg.db_path}: run `newscorpus crawl` (or `make demo`) first, or pass --db")
    folder = cfg.archive.folder(cfg.db_path)
    progress = on_progress or (lambda phase, done, total: None)
    with writing_store(cfg.db_path) as store:
        if source is not None and store.conn.execute("SELECT 1 FROM articles WHERE source = ? LIMIT 1",
                                                     (source,)).fetchone() is None:
            known = [r[0] for r in store.conn.execute("SELECT DISTINCT source FROM articles ORDER BY 1 LIMIT 20")]
            raise InputError(f"--source {source!r}: no article of that source in {cfg.db_path}"
                             f" (sources: {', '.join(str(k) for k in known) or 'none'})")
        rows, stats = _select(store, source, since)
        if (rows or (restore and _deleted(store, source))) and not folder.is_dir():
            raise StoreError(f"no raw archive at {folder}: pass --archive-dir (the folder the crawl archived to)")
        started = time.perf_counter()
        stats.run_id = store.start_run("reextract", datetime.now(UTC).astimezone(KST))
        tokenizer = LazyTokenizer(user_dict)
        learner = BoilerplateLearner.load(store.conn)  # the crawl's host-level boilerplate, not updated here
        status = "failed"
        try:
            with store.transaction():
                for n in range(0, len(rows), BATCH):
                    _batch(store, tokenizer, learner, folder, rows[n:n + BATCH], stats)
                    progress("reextract", min(n + BATCH, len(rows)), len(rows))
                if restore:
                    _restore(store, tokenizer, learner, folder, stats, source, since)
                if stats.updated or stats.restored:
                    stats.clusters_rebuilt = True
                    stats.clusters = rebuild_clusters(store, cfg.dedup, on_progress).clusters  # same transaction
            status = "partial" if stats.exit_code else "ok"
        finally:
            stats.seconds = time.perf_counter() - started
            store.finish_run(stats.run_id, datetime.now(UTC).astimezone(KST), status, pages_fetched=0,
                             articles_new=0, duplicates=0, failures=len(stats.failed) + len(stats.errors),
                             summary=stats.to_dict())
        log.info("reextract: %d considered, %d updated, %d unchanged, %d failed, %d archive errors",
                 stats.considered, stats.updated, stats.unchanged, len(stats.failed), len(stats.errors))
        return stats


def _select(store: Store, source: str | None, since: date | None) -> tuple[list[_Row], ReextractStats]:
    where, args = ["1=1"], []
    if source is not None:
        where.append("source = ?")
        args.append(source)
    if since is not None:  # like crawl --since: undated articles are kept
        where.append("(published IS NULL OR published >= ?)")
        args.append(since.isoformat())
    cond = " AND ".join(where)
    stats = ReextractStats()
    stats.not_archived = store.conn.execute(
        f"SELECT count(*) FROM articles WHERE {cond} AND warc_file IS NULL", args).fetchone()[0]
    rows = [  # only ids and references up front (small even for millions of rows); texts per batch
        _Row(r[0], r[1], r[2], r[3], WarcRef(r[4], int(r[5]), r[6]))
        for r in store.conn.execute(
            "SELECT id, url, source, profile, warc_file, warc_offset, warc_record_id FROM articles"
            f" WHERE {cond} AND warc_file IS NOT NULL ORDER BY warc_file, warc_offset", args)
    ]
    stats.considered = len(rows)
    return rows, stats


def _batch(store: Store, tokenizer: LazyTokenizer, learner: BoilerplateLearner, folder: Path, rows: Sequence[_Row],
           stats: ReextractStats) -> None:
    by_ref = {r.warc: r for r in rows}
    marks = ",".join("?" * len(rows))
    stored = {int(r[0]): tuple(r[1:]) for r in store.conn.execute(
        f"SELECT id, {_STORED} FROM articles WHERE id IN ({marks})", [r.id for r in rows])}
    changed_text: list[tuple[_Row, ArticleRow]] = []
    for ref, page in read_pages(folder, by_ref):
        row = by_ref[ref]
        if isinstance(page, ArchiveError):
            stats.errors.append((row.id, row.url, f"archive: {page}"))
            continue
        profile = row.profile if row.profile in PROFILES else None
        try:
            article = normalize_article(extract(page.html, page.url, fetched_at=page.fetched_at, profile=profile,
                                                source=row.source or page.source, learner=learner))
        except ExtractError as exc:
            stats.failed.append((row.id, row.url, f"extraction: {exc.reason}"))
            continue
        if not article.body.strip():
            stats.failed.append((row.id, row.url, "extraction: empty article after normalization"))
            continue
        new = _row(article, row)
        fields = (new.title, new.author, new.published, new.body, json.dumps(list(new.captions), ensure_ascii=False),
                  new.profile)
        old = stored[row.id]
        text_changed = (new.title, new.body) != (old[0], old[3]) or store.tokens_of(row.id) is None
        if fields == old and not text_changed:
            stats.unchanged += 1
            continue
        stats.updated += 1
        if text_changed:
            changed_text.append((row, new))
        else:
            store.update_extracted(row.id, new)
    docs = tokenizer.tokenize_many([analysed_text(new.title, new.body) for _, new in changed_text])
    for (row, new), doc in zip(changed_text, docs, strict=True):
        index_tokens(store, row.id, analysed_text(new.title, new.body), doc)  # before the update: see insert_tokens
        store.update_extracted(row.id, new)
        stats.retokenized += 1


def _row(article: Article, row: _Row) -> ArticleRow:
    return ArticleRow(
        url=row.url, source=row.source, title=article.title, author=article.author, published=iso(article.published),
        fetched_at=iso(article.fetched_at), body=article.body, body_hash=body_hash(article.body),
        captions=article.captions, profile=article.profile, run_id=None, warc=row.warc,
    )


# -- deleted rows ---------------------------------------------------------------------------------

def _deleted(store: Store, source: str | None) -> dict[str, tuple[int, str]]:
    """Frontier URLs whose stored article row is gone: url -> (old article id, source)."""
    sql = ("SELECT f.url, f.article_id, f.source FROM frontier f WHERE f.state = 'stored' AND f.article_id IS NOT"
           " NULL AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = f.article_id)")
    args: list[str] = []
    if source is not None:
        sql += " AND f.source = ?"
        args.append(source)
    return {url: (int(aid), src) for url, aid, src in store.conn.execute(sql, args)}


def _restore(store: Store, tokenizer: LazyTokenizer, learner: BoilerplateLearner, folder: Path, stats: ReextractStats,
             source: str | None, since: date | None) -> None:
    """Deleted articles come back under their old id, from the earliest archived fetch of their URL.

    The crawl's frontier remembers which URL produced which article id; the WARC files (named by time,
    records in order) are scanned once for the first response to any of those URLs.
    """
    deleted = _deleted(store, source)
    if not deleted:
        return
    found: dict[int, WarcRef] = {}
    for path in sorted(folder.glob("*.warc.gz")):
        for archived in iter_pages(path, purpose="article"):
            hit = deleted.get(archived.requested_url or archived.url)
            if hit is not None and hit[0] not in found and archived.warc is not None:
                found[hit[0]] = archived.warc
    urls = {aid: url for url, (aid, _) in sorted(deleted.items(), reverse=True)}
    sources = {aid: src for aid, src in deleted.values()}
    for aid in sorted(set(urls) - set(found)):
        stats.errors.append((aid, urls[aid], "archive: no archived page for this deleted article"))
    refs = sorted(found.items(), key=lambda item: (item[1].file, item[1].offset))
    for n in range(0, len(refs), BATCH):
        by_ref = {ref: aid for aid, ref in refs[n:n + BATCH]}
        new: list[tuple[int, ArticleRow]] = []
        for ref, page in read_pages(folder, by_ref):
            aid = by_ref[ref]
            if isinstance(page, ArchiveError):
                stats.errors.append((aid, urls[aid], f"archive: {page}"))
                continue
            try:
                article = normalize_article(extract(page.html, page.url, fetched_at=page.fetched_at,
                                                    source=sources[aid], learner=learner))
            except ExtractError as exc:
                stats.failed.append((aid, urls[aid], f"extraction (deleted row not restored): {exc.reason}"))
                continue
            if since and article.published and article.published.astimezone(KST).date() < since:
                continue
            taken = store.article_id_for_url(article.url)
            if not article.body.strip() or taken is not None:
                why = f"url now stored as article {taken}" if taken is not None else "empty after normalization"
                stats.failed.append((aid, urls[aid], f"deleted row not restored: {why}"))
                continue
            row = ArticleRow(url=article.url, source=article.source or None, title=article.title,
                             author=article.author, published=iso(article.published),
                             fetched_at=iso(article.fetched_at), body=article.body,
                             body_hash=body_hash(article.body), captions=article.captions, profile=article.profile,
                             run_id=stats.run_id, warc=ref)
            new.append((aid, row))
        docs = tokenizer.tokenize_many([analysed_text(row.title, row.body) for _, row in new])
        for (aid, row), doc in zip(new, docs, strict=True):
            orphan = store.drop_orphan_tokens(aid)
            store.insert_article(row, article_id=aid)
            stats.orphan_tokens += orphan
            index_tokens(store, aid, analysed_text(row.title, row.body), doc)
            stats.restored += 1
            stats.considered += 1
    if stats.orphan_tokens:
        store.rebuild_fts()  # the orphans' full-text entries could not be removed one by one


def index_tokens(store: Store, article_id: int, text: str, doc: TokenizedDoc) -> None:
    """Tokens, nouns and full-text entry of one article, laid out as pipelines.ingest stores them."""
    morphemes, offsets = encode_tokens(doc)
    title_len = text.index("\n")
    title_forms = " ".join(t.form for t in doc.tokens if t.start < title_len)
    body_forms = " ".join(t.form for t in doc.tokens if t.start > title_len)
    store.insert_tokens(article_id, morphemes, offsets, " ".join(nouns(doc)), title_forms, body_forms)
