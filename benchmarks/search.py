"""Search latency on a large synthetic corpus, built without Kiwi.

    .venv/bin/python benchmarks/search.py                      # 100k articles
    .venv/bin/python benchmarks/search.py --n 1000000 --db /tmp/nc-1m.db --keep-db
    .venv/bin/python benchmarks/search.py --db /tmp/nc-1m.db --reuse   # query an existing build again

Build: morpheme sequences are drawn from a Zipf-like vocabulary (benchmarks/_synthetic.py) and
written straight into the store.py schema — `articles` (surface text with particles glued on, so
snippets work), `articles_fts` (morpheme forms, as the ingestor writes them) and `clusters` — with
executemany in one transaction per chunk. Planted terms get a chosen document frequency (from 60 %
of articles down to a handful), two planted phrases keep their word order, and ~30 % of articles
are exact copies (same text, `duplicate_of` set) of an earlier article in their chunk. The
`tokens` table is left empty: search does not read it (so the size on disk is below a real one).

Queries go through `pipelines.search.search` with one Tokenizer; each query runs once to warm the
page cache, then `--reps` timed times. Query analysis (`build_match`, i.e. Kiwi) is timed on its
own; "sql" is the rest of `search()` (SQLite, the bm25 sort, row fetches, snippets).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import KST, MorphemeSampler, chunks  # noqa: E402

from pipelines import fts_terms  # noqa: E402
from pipelines.search import COMMON_SHARE, RANK_WINDOW, build_match, search  # noqa: E402
from pipelines.store import Store  # noqa: E402
from pipelines.tokenize import Tokenizer  # noqa: E402

# surface word -> share of articles that contain it (1-3 times)
PLANTED: dict[str, float] = {
    "지역": 0.60, "바이오": 0.25, "교통": 0.15, "의회": 0.12, "예산": 0.10, "축제": 0.08, "송도": 0.05,
    "특화단지": 0.03, "셔틀버스": 0.005, "항체": 0.01, "배곧": 0.004, "오징어": 0.0001, "해파리": 0.00003,
}
PHRASES: dict[str, float] = {"바이오 특화단지": 0.015, "교통 체증": 0.01}
SOURCES = 40
FIRST_DAY = datetime(2023, 1, 1, tzinfo=KST)
DAYS = 1277  # to 2026-06-30


@dataclass(frozen=True, slots=True)
class Query:
    label: str
    text: str
    since: date | None = None
    source: str | None = None
    include_duplicates: bool = False
    order: str = "rank"


QUERIES = (
    Query("frequent word (60 %)", "지역"),
    Query("frequent word (25 %)", "바이오"),
    Query("mid word (3 %)", "특화단지"),
    Query("rare word (0.5 %)", "셔틀버스"),
    Query("very rare word (0.01 %)", "오징어"),
    Query("two frequent words", "지역 교통"),
    Query("two words", "바이오 특화단지"),
    Query("phrase", '"바이오 특화단지"'),
    Query("phrase", '"교통 체증"'),
    Query("OR", "셔틀버스 OR 항체"),
    Query("OR frequent", "축제 OR 의회"),
    Query("NOT (-word)", "바이오 -특화단지"),
    Query("NOT", "특화단지 NOT 송도"),
    Query("prefix", "특화*"),
    Query("prefix, frequent stem", "바이*"),
    Query("frequent + since", "바이오", since=date(2026, 1, 1)),
    Query("frequent + source", "지역", source="outlet03"),
    Query("mid + since + source", "특화단지", since=date(2025, 6, 1), source="outlet01"),
    Query("rare + since", "배곧", since=date(2025, 1, 1)),
    Query("frequent + duplicates", "바이오", include_duplicates=True),
    Query("two words + duplicates", "지역 교통", include_duplicates=True),
    Query("two words + since", "의회 예산", since=date(2025, 1, 1)),
    Query("frequent, newest first", "지역", order="newest"),
    Query("very rare + duplicates", "해파리", include_duplicates=True),
)


def planted_forms(tokenizer: Tokenizer) -> tuple[list[tuple[list[str], float]], set[str]]:
    """Morpheme forms Kiwi gives each planted word/phrase (so queries analyse to what is indexed)."""
    runs: list[tuple[list[str], float]] = []
    for word, share in {**PLANTED, **PHRASES}.items():
        forms = [f for w in word.split() for f in tokenizer.query_terms(w)]
        runs.append((forms, share))
    return runs, {f for forms, _ in runs for f in forms}


def build(db: Path, n: int, tokenizer: Tokenizer, morphemes: int, seed: int) -> dict[str, Any]:
    """Create the schema through Store, then bulk-load n synthetic articles with plain SQL."""
    Store(db).close()  # the real schema, the real pragmas
    runs, reserved = planted_forms(tokenizer)
    sampler = MorphemeSampler({}, seed=seed)
    clash = [f for f in sampler.forms.tolist() if f in reserved]
    if clash:
        raise SystemExit(f"filler vocabulary collides with planted forms: {clash[:5]}")
    vocab = {f: i for i, f in enumerate(sampler.forms.tolist())}
    extra_forms = sorted(reserved - vocab.keys())
    sampler.forms = np.concatenate([sampler.forms, np.array(extra_forms, dtype=object)])
    sampler.surface = np.concatenate([sampler.surface, np.array([" " + f for f in extra_forms], dtype=object)])
    vocab.update({f: len(vocab) + i for i, f in enumerate(extra_forms)})
    run_ids = [([vocab[f] for f in forms], share) for forms, share in runs]
    shares = np.array([s for _, s in run_ids])
    rng = np.random.default_rng(seed + 1)

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    t0 = time.perf_counter()
    chunk = 10_000
    for start, size in chunks(n, chunk):
        arts: list[tuple[Any, ...]] = []
        fts: list[tuple[int, str, str]] = []
        originals: list[int] = []
        sizes: dict[int, list[int]] = {}
        rows_by_id: dict[int, tuple[str, str, str, str, str]] = {}
        for k in range(size):
            aid = start + k + 1
            src = f"outlet{int(rng.zipf(1.3)) % SOURCES:02d}"
            published = (FIRST_DAY + timedelta(minutes=int(rng.integers(0, DAYS * 1440)))).isoformat()
            copy_of = int(rng.choice(originals)) if originals and rng.random() < 0.3 else None
            if copy_of is None:
                extra = [ids for (ids, _), hit in zip(run_ids, rng.random(len(shares)) < shares, strict=True)
                         if hit for _ in range(int(rng.integers(1, 4)))]
                length = int(rng.integers(morphemes * 3 // 4, morphemes * 5 // 4))
                forms, surface = sampler.doc(length, extra)
                t_forms, t_surface = sampler.doc(int(rng.integers(8, 16)), [extra[0]] if extra else [])
                rows_by_id[aid] = (t_surface, surface, t_forms, forms, published)
                originals.append(aid)
                sizes[aid] = [aid]
                canonical, dup = aid, None
            else:
                t_surface, surface, t_forms, forms, _ = rows_by_id[copy_of]
                sizes[copy_of].append(aid)
                canonical, dup = copy_of, copy_of
            arts.append((aid, f"https://{src}.example.kr/news/{aid}", src, t_surface, published, surface,
                         f"{hash(surface) & 0xFFFFFFFFFFFF:012x}", len(surface), canonical, dup))
            fts.append((aid, t_forms, forms))
        with conn:
            conn.executemany(
                "INSERT INTO articles (id, url, source, title, published, body, body_hash, chars, cluster_id,"
                " duplicate_of, captions, profile) VALUES (?,?,?,?,?,?,?,?,?,?,'[]','synthetic')", arts)
            conn.executemany("INSERT INTO articles_fts (rowid, title, body) VALUES (?,?,?)", fts)
            fts_terms.add(conn, fts_terms.terms_of(*(text for _, t, b in fts for text in (t, b))))
            conn.executemany(
                "INSERT INTO clusters (id, canonical_id, size, first_published, sources) VALUES (?,?,?,?,?)",
                [(cid, cid, len(members), rows_by_id[cid][4], "[]") for cid, members in sizes.items()])
        done = start + size
        if done % 100_000 == 0 or done == n:
            print(f"  built {done:,} articles in {time.perf_counter() - t0:,.0f} s", file=sys.stderr)
    load_s = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"build_s": round(load_s, 1)}


def db_size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def _where(q: Query, match: str) -> tuple[str, list[object]]:
    """The WHERE clause pipelines.search builds for this query (mirrored for the SQL variants)."""
    where, params = ["articles_fts MATCH ?"], [match]
    if not q.include_duplicates:
        where.append("a.duplicate_of IS NULL")
    if q.since:
        where.append("a.published >= ?")
        params.append(q.since.isoformat())
    if q.source:
        where.append("a.source = ?")
        params.append(q.source)
    return " AND ".join(where), params


def sql_variants(store: Store, q: Query, match: str, reps: int, limit: int = 20) -> dict[str, float]:
    """Median ms of candidate rewrites of the search SQL (no snippets, no Kiwi), for the report.

    * current: the statement search() runs (the body of every match goes through the sorter);
    * ids_first: sort only (id, score), then fetch the winners' rows and bodies by id;
    * fts_only: bm25 top-N inside FTS5 alone, no join (a floor: ignores duplicates and filters).
    """
    where, params = _where(q, match)
    order = "score" if q.order == "rank" else "a.published DESC"
    cols = "a.id, a.url, a.source, a.title, a.published, a.body, bm25(articles_fts, 5.0, 1.0) AS score"
    current = (f"SELECT {cols}, a.cluster_id, a.duplicate_of FROM articles_fts JOIN articles a"
               f" ON a.id = articles_fts.rowid WHERE {where} ORDER BY {order} LIMIT ?")
    ids = (f"SELECT a.id, bm25(articles_fts, 5.0, 1.0) AS score FROM articles_fts JOIN articles a"
           f" ON a.id = articles_fts.rowid WHERE {where} ORDER BY {order} LIMIT ?")
    fts = ("SELECT rowid, bm25(articles_fts, 5.0, 1.0) AS score FROM articles_fts WHERE articles_fts MATCH ?"
           " ORDER BY score LIMIT ?")

    def ids_first() -> None:
        top = store.conn.execute(ids, [*params, limit]).fetchall()
        marks = ",".join("?" * len(top))
        store.conn.execute(f"SELECT id, url, source, title, published, body, cluster_id, duplicate_of"
                           f" FROM articles WHERE id IN ({marks})", [r[0] for r in top]).fetchall()

    runs = {
        "current": lambda: store.conn.execute(current, [*params, limit]).fetchall(),
        "ids_first": ids_first,
        "fts_only": lambda: store.conn.execute(fts, [match, limit]).fetchall(),
    }
    out = {}
    for name, fn in runs.items():
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        out[name] = round(statistics.median(times), 2)
    return out


def run_queries(db: Path, tokenizer: Tokenizer, reps: int, variants: bool = False, mmap_mb: int = -1,
                window: int = RANK_WINDOW, common_share: float | None = COMMON_SHARE,
                baseline: bool = False) -> list[dict[str, Any]]:
    """Time every query; with `baseline`, also the search of before the common-word and prefix plans
    (`common_share=None, expand_prefixes=False`), interleaved with the timed runs."""
    store = Store(db)

    def expand(prefix: str) -> list[str] | None:
        return fts_terms.expand(store.conn, prefix)

    if mmap_mb >= 0:  # override Store's mmap_size (0 = off: reads go through the 128 MB page cache)
        store.conn.execute(f"PRAGMA mmap_size={mmap_mb * 2**20}")
    results = []
    try:
        for q in QUERIES:
            kwargs: dict[str, Any] = {"since": q.since, "source": q.source,
                                      "include_duplicates": q.include_duplicates, "order": q.order,
                                      "window": window or None, "common_share": common_share}
            old = {**kwargs, "common_share": None, "expand_prefixes": False}
            match, _ = build_match(q.text, tokenizer, expand)
            hits = search(store, tokenizer, q.text, **kwargs)  # warm-up (page cache)
            matches = store.conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                                         (match,)).fetchone()[0]
            if baseline:
                search(store, tokenizer, q.text, **old)  # warm-up
            total: list[float] = []
            analysis: list[float] = []
            before: list[float] = []
            for _ in range(reps):
                t0 = time.perf_counter()
                build_match(q.text, tokenizer, expand)
                analysis.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                search(store, tokenizer, q.text, **kwargs)
                total.append((time.perf_counter() - t0) * 1000)
                if baseline:
                    t0 = time.perf_counter()
                    search(store, tokenizer, q.text, **old)
                    before.append((time.perf_counter() - t0) * 1000)
            extra_before = ({"before_ms": before, "before_p50_ms": statistics.median(before),
                             "before_p95_ms": pct(before, 0.95)} if baseline else {})
            sql = [max(0.0, t - a) for t, a in zip(total, analysis, strict=True)]
            extra = {"sql_variants_ms": sql_variants(store, q, match, reps)} if variants else {}
            results.append({
                "label": q.label, "query": q.text, "since": q.since.isoformat() if q.since else None,
                "source": q.source, "include_duplicates": q.include_duplicates, "order": q.order,
                "match": match, "fts_matches": int(matches), "hits": len(hits), "total_ms": total,
                "analysis_ms": analysis, "sql_ms": sql,
                "p50_ms": statistics.median(total), "p95_ms": pct(total, 0.95),
                "analysis_p50_ms": statistics.median(analysis), "sql_p50_ms": statistics.median(sql), **extra,
                **extra_before,
            })
    finally:
        store.close()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="articles (default 100,000)")
    ap.add_argument("--morphemes", type=int, default=900, help="mean morphemes per body (default 900)")
    ap.add_argument("--reps", type=int, default=10, help="timed runs per query (default 10)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--db", type=Path, help="database path (default: a temporary file, deleted afterwards)")
    ap.add_argument("--reuse", action="store_true", help="query an existing --db instead of building one")
    ap.add_argument("--keep-db", action="store_true", help="do not delete --db at the end")
    ap.add_argument("--variants", action="store_true",
                    help="also time rewrites of the search SQL (ids first, FTS only) for each query")
    ap.add_argument("--mmap", type=int, default=-1, metavar="MB",
                    help="override PRAGMA mmap_size on the search connection (0 = off; default: Store's)")
    ap.add_argument("--window", type=int, default=RANK_WINDOW, metavar="N",
                    help=f"rank only the newest N matches of broad queries (0 = all; default {RANK_WINDOW:,})")
    ap.add_argument("--common-share", type=float, default=COMMON_SHARE, metavar="X",
                    help=f"words in more than this share of articles filter but are not scored (0 = score every "
                         f"word; default {COMMON_SHARE})")
    ap.add_argument("--baseline", action="store_true",
                    help="also time, interleaved, the search before the common-word and prefix plans")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of the table")
    args = ap.parse_args()

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="nc-bench-search-", dir=os.environ.get("TMPDIR"))
        args.db = Path(tmp.name) / "search.db"
    t0 = time.perf_counter()
    tokenizer = Tokenizer()
    load_s = time.perf_counter() - t0
    try:
        if args.reuse:
            built: dict[str, Any] = {"build_s": None}
        else:
            if args.db.exists():
                raise SystemExit(f"{args.db} exists: delete it or pass --reuse")
            built = build(args.db, args.n, tokenizer, args.morphemes, args.seed)
        size = db_size(args.db)
        with sqlite3.connect(args.db) as conn:
            n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            dups = conn.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0]
            fts_mb = conn.execute("SELECT sum(length(block)) FROM articles_fts_data").fetchone()[0] / 2**20
        results = run_queries(args.db, tokenizer, args.reps, args.variants, args.mmap, args.window,
                              args.common_share or None, args.baseline)
    finally:
        if tmp is not None:
            tmp.cleanup()
        elif not args.keep_db and not args.reuse:
            for p in args.db.parent.glob(args.db.name + "*"):
                p.unlink()
    every = [t for r in results for t in r["total_ms"]]
    before = [t for r in results for t in r.get("before_ms", [])]
    report = {
        "articles": n, "duplicates": dups, "db_bytes": size, "fts_index_mb": round(fts_mb, 1), **built,
        "tokenizer_load_s": round(load_s, 2), "reps": args.reps, "mmap_mb": args.mmap,
        "window": args.window,
        "overall": {"p50_ms": round(statistics.median(every), 2), "p95_ms": round(pct(every, 0.95), 2),
                    "max_ms": round(max(every), 2),
                    "analysis_p50_ms": round(statistics.median(a for r in results for a in r["analysis_ms"]), 2)},
        "common_share": args.common_share or None,
        "before": ({"p50_ms": round(statistics.median(before), 2), "p95_ms": round(pct(before, 0.95), 2),
                    "max_ms": round(max(before), 2)} if before else None),
        "queries": [{k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()
                     if k not in ("total_ms", "analysis_ms", "sql_ms", "before_ms")} for r in results],
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_table(report)


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal: Hangul and other wide characters take two columns."""
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - cols)


