"""normalize → dedup → tokenize → store for a batch of articles: the part crawl and import share.

One batch is one transaction: after a crash either the whole batch is stored or none of it, so a
re-run never stores an article twice and never loses one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from pipelines.dedup import Deduper, body_hash
from pipelines.normalize import iso, normalize_article
from pipelines.store import ArticleRow, Store
from pipelines.tokenize import Tokenizer, analysed_text, decode_tokens, encode_tokens, nouns
from scraper.models import Article, TokenizedDoc

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one article of a batch."""

    url: str
    article_id: int | None  # None when nothing was stored
    status: str  # "new" | "exact" | "near" | "url" (already stored under this URL) | "invalid" (empty)
    cluster_id: int | None = None
    match_id: int | None = None


@dataclass(frozen=True, slots=True)
class Pretokenized:
    """Morphemes computed elsewhere (a backfill worker) for `text` = analysed_text(title, body).

    Used only when `text` is exactly the analysed text of the normalized article; otherwise the
    article is tokenized here as usual.
    """

    text: str
    doc: TokenizedDoc


@dataclass(slots=True)
class IngestCounts:
    new: int = 0
    duplicates: int = 0
    already_stored: int = 0
    tokenized_chars: int = 0
    reused_tokens: int = 0
    pretokenized: int = 0
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, source: str, key: str) -> None:
        per = self.by_source.setdefault(source, {"new": 0, "duplicates": 0})
        per[key] = per.get(key, 0) + 1


class Ingestor:
    """Stores articles with their dedup verdict, cluster and Kiwi tokens."""

    def __init__(self, store: Store, tokenizer: Tokenizer, deduper: Deduper, run_id: int | None) -> None:
        self._store = store
        self._tokenizer = tokenizer
        self._deduper = deduper
        self._run_id = run_id
        self.counts = IngestCounts()

    def ingest(self, articles: Sequence[Article],
               pretokenized: Sequence[Pretokenized | None] | None = None) -> list[Outcome]:
        """Store a batch in one transaction; returns one Outcome per input article, in order.

        Articles left empty by normalization come back as status "invalid" and are not stored, so one
        bad article never rolls back the good ones of its batch. `pretokenized` (one entry per
        article, e.g. from a backfill shard) spares Kiwi for the articles it covers.
        """
        normalized = [normalize_article(raw) for raw in articles]
        pre = list(pretokenized) if pretokenized is not None else [None] * len(normalized)
        if len(pre) != len(normalized):
            raise ValueError("pretokenized must have one entry per article")
        try:
            return self._ingest(normalized, pre)
        except BaseException:
            self._deduper.forget_uncommitted()  # the transaction rolled back: ids will be reused
            raise

    def _ingest(self, normalized: list[Article], pre: list[Pretokenized | None]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        to_tokenize: list[tuple[int, str]] = []
        to_copy: list[tuple[int, int]] = []  # (article_id, id whose tokens it reuses)
        given: list[tuple[int, Pretokenized]] = []
        with self._store.transaction():
            for art, tokens in zip(normalized, pre, strict=True):
                if not art.body.strip():
                    outcomes.append(Outcome(art.url, None, "invalid"))
                    continue
                existing = self._store.article_id_for_url(art.url)
                if existing is not None:
                    outcomes.append(Outcome(art.url, None, "url", self._store.cluster_of(existing), existing))
                    self.counts.already_stored += 1
                    continue
                decision = self._deduper.check(art.title, art.body)
                article_id = self._store.insert_article(self._row(art))
                self._deduper.add(article_id, art.title, art.body, decision)
                matches = [m for m in (decision.match_id, *decision.also) if m is not None]
                cluster = self._store.join_cluster(article_id, matches)
                if tokens is not None and tokens.text == analysed_text(art.title, art.body):
                    given.append((article_id, tokens))
                elif decision.method == "exact" and decision.match_id is not None:
                    to_copy.append((article_id, decision.match_id))
                else:
                    to_tokenize.append((article_id, analysed_text(art.title, art.body)))
                source = art.source or ""
                if decision.method == "new":
                    self.counts.new += 1
                    self.counts.count(source, "new")
                else:
                    self.counts.duplicates += 1
                    self.counts.count(source, "duplicates")
                outcomes.append(Outcome(art.url, article_id, decision.method, cluster.id, decision.match_id))
            for article_id, tokens in given:
                self._index(article_id, tokens.text, tokens.doc)
                self.counts.pretokenized += 1
            self._tokenize_and_index(to_tokenize, to_copy)
        return outcomes

    def _row(self, art: Article) -> ArticleRow:
        return ArticleRow(
            url=art.url, source=art.source or None, title=art.title, author=art.author,
            published=iso(art.published), fetched_at=iso(art.fetched_at), body=art.body,
            body_hash=body_hash(art.body), captions=art.captions, profile=art.profile, run_id=self._run_id,
            warc=art.warc,
        )

    def _tokenize_and_index(self, to_tokenize: list[tuple[int, str]], to_copy: list[tuple[int, int]]) -> None:
        """One batched Kiwi call for new texts; exact copies with the same body reuse its morphemes."""
        full = list(to_tokenize)
        title_only: list[tuple[int, str, str, int]] = []  # (id, title, body, id of the token donor)
        for article_id, donor in to_copy:
            title, body = self._texts(article_id)
            if self._texts(donor)[1] == body:
                title_only.append((article_id, title, body, donor))
            else:  # same normalized body hash but another dateline/byline: analyse this text
                full.append((article_id, analysed_text(title, body)))
        docs = self._tokenizer.tokenize_many([text for _, text in full])
        for (article_id, text), doc in zip(full, docs, strict=True):
            self._index(article_id, text, doc)
            self.counts.tokenized_chars += len(text)
        title_docs = self._tokenizer.tokenize_many([title for _, title, _, _ in title_only])
        for (article_id, title, body, donor), title_doc in zip(title_only, title_docs, strict=True):
            stored = self._store.tokens_of(donor)
            donor_title_len = len(self._texts(donor)[0])
            body_tokens = tuple(
                replace(t, start=t.start - donor_title_len + len(title))
                for t in (decode_tokens(*stored).tokens if stored else ())
                if t.start > donor_title_len
            )
            self._index(article_id, analysed_text(title, body), TokenizedDoc(title_doc.tokens + body_tokens))
            self.counts.tokenized_chars += len(title)
            self.counts.reused_tokens += 1

    def _texts(self, article_id: int) -> tuple[str, str]:
        row = self._store.conn.execute("SELECT title, body FROM articles WHERE id = ?", (article_id,)).fetchone()
        return (row[0], row[1])

    def _index(self, article_id: int, text: str, doc: TokenizedDoc) -> None:
        morphemes, offsets = encode_tokens(doc)
        title_len = text.index("\n")
        title_forms = " ".join(t.form for t in doc.tokens if t.start < title_len)
        body_forms = " ".join(t.form for t in doc.tokens if t.start > title_len)
        self._store.insert_tokens(article_id, morphemes, offsets, " ".join(nouns(doc)), title_forms, body_forms)
