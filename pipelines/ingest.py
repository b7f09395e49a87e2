"""normalize → dedup → tokenize → store for a batch of articles: the part crawl and import share.

One batch is one transaction: after a crash either the whole batch is stored or none of it, so a
re-run never stores an article twice and never loses one.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from pipelines.dedup import Deduper, body_hash
from pipelines.normalize import iso, normalize_article
from pipelines.store import ArticleRow, Store
from pipelines.tokenize import Tokenizer, analysed_text, encode_doc, encode_kiwi, reuse_body
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
               pretokenized: Sequence[Pretokenized | None] | None = None, *,
               pace: Callable[[], None] | None = None) -> list[Outcome]:
        """Store a batch in one transaction; returns one Outcome per input article, in order.

        Articles left empty by normalization come back as status "invalid" and are not stored, so one
        bad article never rolls back the good ones of its batch. `pretokenized` (one entry per
        article, e.g. from a backfill shard) spares Kiwi for the articles it covers. `pace`, if given,
        is called before each article's dedup (the crawl pauses there while its fetching runs late).
        """
        normalized = [normalize_article(raw) for raw in articles]
        pre = list(pretokenized) if pretokenized is not None else [None] * len(normalized)
        if len(pre) != len(normalized):
            raise ValueError("pretokenized must have one entry per article")
        try:
            return self._ingest(normalized, pre, pace)
        except BaseException:
            self._deduper.forget_uncommitted()  # the transaction rolled back: ids will be reused
            raise

    def _ingest(self, normalized: list[Article], pre: list[Pretokenized | None],
                pace: Callable[[], None] | None = None) -> list[Outcome]:
        """Dedup and insert each article, streaming its text to Kiwi as soon as its verdict is known.

        Kiwi (in its own threads) analyses earlier texts while this thread dedups the next ones; the
        morphemes come back in order and are written in the same transaction as their article.
        """
        outcomes: list[Outcome] = []
        pending: deque[_Pending] = deque()
        with self._store.transaction():
            texts = self._decide(normalized, pre, outcomes, pending, pace)
            for tokens in self._tokenizer.stream(texts):
                item = pending.popleft()
                if item.donor is None:
                    doc = encode_kiwi(tokens, item.title_len)
                    self.counts.tokenized_chars += len(item.text)
                else:
                    stored = self._store.tokens_of(item.donor)
                    title_doc = encode_kiwi(tokens, item.title_len)
                    doc = reuse_body(title_doc, item.title_len, *(stored or ("", "")), self._title_len(item.donor))
                    self.counts.tokenized_chars += item.title_len
                    self.counts.reused_tokens += 1
                self._store.insert_tokens(item.article_id, doc.morphemes, doc.offsets, doc.nouns, doc.title_forms,
                                          doc.body_forms)
        return outcomes

    def _decide(self, normalized: list[Article], pre: list[Pretokenized | None], outcomes: list[Outcome],
                pending: deque[_Pending], pace: Callable[[], None] | None = None) -> Iterator[str]:
        """Dedup verdict, article row and cluster for each article; yields the text Kiwi must analyse.

        An exact copy with its donor's very body yields only its title: it reuses the donor's body
        morphemes (the donor's tokens are written first, as Kiwi's results come back in order).
        """
        for art, given in zip(normalized, pre, strict=True):
            if pace is not None:
                pace()
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
            source = art.source or ""
            if decision.method == "new":
                self.counts.new += 1
                self.counts.count(source, "new")
            else:
                self.counts.duplicates += 1
                self.counts.count(source, "duplicates")
            outcomes.append(Outcome(art.url, article_id, decision.method, cluster.id, decision.match_id))
            text = analysed_text(art.title, art.body)
            if given is not None and given.text == text:  # Kiwi already ran elsewhere on this very text
                doc = encode_doc(given.doc, text.index("\n"))
                self._store.insert_tokens(article_id, doc.morphemes, doc.offsets, doc.nouns, doc.title_forms,
                                          doc.body_forms)
                self.counts.pretokenized += 1
                continue
            donor = decision.match_id if decision.method == "exact" else None
            if donor is not None and self._body(donor) == art.body:
                pending.append(_Pending(article_id, text, text.index("\n"), donor))
                yield art.title
            else:  # new, near, or the same normalized body hash under another dateline/byline
                pending.append(_Pending(article_id, text, text.index("\n"), None))
                yield text

    def _row(self, art: Article) -> ArticleRow:
        return ArticleRow(
            url=art.url, source=art.source or None, title=art.title, author=art.author,
            published=iso(art.published), fetched_at=iso(art.fetched_at), body=art.body,
            body_hash=body_hash(art.body), captions=art.captions, profile=art.profile, run_id=self._run_id,
            warc=art.warc,
        )

    def _body(self, article_id: int) -> str:
        row = self._store.conn.execute("SELECT body FROM articles WHERE id = ?", (article_id,)).fetchone()
        return str(row[0]) if row else ""

    def _title_len(self, article_id: int) -> int:
        row = self._store.conn.execute("SELECT title FROM articles WHERE id = ?", (article_id,)).fetchone()
        return len(row[0]) if row else 0


@dataclass(frozen=True, slots=True)
class _Pending:
    """An article whose text is with Kiwi; `donor` is set when only its title is analysed."""

    article_id: int
    text: str
    title_len: int
    donor: int | None
