"""quarantine.jsonl: input lines that are not Lens records, kept verbatim with the reason.

Nothing is silently dropped: each bad line becomes ``{"line": N, "error": "...",
"text": "<the line>"}`` (N counts input lines from 1). A line that is not valid
UTF-8 also gets ``"base64"`` with its exact bytes, since JSON text cannot hold them.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import BinaryIO

import orjson

from .errors import naming_path


class Quarantine:
    """Append-only writer that knows its size, so a resume can cut it back."""

    def __init__(self, path: Path, size: int = 0) -> None:
        self.path = path
        self.size = size  # bytes in the file that belong to this split so far
        self._fh: BinaryIO | None = None

    def cut_back(self) -> None:
        """Drop entries past ``size`` (written after the last finished chunk)."""
        if self.path.exists():
            if self.path.stat().st_size < self.size:
                raise OSError(f"{self.path}: shorter than the manifest records; use --restart")
            os.truncate(self.path, self.size)
        elif self.size:
            raise OSError(f"{self.path}: missing but the manifest records entries; use --restart")

    def add(self, line_no: int, reason: str, line: bytes, source: str | None = None) -> None:
        """Append one entry; ``source``: the file the line came from, when not the input of a split."""
        text = line.decode("utf-8", "replace")
        entry: dict[str, object] = {"line": line_no, "error": reason, "text": text}
        if source is not None:
            entry["source"] = source
        if text.encode() != line:
            entry["base64"] = base64.b64encode(line).decode()
        data = orjson.dumps(entry) + b"\n"
        if self._fh is None:  # lazily: no empty file for clean input
            self._fh = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        with naming_path(self.path):
            self._fh.write(data)
        self.size += len(data)

    def sync(self) -> None:
        """Make what was written durable (before a manifest that counts it is saved)."""
        if self._fh is not None:
            with naming_path(self.path):
                self._fh.flush()
                os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            fh, self._fh = self._fh, None
            try:
                with naming_path(self.path):
                    fh.flush()
                    os.fsync(fh.fileno())
            finally:
                try:
                    fh.close()
                except OSError:
                    pass  # what could not be flushed is cut back on resume anyway
