"""A progress bar on stderr (rich) with count, rate and ETA, for long-running commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class _RateColumn(ProgressColumn):
    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} {self.unit}/s" if speed else f"? {self.unit}/s")


class Bar:
    """What a command holds while the bar runs: advance it, or print a line above it."""

    def __init__(self, progress: Progress, task: TaskID | None) -> None:
        self._progress = progress
        self._task = task

    def update(self, n: int = 1) -> None:
        """Advance the bar by ``n``."""
        if self._task is not None:
            self._progress.advance(self._task, n)

    def set_total(self, total: int) -> None:
        """Give the bar its total once it is known."""
        if self._task is not None:
            self._progress.update(self._task, total=total)

    def write(self, message: str) -> None:
        """Print ``message`` on stderr without breaking the bar."""
        if self._task is not None:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr, flush=True)


@contextmanager
def progress_bar(description: str, *, total: int | None, unit: str, enabled: bool) -> Iterator[Bar]:
    """Show a progress bar on stderr while the block runs (nothing when not ``enabled``)."""
    if not enabled:
        yield Bar(Progress(disable=True), None)
        return
    columns: list[ProgressColumn | str] = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(unit),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        yield Bar(progress, progress.add_task(description, total=total))
