"""Where each bulk release version stands locally.

One small JSON file per product (``{data_dir}/state/{product}.json``) records,
per ``dataVersion``, which of the steps ``downloaded → split → indexed →
serving`` have finished, when, and with what (paths, byte counts, md5). It is
the memory that lets ``release`` say whether a version is new and lets
``sync`` resume from the last finished step after a crash.

File format (``format`` 1)::

    {
      "format": 1,
      "product": "scholarly",
      "versions": {
        "202336": {
          "steps": {
            "downloaded": {"at": "2024-09-05T10:11:12Z", "path": "...", "bytes": 123, "md5": "..."},
            "split": {"at": "...", ...whatever the caller passed...}
          }
        }
      }
    }

Writes are atomic (temporary file + ``os.replace``) so a crash never leaves a
half-written file, and serialised with an advisory lock so two commands
updating the same product do not lose each other's step.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mirror.bulk.errors import BulkError

try:  # POSIX only; elsewhere we fall back to unlocked (single-user) updates.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

STEPS: tuple[str, ...] = ("downloaded", "split", "indexed", "serving")
FORMAT = 1
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


class StateError(BulkError):
    """The state file is unreadable; the message names it so it can be fixed or removed."""


@dataclass(frozen=True)
class VersionState:
    """The recorded progress of one product version."""

    product: str
    version: str
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)

    def done(self, step: str) -> bool:
        return step in self.steps

    def info(self, step: str) -> dict[str, Any]:
        """What was recorded with ``step`` (empty if not done)."""
        return dict(self.steps.get(step, {}))

    @property
    def last_step(self) -> str | None:
        """The furthest finished step in pipeline order, or None."""
        finished = [s for s in STEPS if s in self.steps]
        return finished[-1] if finished else None

    @property
    def status(self) -> str:
        """``new`` or the furthest finished step."""
        return self.last_step or "new"


class StateStore:
    """JSON state files under one directory (usually ``{data_dir}/state``)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @classmethod
    def in_data_dir(cls, data_dir: Path | str) -> StateStore:
        return cls(Path(data_dir) / "state")

    def file(self, product: str) -> Path:
        return self.path / f"{_checked(product)}.json"

    # -- reading ------------------------------------------------------------

    def get(self, product: str, version: str | int) -> VersionState | None:
        entry = self._load(product)["versions"].get(str(version))
        return None if entry is None else _version_state(product, str(version), entry)

    def status(self, product: str, version: str | int) -> str:
        """``new`` for an unknown version, else its furthest finished step."""
        found = self.get(product, version)
        return found.status if found else "new"

    def versions(self, product: str) -> list[VersionState]:
        """Every recorded version, oldest first (numeric versions sort numerically)."""
        versions = self._load(product)["versions"]
        return [_version_state(product, v, versions[v]) for v in sorted(versions, key=_version_key)]

    def serving(self, product: str) -> VersionState | None:
        """The version currently marked ``serving``, if any."""
        return next((v for v in self.versions(product) if v.done("serving")), None)

    # -- writing ------------------------------------------------------------

    def mark(self, product: str, version: str | int, step: str, **info: Any) -> VersionState:
        """Record ``step`` as finished for ``version`` now, with ``info``.

        Steps are not forced into order: a streamed sync splits without ever
        marking ``downloaded``. ``serving`` is exclusive: marking one version
        serving unmarks every other version of the product in the same write.
        """
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}; expected one of {', '.join(STEPS)}")
        version = _checked(str(version))
        record = {"at": _now(), **{k: _jsonable(v) for k, v in info.items()}}
        with self._update(product) as data:
            if step == "serving":
                for other in data["versions"].values():
                    other.get("steps", {}).pop("serving", None)
            entry = data["versions"].setdefault(version, {"steps": {}})
            entry.setdefault("steps", {})[step] = record
            return _version_state(product, version, entry)

    def unmark(self, product: str, version: str | int, step: str) -> None:
        """Forget that ``step`` finished (its output was removed or must be redone)."""
        with self._update(product) as data:
            data["versions"].get(str(version), {}).get("steps", {}).pop(step, None)

    def forget(self, product: str, version: str | int) -> None:
        """Drop a version entirely (after its files were removed)."""
        with self._update(product) as data:
            data["versions"].pop(str(version), None)

    # -- plumbing -----------------------------------------------------------

    def _load(self, product: str) -> dict[str, Any]:
        path = self.file(product)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": FORMAT, "product": product, "versions": {}}
        except (OSError, ValueError) as exc:
            raise StateError(f"cannot read state file {path}: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("versions"), dict):
            raise StateError(f"state file {path} is not in the expected format; fix or remove it")
        if data.get("format", FORMAT) > FORMAT:
            raise StateError(f"state file {path} was written by a newer lens-mirror (format {data['format']})")
        return data

    @contextmanager
    def _update(self, product: str) -> Iterator[dict[str, Any]]:
        """Read-modify-write under the product's lock; writes only if the body succeeds."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock_path = self.path / f".{_checked(product)}.lock"
        with open(lock_path, "a+b") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            data = self._load(product)
            yield data
            data["format"] = FORMAT
            data["product"] = product
            _atomic_write_json(self.file(product), data)


def _atomic_write_json(path: Path, data: Any) -> None:
    """Write next to the target, fsync, then rename over it: readers see old or new, never half."""
    # Not mkstemp: its 0600 mode would make state unreadable to a service user; this honours umask.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """Public for siblings (``release.json``): same atomic write as the state files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_json(path, data)


def _version_state(product: str, version: str, entry: dict[str, Any]) -> VersionState:
    return VersionState(product=product, version=version, steps=dict(entry.get("steps", {})))


def _version_key(version: str) -> tuple[int, int | str]:
    # Lens versions are YEARWEEK numbers; keep them numeric so 99999 < 202336.
    return (0, int(version)) if version.isdigit() else (1, version)


def _checked(name: str) -> str:
    # Product and version names become file names; refuse anything path-like.
    if not _SAFE.match(name):
        raise ValueError(f"unsafe name for a state entry: {name!r}")
    return name


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
