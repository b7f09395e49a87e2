"""Terminal progress for long operations: rich bars on a TTY, nothing with --quiet or in CI."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich itself is imported only when a bar is shown (it costs ~50 ms of start-up)
    from rich.progress import Progress, TaskID


def wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


class PhaseProgress:
    """Adapts the stages' (phase, done, total) callbacks to one rich bar per phase."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        if phase not in self._tasks:
            self._tasks[phase] = self._progress.add_task(phase, total=total or None)
        self._progress.update(self._tasks[phase], completed=done, total=total or None)


@contextmanager
def phase_progress(quiet: bool) -> Iterator[PhaseProgress]:
    if not wanted(quiet):
        yield PhaseProgress(None)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=Console(stderr=True), transient=False)
    with progress:
        yield PhaseProgress(progress)
