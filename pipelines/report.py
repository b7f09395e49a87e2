"""Coverage report for a watchlist: who covered what, which stories were copies, what is new.

Reads only from SQLite (never from logs). `build_report` returns plain records; `render_html`,
`render_markdown` and `Report.to_dict` turn them into one self-contained HTML file (inline CSS and
SVG, a Content-Security-Policy that forbids scripts and every external resource), a digest for an
e-mail body, or JSON for another tool. Every scraped string is escaped where it is rendered.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

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

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_PALETTE = ("#3b6fb6", "#e07b39", "#4f9d69", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#6b8e23",
            "#ccb974", "#64b5cd")
_CSS = """
body{font-family:system-ui,'Noto Sans KR','Malgun Gothic',sans-serif;margin:1.5rem auto;max-width:62rem;
color:#222;padding:0 1rem;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;font-size:1.2rem}
h3{font-size:1rem;margin:1.2rem 0 .3rem}table{border-collapse:collapse;width:100%;font-size:.92rem}
td,th{border-bottom:1px solid #eee;padding:.25rem .45rem;text-align:left;vertical-align:top}
.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#6b6b6b;font-size:.88em}
.tag{display:inline-block;border-radius:3px;padding:0 .35em;font-size:.8em;background:#eef2f8;color:#33527a}
.new{background:#fff1c2;color:#7a5a00}.copy{color:#8a8a8a}mark{background:#ffe58a;padding:0 .1em}
.cards{display:flex;gap:.8rem;flex-wrap:wrap}.card{border:1px solid #e3e3e3;border-radius:6px;padding:.5rem .8rem}
.card b{display:block;font-size:1.4rem}svg{max-width:100%;height:auto}svg text{font-size:11px;fill:#444}
blockquote{margin:.3rem 0 .8rem;padding:.3rem .7rem;border-left:3px solid #ccd;background:#fafafa}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _when(value: str | None) -> str:
    """'2026-10-05T10:40:38+09:00' -> '2026-10-05 10:40' (stored times are KST)."""
    return value[:16].replace("T", " ") if value else "undated"


def _link(url: str, text: str) -> str:
    """A link only for http(s) URLs (no javascript: or data: from a scraped page); else plain text."""
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(text)}</a>'
    return _e(text)


def _colours(report: Report) -> dict[str, str]:
    names = [o.source for o in report.outlets]
    return {n: _PALETTE[i % len(_PALETTE)] for i, n in enumerate(names)}


def day_chart_svg(report: Report) -> str:
    """Stacked bars: watched articles per day, one colour per outlet."""
    if not report.days:
        return "<p class=muted>no dated articles</p>"
    colours = _colours(report)
    peak = max(sum(n for _, n in counts) for _, counts in report.per_day) or 1
    bar = max(6, min(36, 760 // len(report.days)))
    left, top, plot_h = 34, 10, 180
    width = left + bar * len(report.days) + 10
    height = top + plot_h + 46
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="articles per day and outlet" '
           f'class="chart day-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i in range(5):
        value = round(peak * i / 4)
        y = top + plot_h - plot_h * value / peak
        out.append(f'<line x1="{left}" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    step = max(1, len(report.days) // 12)
    for i, (day, counts) in enumerate(report.per_day):
        x = left + i * bar
        y = top + plot_h
        for source, n in counts:
            h = plot_h * n / peak
            y -= h
            out.append(f'<rect x="{x + 1}" y="{y:.1f}" width="{bar - 2}" height="{h:.1f}" '
                       f'fill="{colours.get(source, "#999")}"><title>{_e(day)} {_e(source)}: {n}</title></rect>')
        if i % step == 0:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{_e(day[5:])}</text>')
    legend_x = left
    for source, colour in colours.items():
        out.append(f'<rect x="{legend_x}" y="{height - 16}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{legend_x + 14}" y="{height - 7}">{_e(source)}</text>')
        legend_x += 22 + 7 * len(source)
    out.append("</svg>")
    return "".join(out)


def outlet_chart_svg(report: Report) -> str:
    """Horizontal bars per outlet: own (independent) articles dark, copies light."""
    if not report.outlets:
        return "<p class=muted>no outlets</p>"
    colours = _colours(report)
    peak = max(o.articles for o in report.outlets)
    row, label, plot_w = 22, 120, 420
    height = row * len(report.outlets) + 8
    width = label + plot_w + 120
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="articles per outlet" '
           f'class="chart outlet-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i, o in enumerate(report.outlets):
        y = 4 + i * row
        own_w = plot_w * o.independent / peak
        copy_w = plot_w * o.copies / peak
        colour = colours[o.source]
        out.append(f'<text x="{label - 6}" y="{y + 14}" text-anchor="end">{_e(o.source)}</text>'
                   f'<rect x="{label}" y="{y + 3}" width="{own_w:.1f}" height="14" fill="{colour}">'
                   f'<title>{_e(o.source)}: {o.independent} own</title></rect>'
                   f'<rect x="{label + own_w:.1f}" y="{y + 3}" width="{copy_w:.1f}" height="14" fill="{colour}" '
                   f'fill-opacity="0.35"><title>{_e(o.source)}: {o.copies} copies</title></rect>'
                   f'<text x="{label + own_w + copy_w + 6:.1f}" y="{y + 14}">{o.articles} '
                   f'({o.independent} own, {o.copies} copies)</text>')
    out.append("</svg>")
    return "".join(out)


def render_html(report: Report) -> str:
    """One self-contained page: no script, no external resource, every scraped string escaped."""
    window = f"since {_e(report.since)}" if report.since else "all dates"
    prev = (f"previous report {_e(report.previous_report)}" if report.previous_report
            else "first report on this corpus")
    syndicated = sum(s.syndicated for s in report.stories)
    out = [
        "<!doctype html>",
        '<html lang="ko"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',  # a constant, no double quote
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>newscorpus coverage report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Press coverage report</h1>",
        f"<p class=muted>{window} · generated {_e(report.generated_at)} · {prev}</p>",
        '<div class="cards">',
        f'<div class="card"><b>{report.matched_articles}</b>articles mention the watchlist '
        f'<span class=muted>(of {report.articles_in_window})</span></div>',
        f'<div class="card"><b>{len(report.stories)}</b>stories ({syndicated} run by several outlets)</div>',
        f'<div class="card"><b>{len(report.outlets)}</b>outlets</div>',
        f'<div class="card"><b>{report.new_articles}</b>new since the last report</div>',
        "</div>",
        "<h2>Coverage per day and outlet</h2>", day_chart_svg(report),
    ]
    if report.undated:
        out.append(f"<p class=muted>{report.undated} article(s) without a publication date are not charted.</p>")
    out += ["<h2>Top outlets</h2>", outlet_chart_svg(report),
            "<p class=muted>own: the outlet's own article or the first copy of a story; "
            "copies: the same text run after another outlet.</p>"]
    out.append("<h2>New since the last report</h2>")
    new = [s for s in report.stories if s.new]
    if not report.previous_report:
        out.append("<p class=muted>This is the first report on this corpus; the next one lists what arrived "
                   "in between.</p>")
    elif not new:
        out.append("<p class=muted>nothing new</p>")
    else:
        out.append("<ul>" + "".join(
            f"<li>{_link(s.members[0].url, s.title)} <span class=muted>{_e(s.first_source)} · "
            f"{_e(_when(s.first_published))} · {len(s.outlets)} outlet(s)</span></li>" for s in new) + "</ul>")
    out.append('<h2 id="stories">Stories run by several outlets</h2>')
    out.append(_stories_table(report))
    out.append('<h2 id="independent">Independent stories</h2>')
    out.append(_independent_list(report))
    out.append('<h2 id="entities">Watched entities</h2>')
    out.append(_entity_table(report))
    for section in report.entities:
        out.append(_entity_section(section))
    if report.keywords:
        out.append("<h2>Keywords</h2><table><tr><th>keyword</th><th class=num>articles</th></tr>")
        out += [f"<tr><td>{_e(kw)}</td><td class=num>{n}</td></tr>" for kw, n in report.keywords]
        out.append("</table>")
    out.append("<h2>Top co-occurring nouns</h2>")
    if report.nouns:
        out.append("<p>" + " · ".join(f"{_e(n)} <span class=muted>{c}</span>" for n, c in report.nouns) + "</p>"
                   "<p class=muted>counted once per story, watched terms left out</p>")
    else:
        out.append("<p class=muted>none</p>")
    out.append("<p class=muted>newscorpus · this file loads nothing from the network and runs no script.</p>")
    out.append("</body></html>")
    return "\n".join(out)


def _independent_list(report: Report) -> str:
    single = [s for s in report.stories if not s.syndicated]
    if not single:
        return "<p class=muted>none</p>"
    out = ["<ul>"]
    for s in sorted(single, key=lambda s: s.first_published or "", reverse=True):
        badge = ' <span class="tag new">new</span>' if s.new else ""
        tags = " ".join(f'<span class="tag">{_e(e)}</span>' for e in s.entities)
        out.append(f"<li>{_link(s.members[0].url, s.title)}{badge} <span class=muted>{_e(s.first_source)} · "
                   f"{_e(_when(s.first_published))}</span> {tags}</li>")
    out.append("</ul>")
    return "".join(out)


def _stories_table(report: Report) -> str:
    several = [s for s in report.stories if s.syndicated]
    if not several:
        return "<p class=muted>no story was run by more than one outlet</p>"
    out = ["<table><tr><th>story</th><th>first</th><th>outlets (syndication)</th><th>coverage</th></tr>"]
    for s in several:
        badge = ' <span class="tag new">new</span>' if s.new else ""
        tags = " ".join(f'<span class="tag">{_e(e)}</span>' for e in s.entities)
        runs = "<br>".join(
            f'<span class="{"copy" if m.copy else ""}">{_e(m.source)}: {_link(m.url, m.title)} '
            f'<span class=muted>{_e(_when(m.published))}</span></span>' for m in s.members)
        kind = f"first run + {len(s.members) - 1} cop{'y' if len(s.members) == 2 else 'ies'}"
        out.append(f"<tr><td><b>{_e(s.title)}</b>{badge}<br>{tags}</td>"
                   f"<td>{_e(s.first_source)}<br><span class=muted>{_e(_when(s.first_published))}</span></td>"
                   f"<td>{runs}</td><td>{kind}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _entity_table(report: Report) -> str:
    out = ["<table><tr><th>entity</th><th>kind</th><th class=num>articles</th><th class=num>stories</th>"
           "<th>outlets</th></tr>"]
    for s in report.entities:
        outlets = ", ".join(f"{_e(o)} ({n})" for o, n in s.outlets) or "—"
        out.append(f"<tr><td>{_e(s.name)}</td><td>{_e(s.kind)}</td><td class=num>{s.articles}</td>"
                   f"<td class=num>{s.stories}</td><td>{outlets}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _entity_section(section: EntitySection) -> str:
    out = [f"<h3>{_e(section.name)} <span class=muted>{_e(section.kind)} · {section.articles} articles, "
           f"{section.stories} stories</span></h3>"]
    if not section.excerpts:
        out.append("<p class=muted>not mentioned</p>")
    for x in section.excerpts:
        text = "".join(f"<mark>{_e(p)}</mark>" if marked else _e(p) for p, marked in x.pieces)
        out.append(f"<p class=muted>{_e(x.source)} · {_e(_when(x.published))} · {_link(x.url, x.title)}</p>"
                   f"<blockquote>{text}</blockquote>")
    return "".join(out)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#<>!])")


def _md(value: object) -> str:
    """Markdown-escape a scraped string (no raw HTML, links or emphasis can come from a page)."""
    return _MD_SPECIAL.sub(r"\\\1", str(value).replace("\n", " "))


def render_markdown(report: Report) -> str:
    """A digest for an e-mail body."""
    lines = [
        "# Press coverage report", "",
        f"{'Since ' + report.since if report.since else 'All dates'} · generated {report.generated_at}", "",
        f"- {report.matched_articles} articles mention the watchlist (of {report.articles_in_window})",
        f"- {len(report.stories)} stories, {sum(s.syndicated for s in report.stories)} run by several outlets",
        f"- {report.new_articles} new since the last report", "",
        "## Top outlets", "", "| outlet | articles | own | copies |", "|---|---:|---:|---:|",
    ]
    lines += [f"| {_md(o.source)} | {o.articles} | {o.independent} | {o.copies} |" for o in report.outlets]
    lines += ["", "## Stories", ""]
    for s in report.stories:
        new = " **new**" if s.new else ""
        lines.append(f"- {_md(s.title)}{new} — first {_md(s.first_source)} {_md(_when(s.first_published))}; "
                     f"{'ran in ' + ', '.join(_md(o) for o in s.outlets) if s.syndicated else 'independent'}")
    lines += ["", "## Watched entities", ""]
    for e in report.entities:
        outlets = ", ".join(f"{_md(o)} ({n})" for o, n in e.outlets) or "—"
        lines.append(f"- **{_md(e.name)}** ({e.kind}): {e.articles} articles, {e.stories} stories — {outlets}")
        for x in e.excerpts[:3]:
            text = "".join(f"**{_md(p)}**" if marked else _md(p) for p, marked in x.pieces)
            lines.append(f"  - {_md(x.source)}: {text}")
    if report.nouns:
        lines += ["", "## Top co-occurring nouns", "", ", ".join(f"{_md(n)} ({c})" for n, c in report.nouns)]
    return "\n".join(lines) + "\n"
