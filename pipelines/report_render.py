"""Rendering of a coverage Report: one self-contained HTML page (inline CSS and SVG charts, a CSP that
forbids scripts and external resources) or a Markdown digest. Every scraped string is escaped here.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from pipelines.report import EntitySection, Report

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


def _text_width(text: str) -> int:
    """Rough rendered width in px of 11px SVG text: wide (Hangul/CJK) glyphs count double."""
    return sum(13 if ord(ch) >= 0x1100 else 8 for ch in text)


def _legend(colours: dict[str, str], left: int, top: int, max_right: int) -> tuple[list[str], int, int]:
    """Legend swatches wrapped into rows of 16 px at max_right; returns the SVG items, width and row count."""
    items: list[str] = []
    x, row, right = left, 0, left
    for source, colour in colours.items():
        w = 14 + _text_width(source) + 12
        if x > left and x + w > max_right:
            x, row = left, row + 1
        y = top + 16 * row
        items.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{y + 9}">{_e(source)}</text>')
        x += w
        right = max(right, x)
    return items, right, row + 1


def day_chart_svg(report: Report) -> str:
    """Stacked bars: watched articles per day, one colour per outlet."""
    if not report.days:
        return "<p class=muted>no dated articles</p>"
    colours = _colours(report)
    peak = max(sum(n for _, n in counts) for _, counts in report.per_day) or 1
    bar = max(6, min(36, 760 // len(report.days)))
    left, top, plot_h = 34, 10, 180
    legend, legend_w, legend_rows = _legend(colours, left, top + plot_h + 24,
                                            max(left + bar * len(report.days), 760 - left))
    width = max(left + bar * len(report.days) + 10, legend_w + 10)
    height = top + plot_h + 30 + 16 * legend_rows
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
    out.extend(legend)
    out.append("</svg>")
    return "".join(out)


def outlet_chart_svg(report: Report) -> str:
    """Horizontal bars per outlet: own (independent) articles dark, copies light."""
    if not report.outlets:
        return "<p class=muted>no outlets</p>"
    colours = _colours(report)
    peak = max(o.articles for o in report.outlets)
    row, plot_w = 22, 420
    label = 16 + max(_text_width(o.source) for o in report.outlets)
    height = row * len(report.outlets) + 8
    width = label + plot_w + 16 + max(_text_width(f"{o.articles} ({o.independent} own, {o.copies} copies)")
                                      for o in report.outlets)
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
