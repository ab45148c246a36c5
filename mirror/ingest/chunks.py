"""Writing chunk files: zstd frames compressed on a thread pool, written in order.

Compression is where a split spends its time (zstd -5 does ~80 MB/s per core on
Lens JSON, against ~1 GB/s for isal gunzip), so it must run on every core while
the main thread decompresses and screens. Each chunk is therefore written as a
sequence of independent zstd frames of ~4 MiB, compressed by a pool of threads
(``ZstdCompressor.compress`` releases the GIL) and appended in order. We measured
this to keep two cores busier than zstd's own multi-threaded mode, whose
shallow job queue stalls when the feeding thread is descheduled.

Frames are cut at the first line end at or after each 4 MiB of a chunk, so
they depend only on the chunk's content: a resumed split, a different input
format or another core count writes byte-identical chunks. The splitter reads
blocks cut by the same rule (blocks.py), so a frame is normally one block,
compressed in place without being pieced together. The cost is ~0.5% in size
against one frame per chunk. Any zstd reader handles multi-frame
files (``zstd -d``, our ``ZstdReader``); note that python-zstandard's
``stream_reader`` needs ``read_across_frames=True``.
"""

from __future__ import annotations

import collections
import hashlib
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import zstandard

from .errors import naming_path

CHUNK_RE = re.compile(r"^blk-(\d{6,})\.jsonl\.zst(\.tmp)?$")
FRAME_BYTES = 4 << 20


def chunk_name(index: int) -> str:
    return f"blk-{index:06d}.jsonl.zst"


def chunk_files(out_dir: Path) -> list[Path]:
    """Every chunk-like file (finished or .tmp) in ``out_dir``."""
    return sorted(p for p in out_dir.iterdir() if CHUNK_RE.match(p.name))


def default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class FramePipeline:
    """A compression thread pool plus the in-order queue of its results.

    The queue holds (writer, future) for frames and (writer, None) for "this chunk
    is complete". Only the owning (main) thread touches files and callbacks, so
    chunk completion, and the manifest save it triggers, happens in input order.
    """

    def __init__(self, level: int, threads: int) -> None:
        self._level = level
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="zstd")
        # Enough frames in flight that a worker never waits for the main thread.
        self._max_pending = 2 * threads + 2
        self._queue: collections.deque[tuple[ChunkWriter, Future[bytes] | None]] = collections.deque()
        self._frames = 0

    def _compress(self, data: memoryview | bytes) -> bytes:
        cctx = getattr(self._local, "cctx", None)
        if cctx is None:  # a ZstdCompressor must not be shared between threads
            cctx = self._local.cctx = zstandard.ZstdCompressor(level=self._level, write_checksum=True)
        return cctx.compress(data)

    def submit(self, writer: ChunkWriter, frame: memoryview | bytes) -> None:
        self._queue.append((writer, self._pool.submit(self._compress, frame)))
        self._frames += 1
        while self._frames > self._max_pending:
            self._pop()
        self.drain(wait=False)

    def mark_complete(self, writer: ChunkWriter) -> None:
        self._queue.append((writer, None))
        self.drain(wait=False)

    def _pop(self) -> None:
        writer, future = self._queue.popleft()
        if future is None:
            writer.complete()
        else:
            self._frames -= 1
            writer.emit(future.result())

    def drain(self, wait: bool = True) -> None:
        """Write out finished frames (all of them, waiting, if ``wait``)."""
        while self._queue and (wait or self._queue[0][1] is None or self._queue[0][1].done()):
            self._pop()

    def shutdown(self) -> None:
        """Stop without writing what is queued (used when abandoning a split)."""
        for _, future in self._queue:
            if future is not None:
                future.cancel()
        self._queue.clear()
        self._pool.shutdown(wait=True)

    def close(self) -> None:
        self.drain(wait=True)
        self._pool.shutdown(wait=True)


class ChunkWriter:
    """One chunk: cuts frames, receives them compressed, publishes atomically.

    Data goes to ``path.tmp``; ``complete`` fsyncs and renames it, so a file under
    its final name is always whole. ``on_complete(writer)`` then records it.
    """

    def __init__(self, path: Path, pipeline: FramePipeline, on_complete: Callable[[ChunkWriter], None]) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self._pipeline = pipeline
        self._on_complete = on_complete
        self._fh = open(self.tmp, "wb")  # noqa: SIM115 - closed in complete/abort
        self._sha = hashlib.sha256()
        self._pending: list[bytes] = []  # uncompressed data not yet cut into a frame
        self._pending_len = 0
        self.compressed_bytes = 0
        self.sha256 = ""
        self.chunk: Any = None  # the splitter's record of what the chunk holds

    @property
    def frame_room(self) -> int:
        """Bytes the frame being gathered still needs before it can be cut."""
        return FRAME_BYTES - self._pending_len

    def write(self, data: bytes) -> None:
        """Append whole lines."""
        self._pending.append(data)
        self._pending_len += len(data)
        if self._pending_len < FRAME_BYTES:
            return
        buf = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        view, start = memoryview(buf), 0
        while len(buf) - start >= FRAME_BYTES:
            cut = buf.find(b"\n", start + FRAME_BYTES - 1) + 1
            if cut == 0:
                break  # only at end of input: a final line without newline
            self._pipeline.submit(self, view[start:cut])
            start = cut
        rest = buf[start:]
        self._pending = [rest] if rest else []
        self._pending_len = len(rest)

    def close(self) -> None:
        """No more data: queue the last frame and the completion marker."""
        if self._pending:
            self._pipeline.submit(self, b"".join(self._pending))
            self._pending, self._pending_len = [], 0
        self._pipeline.mark_complete(self)

    def emit(self, compressed: bytes) -> None:
        self._sha.update(compressed)
        with naming_path(self.tmp):
            self._fh.write(compressed)
        self.compressed_bytes += len(compressed)

    def complete(self) -> None:
        with naming_path(self.tmp):
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self.tmp, self.path)
        self.sha256 = self._sha.hexdigest()
        self._on_complete(self)

    def abort(self) -> None:
        """Drop the unfinished file, quietly: this runs while another error (often a full disk) is raised."""
        try:
            self._fh.close()
        except OSError:
            pass  # buffered bytes that could not be written: the file goes anyway
        finally:
            self.tmp.unlink(missing_ok=True)
