"""Picking up an earlier split of the same input in the same directory.

The manifest's last chunk carries the input position just past its last line.
Resuming means: verify the recorded chunks (size, then sha256; the first bad
one and everything after it is redone), delete debris (``*.tmp``, chunk files
the manifest does not list), then re-read the input up to that position (gzip
cannot seek, so this decompresses without processing) and check that the line
ending there really is the last chunk's last record.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mirror.ingest.chunks import chunk_files
from mirror.ingest.errors import SplitError
from mirror.ingest.manifest import MANIFEST_NAME, QUARANTINE_NAME, RUNNING, Manifest, chunk_is_intact, now_iso
from mirror.ingest.read import InputStream
from mirror.ingest.screen import last_line, lens_id_of

AGAIN = "use another output directory or --restart"


def prepare_output(out: Path, params: dict[str, Any], restart: bool) -> Manifest:
    """The manifest to continue from: the existing one (verified) or a fresh one."""
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST_NAME
    if restart:
        for path in chunk_files(out):
            path.unlink()
        for name in (MANIFEST_NAME, QUARANTINE_NAME):
            (out / name).unlink(missing_ok=True)
    if manifest_path.exists():
        try:
            manifest = Manifest.load(manifest_path)
        except (ValueError, TypeError, KeyError) as exc:
            raise SplitError(f"{manifest_path}: unreadable manifest ({exc}); {AGAIN}") from exc
        if manifest.params != params:
            raise SplitError(f"{out}: holds a split made with other settings {manifest.params}; {AGAIN}")
        intact = 0
        for chunk in manifest.chunks:
            if not chunk_is_intact(out, chunk):
                break
            intact += 1
        if intact < len(manifest.chunks):
            manifest.truncate_chunks(intact)
            manifest.status = RUNNING
    else:
        if any(not p.name.endswith(".tmp") for p in chunk_files(out)):
            raise SplitError(f"{out}: has chunk files but no {MANIFEST_NAME}; {AGAIN}")
        manifest = Manifest(params=dict(params), started_at=now_iso())
    known = {c.file for c in manifest.chunks}
    for path in chunk_files(out):
        if path.name not in known:
            path.unlink()
    return manifest


def skip_done(stream: InputStream, manifest: Manifest, block_size: int, report: Callable[[], None]) -> None:
    """Read past the input already split, checking it ends where the manifest says."""
    target = manifest.checkpoint.input_bytes
    if not target:
        return
    records = manifest.checkpoint.input_records
    tail = b""
    while stream.decompressed < target:
        data = stream.read(min(block_size, target - stream.decompressed))
        if not data:
            raise SplitError(f"{stream.name}: ends within the {records} records already split; "
                             f"is this the input that split was made from? ({AGAIN})")
        # Keep enough to find the last line, however reads are sized.
        tail = data if len(data) >= 1 << 20 else (tail + data)[-(8 << 20):]
        report()
    line = last_line(tail)
    line_whole = len(line) < len(tail) - 1  # its start is inside tail
    if not tail.endswith(b"\n") or (line_whole and lens_id_of(line) != manifest.chunks[-1].last_lens_id):
        raise SplitError(f"{stream.name}: record {records} is not the one the existing split "
                         f"ends with; is this the input that split was made from? ({AGAIN})")
