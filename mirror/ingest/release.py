"""Check a finished split against the release metadata Lens publishes with the data.

Lens describes each bulk release with, among other things, ``records`` (how many
records the file holds), ``firstRecordId`` and ``lastRecordId`` (the lens_id of the
first and last record). Comparing them with what we actually read catches a
silently short or mixed-up download that still decompressed cleanly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from mirror.ingest.manifest import COMPLETE, Manifest

RELEASE_FILE = "release.json"


@dataclass
class Mismatch:
    field: str  # release metadata key
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.field}: release says {self.expected!r}, input has {self.actual!r}"


@dataclass
class ReleaseReport:
    mismatches: list[Mismatch] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # which keys were compared

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "mismatches": [{"field": m.field, "expected": m.expected, "actual": m.actual} for m in self.mismatches],
        }

    def __str__(self) -> str:
        if self.ok:
            return "release metadata matches (" + ", ".join(self.checked) + ")"
        return "release metadata mismatch:\n" + "\n".join(f"  {m}" for m in self.mismatches)


class ReleaseMismatch(Exception):
    """Raised by split_stream(expect=...) when the input does not match its release."""

    def __init__(self, report: ReleaseReport) -> None:
        super().__init__(str(report))
        self.report = report


def verify_release(manifest: Manifest, expect: dict[str, Any]) -> ReleaseReport:
    """Compare the input as read (not the filtered chunks) with release metadata.

    Only keys present in ``expect`` are checked; an incomplete split is itself a
    mismatch because its counts cannot be meaningful.
    """
    report = ReleaseReport()
    if manifest.status != COMPLETE:
        report.checked.append("status")
        report.mismatches.append(Mismatch("status", COMPLETE, manifest.status))
    actual = {
        "records": manifest.input_records,
        "firstRecordId": manifest.input_first_lens_id,
        "lastRecordId": manifest.input_last_lens_id,
    }
    for key, value in actual.items():
        if key not in expect or expect[key] is None:
            continue
        report.checked.append(key)
        wanted = expect[key]
        if key == "records":
            try:
                wanted = int(wanted)
            except (TypeError, ValueError):
                pass
        if wanted != value:
            report.mismatches.append(Mismatch(key, expect[key], value))
    return report


def load_release(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read release metadata JSON. Raises OSError / ValueError with the file in the message."""
    path = Path(path)
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: release metadata must be a JSON object")
    return data


def release_file_beside(input_path: str | os.PathLike[str]) -> Path:
    """Where ``--verify-release`` looks by default: release.json next to the input."""
    return Path(input_path).resolve().parent / RELEASE_FILE
