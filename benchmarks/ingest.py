"""Ingest throughput: `newscorpus import` end to end against raw Kiwi on the same texts.

    .venv/bin/python benchmarks/ingest.py                         # 2,000 articles, --workers 1 and 2
    .venv/bin/python benchmarks/ingest.py --n 300 --workers 0,1,2 --no-profile

Steps, all in one run on one machine:
  1. generate N synthetic articles (benchmarks/_synthetic.py: ~30 % exact copies, ~10 % near
     copies) and write them to a JSONL file in a temporary folder;
  2. for each N of --workers: (a) raw Kiwi: one `Kiwi(num_workers=N)` and `kiwi.tokenize(list)`
     over `title + "\\n" + body` of every line — the floor the pipeline cannot beat without skipping
     text; then (b) `newscorpus import FILE --db DB --quiet --workers N` as a subprocess, wall time
     (Python start and the Kiwi model load included) → chars/s of input and the ratio (b)/(a)
     (goal ≥ 0.85 with one worker), and the scaling of both against N = 1;
  3. the same import in-process through `run.import_file` with the stage methods wrapped by
     timers, for a breakdown (Kiwi, dedup, SQLite) and the Kiwi time saved by exact copies.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import SyntheticArticle, articles  # noqa: E402

CLI = ROOT / ".venv" / "bin" / "newscorpus"


def write_jsonl(items: list[SyntheticArticle], path: Path) -> int:
    """Write the articles; returns the input size in characters (title + newline + body)."""
    with path.open("w", encoding="utf-8") as fh:
        for a in items:
            fh.write(json.dumps(a.to_json(), ensure_ascii=False) + "\n")
    return sum(len(a.title) + 1 + len(a.body) for a in items)


def raw_kiwi(texts: list[str], workers: int) -> dict[str, float]:
    """Seconds for one batched `kiwi.tokenize(list)` over all texts (one call per text with 0 threads)."""
    import warnings

    from kiwipiepy import Kiwi

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        kiwi = Kiwi(num_workers=workers)
    load_s = time.perf_counter() - t0
    for text in texts[:8]:  # warm-up: first-call allocations
        kiwi.tokenize(text)
    t0 = time.perf_counter()
    if workers == 0:  # Kiwi has no batched call without threads
        morphemes = sum(len(kiwi.tokenize(text)) for text in texts)
    else:
        morphemes = sum(len(toks) for toks in kiwi.tokenize(texts))
    return {"load_s": load_s, "tokenize_s": time.perf_counter() - t0, "morphemes": morphemes,
            "workers": 0 if workers == 0 else kiwi.num_workers}


def cli_import(jsonl: Path, db: Path, workers: int) -> dict[str, Any]:
    """`newscorpus import` as a subprocess: wall time, and its CPU time (user + system)."""
    cmd = [str(CLI), "import", str(jsonl), "--db", str(db), "--quiet", "--json", "--workers", str(workers)]
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if proc.returncode != 0:
        raise SystemExit(f"newscorpus import failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return {"wall_s": wall, "cpu_s": cpu, "cmd": " ".join(cmd), "result": json.loads(proc.stdout)}


class StageTimer:
    """Accumulated seconds and calls per wrapped method."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    @contextmanager
    def wrap(self, owner: type, name: str, label: str) -> Iterator[None]:
        original: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t0
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(owner, name, timed)
        try:
            yield
        finally:
            setattr(owner, name, original)


