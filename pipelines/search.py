"""Morpheme-aware full-text search over articles_fts.

The query is analysed by the same Kiwi settings as the index, so `바이오` finds `바이오가` and
`바이오산업은`. Syntax: words are ANDed; "quoted phrases"; OR; NOT / -word; word* prefix.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date

from pipelines.store import Store
from pipelines.tokenize import Tokenizer
from scraper.errors import InputError

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_SNIPPET_RADIUS = 60


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
           until: date | None = None, source: str | None = None, limit: int = 20,
           include_duplicates: bool = False, order: str = "rank") -> list[Hit]:
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
    order_sql = "score" if order == "rank" else "a.published DESC"
    sql = (
        "SELECT a.id, a.url, a.source, a.title, a.published, a.body, bm25(articles_fts, 5.0, 1.0) AS score,"
        " a.cluster_id, a.duplicate_of FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        f" WHERE {' AND '.join(where)} ORDER BY {order_sql} LIMIT ?"
    )
    params.append(limit)
    try:
        rows = store.conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        raise InputError(f"invalid search query {query!r}: {exc}") from None
    return [
        Hit(r[0], r[1], r[2], r[3], r[4], snippet(r[5], surfaces), -float(r[6]), r[7], r[8]) for r in rows
    ]
