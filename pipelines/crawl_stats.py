"""The counters of one crawl run: per source, per host, and the run summary they make (`--json`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from pipelines.normalize import iso


@dataclass(slots=True)
class SourceStats:
    discovered: int = 0
    pages_fetched: int = 0
    new: int = 0
    duplicates: int = 0
    already_stored: int = 0
    skipped: int = 0
    failures: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    # extraction health (the redesign alarm compares these with the source's history)
    extracted: int = 0
    not_article: int = 0
    no_date: int = 0
    no_author: int = 0
    body_chars: int = 0


@dataclass(slots=True)
class CrawlStats:
    run_id: int
    started_at: datetime
    finished_at: datetime | None = None
    sources: dict[str, SourceStats] = field(default_factory=dict)
    discovery_errors: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False
    fetch: dict[str, dict[str, object]] = field(default_factory=dict)  # per origin: requests, bytes, ...
    warnings: list[str] = field(default_factory=list)  # e.g. extraction health alarms
    queue: dict[str, int] = field(default_factory=dict)  # fetch → processing hand-off: high water, full waits

    @property
    def failures(self) -> int:
        return sum(s.failures for s in self.sources.values()) + len(self.discovery_errors)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.interrupted else 0

    def to_dict(self) -> dict[str, object]:
        total = SourceStats()
        for s in self.sources.values():
            for name in ("discovered", "pages_fetched", "new", "duplicates", "already_stored", "skipped",
                         "failures"):
                setattr(total, name, getattr(total, name) + getattr(s, name))
        seconds = (self.finished_at - self.started_at).total_seconds() if self.finished_at else None
        return {
            "run_id": self.run_id,
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "seconds": round(seconds, 2) if seconds is not None else None,
            "interrupted": self.interrupted,
            "totals": _stats_dict(total),
            "sources": {k: _stats_dict(v) for k, v in self.sources.items()},
            "discovery_errors": [{"url": u, "reason": r} for u, r in self.discovery_errors],
            "hosts": self.fetch,
            "warnings": self.warnings,
            "queue": self.queue,
        }


def _stats_dict(s: SourceStats) -> dict[str, object]:
    return {
        "discovered": s.discovered, "pages_fetched": s.pages_fetched, "new": s.new,
        "duplicates": s.duplicates, "already_stored": s.already_stored, "skipped": s.skipped,
        "failures": s.failures, "reasons": dict(s.reasons),
        "health": {"extracted": s.extracted, "not_article": s.not_article, "no_date": s.no_date,
                   "no_author": s.no_author, "mean_chars": round(s.body_chars / s.extracted) if s.extracted else 0},
    }
