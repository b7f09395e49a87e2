"""Raw archive and `reextract`: archive bytes per page, and re-extraction pages/s against the crawl's own path.

    .venv/bin/python benchmarks/reextract.py [--n 2000] [--json]

1. N synthetic articles (benchmarks/_synthetic.py, ~30 % exact and ~10 % near copies) rendered as
   HTML pages; each is written to the raw archive (ArchiveWriter, as the fetcher does) and then
   extracted and ingested in batches of 16 (as the crawl does, minus the network): the baseline.
2. `reextract` with nothing changed (read WARC → extract → normalize → compare): pages/s.
3. every row blanked (title, body, tokens, full-text, clusters), then `reextract`: the full path
   (read → extract → Kiwi → FTS → dedup rebuild), pages/s and its ratio to the baseline.
Kiwi is loaded once before the clocks start.
"""

from __future__ import annotations

import argparse
import html
import json
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import articles  # noqa: E402

from pipelines import reextract as reextract_mod  # noqa: E402
from pipelines.dedup import Deduper  # noqa: E402
from pipelines.ingest import Ingestor  # noqa: E402
from pipelines.store import Store  # noqa: E402
from pipelines.tokenize import Tokenizer  # noqa: E402
from scraper.archive import ArchivedResponse, ArchiveWriter  # noqa: E402
from scraper.config import Config  # noqa: E402
from scraper.extract import extract  # noqa: E402


def page_html(title: str, body: str, published: str) -> bytes:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n"))
    return (f'<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta property="og:title" content="{html.escape(title)}">'
            f'<meta property="article:published_time" content="{published}"></head>'
            f"<body><nav>최신뉴스 많이 본 기사</nav><article><h1>{html.escape(title)}</h1>{paras}</article>"
            f"<footer>무단전재 및 재배포 금지</footer></body></html>").encode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tok = Tokenizer()
    reextract_mod.LazyTokenizer = lambda *args, **kwargs: tok  # type: ignore[assignment,misc]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp, "corpus.db")
        cfg = Config(db_path=db)
        docs = articles(args.n)
        # 1. archive + extract + ingest (the crawl's work after the network)
        store = Store(db)
        ingestor = Ingestor(store, tok, Deduper(store.conn, cfg.dedup), None)
        started = time.perf_counter()
        archive_s = 0.0
        with ArchiveWriter(cfg.archive.folder(db)) as writer:
            batch = []
            for i, a in enumerate(docs):
                body = page_html(a.title, a.body, a.published)
                t0 = time.perf_counter()
                ref = writer.write(ArchivedResponse(
                    requested_url=a.url, url=a.url, status=200, reason="OK", http_version="HTTP/1.1",
                    headers=(("Content-Type", "text/html; charset=utf-8"),), body=body,
                    fetched_at=datetime.now(UTC), source=a.source))
                archive_s += time.perf_counter() - t0
                art = extract(body.decode(), a.url, fetched_at=datetime.now(UTC), source=a.source)
                batch.append(replace(art, warc=ref))
                if len(batch) == 16 or i == len(docs) - 1:
                    ingestor.ingest(batch)
                    batch = []
        crawl_s = time.perf_counter() - started
        archive_bytes = writer.bytes
        html_bytes = sum(len(page_html(a.title, a.body, a.published)) for a in docs)
        stored = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        store.close()
        # 2. nothing changed
        unchanged = reextract_mod.reextract(cfg)
        # 3. everything blanked
        con = sqlite3.connect(db)
        with con:
            con.execute("UPDATE articles SET title='', body='', body_hash='', cluster_id=NULL, duplicate_of=NULL")
            con.execute("DELETE FROM tokens")
            con.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
            con.execute("DELETE FROM clusters")
        con.close()
        full = reextract_mod.reextract(cfg)
    out = {
        "pages": len(docs), "stored": stored, "archive_bytes_per_page": round(archive_bytes / len(docs)),
        "html_bytes_per_page": round(html_bytes / len(docs)),
        "archive_write_ms_per_page": round(1000 * archive_s / len(docs), 2),
        "archive_share_of_baseline": round(archive_s / crawl_s, 4),
        "baseline_archive_extract_ingest_pages_per_s": round(len(docs) / crawl_s, 1),
        "reextract_unchanged_pages_per_s": round(unchanged.considered / unchanged.seconds, 1),
        "reextract_full_pages_per_s": round(full.considered / full.seconds, 1),
        "full_vs_baseline": round((full.considered / full.seconds) / (len(docs) / crawl_s), 2),
        "full_updated": full.updated, "unchanged_unchanged": unchanged.unchanged,
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k:45} {v}")


if __name__ == "__main__":
    main()
