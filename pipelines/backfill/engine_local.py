"""The default engine: a process pool on this machine (no Ray needed)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from pipelines.backfill.task import ShardResult, ShardTask, run_task

log = logging.getLogger(__name__)


def run_local(tasks: Sequence[ShardTask], on_result: Callable[[ShardResult], None], *, workers: int) -> None:
    """Run every task in `workers` processes; `on_result` is called as each finishes."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_task, t) for t in tasks]
        for fut in as_completed(futures):
            on_result(fut.result())
