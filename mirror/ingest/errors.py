"""Errors for bad input, each carrying the file name so the CLI can print one clear line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mirror.errors import MirrorError


@contextmanager
def naming_path(path: Path | str) -> Iterator[None]:
    """Give an ``OSError`` raised inside the block the file's name if it has none.

    A write or fsync error on an open file carries no name; the user needs one.
    """
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise


class InputError(MirrorError):
    """Input that cannot be read as Lens JSON Lines. ``str()`` is the user-facing message."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.detail = message


class TruncatedInputError(InputError):
    """The compressed stream stops before its end marker: usually a cut-off download."""


class CorruptInputError(InputError):
    """The compressed stream is damaged (bad CRC, invalid data) or unreadable."""


class ChunkMismatch(InputError):
    """A split chunk differs from what its manifest recorded (size, sha256 or record count)."""


class SplitError(MirrorError):
    """The split cannot proceed (e.g. the output directory holds a different split)."""
