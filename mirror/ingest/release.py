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

from mirror.errors import MirrorError
from mirror.ingest.errors import InputError
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


class ReleaseMismatch(MirrorError):
    """Raised by split_stream(expect=...) when the input does not match its release.

    The message is one line (for the CLI and logs); ``report`` has the details.
    """

    def __init__(self, report: ReleaseReport, name: str | None = None) -> None:
        mismatches = "; ".join(str(m) for m in report.mismatches)
        super().__init__(f"{name + ': ' if name else ''}release metadata mismatch: {mismatches}")
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
    """Read release metadata JSON; InputError (naming the file) when it is missing or malformed."""
    path = Path(path)
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(str(path), "release metadata not found (give --release-file)") from None
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from exc
    except orjson.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(str(path), "release metadata must be a JSON object")
    return data


def release_file_beside(input_path: str | os.PathLike[str]) -> Path:
    """Where ``--verify-release`` looks by default: release.json next to the input."""
    return Path(input_path).resolve().parent / RELEASE_FILE
