"""The library API of backfill and merge: build the stage objects once, run one job.

    run_backfill(files, settings, engine="local", workers=2) -> BackfillStats
    merge_folder(cfg, shards_dir) -> MergeResult
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from pipelines.backfill.driver import BackfillStats, Engine, Plan, backfill
from pipelines.backfill.merge import MergeStats, merge_shards
from pipelines.backfill.shard import SHARD_SUFFIX, list_shards
from pipelines.backfill.task import TaskSettings
from pipelines.dedup import Deduper
from pipelines.ingest import Ingestor
from pipelines.normalize import KST
from pipelines.tokenize import LazyTokenizer
from scraper.config import Config
from scraper.errors import ConfigError, InputError

log = logging.getLogger(__name__)

ENGINES = ("local", "ray")


def require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ConfigError("backfill shards need pyarrow: pip install 'newscorpus[scale]'") from None


def make_engine(name: str, workers: int, address: str | None = None) -> Engine:
    """The engine function for `--engine`; Ray is imported only when asked for.

    Raises:
        ConfigError: an unknown engine, or ray asked for but not installed.
    """
    if name == "local":
        from pipelines.backfill.engine_local import run_local

        return partial(run_local, workers=workers)
    if name == "ray":
        from pipelines.backfill.engine_ray import ray_available, run_ray

        if not ray_available():
            raise ConfigError("--engine ray needs Ray: pip install 'newscorpus[scale]'")
        return partial(run_ray, workers=workers, address=address)
    raise ConfigError(f"unknown engine {name!r} (known: {', '.join(ENGINES)})")


def run_backfill(files: Sequence[Path], settings: TaskSettings, *, engine: str = "local", workers: int = 2,
                 address: str | None = None, plan: Plan | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> BackfillStats:
    """`newscorpus backfill`: WARC files → Parquet shards in settings.out_dir."""
    require_pyarrow()
    run = make_engine(engine, workers, address)
    stats = BackfillStats(engine, workers)
    return backfill(files, settings, plan or Plan(), run, stats, on_progress)


@dataclass(frozen=True, slots=True)
class MergeResult:
    stats: MergeStats
    run_id: int


def merge_folder(cfg: Config, folder: Path, *, user_dict: Path | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> MergeResult:
    """`newscorpus merge`: every new shard of `folder` into cfg.db_path, under the run lock."""
    from pipelines.run import writing_store

    require_pyarrow()
    if not list_shards(folder):  # a missing or empty folder fails before the database is created
        raise InputError(f"{folder}: no backfill shards (*{SHARD_SUFFIX}) in this folder")
    with writing_store(cfg.db_path) as store:
        deduper = Deduper(store.conn, cfg.dedup)
        run_id = store.start_run("merge", _now())
        ingestor = Ingestor(store, LazyTokenizer(user_dict), deduper, run_id)
        stats = MergeStats()
        status = "failed"
        try:
            merge_shards(folder, store, ingestor, run_id, stats, on_progress)
            status = "partial" if stats.failures else "ok"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            store.finish_run(run_id, _now(), status, pages_fetched=0, articles_new=stats.new,
                             duplicates=stats.duplicates, failures=len(stats.failures), summary=stats.to_dict())
        return MergeResult(stats, run_id)


def _now() -> datetime:
    return datetime.now(UTC).astimezone(KST)
