"""The Ray engine: the same task function as Ray tasks, on a local Ray or an existing cluster.

Local mode (`ray.init(num_cpus=N)`) starts and stops a private Ray on this machine; `--address`
joins a running cluster (`ray start --head` on one node, `ray start --address=HEAD:6379` on the
others). Every node needs newscorpus[scale] installed and must see the WARC files and the shard
folder at the same paths (a shared filesystem).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from pipelines.backfill.task import ShardResult, ShardTask, run_task
from scraper.errors import ConfigError

log = logging.getLogger(__name__)


def ray_available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def run_ray(tasks: Sequence[ShardTask], on_result: Callable[[ShardResult], None], *, workers: int,
            address: str | None = None) -> None:
    """Run every task as a Ray task (1 CPU each); `on_result` is called as each finishes."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--engine ray needs Ray: pip install 'newscorpus[scale]'") from None
    quiet = logging.ERROR if not log.isEnabledFor(logging.INFO) else logging.INFO  # Ray's own start-up chatter
    if address:
        ray.init(address=address, log_to_driver=False, logging_level=quiet)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level=quiet)
    try:
        remote = ray.remote(num_cpus=1, max_retries=1)(run_task)
        pending = [remote.remote(t) for t in tasks]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                on_result(ray.get(ref))
    finally:
        ray.shutdown()
