"""Benchmark the dedup index at corpus scale with synthetic signatures (no Kiwi, no text).

    .venv/bin/python benchmarks/dedup.py                 # 10k and 100k stored articles
    .venv/bin/python benchmarks/dedup.py --million       # also 1M (a few minutes, ~3 GB of disk)
    .venv/bin/python benchmarks/dedup.py --sizes 10000 --kiwi   # also time real Kiwi for the saving
    .venv/bin/python benchmarks/dedup.py --json          # one JSON document

**Index path.** For each size a child process fills an on-disk SQLite index to that size in bulk
(random MinHash signatures, their real band keys, random headline keys, all written as one band
segment, as if every merge had been compacted): the child's memory does not count. This process
then opens the database with the connection settings of `Store` (WAL, 128 MB page cache, an
8 GB memory mapping; `--mmap 0` to read through the page cache only) and sends `--timed` more
articles through exactly the SQL a `Deduper` runs for one article —
exact lookup by body hash, one candidate query over the 64 body buckets, one over the 16
headline buckets, the candidates' stored texts and headlines if there are any, then indexing
(document row, headline, band rows, headline band rows) and the audit row, committing every
16 articles like the crawl does. The band keys are computed from the signature inside the
timed loop. 1 % of the timed articles are planted near copies (half the signature of a stored
article) so the candidate path runs too. Printed: mean / median / p95 ms per article, planted
copies found, the database size and this process's peak resident memory (VmHWM; with `--mmap`
it includes database pages that are only mapped page cache, so RssAnon is printed too).

**Kiwi saving.** `--saving N` synthetic articles (`_synthetic.articles`: 30 % exact copies under
another outlet and headline, 10 % near copies) go through the real `Ingestor` with a
tokenizer that only records what it is given. Exact copies reuse their donor's body morphemes,
so only their headline is analysed; the share of characters Kiwi never sees is the share of
Kiwi time saved if Kiwi time is proportional to characters. `--kiwi` also times real Kiwi on
all texts and on the texts the Ingestor handed over.

**Whole Deduper.** `--realistic N`: the full check+add (cleaning, MinHash, verification) on
article-like synthetic Korean text at an N-article index.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import articles

from pipelines.dedup import Deduper, headline, segments
from pipelines.dedup.index import MERGE_EVERY, DedupIndex
from pipelines.dedup.minhash import band_keys, band_keys_many, signature_to_blob
from pipelines.store import MMAP_BYTES
from scraper.config import DedupConfig
from scraper.models import DedupDecision

CHUNK = 50_000  # articles generated per fill step
GEN_CHUNK = 10_000  # timed articles generated at a time (outside the timing)
COMMIT_EVERY = 16  # articles per ingest transaction, as pipelines/crawl.py BATCH_SIZE
SETTINGS = "bench"
STORE_AUTOCHECKPOINT = 20_000  # pipelines/store.py


def open_like_store(
    path: Path, autocheckpoint: int = STORE_AUTOCHECKPOINT, mmap_bytes: int = MMAP_BYTES
) -> sqlite3.Connection:
    """A connection with the pragmas `pipelines.store.Store` sets (the dedup index lives there).

    `autocheckpoint`: WAL pages between checkpoints (Store: 20000; SQLite's default is 1000).
    """
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
    conn.execute("PRAGMA journal_size_limit=67108864")
    conn.execute("PRAGMA cache_size=-131072")
    conn.execute(f"PRAGMA mmap_size={mmap_bytes}")
    return conn


def memory_mb() -> dict[str, float]:
    """Peak and current resident memory of this process, from /proc (MB)."""
    out: dict[str, float] = {}
    with open("/proc/self/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                out[name] = int(value.split()[0]) / 1024
    return out


# -- fill (child process) -------------------------------------------------------------------------


def fill(db: Path, size: int, cfg: DedupConfig, seed: int) -> None:
    """Index `size` synthetic articles in bulk; band rows are inserted in key order."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    DedupIndex(conn, SETTINGS, headline.SETTINGS, lambda _title: ())
    rng = np.random.default_rng(seed)
    body_keys = np.empty((size, cfg.bands), dtype=np.int64)
    title_keys = rng.integers(-(2**63), 2**63 - 1, size=(size, headline.BANDS), dtype=np.int64)
    empty = zlib.compress(b"")
    for start in range(0, size, CHUNK):
        n = min(CHUNK, size - start)
        sigs = rng.integers(0, 2**32, size=(n, cfg.num_perm), dtype=np.uint32)
        body_keys[start : start + n] = band_keys_many(sigs, cfg.bands)
        ids = range(start + 1, start + n + 1)
        conn.executemany(
            "INSERT INTO dedup_docs (article_id, body_hash, signature, clean, settings_version) VALUES (?,?,?,?,?)",
            ((i, f"{i:032x}", signature_to_blob(s), empty, SETTINGS) for i, s in zip(ids, sigs, strict=True)),
        )
        conn.executemany("INSERT INTO dedup_titles (article_id, title) VALUES (?, ?)", ((i, f"제목{i}") for i in ids))
    owners = np.arange(1, size + 1, dtype=np.int64)
    pairs = {
        tier: (keys.ravel(), np.repeat(owners, keys.shape[1]))
        for tier, keys in ((segments.BODY, body_keys), (segments.HEADLINE, title_keys))
    }
    del body_keys, title_keys
    segments.write_segment(conn, size, pairs)  # one segment (and its filters), as if every merge had been compacted
    conn.commit()
    conn.close()


# -- the timed per-article path -------------------------------------------------------------------

# per-article seconds, commit s, CPU s, memory, planted, found, (merges, merge s, WAL pages),
# final merge s, final merged, (pending at open, open s, filter build s)
_Triple = tuple[int, float, float]
_Merged = tuple[int, int, float, float]  # merges, compactions among them, their seconds, WAL pages/article
TimedPath = tuple[list[float], float, float, dict[str, float], int, int, _Merged, float, int, _Triple]


@dataclass(frozen=True, slots=True)
class IndexResult:
    size: int
    timed: int
    mean_ms: float  # per article, its share of the commits included
    median_ms: float
    p95_ms: float
    work_ms: float  # per article, queries and inserts only
    cpu_ms: float  # per article, this process's CPU time (commits included)
    commit_ms: float  # per article: the commits (writing the dirtied pages) divided by the articles
    merges: int  # recent-tier merges inside the timed loop (their time is in the article that triggered one)
    merge_s: float  # their total time: the statements and the commit right after (the merged pages' WAL writes)
    merge_every: int
    final_merge_ms: float  # per article: merging what was left pending after the loop (--final-merge), else 0
    final_merged: int
    pending_at_open: int  # articles already in the recent tier of a kept index
    open_ms: float  # loading them and the band filters (once per process)
    wal_pages: float  # WAL pages written per timed article, merges included (only with --autocheckpoint 0)
    planted: int
    found: int
    fill_s: float
    db_mb: float
    memory_mb: dict[str, float]
    stored_at_start: int = 0  # articles in the index when the timing began (a kept index grows with each run)
    filters_build_s: float = 0.0  # opening the index: building and storing its band filters (a new fill only)
    compactions: int = 0  # merges that also compacted segments (segments.py)


def timed_path(
    db: Path,
    size: int,
    timed: int,
    cfg: DedupConfig,
    seed: int,
    autocheckpoint: int = STORE_AUTOCHECKPOINT,
    commit_every: int = COMMIT_EVERY,
    merge_every: int = MERGE_EVERY,
    final_merge: bool = False,
    mmap_bytes: int = MMAP_BYTES,
) -> TimedPath:
    conn = open_like_store(db, autocheckpoint, mmap_bytes)
    size = conn.execute("SELECT max(article_id) FROM dedup_docs").fetchone()[0]  # a kept index grows
    t1 = time.perf_counter()
    index = DedupIndex(conn, SETTINGS, headline.SETTINGS, lambda _title: (), merge_every)
    conn.commit()  # a new fill (or an older index) gets its band filters built and stored here, once
    build_s = time.perf_counter() - t1
    t1 = time.perf_counter()
    index.load()  # the recent tier's pending rows and the band filters, once per process
    pending_at_open = index.pending()
    open_s = time.perf_counter() - t1
    wal = db.with_name(db.name + "-wal")
    if autocheckpoint == 0:  # measure the pages written: start from an empty WAL, never checkpoint
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    merges0 = int(conn.execute("SELECT coalesce(max(value), 0) FROM dedup_meta WHERE key = 'merges'").fetchone()[0])
    rng = np.random.default_rng(seed + 1)
    planted = range(0, timed, 100)  # a near copy: half the signature of a stored article

    def signatures(start: int) -> tuple[np.ndarray, np.ndarray]:
        """Signatures and headline keys of timed articles start..start+GEN_CHUNK (not timed)."""
        n = min(GEN_CHUNK, timed - start)
        sigs = rng.integers(0, 2**32, size=(n, cfg.num_perm), dtype=np.uint32)
        titles = rng.integers(-(2**63), 2**63 - 1, size=(n, headline.BANDS), dtype=np.int64)
        for k in range(start, start + n, 100):
            src = int(rng.integers(1, size + 1))
            row = conn.execute("SELECT signature FROM dedup_docs WHERE article_id = ?", (src,)).fetchone()
            sigs[k - start, : cfg.num_perm // 2] = np.frombuffer(row[0], dtype="<u4")[: cfg.num_perm // 2]
        return sigs, titles

    found = 0
    per: list[float] = []
    c0 = time.process_time()
    commit_s = merge_s = 0.0
    compactions = 0
    live_segments = len(segments.live(conn))
    # the verifier text an article keeps (~1,500 key characters; add_doc compresses it)
    stored = "".join(chr(c) for c in rng.integers(0xAC00, 0xAC00 + 600, size=1500))
    for k in range(timed):
        if k % GEN_CHUNK == 0:
            sigs, titles = signatures(k)
        t0 = time.perf_counter()
        sig = sigs[k % GEN_CHUNK]
        keys = band_keys(sig, cfg.bands)
        title_keys = titles[k % GEN_CHUNK].tolist()
        exact = index.exact(f"t{k:031x}")
        cands = index.candidates(keys, cfg.max_candidates)
        by_title = index.title_candidates(title_keys, headline.PER_BUCKET, headline.MAX_CANDIDATES)
        ids = [a for a, _ in cands] + by_title
        if ids:  # what the Deduper reads for candidates (its LRU cache is cold here)
            index.stored_texts(ids)
            index.titles(ids)
            found += k % 100 == 0
        article_id = size + k + 1
        t1 = time.perf_counter()
        index.add_doc(
            article_id, f"t{k:031x}", signature_to_blob(sig), stored, keys, SETTINGS, f"제목{article_id}", title_keys
        )
        if index.pending() == 0:  # this article filled the recent tier: add_doc merged it; its commit
            conn.commit()  # writes the merged pages to the WAL (and checkpoints them): part of the merge
            merge_s += time.perf_counter() - t1
            live_segments, before = len(segments.live(conn)), live_segments
            compactions += live_segments <= before  # the new segment was compacted with others
        index.record(article_id, [(exact, "new", None, "")], SETTINGS, "2025-01-01T00:00:00")
        if (k + 1) % commit_every == 0:
            t1 = time.perf_counter()
            conn.commit()
            commit_s += time.perf_counter() - t1
        per.append(time.perf_counter() - t0)
    t1 = time.perf_counter()
    conn.commit()
    commit_s += time.perf_counter() - t1
    per[-1] += time.perf_counter() - t1
    cpu_s = time.process_time() - c0
    merges = int(conn.execute("SELECT coalesce(max(value), 0) FROM dedup_meta WHERE key = 'merges'").fetchone()[0])
    final_s, final_n = 0.0, 0
    if final_merge:
        t1 = time.perf_counter()
        final_n = index.merge()
        conn.commit()
        final_s = time.perf_counter() - t1
    memory = memory_mb()  # while the database is still mapped
    page = int(conn.execute("PRAGMA page_size").fetchone()[0])
    wal_pages = (wal.stat().st_size - 32) / (page + 24) / timed if autocheckpoint == 0 and wal.exists() else 0.0
    conn.close()
    merged = (merges - merges0, compactions, merge_s, wal_pages)
    opened = (pending_at_open, open_s, build_s)
    return per, commit_s, cpu_s, memory, len(planted), found, merged, final_s, final_n, opened


def bench_index(
    size: int,
    timed: int,
    cfg: DedupConfig,
    workdir: Path,
    seed: int,
    keep: bool,
    autocheckpoint: int,
    commit_every: int,
    merge_every: int = MERGE_EVERY,
    final_merge: bool = False,
    mmap_bytes: int = MMAP_BYTES,
) -> IndexResult:
    db = workdir / f"index_{size}.db"
    t0 = time.perf_counter()
    if not db.exists():
        subprocess.run(
            [sys.executable, __file__, "--fill", str(db), str(size), str(seed), "--bands", str(cfg.bands)], check=True
        )
    fill_s = time.perf_counter() - t0
    with contextlib.closing(sqlite3.connect(db)) as probe:
        stored_at_start = int(probe.execute("SELECT count(*) FROM dedup_docs").fetchone()[0])
    per, commit_s, cpu_s, memory, planted, found, merges, final_s, final_n, opened = timed_path(
        db, size, timed, cfg, seed, autocheckpoint, commit_every, merge_every, final_merge, mmap_bytes
    )
    ms = np.array(per) * 1000
    commit_ms = commit_s * 1000 / timed
    db_mb = sum(p.stat().st_size for p in workdir.glob(f"index_{size}.db*")) / 2**20
    result = IndexResult(
        size,
        timed,
        float(ms.mean()),
        float(np.median(ms)),
        float(np.percentile(ms, 95)),
        float(ms.mean()) - commit_ms,
        cpu_s * 1000 / timed,
        commit_ms,
        merges[0],
        merges[2],
        merge_every,
        final_s * 1000 / max(final_n, 1),
        final_n,
        opened[0],
        opened[1] * 1000,
        merges[3],
        planted,
        found,
        fill_s,
        db_mb,
        memory,
        stored_at_start,
        opened[2],
        merges[1],
    )
    if not keep:
        for p in workdir.glob(f"index_{size}.db*"):
            p.unlink()
    return result


# -- Kiwi time saved by exact copies --------------------------------------------------------------


class RecordingTokenizer:
    """Stands in for `pipelines.tokenize.Tokenizer`: keeps the texts, returns no morphemes."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def tokenize_many(self, texts: list[str]) -> list[Any]:
        from scraper.models import TokenizedDoc

        self.texts.extend(texts)
        return [TokenizedDoc(()) for _ in texts]

    def stream(self, texts: Any) -> Any:
        """Kiwi's tokens per text, as `Tokenizer.stream` yields them: none here."""
        for text in texts:
            self.texts.append(text)
            yield ()


def bench_saving(n: int, kiwi: bool, seed: int) -> dict[str, Any]:
    from pipelines.ingest import Ingestor
    from pipelines.store import Store
    from pipelines.tokenize import analysed_text
    from scraper.models import Article

    items = articles(n, seed=seed)
    store = Store(":memory:")
    tok = RecordingTokenizer()
    ingestor = Ingestor(store, tok, Deduper(store.conn, DedupConfig()), None)  # type: ignore[arg-type]
    batch = [Article(url=a.url, source=a.source, title=a.title, body=a.body) for a in items]
    for lo in range(0, len(batch), COMMIT_EVERY):
        ingestor.ingest(batch[lo : lo + COMMIT_EVERY])
    all_texts = [analysed_text(a.title, a.body) for a in items]
    total = sum(map(len, all_texts))
    seen = sum(map(len, tok.texts))
    out: dict[str, Any] = {
        "articles": n,
        "exact_copies": sum(a.kind == "exact" for a in items),
        "exact_found": ingestor.counts.reused_tokens,
        "chars_total": total,
        "chars_analysed": seen,
        "chars_saved_share": 1 - seen / total,
    }
    if kiwi:
        from kiwipiepy import Kiwi

        k = Kiwi()
        list(k.tokenize(all_texts[:20]))  # warm up
        full = part = float("inf")
        for _ in range(3):  # alternate, keep the best of each: Kiwi timings vary by ±30 % on a busy machine
            t0 = time.perf_counter()
            list(k.tokenize(all_texts))
            full = min(full, time.perf_counter() - t0)
            t0 = time.perf_counter()
            list(k.tokenize(tok.texts))
            part = min(part, time.perf_counter() - t0)
        out.update(kiwi_all_s=full, kiwi_ingest_s=part, kiwi_time_saved_share=1 - part / full)
    return out


# -- the whole Deduper on article-like text -------------------------------------------------------


def bench_realistic(size: int, timed: int, cfg: DedupConfig, workdir: Path) -> dict[str, Any]:
    docs = articles(size + timed, seed=size)
    conn = open_like_store(workdir / f"realistic_{size}.db")
    d = Deduper(conn, cfg)
    t0 = time.perf_counter()
    for i, art in enumerate(docs[:size], 1):
        d.add(i, art.title, art.body, DedupDecision("new"))
    conn.commit()
    fill_s = time.perf_counter() - t0
    outcome: dict[str, int] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for i, art in enumerate(docs[size:], size + 1):
        decision = d.check(art.title, art.body)
        d.add(i, art.title, art.body, decision)
        if i % COMMIT_EVERY == 0:
            conn.commit()
        label = f"{art.kind if art.kind in ('exact', 'near') else 'other'}->{decision.method}"
        outcome[label] = outcome.get(label, 0) + 1
    conn.commit()
    wall = (time.perf_counter() - t0) / timed * 1000
    cpu = (time.process_time() - c0) / timed * 1000
    conn.close()
    return {"size": size, "timed": timed, "wall_ms": wall, "cpu_ms": cpu, "fill_s": fill_s, "decisions": outcome}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--million", action="store_true", help="also the 1M-article index")
    ap.add_argument("--sizes", type=int, nargs="*", help="index sizes instead of 10k 100k [1M] (none: skip)")
    ap.add_argument("--timed", type=int, default=2000, help="articles timed per size (default 2000)")
    ap.add_argument("--bands", type=int, help="override DedupConfig.bands")
    ap.add_argument("--saving", type=int, default=1000, help="articles for the Kiwi-saving run (0: skip)")
    ap.add_argument("--kiwi", action="store_true", help="also time real Kiwi for the saving")
    ap.add_argument("--realistic", type=int, default=0, metavar="N", help="also the whole Deduper at an N index")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", type=Path, help="keep the filled indexes in this folder (and reuse them next time)")
    ap.add_argument("--commit-every", type=int, default=COMMIT_EVERY, help="articles per transaction (crawl: 16)")
    ap.add_argument(
        "--autocheckpoint",
        type=int,
        default=STORE_AUTOCHECKPOINT,
        help="PRAGMA wal_autocheckpoint (Store: 20000; 0: never, and report the WAL pages written per article)",
    )
    ap.add_argument(
        "--merge-every", type=int, default=MERGE_EVERY, help=f"recent-tier size before a merge ({MERGE_EVERY})"
    )
    ap.add_argument("--final-merge", action="store_true", help="also time merging what is left pending")
    ap.add_argument(
        "--mmap",
        type=int,
        default=MMAP_BYTES,
        help=f"PRAGMA mmap_size of the timed connection (Store's: {MMAP_BYTES})",
    )
    ap.add_argument("--fill", nargs=3, metavar=("DB", "SIZE", "SEED"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    cfg = DedupConfig() if args.bands is None else DedupConfig(bands=args.bands)
    if args.fill:
        fill(Path(args.fill[0]), int(args.fill[1]), cfg, int(args.fill[2]))
        return
    sizes = [10_000, 100_000] + ([1_000_000] if args.million else []) if args.sizes is None else args.sizes
    report: dict[str, Any] = {
        "num_perm": cfg.num_perm,
        "bands": cfg.bands,
        "headline_bands": headline.BANDS,
        "index": [],
        "load": os.getloadavg(),
    }
    if not args.json:
        print(
            f"num_perm={cfg.num_perm} bands={cfg.bands} headline bands={headline.BANDS} "
            f"timed={args.timed}/size, commit every {args.commit_every}, wal_autocheckpoint "
            f"{args.autocheckpoint}, merge every {args.merge_every:,}; load {os.getloadavg()[0]:.1f}"
        )
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        for size in sizes:
            workdir = args.keep or Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            r = bench_index(
                size,
                args.timed,
                cfg,
                workdir,
                args.seed,
                args.keep is not None,
                args.autocheckpoint,
                args.commit_every,
                args.merge_every,
                args.final_merge,
                args.mmap,
            )
            report["index"].append(asdict(r))
            if not args.json:
                m = r.memory_mb
                print(
                    f"index {size:>9,} (stored at start {r.stored_at_start:,}): insert+query "
                    f"{r.mean_ms:6.3f} ms/article mean, {r.median_ms:6.3f} median, "
                    f"{r.p95_ms:6.3f} p95 (queries+inserts {r.work_ms:6.3f}, commits {r.commit_ms:6.3f}; "
                    f"CPU {r.cpu_ms:6.3f}; {r.merges} merges of {r.merge_every:,} ({r.compactions} with a compaction) "
                    f"took {r.merge_s:.1f} s"
                    + (
                        f"; final merge of {r.final_merged:,}: {r.final_merge_ms:.3f} ms/article merged"
                        if r.final_merged
                        else ""
                    )
                    + f"; opening: {r.pending_at_open:,} pending and the band filters loaded in {r.open_ms:.0f} ms"
                    + (f" (filters built first: {r.filters_build_s:.1f} s)" if r.filters_build_s > 1 else "")
                    + (f"; {r.wal_pages:.1f} WAL pages/article" if r.wal_pages else "")
                    + "); "
                    f"planted copies found {r.found}/{r.planted}; fill {r.fill_s:6.1f} s; "
                    f"db {r.db_mb:7.1f} MB; peak RSS {m['VmHWM']:6.0f} MB (anon {m['RssAnon']:5.0f}, "
                    f"file-backed {m['RssFile']:5.0f} at the end); load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        if args.realistic:
            rr = bench_realistic(args.realistic, min(args.timed, 1000), cfg, Path(tmp))
            report["realistic"] = rr
            if not args.json:
                print(
                    f"whole Deduper at {rr['size']:,} article-like texts: {rr['wall_ms']:.2f} ms/article wall, "
                    f"{rr['cpu_ms']:.2f} ms CPU; decisions {rr['decisions']}",
                    flush=True,
                )
    if args.saving:
        s = bench_saving(args.saving, args.kiwi, args.seed)
        report["saving"] = s
        if not args.json:
            line = (
                f"Kiwi saving, {s['articles']} articles with {s['exact_copies']} exact copies "
                f"({s['exact_found']} found): {s['chars_saved_share']:.1%} of characters never analysed"
            )
            if "kiwi_time_saved_share" in s:
                line += (
                    f"; real Kiwi {s['kiwi_all_s']:.1f} s for all texts vs {s['kiwi_ingest_s']:.1f} s "
                    f"for those handed over: {s['kiwi_time_saved_share']:.1%} of Kiwi time saved"
                )
            print(line)
    if args.json:
        print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
