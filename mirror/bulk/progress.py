"""Progress reporting for byte transfers: a callback type and a rich bar on stderr.

Stdout stays clean for the command's result line; the bar goes to stderr.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Called with absolute positions (not increments) so a transfer that restarts
# from byte 0 can simply report 0 again.
ProgressCallback = Callable[[int, int | None], None]  # (position, total or None)


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[ProgressCallback]:
    """A progress bar (bytes, rate, ETA) for the duration of the block; a no-op when disabled."""
    if not enabled:
        yield lambda position, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    task = progress.add_task(description, total=None)

    def update(position: int, total: int | None) -> None:
        progress.update(task, completed=position, total=total)

    with progress:
        yield update