def profiled_import(jsonl: Path, db: Path, workers: int) -> dict[str, Any]:
    """run.import_file in this process, with the expensive stage methods timed."""
    from pipelines import ingest, run
    from pipelines.dedup import Deduper
    from pipelines.ingest import Ingestor
    from pipelines.store import Store
    from pipelines.tokenize import Tokenizer
    from scraper.config import Config

    timer = StageTimer()
    counts: list[Any] = []
    original_init = Ingestor.__init__

    def keep_counts(self: Ingestor, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        counts.append(self.counts)

    wraps = [
        (Tokenizer, "__init__", "kiwi model load"),
        (ingest, "encode_kiwi", "encode tokens (encode_kiwi)"),
        (ingest, "reuse_body", "copy donor tokens (reuse_body)"),
        (Deduper, "check", "dedup check"),
        (Deduper, "add", "dedup add"),
        (Store, "insert_article", "store insert_article"),
        (Store, "join_cluster", "store join_cluster"),
        (Store, "insert_tokens", "store insert_tokens (+FTS)"),
        (Store, "tokens_of", "store tokens_of"),
        (Ingestor, "_ingest", "ingest batches (all but parsing)"),
    ]
    with contextlib.ExitStack() as stack:
        for owner, name, label in wraps:
            stack.enter_context(timer.wrap(owner, name, label))
        Ingestor.__init__ = keep_counts  # type: ignore[method-assign]
        try:
            t0 = time.perf_counter()
            result = run.import_file(Config(db_path=db), jsonl, workers=workers)
            total = time.perf_counter() - t0
        finally:
            Ingestor.__init__ = original_init  # type: ignore[method-assign]
    c = counts[0]
    return {"total_s": total, "stages_s": timer.seconds, "calls": timer.calls,
            "stats": result.stats.to_dict(), "tokenized_chars": c.tokenized_chars, "reused_tokens": c.reused_tokens}


def verdicts(db: Path) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT duplicate_of IS NULL, count(*) FROM articles GROUP BY 1").fetchall()
    finally:
        conn.close()
    return {("canonical" if r[0] else "duplicate"): int(r[1]) for r in rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="synthetic articles (default 2000)")
    ap.add_argument("--workers", default="1,2",
                    help="comma-separated Kiwi thread counts; each runs raw Kiwi and `import --workers N` "
                         "(0 = no Kiwi thread: everything on one thread). Default 1,2")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-profile", action="store_true", help="skip the in-process profiled import")
    ap.add_argument("--keep", type=Path, help="copy the JSONL and the CLI's databases into this folder")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of the table")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]

    t0 = time.perf_counter()
    items = articles(args.n, seed=args.seed)
    gen_s = time.perf_counter() - t0
    kinds = {k: sum(a.kind == k for a in items) for k in ("original", "exact", "near")}
    texts = [f"{a.title}\n{a.body}" for a in items]
    unique_texts = [t for a, t in zip(items, texts, strict=True) if a.kind != "exact"]

    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="nc-bench-ingest-") as tmp:
        work = Path(tmp)
        jsonl = work / "articles.jsonl"
        chars = write_jsonl(items, jsonl)
        kiwi_unique = raw_kiwi(unique_texts, workers[0])
        for w in workers:
            kiwi = raw_kiwi(texts, w)  # raw Kiwi right before the import it is compared with
            cli = cli_import(jsonl, work / f"cli-{w}.db", w)
            kiwi_cps = chars / kiwi["tokenize_s"]
            cli_cps = chars / cli["wall_s"]
            runs.append({
                "workers": w, "kiwi_threads": kiwi["workers"],
                "raw_kiwi": {"tokenize_s": round(kiwi["tokenize_s"], 3), "load_s": round(kiwi["load_s"], 3),
                             "chars_per_s": round(kiwi_cps), "morphemes": kiwi["morphemes"]},
                "cli_import": {"wall_s": round(cli["wall_s"], 3), "cpu_s": round(cli["cpu_s"], 3),
                               "chars_per_s": round(cli_cps), "cmd": cli["cmd"],
                               "stored": cli["result"].get("stored"), "duplicates": cli["result"].get("duplicates"),
                               "db_verdicts": verdicts(work / f"cli-{w}.db")},
                "ratio_cli_over_raw_kiwi": round(cli_cps / kiwi_cps, 3),
            })
        prof = None if args.no_profile else profiled_import(jsonl, work / "profiled.db", workers[0])
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(jsonl, args.keep / "articles.jsonl")
            for w in workers:
                shutil.copy(work / f"cli-{w}.db", args.keep / f"cli-{w}.db")

    first = runs[0]
    report: dict[str, Any] = {
        "articles": args.n, "kinds": kinds, "input_chars": chars, "generate_s": round(gen_s, 2),
        "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()], "runs": runs,
        "raw_kiwi_without_exact_copies": {"workers": workers[0], "tokenize_s": round(kiwi_unique["tokenize_s"], 3)},
        "kiwi_time_saved_by_exact_copies_raw": round(
            1 - kiwi_unique["tokenize_s"] / first["raw_kiwi"]["tokenize_s"], 3),
    }
    base = next((r for r in runs if r["workers"] == 1), first)
    report[f"scaling_vs_workers_{base['workers']}"] = {
        str(r["workers"]): {"import": round(r["cli_import"]["chars_per_s"] / base["cli_import"]["chars_per_s"], 3),
                            "raw_kiwi": round(r["raw_kiwi"]["chars_per_s"] / base["raw_kiwi"]["chars_per_s"], 3)}
        for r in runs
    }
    if prof is not None:
        stages = prof["stages_s"]
        run_s = prof["total_s"] - stages.get("kiwi model load", 0.0)
        kiwi_cps = first["raw_kiwi"]["chars_per_s"]
        report["profiled_import"] = {
            "workers": workers[0], "total_s": round(prof["total_s"], 3), "without_model_load_s": round(run_s, 3),
            "chars_per_s_without_model_load": round(chars / run_s),
            "ratio_without_model_load": round(chars / run_s / kiwi_cps, 3),
            "stages_s": {k: round(v, 3) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])},
            "calls": prof["calls"], "tokenized_chars": prof["tokenized_chars"],
            "reused_tokens": prof["reused_tokens"],
            "tokenized_share_of_input": round(prof["tokenized_chars"] / chars, 3),
        }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_table(report)


