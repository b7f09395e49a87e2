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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from pipelines import fts_terms
from pipelines.store import Store
from pipelines.tokenize import Tokenizer
from scraper.errors import InputError

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_SNIPPET_RADIUS = 60
ORDERS = ("rank", "newest")
# Above this many matches, only the newest RANK_WINDOW are ranked (see search()).
RANK_WINDOW = 5_000
# A word in more than this share of the newest SAMPLE_ROWS articles filters but is not scored (see search()).
COMMON_SHARE = 0.55
SAMPLE_ROWS = 20_000

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


def _prefix(form: str, expand: Callable[[str], list[str] | None] | None) -> str:
    """`form*` as FTS5 syntax: the OR of the known terms it covers when there are few, else FTS5's own prefix."""
    terms = expand(form) if expand is not None else None
    if not terms:  # unknown vocabulary, too many terms, or none (FTS5's prefix then finds nothing, cheaply)
        return _quote([form]) + "*"
    if len(terms) == 1:
        return _quote(terms)
    return "(" + " OR ".join(_quote([t]) for t in terms) + ")"


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A user query as FTS5 syntax: `parts` are expressions and operators, in order."""

    parts: tuple[str, ...]
    positives: tuple[str, ...]  # expressions every match must contain (ANDed, not under NOT/OR)
    has_or: bool
    surfaces: tuple[str, ...]  # morphemes to highlight

    @property
    def match(self) -> str:
        return " ".join(self.parts)


def build_match(query: str, tokenizer: Tokenizer,
                expand: Callable[[str], list[str] | None] | None = None) -> tuple[str, list[str]]:
    """Translate a user query into an FTS5 MATCH expression over morphemes; also the morphemes to highlight."""
    parsed = parse_query(query, tokenizer, expand)
    return parsed.match, list(parsed.surfaces)


def parse_query(query: str, tokenizer: Tokenizer,
                expand: Callable[[str], list[str] | None] | None = None) -> ParsedQuery:
    """Parse a user query (see the module doc for the syntax); InputError when it is malformed.

    `expand` lists the index terms a prefix covers (fts_terms.expand), or None when it covers too many.
    """
    if query.count('"') % 2:
        raise InputError(f"unbalanced quote in query: {query}")
    parts: list[str] = []
    positives: list[str] = []
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
        expr = _prefix(forms[0], expand) if prefix and phrase is None and len(forms) == 1 else _quote(forms)
        if negate:
            pending_op = "NOT"
        if parts:
            parts.append(pending_op)
        elif pending_op == "NOT":
            raise InputError(f"query needs a positive term before NOT: {query}")
        parts.append(expr)
        if pending_op == "AND":
            positives.append(expr)
        pending_op = "AND"
    if not parts:
        raise InputError(f"query has no searchable words: {query!r}")
    if pending_op != "AND":
        raise InputError(f"query ends with an operator: {query}")
    return ParsedQuery(tuple(parts), tuple(positives), "OR" in parts, tuple(surfaces))


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
           include_duplicates: bool = False, order: str = "rank", window: int | None = RANK_WINDOW,
           common_share: float | None = COMMON_SHARE, expand_prefixes: bool = True) -> list[Hit]:
    """Articles matching `query`, best first (`order="rank"`, bm25) or newest first (`order="newest"`).

    A query matching more than `window` articles is ranked among the newest `window` matches only
    (the highest rowids, i.e. the latest stored): scoring every match costs a few microseconds each,
    so a word in most of a 1M-article corpus would otherwise take seconds. If the filters leave fewer
    than `limit` hits inside the window, the query is re-run over all matches. `window=None` always
    ranks everything. `author` matches part of the byline (`"김하늘"` finds `"김하늘 기자"`).

    Words found in more than `common_share` of the articles (estimated from the newest SAMPLE_ROWS)
    filter but are not scored: bm25 gives such a word no weight (FTS5 clamps its IDF to 1e-6), yet
    computing that IDF reads the word's whole doclist, ~25 ms for a word in 60 % of 1M articles.
    A query of nothing but such words lists its newest matches first. `common_share=None` scores
    every word. Applies to ranked queries without OR. A prefix (`바이*`) is searched as the OR of the
    terms it covers (pipelines/fts_terms.py) unless `expand_prefixes` is False.
    """
    if order not in ORDERS:
        raise InputError(f"unknown order {order!r} (use {', '.join(ORDERS)})")
    if limit < 1:
        raise InputError(f"limit must be at least 1, not {limit}")
    parsed = parse_query(query, tokenizer, (lambda p: fts_terms.expand(store.conn, p)) if expand_prefixes else None)
    match = parsed.match
    filters: list[str] = []
    params: list[object] = []
    if not include_duplicates:
        filters.append("a.duplicate_of IS NULL")
    if since:
        filters.append("a.published >= ?")
        params.append(since.isoformat())
    if until:
        filters.append("a.published < date(?, '+1 day')")
        params.append(until.isoformat())
    if source:
        filters.append("a.source = ?")
        params.append(source)
    if author:
        filters.append("instr(a.author, ?) > 0")
        params.append(author)
    scored = match
    if order == "rank" and common_share is not None and not parsed.has_or:
        scored = _scored_part(store, parsed, common_share, query)
    plan = _Plan(match, scored, filters, params, order, limit, query)
    cutoff = _window_cutoff(store, match, window, query) if window else None
    rows = _select(store, plan, cutoff)
    if cutoff is not None and len(rows) < limit:
        log.debug("filters left %d hits among the newest %d matches; ranking all matches", len(rows), window)
        rows = _select(store, plan, None)
    return [
        Hit(r[0], r[1], r[2], r[3], r[4], snippet(r[5], list(parsed.surfaces)), -float(r[6]), r[7], r[8])
        for r in rows
    ]


def _scored_part(store: Store, parsed: ParsedQuery, common_share: float, query: str) -> str | None:
    """The MATCH expression to score: the query's positive words minus the common ones (None: all common).

    When a word is dropped, negated words are left out of the score too: a match never contains them,
    so they add nothing to bm25 but the cost of reading their doclists.
    """
    newest = store.conn.execute("SELECT max(id) FROM articles_fts_docsize").fetchone()[0]
    if newest is None:
        return parsed.match
    low = int(newest) - SAMPLE_ROWS
    rows = store.conn.execute("SELECT count(*) FROM articles_fts_docsize WHERE id > ?", (low,)).fetchone()[0]
    kept: list[str] = []
    for expr in parsed.positives:
        try:
            hits = store.conn.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ? AND rowid > ?", (expr, low)
            ).fetchone()[0]
        except sqlite3.OperationalError as exc:
            raise InputError(f"invalid search query {query!r}: {exc}") from None
        if rows and hits / rows > common_share:
            log.debug("%s is in %.0f %% of the newest %d articles: filtering by it, not scoring it",
                      expr, 100 * hits / rows, rows)
        else:
            kept.append(expr)
    if len(kept) == len(parsed.positives):
        return parsed.match
    return " AND ".join(kept) if kept else None


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


@dataclass(frozen=True, slots=True)
class _Plan:
    match: str  # what a hit must match
    scored: str | None  # what bm25 scores (`match`, part of it, or None: nothing, newest first)
    filters: list[str]
    params: list[object]
    order: str
    limit: int
    query: str


def _select(store: Store, plan: _Plan, cutoff: int | None) -> list[tuple[object, ...]]:
    """Pick the winners' ids from the covering index, then read only those rows (and their bodies)."""
    above = " AND rowid >= ?" if cutoff is not None else ""
    bound: list[object] = [cutoff] if cutoff is not None else []
    if plan.order == "newest":  # needs no relevance score: skipping bm25 saves its per-match cost
        head, args, score, order_sql = "articles_fts MATCH ?", [plan.match], "0.0", "a.published DESC, a.id DESC"
    elif plan.scored is None:
        head, args, score, order_sql = "articles_fts MATCH ?", [plan.match], "0.0", "a.id DESC"
    elif plan.scored == plan.match:
        head, args, score, order_sql = "articles_fts MATCH ?", [plan.match], "bm25(articles_fts, 5.0, 1.0)", \
            "score, a.id DESC"
    else:  # score the rarer words; the whole query (common words, NOTs) filters through a subquery
        head = ("articles_fts MATCH ? AND +articles_fts.rowid IN"
                f" (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?{above})")
        args, score, order_sql = [plan.scored, plan.match, *bound], "bm25(articles_fts, 5.0, 1.0)", "score, a.id DESC"
    conds = [head, *plan.filters] + (["articles_fts.rowid >= ?"] if cutoff is not None else [])
    ranked = (
        f"SELECT a.id, {score} AS score FROM articles_fts JOIN articles a INDEXED BY articles_search"
        f" ON a.id = articles_fts.rowid WHERE {' AND '.join(conds)} ORDER BY {order_sql} LIMIT ?"
    )
    try:
        top = store.conn.execute(ranked, [*args, *plan.params, *bound, plan.limit]).fetchall()
    except sqlite3.OperationalError as exc:
        raise InputError(f"invalid search query {plan.query!r}: {exc}") from None
    if not top:
        return []
    rows = {
        r[0]: r for r in store.conn.execute(
            "SELECT id, url, source, title, published, body, cluster_id, duplicate_of FROM articles"
            f" WHERE id IN ({','.join('?' * len(top))})", [i for i, _ in top])
    }
    return [(*rows[i][:6], s, *rows[i][6:]) for i, s in top]
