"""Morpheme-aware full-text search over articles_fts.

The query is analysed by the same Kiwi settings as the index, so `바이오` finds `바이오가` and
`바이오산업은`. Syntax: words are ANDed; "quoted phrases"; OR; NOT / -word; word* prefix.
Filters: since/until (publication day, inclusive), source, author (part of the byline), and
copies only with include_duplicates. Broad queries are ranked within the newest RANK_WINDOW
matches (see search()); benchmarks/README.md has the latency figures.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import date

from pipelines.store import Store
from pipelines.tokenize import Tokenizer
from scraper.errors import InputError

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_SNIPPET_RADIUS = 60
ORDERS = ("rank", "newest")
# Above this many matches, only the newest RANK_WINDOW are ranked (see search()).
RANK_WINDOW = 5_000

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    url: str
    source: str | None
    title: str
    published: str | None
    snippet: str
    score: float
    cluster_id: int | None
    duplicate_of: int | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id, "url": self.url, "source": self.source, "title": self.title,
            "published": self.published, "snippet": self.snippet, "score": round(self.score, 4),
            "cluster_id": self.cluster_id, "duplicate_of": self.duplicate_of,
        }


def _quote(forms: list[str]) -> str:
    return '"' + " ".join(f.replace('"', '""') for f in forms) + '"'


def build_match(query: str, tokenizer: Tokenizer) -> tuple[str, list[str]]:
    """Translate a user query into an FTS5 MATCH expression over morphemes; also the morphemes to highlight."""
    if query.count('"') % 2:
        raise InputError(f"unbalanced quote in query: {query}")
    parts: list[str] = []
    surfaces: list[str] = []
    pending_op = "AND"
    for m in _TOKEN.finditer(query):
        phrase, word = m.group(1), m.group(2)
        if word in ("AND", "OR", "NOT"):
            if not parts:
                raise InputError(f"query cannot start with {word}: {query}")
            pending_op = word
            continue
        negate = False
        prefix = False
        text = phrase if phrase is not None else word
        if phrase is None and text.startswith("-") and len(text) > 1:
            negate, text = True, text[1:]
        if phrase is None and text.endswith("*") and len(text) > 1:
            prefix, text = True, text[:-1]
        forms = tokenizer.query_terms(text) if phrase is None else [
            t.form for t in tokenizer.tokenize_many([text])[0].tokens]
        if not forms:
            continue
        if not negate and pending_op != "NOT":
            surfaces.extend(forms)
        expr = _quote(forms) + ("*" if prefix and phrase is None and len(forms) == 1 else "")
        if negate:
            pending_op = "NOT"
        if parts:
            parts.append(pending_op)
        elif pending_op == "NOT":
            raise InputError(f"query needs a positive term before NOT: {query}")
        parts.append(expr)
        pending_op = "AND"
    if not parts:
        raise InputError(f"query has no searchable words: {query!r}")
    if pending_op != "AND":
        raise InputError(f"query ends with an operator: {query}")
    return " ".join(parts), surfaces


def snippet(body: str, terms: list[str]) -> str:
    """A window of the original body around the first query term, with terms in [brackets]."""
    flat = body.replace("\n", " ")
    positions = [p for p in (flat.find(t) for t in terms if t) if p >= 0]
    at = min(positions) if positions else 0
    start = max(0, at - _SNIPPET_RADIUS)
    end = min(len(flat), at + _SNIPPET_RADIUS * 2)
    text = flat[start:end]
    for t in sorted({t for t in terms if t}, key=len, reverse=True):
        text = text.replace(t, f"[{t}]")
    return ("…" if start else "") + text + ("…" if end < len(flat) else "")


def search(store: Store, tokenizer: Tokenizer, query: str, *, since: date | None = None,
           until: date | None = None, source: str | None = None, author: str | None = None, limit: int = 20,
           include_duplicates: bool = False, order: str = "rank", window: int | None = RANK_WINDOW) -> list[Hit]:
    """Articles matching `query`, best first (`order="rank"`, bm25) or newest first (`order="newest"`).

    A query matching more than `window` articles is ranked among the newest `window` matches only
    (the highest rowids, i.e. the latest stored): scoring every match costs a few microseconds each,
    so a word in most of a 1M-article corpus would otherwise take seconds. If the filters leave fewer
    than `limit` hits inside the window, the query is re-run over all matches. `window=None` always
    ranks everything. `author` matches part of the byline (`"김하늘"` finds `"김하늘 기자"`).
    """
    if order not in ORDERS:
        raise InputError(f"unknown order {order!r} (use {', '.join(ORDERS)})")
    if limit < 1:
        raise InputError(f"limit must be at least 1, not {limit}")
    match, surfaces = build_match(query, tokenizer)
    where = ["articles_fts MATCH ?"]
    params: list[object] = [match]
    if not include_duplicates:
        where.append("a.duplicate_of IS NULL")
    if since:
        where.append("a.published >= ?")
        params.append(since.isoformat())
    if until:
        where.append("a.published < date(?, '+1 day')")
        params.append(until.isoformat())
    if source:
        where.append("a.source = ?")
        params.append(source)
    if author:
        where.append("instr(a.author, ?) > 0")
        params.append(author)
    cutoff = _window_cutoff(store, match, window, query) if window else None
    rows = _select(store, where, params, order, limit, cutoff, query)
    if cutoff is not None and len(rows) < limit:
        log.debug("filters left %d hits among the newest %d matches; ranking all matches", len(rows), window)
        rows = _select(store, where, params, order, limit, None, query)
    return [
        Hit(r[0], r[1], r[2], r[3], r[4], snippet(r[5], surfaces), -float(r[6]), r[7], r[8]) for r in rows
    ]


def _window_cutoff(store: Store, match: str, window: int, query: str) -> int | None:
    """The smallest rowid among the newest `window` matches, or None when there are fewer matches.

    Walking the doclist backwards by rowid is cheap (no join, no scoring): ~0.3 ms for 5,000, ~1.5 ms for 20,000.
    """
    try:
        row = store.conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (match, window - 1),
        ).fetchone()
    except sqlite3.OperationalError as exc:
        raise InputError(f"invalid search query {query!r}: {exc}") from None
    if row is None:
        return None
    log.debug("query %r matches more than %d articles; ranking rowid >= %d", query, window, row[0])
    return int(row[0])


def _select(store: Store, where: list[str], params: list[object], order: str, limit: int,
            cutoff: int | None, query: str) -> list[tuple[object, ...]]:
    """Pick the winners' ids from the covering index, then read only those rows (and their bodies)."""
    conds = [*where, "articles_fts.rowid >= ?"] if cutoff is not None else where
    args = [*params, cutoff] if cutoff is not None else list(params)
    # Newest-first needs no relevance score: skipping bm25 saves its per-match cost.
    score, order_sql = (("bm25(articles_fts, 5.0, 1.0)", "score, a.id DESC") if order == "rank"
                        else ("0.0", "a.published DESC, a.id DESC"))
    ranked = (
        f"SELECT a.id, {score} AS score FROM articles_fts JOIN articles a INDEXED BY articles_search"
        f" ON a.id = articles_fts.rowid WHERE {' AND '.join(conds)} ORDER BY {order_sql} LIMIT ?"
    )
    try:
        top = store.conn.execute(ranked, [*args, limit]).fetchall()
    except sqlite3.OperationalError as exc:
        raise InputError(f"invalid search query {query!r}: {exc}") from None
    if not top:
        return []
    rows = {
        r[0]: r for r in store.conn.execute(
            "SELECT id, url, source, title, published, body, cluster_id, duplicate_of FROM articles"
            f" WHERE id IN ({','.join('?' * len(top))})", [i for i, _ in top])
    }
    return [(*rows[i][:6], s, *rows[i][6:]) for i, s in top]