def print_table(r: dict[str, Any]) -> None:
    k = r["kinds"]
    print(f"articles {r['articles']:,} (originals {k['original']:,}, exact copies {k['exact']:,}, "
          f"near copies {k['near']:,}); input {r['input_chars']:,} chars; {r['cpus']} CPUs, "
          f"load average {r['load_average']}")
    print(f"{'measure':<48}{'seconds':>9}{'CPU s':>8}{'input chars/s':>15}{'ratio':>8}")
    for run in r["runs"]:
        w, raw, cli = run["workers"], run["raw_kiwi"], run["cli_import"]
        print(f"{f'(a) raw Kiwi, {w} thread(s), all texts':<48}{raw['tokenize_s']:>9.2f}{'':>8}"
              f"{raw['chars_per_s']:>15,}")
        goal = "" if w != 1 else (" (goal >= 0.85: ok)" if run["ratio_cli_over_raw_kiwi"] >= 0.85 else
                                  " (goal >= 0.85: below)")
        print(f"{f'(b) newscorpus import --workers {w} (CLI wall)':<48}{cli['wall_s']:>9.2f}{cli['cpu_s']:>8.2f}"
              f"{cli['chars_per_s']:>15,}{run['ratio_cli_over_raw_kiwi']:>8.3f}{goal}")
        print(f"    stored {cli['stored']:,}, duplicates {cli['duplicates']:,}; db: {cli['db_verdicts']}")
    for key, table in r.items():
        if key.startswith("scaling_vs"):
            print(f"{key}: " + ", ".join(f"{w}: import x{v['import']}, raw Kiwi x{v['raw_kiwi']}"
                                         for w, v in table.items()))
    print(f"Kiwi time saved by exact copies (raw Kiwi, copies left out): "
          f"{r['kiwi_time_saved_by_exact_copies_raw']:.1%}")
    p = r.get("profiled_import")
    if p:
        print(f"in-process (--workers {p['workers']}): ratio without model load {p['ratio_without_model_load']:.3f}; "
              f"Kiwi analysed {p['tokenized_share_of_input']:.1%} of the input chars ({p['reused_tokens']:,} "
              f"articles reused a donor's tokens)")
        print(f"{'stage (in-process, same thread as the import loop)':<52}{'seconds':>10}{'calls':>10}")
        for label, secs in p["stages_s"].items():
            print(f"  {label:<50}{secs:>10.2f}{p['calls'].get(label, 0):>10,}")


if __name__ == "__main__":
    main()
