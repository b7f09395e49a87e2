"""`newscorpus dedup --rebuild`: recompute every duplicate decision and cluster with current settings.

Runs in one transaction: an interrupted rebuild leaves the previous clusters untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipelines.dedup import Deduper, drop_index
from pipelines.store import Store
from scraper.config import DedupConfig


@dataclass(frozen=True, slots=True)
class RebuildStats:
    articles: int
    clusters: int
    duplicates: int
    settings_version: str

    def to_dict(self) -> dict[str, object]:
        return {"articles": self.articles, "clusters": self.clusters, "duplicates": self.duplicates,
                "settings_version": self.settings_version}


def rebuild_clusters(store: Store, cfg: DedupConfig,
                     on_progress: Callable[[str, int, int], None] | None = None) -> RebuildStats:
    """Re-decide every article in arrival order (id), exactly as the crawl would have."""
    ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM articles ORDER BY id")]
    with store.transaction():
        drop_index(store.conn)
        store.reset_clusters()
        deduper = Deduper(store.conn, cfg)
        for n, article_id in enumerate(ids, 1):
            title, body = store.conn.execute(
                "SELECT title, body FROM articles WHERE id = ?", (article_id,)).fetchone()
            decision = deduper.check(title, body)
            deduper.add(article_id, title, body, decision)
            store.join_cluster(article_id, [m for m in (decision.match_id, *decision.also) if m is not None])
            if on_progress and (n % 100 == 0 or n == len(ids)):
                on_progress("rebuild", n, len(ids))
    clusters, dups = store.conn.execute(
        "SELECT count(*), coalesce(sum(size - 1), 0) FROM clusters").fetchone()
    return RebuildStats(len(ids), int(clusters), int(dups), deduper.settings_version)
