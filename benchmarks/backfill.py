"""Backfill throughput: WARC → Parquet shards with 1 and 2 workers, then merge into a fresh corpus.

    .venv/bin/python benchmarks/backfill.py               # 5,000 synthetic pages in 8 WARC files
    .venv/bin/python benchmarks/backfill.py --n 20000 --files 16 --json

Steps, all in one run on one machine:
  1. generate N synthetic articles (benchmarks/_synthetic.py: invented text, ~30 % exact and ~10 %
     near copies), render each as a news page (our own small template below) and write them as
     request + response records into gzip WARC files (demo/warc.py);
  2. `run_backfill` with the local engine (process pool), 1 worker then 2 workers; with Ray
     installed, the Ray engine too (private local Ray, 1 and 2 CPUs). Wall time includes starting
     the workers and loading one Kiwi model per worker, as a real run does;
  3. merge the 1-worker shards into a fresh corpus.db (`merge_folder`: dedup + store, no Kiwi);
  4. print pages/s per run (wall clock, and per CPU-second of the workers: the per-core rate a
     machine shared with other jobs still measures fairly), the scaling ratio (2 workers ÷ 1), the
     merge time, and the projection for 10 M pages on a 32-core cluster from the per-core rate
     (both figures; the merge is one SQLite writer and is projected separately).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import SyntheticArticle, articles  # noqa: E402

from demo.warc import Exchange, write_warc  # noqa: E402
from pipelines.backfill.api import merge_folder, run_backfill  # noqa: E402
from pipelines.backfill.driver import BackfillStats  # noqa: E402
from pipelines.backfill.engine_ray import ray_available  # noqa: E402
from pipelines.backfill.task import TaskSettings  # noqa: E402
from scraper.config import Config  # noqa: E402

_PAGE = """<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8"><title>{title} - {outlet}</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}">
<meta name="author" content="{author}">
</head><body>
<header><nav><a href="/">홈</a> <a href="/news/">뉴스</a> <a href="/politics/">정치</a>
<a href="/economy/">경제</a></nav></header>
<main><article>
<h1 class="headline">{title}</h1>
<div class="byline">{author} 기자 | 입력 {published_text}</div>
<div id="article-body">
{paragraphs}
</div>
<p class="copyright">저작권자 © {outlet} 무단전재 및 재배포 금지</p>
</article></main>
<aside><h3>많이 본 뉴스</h3><ul>{related}</ul></aside>
<footer>{outlet} | 등록번호 인천 아00000 | 발행인 홍길동</footer>
</body></html>
"""


def render(a: SyntheticArticle, n: int) -> bytes:
    """One synthetic article as a news page (template invented here)."""
    esc = html.escape
    author = ["김하늘", "이바다", "박누리", "최가람"][n % 4]
    related = "".join(f'<li><a href="/news/{n + k}">관련 기사 {k}</a></li>' for k in range(1, 6))
    return _PAGE.format(
        title=esc(a.title), outlet=esc(a.source), published=a.published, author=author,
        published_text=a.published[:16].replace("T", " "), related=related,
        paragraphs="\n".join(f"<p>{esc(p)}</p>" for p in a.body.split("\n")),
    ).encode("utf-8")


def build_warcs(n: int, files: int, folder: Path) -> list[Path]:
    items = articles(n, seed=11)
    headers = (("Content-Type", "text/html; charset=utf-8"),)
    paths = []
    per = -(-len(items) // files)
    for f in range(files):
        chunk = items[f * per : (f + 1) * per]
        path = folder / f"synthetic-{f:02d}.warc.gz"
        write_warc(path, [Exchange(a.url, 200, headers, render(a, f * per + i)) for i, a in enumerate(chunk)])
        paths.append(path)
    return paths


def one_run(engine: str, workers: int, warcs: list[Path], out: Path) -> BackfillStats:
    settings = TaskSettings(out_dir=str(out), dedup=Config().dedup)
    return run_backfill(warcs, settings, engine=engine, workers=workers)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="synthetic pages (default 5000)")
    ap.add_argument("--files", type=int, default=8, help="WARC files = tasks (default 8)")
    ap.add_argument("--no-ray", action="store_true", help="skip the Ray engine even if installed")
    ap.add_argument("--engines", default="local,ray", help="comma-separated engines to run (default local,ray)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-backfill-"))
    try:
        t0 = time.perf_counter()
        warcs = build_warcs(args.n, args.files, tmp)
        build_s = time.perf_counter() - t0
        wanted = [e.strip() for e in args.engines.split(",") if e.strip()]
        engines = [e for e in wanted if e == "local" or (e == "ray" and ray_available() and not args.no_ray)]
        runs: dict[str, dict[str, float]] = {}
        merge_s = merge_cpu = 0.0
        merged = None
        for engine in engines:
            for workers in (1, 2):
                stats = one_run(engine, workers, warcs, tmp / f"shards-{engine}-{workers}")
                if stats.failures or stats.kept != args.n:
                    raise SystemExit(f"{engine}/{workers}: {stats.to_dict()}")
                runs[f"{engine}-{workers}"] = {
                    "seconds": round(stats.seconds, 2), "pages_per_s": round(stats.kept / stats.seconds, 1),
                    "cpu_seconds": round(stats.cpu_seconds, 2),
                    "pages_per_cpu_s": round(stats.kept / stats.cpu_seconds, 1)}
                print(f"{engine:>5} {workers} worker(s): {stats.kept} pages in {stats.seconds:.1f} s = "
                      f"{stats.kept / stats.seconds:.1f} pages/s ({stats.kept / stats.cpu_seconds:.1f} per CPU-s)",
                      file=sys.stderr, flush=True)
            if merged is None:  # right after the first engine, so a slow Ray start does not delay it
                t0, c0 = time.perf_counter(), time.process_time()
                merged = merge_folder(Config(db_path=tmp / "corpus.db"), tmp / f"shards-{engine}-1").stats
                merge_s, merge_cpu = time.perf_counter() - t0, time.process_time() - c0
                print(f"merge: {args.n} pages in {merge_s:.1f} s ({merge_cpu:.1f} CPU-s): {merged.new} new, "
                      f"{merged.duplicates} duplicates", file=sys.stderr, flush=True)
        assert merged is not None
        wall_core = runs[f"{engines[0]}-1"]["pages_per_s"]  # 1 worker = 1 core, as loaded as the machine is
        cpu_core = runs[f"{engines[0]}-1"]["pages_per_cpu_s"]  # what one fully available core does
        scaling = {e: round(runs[f"{e}-2"]["pages_per_s"] / runs[f"{e}-1"]["pages_per_s"], 2) for e in engines}

        def hours(rate: float) -> float:
            return round(10_000_000 / (rate * 32) / 3600, 2)

        report = {
            "pages": args.n, "warc_files": args.files, "warc_mb": round(sum(p.stat().st_size for p in warcs) / 1e6, 1),
            "build_seconds": round(build_s, 1), "runs": runs, "scaling_2_over_1": scaling,
            "merge": {"seconds": round(merge_s, 2), "cpu_seconds": round(merge_cpu, 2),
                      "pages_per_s": round(args.n / merge_s, 1), "pages_per_cpu_s": round(args.n / merge_cpu, 1),
                      "new": merged.new, "duplicates": merged.duplicates},
            "per_core_pages_per_s": {"wall": wall_core, "cpu": cpu_core},
            "projection_10M_pages_32_cores_hours": {"from_wall_rate": hours(wall_core),
                                                    "from_cpu_rate": hours(cpu_core)},
            "merge_projection_10M_hours_one_writer": round(10_000_000 / (args.n / merge_cpu) / 3600, 1),
            "cpus_on_this_machine": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 1),
        }
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            for k, v in report.items():
                print(f"{k}: {v}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
