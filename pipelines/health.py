"""The redesign alarm: per-source extraction health per run, compared with the source's own history.

A site that changes its template shows up first as pages without a date, pages refused as
non-articles, or bodies far shorter than usual. Each crawl records those shares per source; when a
source is clearly worse than its median over earlier runs, the run summary and `stats` warn.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from pipelines.store import Store

MIN_PAGES = 5  # fewer pages in a run say nothing
HISTORY_RUNS = 10
SHARE_JUMP = 0.3  # a share (no date, not an article) this much above the usual one is an alarm
SHORT_BODY = 0.5  # mean body length below half the usual one is an alarm


@dataclass(frozen=True, slots=True)
class Health:
    source: str
    pages: int  # pages extracted or refused
    not_article: float  # shares of pages
    no_date: float
    no_author: float
    mean_chars: float


def check_and_record(store: Store, run_id: int, health: list[Health]) -> list[str]:
    """Compare each source's health with its history, then record it; returns warning lines."""
    warnings: list[str] = []
    for h in health:
        if h.pages < MIN_PAGES:
            continue
        past = store.health_history(h.source, run_id, HISTORY_RUNS)
        if len(past) >= 1:
            usual_na = statistics.median(p[0] for p in past)
            usual_nd = statistics.median(p[1] for p in past)
            usual_chars = statistics.median(p[3] for p in past)
            if h.not_article - usual_na >= SHARE_JUMP:
                warnings.append(f"{h.source}: {h.not_article:.0%} of pages not recognised as articles "
                                f"(usually {usual_na:.0%}) — has the site changed its template?")
            if h.no_date - usual_nd >= SHARE_JUMP:
                warnings.append(f"{h.source}: {h.no_date:.0%} of articles without a publish time "
                                f"(usually {usual_nd:.0%}) — has the site changed its template?")
            if usual_chars and h.mean_chars < SHORT_BODY * usual_chars:
                warnings.append(f"{h.source}: bodies average {h.mean_chars:.0f} chars (usually "
                                f"{usual_chars:.0f}) — has the site changed its template?")
        store.record_health(run_id, h.source, h.pages, h.not_article, h.no_date, h.no_author, h.mean_chars)
    return warnings
