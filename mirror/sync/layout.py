"""What a sync reports, how it fails, and where it keeps chunks and downloads under the data dir."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mirror.bulk.errors import BulkError

Log = Callable[[str], None]


class SyncError(BulkError):
    """A sync cannot go on (another sync is running, the new index is empty, ...)."""


@dataclass
class SyncReport:
    """What one sync did: which steps ran, which were already done, and the outcome."""

    product: str
    version: str
    previous: str | None = None  # the version served when the sync started
    ran: list[str] = field(default_factory=list)  # steps in pipeline order
    skipped: list[str] = field(default_factory=list)  # steps with nothing to do (an earlier run did them)
    streamed: bool = False  # split straight from the network, no .gz on disk
    records: int | None = None  # records in the split (manifest)
    documents: int | None = None  # documents the new index holds
    removed: list[str] = field(default_factory=list)  # old versions cleaned up
    warnings: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        """Nothing needed building or switching: the release was already served."""
        return not any(step in self.ran for step in ("download", "split", "index", "switch"))

    def summary(self) -> str:
        """One line for the terminal."""
        docs = f"{self.documents:,} records" if self.documents is not None else "records unknown"
        if self.up_to_date:
            line = f"{self.product} {self.version}: up to date (serving, {docs})"
        else:
            was = f", was {self.previous}" if self.previous and self.previous != self.version else ""
            line = f"{self.product} {self.version}: now serving ({docs}{was}); ran {', '.join(self.ran)}"
            if self.skipped:
                line += f"; skipped {', '.join(self.skipped)}"
        if self.removed:
            line += f"; removed {', '.join(self.removed)}"
        if self.warnings:
            line += f"; {len(self.warnings)} warning(s)"
        return line


def chunks_dir(data_dir: Path, product: str, version: str) -> Path:
    return Path(data_dir) / "chunks" / product / version


def downloads_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "downloads"
