"""`newscorpus backfill`: expand the inputs, cut them into tasks, run them on an engine, sum up.

    WARC files ─plan─▶ ShardTasks ─engine (process pool | Ray)─▶ run_task ─▶ Parquet shards
"""

from __future__ import annotations

import glob
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.backfill.task import ShardResult, ShardTask, TaskSettings
from pipelines.backfill.warc_input import record_offsets
from scraper.errors import InputError

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


@dataclass(frozen=True, slots=True)
class Plan:
    """How inputs are cut into tasks: files above `split_bytes` get one task per `records_per_task`."""

    split_bytes: int = 256 * 1024 * 1024
    records_per_task: int = 5000


@dataclass(slots=True)
class BackfillStats:
    engine: str
    workers: int
    files: int = 0
    tasks: int = 0
    records: int = 0
    kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    shards: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (warc file, reason)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # summed over the tasks: what the pages cost, whatever else runs on the machine

    def add(self, result: ShardResult) -> None:
        self.records += result.records
        self.cpu_seconds += result.cpu_seconds
        self.kept += result.kept
        self.skipped.update(dict(result.skipped))
        if result.shard:
            self.shards.append(result.shard)
        if result.error:
            self.failures.append((result.task.warc, result.error))

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def to_dict(self) -> dict[str, object]:
        return {
            "engine": self.engine, "workers": self.workers, "files": self.files, "tasks": self.tasks,
            "records": self.records, "pages_kept": self.kept, "skipped": dict(sorted(self.skipped.items())),
            "shards_written": len(self.shards), "shards": sorted(self.shards),
            "failures": [{"file": f, "error": e} for f, e in sorted(self.failures)],
            "seconds": round(self.seconds, 2), "cpu_seconds": round(self.cpu_seconds, 2),
            "pages_per_second": round(self.kept / self.seconds, 1) if self.seconds else None,
            "pages_per_cpu_second": round(self.kept / self.cpu_seconds, 1) if self.cpu_seconds else None,
        }


def expand_inputs(patterns: Sequence[str]) -> list[Path]:
    """Files named, matched by a glob, or found (*.warc[.gz]) in a named folder; in a stable order.

    Raises:
        InputError: a name matches nothing.
    """
    out: dict[str, Path] = {}
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(pattern, recursive=True)) if Path(m).is_file()]
            if not matches:
                raise InputError(f"no file matches {pattern!r}")
        else:
            path = Path(pattern)
            if path.is_dir():
                matches = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES))
                if not matches:
                    raise InputError(f"{path}: no WARC files in this folder")
            elif path.exists():
                matches = [path]
            else:
                raise InputError(f"{path}: no such file")
        for m in matches:
            out.setdefault(str(m.resolve()), m)
    return list(out.values())


def plan_tasks(files: Sequence[Path], settings: TaskSettings, plan: Plan) -> list[ShardTask]:
    """One task per file, or per `records_per_task` records of a file above `split_bytes`.

    Shard names carry the file name and a hash of its absolute path and start offset, so running
    the same backfill again rewrites the same shards instead of adding new ones.
    """
    tasks = []
    for path in files:
        offsets = [0]
        if path.stat().st_size > plan.split_bytes:
            try:
                offsets = record_offsets(path, plan.records_per_task)
            except (OSError, ValueError, EOFError) as exc:  # damaged: one task reads what it can
                log.debug("cannot index %s: %s", path, exc)
        stem = path.name.split(".")[0][:60] or "warc"
        for n, start in enumerate(offsets):
            digest = hashlib.blake2b(f"{path.resolve()}@{start}".encode(), digest_size=4).hexdigest()
            limit = plan.records_per_task if len(offsets) > 1 else None
            tasks.append(ShardTask(str(path), f"{stem}-{n:05d}-{digest}.parquet", settings, start, limit))
    return tasks


Engine = Callable[[Sequence[ShardTask], Callable[[ShardResult], None]], None]


def backfill(files: Sequence[Path], settings: TaskSettings, plan: Plan, engine: Engine, stats: BackfillStats,
             on_progress: Callable[[int, int], None] | None = None) -> BackfillStats:
    """Run every task of `files` on `engine`; `stats` is filled as tasks finish."""
    started = time.perf_counter()
    try:
        Path(settings.out_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the shard folder {settings.out_dir}: {exc.strerror}") from None
    tasks = plan_tasks(files, settings, plan)
    stats.files, stats.tasks = len(files), len(tasks)
    done = 0

    def on_result(result: ShardResult) -> None:
        nonlocal done
        done += 1
        stats.add(result)
        log.info("%s: %d records, %d kept", result.task.shard_name, result.records, result.kept)
        if on_progress:
            on_progress(done, len(tasks))

    if on_progress:
        on_progress(0, len(tasks))
    engine(tasks, on_result)
    stats.seconds = time.perf_counter() - started
    return stats
