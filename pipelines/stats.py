"""`newscorpus stats`: what the corpus holds, per source and day, and the last runs."""

from __future__ import annotations

import json

from pipelines.store import Store


def corpus_stats(store: Store, *, days: int = 14, runs: int = 5) -> dict[str, object]:
    c = store.conn
    total, unique, archived = c.execute(
        "SELECT count(*), sum(duplicate_of IS NULL), count(warc_file) FROM articles").fetchone()
    per_source = [
        {"source": s, "articles": n, "unique": u, "duplicates": n - u, "first": f, "last": la}
        for s, n, u, f, la in c.execute(
            "SELECT coalesce(source, ''), count(*), sum(duplicate_of IS NULL), min(published), max(published)"
            " FROM articles GROUP BY 1 ORDER BY 2 DESC")
    ]
    per_day = [
        {"day": d, "articles": n, "unique": u}
        for d, n, u in c.execute(
            "SELECT substr(published, 1, 10) AS day, count(*), sum(duplicate_of IS NULL) FROM articles"
            " WHERE published IS NOT NULL GROUP BY day ORDER BY day DESC LIMIT ?", (days,))
    ]
    frontier = dict(c.execute("SELECT state, count(*) FROM frontier GROUP BY state").fetchall())
    last_runs = [
        {"id": i, "kind": k, "started_at": s, "finished_at": f, "status": st, "pages_fetched": p,
         "articles_new": n, "duplicates": d, "failures": fl, "summary": json.loads(sm) if sm else None}
        for i, k, s, f, st, p, n, d, fl, sm in c.execute(
            "SELECT id, kind, started_at, finished_at, status, pages_fetched, articles_new, duplicates,"
            " failures, summary FROM runs ORDER BY id DESC LIMIT ?", (runs,))
    ]
    clusters_multi = c.execute("SELECT count(*) FROM clusters WHERE size > 1").fetchone()[0]
    return {
        "articles": total or 0,
        "unique_articles": unique or 0,
        "duplicates": (total or 0) - (unique or 0),
        "clusters_with_copies": clusters_multi,
        "archived_articles": archived or 0,  # with a raw archive reference (`reextract` can redo them)
        "sources": per_source,
        "days": per_day,
        "frontier": frontier,
        "runs": last_runs,
    }


def list_clusters(store: Store, *, min_size: int = 2, limit: int = 100) -> list[dict[str, object]]:
    """Duplicate clusters, biggest first: canonical article, members and outlets."""
    out: list[dict[str, object]] = []
    for cid, canonical, size, first, sources in store.conn.execute(
        "SELECT id, canonical_id, size, first_published, sources FROM clusters WHERE size >= ?"
        " ORDER BY size DESC, first_published LIMIT ?", (min_size, limit)
    ):
        members = [
            {"id": i, "url": u, "source": s, "title": t, "published": p, "canonical": i == canonical}
            for i, u, s, t, p in store.conn.execute(
                "SELECT id, url, source, title, published FROM articles WHERE cluster_id = ?"
                " ORDER BY published IS NULL, published, id", (cid,))
        ]
        canon = next((m for m in members if m["canonical"]), members[0] if members else {})
        out.append({
            "cluster_id": cid, "size": size, "first_published": first, "sources": json.loads(sources),
            "canonical_id": canonical, "title": canon.get("title"), "members": members,
        })
    return out
