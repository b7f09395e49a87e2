"""Coverage report for a watchlist: who covered what, which stories were copies, what is new.

Reads only from SQLite (never from logs). `build_report` returns plain records; report_render.py's `render_html`,
`render_markdown` and `Report.to_dict` turn them into one self-contained HTML file (inline CSS and
SVG, a Content-Security-Policy that forbids scripts and every external resource), a digest for an
e-mail body, or JSON for another tool. Every scraped string is escaped where it is rendered.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from pipelines.normalize import KST
from pipelines.store import Store
from pipelines.tokenize import analysed_text, decode_tokens
from pipelines.watchlist import ArticleMatches, Matcher, Span
from scraper.errors import InputError

log = logging.getLogger(__name__)

TOP_NOUNS = 25
EXCERPTS_PER_ENTITY = 8
EXCERPT_CONTEXT = 60  # characters either side of the first mention
_RELATIVE = re.compile(r"^(\d{1,4})d$")


def parse_since(value: str, today: date) -> date:
    """`--since`: a date (2026-10-01) or a number of days back from today (7d)."""
    m = _RELATIVE.match(value.strip())
    if m:
        return today - timedelta(days=int(m.group(1)))
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"--since must be a date like 2026-10-01 or a number of days like 7d, not {value!r}"
                         ) from None


@dataclass(frozen=True, slots=True)
class Member:
    """One article of a story."""

    id: int
    source: str
    title: str
    url: str
    published: str | None
    copy: bool  # a duplicate of the story's canonical article (False: the canonical itself)


@dataclass(frozen=True, slots=True)
class Story:
    """One duplicate cluster that mentions the watchlist."""

    cluster_id: int
    title: str
    first_source: str
    first_published: str | None
    outlets: tuple[str, ...]
    members: tuple[Member, ...]
    entities: tuple[str, ...]
    new: bool

    @property
    def syndicated(self) -> bool:
        return len(self.members) > 1


@dataclass(frozen=True, slots=True)
class Outlet:
    source: str
    articles: int
    independent: int  # canonical articles: the outlet's own story (or the first to run it)
    copies: int  # copies of a story another article ran first


@dataclass(frozen=True, slots=True)
class Excerpt:
    source: str
    title: str
    url: str
    published: str | None
    pieces: tuple[tuple[str, bool], ...]  # (text, highlighted)


@dataclass(frozen=True, slots=True)
class EntitySection:
    name: str
    kind: str
    articles: int
    stories: int
    outlets: tuple[tuple[str, int], ...]
    excerpts: tuple[Excerpt, ...]


@dataclass(frozen=True, slots=True)
class Report:
    generated_at: str
    since: str | None
    previous_report: str | None
    articles_in_window: int
    matched_articles: int
    new_articles: int
    days: tuple[str, ...]
    per_day: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # day -> (outlet, articles)
    undated: int
    outlets: tuple[Outlet, ...]
    stories: tuple[Story, ...]
    entities: tuple[EntitySection, ...]
    keywords: tuple[tuple[str, int], ...]
    nouns: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    url: str
    source: str
    title: str
    body: str
    published: str | None
    arrived: str | None
    cluster_id: int
    copy: bool
    nouns: tuple[str, ...]
    morphemes: str
    offsets: str


def build_report(store: Store, matcher: Matcher, *, since: date | None, now: datetime) -> Report:
    """Match the watchlist against every article published since `since` (all when None)."""
    previous = store.last_report_at()
    rows = _load(store, since)
    hits = [(row, m) for row in rows if (m := _match(matcher, row)).any]
    log.info("report: %d of %d articles mention the watchlist", len(hits), len(rows))
    prev_dt = _parse(previous)
    new_ids = {row.id for row, _ in hits if prev_dt and (a := _parse(row.arrived)) and a > prev_dt}

    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    undated = 0
    outlet_rows: dict[str, list[_Row]] = defaultdict(list)
    for row, _ in hits:
        outlet_rows[row.source].append(row)
        if row.published:
            per_day[row.published[:10]][row.source] += 1
        else:
            undated += 1
    days = _day_range(sorted(per_day))
    outlets = sorted(
        (Outlet(src, len(rs), sum(not r.copy for r in rs), sum(r.copy for r in rs)) for src, rs in outlet_rows.items()),
        key=lambda o: (-o.articles, o.source),
    )

    stories = _stories(store, hits, new_ids)
    terms = matcher.term_forms
    noun_counts: Counter[str] = Counter()
    per_cluster: dict[int, set[str]] = defaultdict(set)
    for row, _ in hits:
        per_cluster[row.cluster_id].update(n for n in row.nouns if len(n) > 1 and n not in terms)
    for nouns in per_cluster.values():
        noun_counts.update(nouns)

    sections = []
    for entity in matcher.watchlist.entities:
        mine = [(row, m.entities[entity.name]) for row, m in hits if entity.name in m.entities]
        # one excerpt per story, from its canonical article when that one matched; newest stories first
        chosen: dict[int, tuple[_Row, tuple[Span, ...]]] = {}
        for row, spans in sorted(mine, key=lambda rm: (rm[0].copy, rm[0].published or "", rm[0].id)):
            chosen.setdefault(row.cluster_id, (row, spans))
        newest = sorted(chosen.values(), key=lambda rm: (rm[0].published or "", rm[0].id), reverse=True)
        excerpts = [
            Excerpt(row.source, row.title, row.url, row.published, _excerpt(analysed_text(row.title, row.body), spans))
            for row, spans in newest[:EXCERPTS_PER_ENTITY]
        ]
        sections.append(EntitySection(
            entity.name, entity.kind, len(mine), len({r.cluster_id for r, _ in mine}),
            tuple(Counter(r.source for r, _ in mine).most_common()), tuple(excerpts),
        ))
    keywords = Counter(kw for _, m in hits for kw in m.keywords)
    return Report(
        generated_at=now.isoformat(timespec="seconds"), since=since.isoformat() if since else None,
        previous_report=previous, articles_in_window=len(rows), matched_articles=len(hits),
        new_articles=len(new_ids), days=tuple(days),
        per_day=tuple((d, tuple(sorted(per_day[d].items()))) for d in days), undated=undated,
        outlets=tuple(outlets), stories=tuple(stories), entities=tuple(sections),
        keywords=tuple((kw, keywords[kw]) for kw in matcher.watchlist.keywords),
        nouns=tuple(sorted(noun_counts.items(), key=lambda nc: (-nc[1], nc[0]))[:TOP_NOUNS]),
    )


def _load(store: Store, since: date | None) -> list[_Row]:
    where, params = ("WHERE COALESCE(a.published, a.fetched_at) >= ?", [since.isoformat()]) if since else ("", [])
    cur = store.conn.execute(
        "SELECT a.id, a.url, a.source, a.title, a.body, a.published, COALESCE(a.fetched_at, r.started_at),"
        " COALESCE(a.cluster_id, a.id), a.duplicate_of IS NOT NULL, t.nouns, t.morphemes, t.offsets"
        " FROM articles a LEFT JOIN tokens t ON t.article_id = a.id LEFT JOIN runs r ON r.id = a.run_id"
        f" {where} ORDER BY a.published, a.id", params,
    )
    return [
        _Row(int(id_), url, source or "?", title, body, published, arrived, int(cluster), bool(copy),
             tuple((nouns or "").split()), morphemes or "", offsets or "")
        for id_, url, source, title, body, published, arrived, cluster, copy, nouns, morphemes, offsets
        in cur.fetchall()
    ]


def _match(matcher: Matcher, row: _Row) -> ArticleMatches:
    return matcher.find(analysed_text(row.title, row.body), decode_tokens(row.morphemes, row.offsets))


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=KST)


def _day_range(days: list[str]) -> list[str]:
    """Every day from the first to the last one with coverage (quiet days show as gaps)."""
    if not days:
        return []
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    if (last - first).days > 366:
        return days
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _stories(store: Store, hits: list[tuple[_Row, ArticleMatches]], new_ids: set[int]) -> list[Story]:
    by_cluster: dict[int, list[tuple[_Row, ArticleMatches]]] = defaultdict(list)
    for row, m in hits:
        by_cluster[row.cluster_id].append((row, m))
    stories = []
    for cid, matched in by_cluster.items():
        members = store.conn.execute(
            "SELECT id, source, title, url, published, duplicate_of IS NOT NULL FROM articles"
            " WHERE COALESCE(cluster_id, id) = ? ORDER BY published IS NULL, published, id", (cid,),
        ).fetchall()
        ms = tuple(Member(int(i), s or "?", t, u, p, bool(c)) for i, s, t, u, p, c in members)
        canon = next((m for m in ms if not m.copy), ms[0])
        entities = sorted({e for _, m in matched for e in m.entities})
        stories.append(Story(
            cid, canon.title, canon.source, canon.published, tuple(dict.fromkeys(m.source for m in ms)), ms,
            tuple(entities), any(r.id in new_ids for r, _ in matched),
        ))
    stories.sort(key=lambda s: (-len(s.outlets), -len(s.members), s.first_published or ""))
    return stories


def _excerpt(text: str, spans: tuple[Span, ...]) -> tuple[tuple[str, bool], ...]:
    """The text around the first mention, cut to EXCERPT_CONTEXT either side, mentions flagged."""
    first = spans[0]
    lo = max(0, first.start - EXCERPT_CONTEXT)
    hi = min(len(text), first.end + EXCERPT_CONTEXT)
    pieces: list[tuple[str, bool]] = [("…", False)] if lo else []
    pos = lo
    for s in spans:
        if s.start < pos or s.end > hi:
            continue
        pieces.append((text[pos:s.start], False))
        pieces.append((text[s.start:s.end], True))
        pos = s.end
    pieces.append((text[pos:hi], False))
    if hi < len(text):
        pieces.append(("…", False))
    return tuple((p.replace("\n", " / "), mark) for p, mark in pieces if p)


# -- rendering ---------------------------------------------------------------------------------
