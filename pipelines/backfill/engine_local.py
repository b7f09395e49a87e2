"""The default engine: a process pool on this machine (no Ray needed)."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from pipelines.backfill.task import ShardResult, ShardTask, run_task

log = logging.getLogger(__name__)


def run_local(tasks: Sequence[ShardTask], on_result: Callable[[ShardResult], None], *, workers: int) -> None:
    """Run every task in `workers` processes; `on_result` is called as each finishes."""
    # spawn, not fork: the parent may run threads (a progress bar, Kiwi's pool) whose locks a fork would copy
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(run_task, t) for t in tasks]
        for fut in as_completed(futures):
            on_result(fut.result())
