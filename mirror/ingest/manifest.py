"""The split manifest: what chunks exist, what they hold, and where to resume.

``manifest.json`` is rewritten atomically (temp file + ``os.replace``) after every
finished chunk, so whatever a crash leaves behind is a manifest that describes
only complete, fsynced chunk files.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

FORMAT = "lens-mirror-split/1"
MANIFEST_NAME = "manifest.json"
QUARANTINE_NAME = "quarantine.jsonl"

# Manifest status values.
RUNNING = "running"  # a split is (or was, if it crashed) writing chunks
COMPLETE = "complete"
TRUNCATED = "truncated"  # compressed input ended early; see ``error``
CORRUPT = "corrupt"  # compressed input damaged; see ``error``
INTERRUPTED = "interrupted"  # stopped by Ctrl-C or an unexpected error


@dataclass
class Checkpoint:
    """Input position right after a chunk's last line: everything a resume restores.

    All counts are cumulative from the start of the input. ``quarantine_bytes``
    is the size of quarantine.jsonl at that point (it is cut back to this on resume).
    """

    input_records: int = 0  # input lines consumed (kept, quarantined and dropped)
    input_bytes: int = 0  # uncompressed input bytes consumed
    quarantined: int = 0
    quarantine_bytes: int = 0
    dropped: int = 0


@dataclass
class Chunk:
    file: str  # name inside the output directory
    records: int
    bytes: int  # uncompressed JSON Lines bytes
    compressed_bytes: int
    first_lens_id: str | None
    last_lens_id: str | None
    sha256: str  # of the compressed file
    checkpoint: Checkpoint = field(default_factory=Checkpoint)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        data = dict(data)
        data["checkpoint"] = Checkpoint(**data.get("checkpoint", {}))
        return cls(**data)


@dataclass
class Manifest:
    status: str = RUNNING
    source: dict[str, Any] = field(default_factory=dict)  # name, compression, size
    params: dict[str, Any] = field(default_factory=dict)  # settings that shape the chunks
    chunks: list[Chunk] = field(default_factory=list)
    # Totals over the chunks.
    records: int = 0
    bytes: int = 0
    compressed_bytes: int = 0
    # What was read from the input: for a complete split the whole input; while
    # running or after an error, up to the last finished chunk (the resume point).
    input_records: int = 0
    input_bytes: int = 0
    input_first_lens_id: str | None = None
    input_last_lens_id: str | None = None
    quarantined: int = 0
    quarantine_file: str | None = None
    quarantine_bytes: int = 0
    kept: int = 0  # == records; spelled out for filtered splits
    dropped: int = 0  # records the keep predicate rejected
    error: dict[str, Any] | None = None  # where and why the input broke
    release_check: dict[str, Any] | None = None
    started_at: str | None = None
    updated_at: str | None = None
    format: str = FORMAT

    @property
    def checkpoint(self) -> Checkpoint:
        return self.chunks[-1].checkpoint if self.chunks else Checkpoint()

    def add_chunk(self, chunk: Chunk) -> None:
        self.chunks.append(chunk)
        self.records += chunk.records
        self.kept = self.records
        self.bytes += chunk.bytes
        self.compressed_bytes += chunk.compressed_bytes
        self.set_position(chunk.checkpoint)

    def set_position(self, cp: Checkpoint) -> None:
        self.input_records = cp.input_records
        self.input_bytes = cp.input_bytes
        self.quarantined = cp.quarantined
        self.quarantine_bytes = cp.quarantine_bytes
        self.dropped = cp.dropped
        self.quarantine_file = QUARANTINE_NAME if cp.quarantined else None

    def truncate_chunks(self, n: int) -> None:
        """Forget every chunk from index ``n`` on (and the totals they contributed)."""
        for chunk in self.chunks[n:]:
            self.records -= chunk.records
            self.bytes -= chunk.bytes
            self.compressed_bytes -= chunk.compressed_bytes
        del self.chunks[n:]
        self.kept = self.records
        self.set_position(self.checkpoint)
        if not self.chunks:
            self.input_first_lens_id = None
        self.input_last_lens_id = self.chunks[-1].last_lens_id if self.chunks else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["chunks"] = [Chunk.from_dict(c) for c in data.get("chunks", [])]
        return cls(**kwargs)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Manifest:
        return cls.from_dict(orjson.loads(Path(path).read_bytes()))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Atomically replace ``path``: readers see the old or the new manifest, never half."""
        self.updated_at = now_iso()
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:  # a full disk: keep the old manifest, leave no temp file, name the file
            tmp.unlink(missing_ok=True)
            if exc.filename is None:
                raise OSError(exc.errno, exc.strerror or str(exc), str(tmp)) from exc
            raise
        _fsync_dir(path.parent)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, hence best effort.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def file_sha256(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(4 << 20):
            h.update(block)
    return h.hexdigest()


def chunk_problem(path: Path, chunk: Chunk) -> str | None:
    """What is wrong with the chunk file at ``path`` against its manifest entry (None: nothing).

    Size first (cheap), then the sha256: a file cut at a zstd frame boundary still
    decompresses cleanly, so only these tell a short chunk from a whole one.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    if size != chunk.compressed_bytes:
        return f"{size:,} bytes where the manifest records {chunk.compressed_bytes:,} (truncated or replaced?)"
    if file_sha256(path) != chunk.sha256:
        return "its sha256 differs from the manifest's (damaged or replaced)"
    return None


def chunk_is_intact(out_dir: Path, chunk: Chunk) -> bool:
    """Whether the chunk file is the one the manifest recorded (size, then sha256)."""
    try:
        return chunk_problem(out_dir / chunk.file, chunk) is None
    except OSError:
        return False
