"""Benchmark the dedup LSH index at corpus scale, with synthetic signatures (no Kiwi, no text).

    .venv/bin/python benchmarks/dedup.py            # 10k and 100k articles
    .venv/bin/python benchmarks/dedup.py --million  # also 1M (several minutes, ~2 GB of disk)

For each size the index is filled in bulk to that size in a temporary on-disk SQLite file,
then 1,000 more articles go through the per-article path — bucket keys of the signature, the
candidate query, indexing, the audit row — and the mean cost per article is printed, with the
peak resident memory and the database size. 1 % of the timed articles are planted near copies
of stored ones, so the candidate path is exercised too. A last section times the whole
Deduper (cleaning, MinHash, verification) on synthetic Korean text.

    .venv/bin/python benchmarks/dedup.py --realistic 10000   # whole Deduper, realistic text only

The realistic mode fills an index with article-like bodies from `benchmarks/_synthetic.py`
(~1,900 characters of Korean prose from a shared vocabulary, so unrelated articles share stock
phrases and become LSH candidates as real ones do; 30 % exact and 10 % near copies) through
`Deduper.add`, then times `check` + `add` for 1,000 more. The fill bypasses `check`, so the
candidate cache starts cold: the timed figure is the pessimistic one.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import articles

from pipelines.dedup import Deduper
from pipelines.dedup.index import DedupIndex
from pipelines.dedup.minhash import band_keys, signature_to_blob
from scraper.config import DedupConfig
from scraper.models import DedupDecision

TIMED = 1000
SYLLABLES = [chr(c) for c in range(0xAC00, 0xAC00 + 400)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_index(size: int, cfg: DedupConfig, workdir: Path, args_cache_mb: int) -> None:
    rng = np.random.default_rng(size)
    conn = sqlite3.connect(workdir / f"index_{size}.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA cache_size=-{args_cache_mb * 1024}")
    index = DedupIndex(conn, "bench")
    t0 = time.perf_counter()
    batch = 10_000
    for start in range(0, size, batch):
        sigs = rng.integers(0, 2**32, size=(min(batch, size - start), cfg.num_perm), dtype=np.uint32)
        for k, sig in enumerate(sigs):
            index.add_doc(start + k + 1, f"h{start + k}", signature_to_blob(sig), "", band_keys(sig, cfg.bands), "b")
        conn.commit()
    fill_s = time.perf_counter() - t0

    stored = rng.integers(0, 2**32, size=(TIMED // 100, cfg.num_perm), dtype=np.uint32)
    timed = rng.integers(0, 2**32, size=(TIMED, cfg.num_perm), dtype=np.uint32)
    for k in range(0, TIMED, 100):  # plant near copies: half the bands agree with a stored doc
        src = rng.integers(1, size + 1)
        row = conn.execute("SELECT signature FROM dedup_docs WHERE article_id = ?", (int(src),)).fetchone()
        timed[k, : cfg.num_perm // 2] = np.frombuffer(row[0], dtype="<u4")[: cfg.num_perm // 2]
    del stored
    found = 0
    t0 = time.perf_counter()
    for k, sig in enumerate(timed):
        keys = band_keys(sig, cfg.bands)
        cands = index.candidates(keys, cfg.max_candidates)
        found += bool(cands)
        exact = index.exact(f"timed{k}")
        aid = size + k + 1
        index.add_doc(aid, f"timed{k}", signature_to_blob(sig), "", keys, "b")
        index.record(aid, [(exact, "new", None, "")], "b", "2025-01-01T00:00:00")
    conn.commit()
    per_ms = (time.perf_counter() - t0) / TIMED * 1000
    conn.close()
    db_mb = sum(p.stat().st_size for p in workdir.glob(f"index_{size}.db*")) / 2**20
    print(
        f"index {size:>9,} articles: check+add {per_ms:6.3f} ms/article  "
        f"(fill {fill_s:6.1f} s, planted copies found {found}/{TIMED // 100}, "
        f"db {db_mb:7.1f} MB, peak RSS {peak_rss_mb():6.0f} MB)"
    )


def synthetic_text(rnd: random.Random, sentences: int) -> str:
    def word() -> str:
        return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4)))

    return "\n".join(" ".join(word() for _ in range(rnd.randint(6, 12))) + "다." for _ in range(sentences))


def bench_full(n: int, cfg: DedupConfig) -> None:
    rnd = random.Random(7)
    texts = [synthetic_text(rnd, rnd.randint(6, 14)) for _ in range(n)]
    for k in range(0, n, 10):  # every tenth text a trimmed copy of an earlier one
        if k:
            texts[k] = "\n".join(texts[rnd.randrange(k)].split("\n")[:-2])
    d = Deduper(sqlite3.connect(":memory:"), cfg)
    t0 = time.perf_counter()
    near = 0
    for i, text in enumerate(texts, 1):
        decision = d.check("", text)
        near += decision.method != "new"
        d.add(i, "", text, decision)
    per_ms = (time.perf_counter() - t0) / n * 1000
    print(f"full  {n:>9,} texts:    check+add {per_ms:6.3f} ms/article  (copies found {near}/{n // 10 - 1})")


def bench_realistic(size: int, cfg: DedupConfig, workdir: Path, cache_mb: int) -> None:
    docs = articles(size + TIMED, seed=size)
    conn = sqlite3.connect(workdir / f"realistic_{size}.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
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
        label = f"{art.kind if art.kind in ('exact', 'near') else 'other'}->{decision.method}"
        outcome[label] = outcome.get(label, 0) + 1
    conn.commit()
    per_ms = (time.perf_counter() - t0) / TIMED * 1000
    cpu_ms = (time.process_time() - c0) / TIMED * 1000
    conn.close()
    print(
        f"realistic {size:>7,} texts:  check+add {per_ms:6.3f} ms/article wall, {cpu_ms:6.3f} ms CPU  "
        f"(fill {fill_s:6.1f} s, "
        f"peak RSS {peak_rss_mb():6.0f} MB)\n    decisions of the timed articles: "
        + ", ".join(f"{k} {v}" for k, v in sorted(outcome.items()))
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--million", action="store_true", help="also run the 1M-article index size")
    ap.add_argument("--bands", type=int, help="override DedupConfig.bands")
    ap.add_argument("--cache-mb", type=int, default=512, help="SQLite page cache (PRAGMA cache_size)")
    ap.add_argument("--realistic", type=int, metavar="N", help="only the whole Deduper on N realistic texts")
    args = ap.parse_args()
    cfg = DedupConfig() if args.bands is None else replace(DedupConfig(), bands=args.bands)
    sizes = [10_000, 100_000] + ([1_000_000] if args.million else [])
    print(f"num_perm={cfg.num_perm} bands={cfg.bands} max_candidates={cfg.max_candidates}")
    if args.realistic:
        with tempfile.TemporaryDirectory() as tmp:
            bench_realistic(args.realistic, cfg, Path(tmp), args.cache_mb)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            bench_index(size, cfg, Path(tmp), args.cache_mb)
    bench_full(2000, cfg)
    with tempfile.TemporaryDirectory() as tmp:
        bench_realistic(10_000, cfg, Path(tmp), args.cache_mb)


if __name__ == "__main__":
    main()