def _variants(q: dict[str, Any]) -> str:
    v = q.get("sql_variants_ms")
    return "".join(f"{v[k]:>11.1f}" for k in ("current", "ids_first", "fts_only")) if v else ""


def print_table(r: dict[str, Any]) -> None:
    build_s = f"{r['build_s']:,} s" if r["build_s"] is not None else "reused"
    print(f"articles {r['articles']:,} ({r['duplicates']:,} copies); db {r['db_bytes'] / 2**30:.2f} GiB "
          f"(FTS index {r['fts_index_mb']:,} MiB); build {build_s}; Kiwi load {r['tokenizer_load_s']} s"
          + (f"; mmap {r['mmap_mb']} MB" if r.get("mmap_mb", -1) >= 0 else "")
          + f"; window {r.get('window') or 'all'}")
    has_variants = "sql_variants_ms" in r["queries"][0]
    head = "".join(f"{h:>11}" for h in ("sql now", "ids first", "fts only")) if has_variants else ""
    if r.get("before"):
        head += f"{'before p50':>12}{'before p95':>12}"
    print(f"{'query':<36}{'filters':<26}{'matches':>9}{'p50 ms':>9}{'p95 ms':>9}{'kiwi ms':>9}{'sql ms':>9}{head}")
    for q in r["queries"]:
        filters = " ".join(x for x in (
            f"since {q['since']}" if q["since"] else "", f"src {q['source']}" if q["source"] else "",
            "+dups" if q["include_duplicates"] else "", "newest" if q["order"] != "rank" else "") if x)
        print(f"{_pad(q['query'], 36)}{filters:<26}{q['fts_matches']:>9,}{q['p50_ms']:>9.1f}{q['p95_ms']:>9.1f}"
              f"{q['analysis_p50_ms']:>9.2f}{q['sql_p50_ms']:>9.1f}" + _variants(q)
              + (f"{q['before_p50_ms']:>12.1f}{q['before_p95_ms']:>12.1f}" if "before_p50_ms" in q else ""))
    o = r["overall"]
    goal = "ok" if o["p95_ms"] < 50 else "above goal"
    print(f"all queries: p50 {o['p50_ms']} ms, p95 {o['p95_ms']} ms (goal < 50 ms: {goal}), max {o['max_ms']} ms; "
          f"query analysis p50 {o['analysis_p50_ms']} ms")
    if r.get("before"):
        b = r["before"]
        print(f"before the common-word and prefix plans, same run: p50 {b['p50_ms']} ms, p95 {b['p95_ms']} ms, "
              f"max {b['max_ms']} ms")


if __name__ == "__main__":
    main()
