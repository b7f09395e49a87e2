"""Coverage report for a watchlist: which outlets covered which entity, which releases were picked up.

Reads only from SQLite (never from logs). Writes one self-contained HTML file.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from pipelines.store import Store
from pipelines.watchlist import Watchlist


@dataclass(slots=True)
class EntityCoverage:
    name: str
    kind: str
    articles: int = 0  # every stored copy counts: copies are evidence of coverage
    stories: int = 0  # distinct clusters
    outlets: Counter[str] = field(default_factory=Counter)
    days: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class Report:
    since: str | None
    articles: int
    stories: int
    entities: list[EntityCoverage]
    keywords: dict[str, int]
    pickups: list[dict[str, object]]  # clusters with copies that mention a watched entity
    independent: list[dict[str, object]]  # single-article stories that mention a watched entity

    def to_dict(self) -> dict[str, object]:
        return {
            "since": self.since, "articles": self.articles, "stories": self.stories,
            "entities": [
                {"name": e.name, "kind": e.kind, "articles": e.articles, "stories": e.stories,
                 "outlets": dict(e.outlets), "days": dict(sorted(e.days.items()))}
                for e in self.entities
            ],
            "keywords": self.keywords, "pickups": self.pickups, "independent": self.independent,
        }


def build_report(store: Store, watchlist: Watchlist, *, since: date | None = None) -> Report:
    where, params = ("WHERE published >= ?", [since.isoformat()]) if since else ("", [])
    rows = store.conn.execute(
        f"SELECT id, url, source, title, published, body, cluster_id, duplicate_of FROM articles {where}"
        " ORDER BY published", params,
    ).fetchall()
    coverage = [EntityCoverage(e.name, e.kind) for e in watchlist.entities]
    story_sets: list[set[int]] = [set() for _ in watchlist.entities]
    keywords: Counter[str] = Counter()
    relevant_clusters: dict[int, list[tuple[object, ...]]] = defaultdict(list)
    for row in rows:
        art_id, _url, source, title, published, body, cluster_id, _dup = row
        text = f"{title}\n{body}"
        hit = False
        for i, entity in enumerate(watchlist.entities):
            if entity.matches(text):
                hit = True
                cov = coverage[i]
                cov.articles += 1
                cov.outlets[source or "?"] += 1
                cov.days[(published or "")[:10] or "unknown"] += 1
                story_sets[i].add(cluster_id or art_id)
        for kw in watchlist.keywords:
            if kw in text:
                keywords[kw] += 1
                hit = True
        if hit:
            relevant_clusters[cluster_id or art_id].append(row)
    for cov, stories in zip(coverage, story_sets, strict=True):
        cov.stories = len(stories)
    pickups, independent = [], []
    for cid, members in relevant_clusters.items():
        canon = next((m for m in members if m[7] is None), members[0])
        entry = {
            "cluster_id": cid, "title": canon[3], "first_published": canon[4],
            "outlets": sorted({str(m[2]) for m in members}),
            "copies": [{"source": m[2], "title": m[3], "url": m[1], "published": m[4]} for m in members],
        }
        (pickups if len(members) > 1 else independent).append(entry)
    pickups.sort(key=lambda e: (-len(e["copies"]), str(e["first_published"])))  # type: ignore[arg-type]
    independent.sort(key=lambda e: str(e["first_published"]), reverse=True)
    return Report(
        since=since.isoformat() if since else None, articles=len(rows),
        stories=len({r[6] or r[0] for r in rows}), entities=coverage, keywords=dict(keywords),
        pickups=pickups, independent=independent,
    )


_CSS = """
body{font-family:system-ui,'Noto Sans KR',sans-serif;margin:2rem auto;max-width:60rem;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #eee;padding:.3rem .5rem;text-align:left;vertical-align:top}
.num{text-align:right}.muted{color:#777;font-size:.9em}.bar{background:#4a7bd0;height:.7rem;display:inline-block}
"""


def render_html(report: Report) -> str:
    e = html.escape
    out = [
        "<!doctype html><html lang=ko><meta charset=utf-8><title>newscorpus coverage report</title>",
        f"<style>{_CSS}</style><h1>Press coverage report</h1>",
        f"<p class=muted>{report.articles} articles, {report.stories} distinct stories"
        f"{' since ' + e(report.since) if report.since else ''}.</p>",
        "<h2>Watched entities</h2><table><tr><th>entity</th><th>kind</th><th class=num>articles</th>"
        "<th class=num>stories</th><th>outlets</th></tr>",
    ]
    for cov in report.entities:
        outlets = ", ".join(f"{e(o)} ({n})" for o, n in cov.outlets.most_common())
        out.append(f"<tr><td>{e(cov.name)}</td><td>{e(cov.kind)}</td><td class=num>{cov.articles}</td>"
                   f"<td class=num>{cov.stories}</td><td>{outlets or '—'}</td></tr>")
    out.append("</table>")
    if report.keywords:
        peak = max(report.keywords.values())
        out.append("<h2>Keywords</h2><table>")
        for kw, n in sorted(report.keywords.items(), key=lambda kv: -kv[1]):
            width = int(200 * n / peak)
            out.append(f"<tr><td>{e(kw)}</td><td class=num>{n}</td>"
                       f"<td><span class=bar style='width:{width}px'></span></td></tr>")
        out.append("</table>")
    out.append("<h2>Press releases picked up by several outlets</h2>")
    for p in report.pickups:
        copies = "".join(
            f"<li>{e(str(c['source']))}: <a href='{e(str(c['url']))}'>{e(str(c['title']))}</a> "
            f"<span class=muted>{e(str(c['published'] or ''))}</span></li>"
            for c in p["copies"]  # type: ignore[attr-defined]
        )
        out.append(f"<h3>{e(str(p['title']))}</h3><p class=muted>{len(p['outlets'])} outlets, "  # type: ignore[arg-type]
                   f"first {e(str(p['first_published'] or 'undated'))}</p><ul>{copies}</ul>")
    if not report.pickups:
        out.append("<p class=muted>none</p>")
    out.append("<h2>Independent stories</h2><ul>")
    for s in report.independent:
        c = s["copies"][0]  # type: ignore[index]
        out.append(f"<li>{e(str(c['source']))}: <a href='{e(str(c['url']))}'>{e(str(s['title']))}</a> "
                   f"<span class=muted>{e(str(s['first_published'] or ''))}</span></li>")
    out.append("</ul>")
    out.append(f"<script type='application/json' id=data>{e(json.dumps(report.to_dict(), ensure_ascii=False))}"
               "</script></html>")
    return "\n".join(out)
