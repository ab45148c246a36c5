"""Split a Lens bulk file into line-aligned, zstd-compressed chunks, resumably.

The work is a pipeline on two cores: the main thread decompresses (isal) and
cuts ~4 MB line-aligned blocks, screening lines when asked (screen.py); a thread
pool compresses frames and the main thread writes them in order (chunks.py).
scripts/bench-split measures it against Lens's ``gunzip | split | zstd -5``
recipe; on an otherwise idle 2-core machine it runs about twice as fast.

Resume: the manifest is saved after every finished chunk with the input position
just past that chunk's last line. A rerun verifies the recorded chunks, re-reads
(decompresses) the input up to that position without processing it, checks that
the line ending there is the chunk's last record, and carries on.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mirror.ingest.blocks import BlockReader
from mirror.ingest.chunks import ChunkWriter, FramePipeline, chunk_name, default_threads
from mirror.ingest.errors import InputError, SplitError, TruncatedInputError
from mirror.ingest.manifest import (
    COMPLETE,
    CORRUPT,
    INTERRUPTED,
    MANIFEST_NAME,
    QUARANTINE_NAME,
    RUNNING,
    TRUNCATED,
    Checkpoint,
    Chunk,
    Manifest,
)
from mirror.ingest.quarantine import Quarantine
from mirror.ingest.read import InputStream, Source, open_input
from mirror.ingest.release import ReleaseMismatch, verify_release
from mirror.ingest.resume import prepare_output, skip_done
from mirror.ingest.screen import FAST, FULL, OFF, Keep, Removed, first_line, last_line, lens_id_of, screen_block

DEFAULT_CHUNK_BYTES = 1 << 30
DEFAULT_BLOCK = 4 << 20  # big enough to amortise per-call costs, small for memory


@dataclass
class SplitProgress:
    input_bytes: int  # uncompressed bytes read so far (including any skipped on resume)
    compressed_offset: int  # raw input bytes consumed
    compressed_size: int | None  # raw input size when known
    input_records: int  # lines processed (0 while skipping)
    chunks: int  # chunks finished (including earlier runs')
    skipping: bool  # re-reading the part an earlier run already split


ProgressFn = Callable[[SplitProgress], None]


def split_stream(
    source: str | os.PathLike[str] | Source,
    out_dir: str | os.PathLike[str],
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    level: int = 5,
    *,
    validate: bool | str = True,
    keep: Keep | None = None,
    keep_label: str | None = None,
    expect: dict[str, Any] | None = None,
    threads: int | None = None,
    restart: bool = False,
    block_size: int = DEFAULT_BLOCK,
    progress: ProgressFn | None = None,
) -> Manifest:
    """Split ``source`` into ``out_dir/blk-NNNNNN.jsonl.zst`` + ``manifest.json``.

    Each chunk holds whole lines totalling at most ``chunk_bytes`` uncompressed
    (a longer single line gets a chunk of its own). ``validate`` (True = "fast",
    "full", False; see screen.py for what each guarantees) sends non-JSON lines
    and records without a string ``lens_id`` to ``quarantine.jsonl`` instead of
    a chunk. ``keep`` (implies a full parse) drops records it rejects;
    ``keep_label`` names it in the manifest so a resume with a different filter
    is refused. ``expect`` is release metadata checked at the end (raises
    ReleaseMismatch). Raises InputError subclasses for bad input (after saving
    the manifest), SplitError when ``out_dir`` holds an incompatible split.
    """
    if chunk_bytes < 1:
        raise ValueError("chunk_bytes must be positive")
    mode = {True: FAST, False: OFF, FAST: FAST, FULL: FULL, OFF: OFF}.get(validate)
    if mode is None:
        raise ValueError(f"validate must be True, False, 'fast' or 'full', not {validate!r}")
    params = {
        "chunk_bytes": chunk_bytes,
        "level": level,
        "validate": mode,
        "filter": keep_label or ("<predicate>" if keep is not None else None),
    }
    stream = open_input(source)  # first: a missing input must not create out_dir
    try:
        splitter = _Splitter(Path(out_dir), params, keep, threads or default_threads(), block_size, progress)
        return splitter.run(stream, restart, expect)
    finally:
        stream.close()


class _Splitter:
    def __init__(self, out: Path, params: dict[str, Any], keep: Keep | None, threads: int,
                 block_size: int, progress: ProgressFn | None) -> None:
        self.out = out
        self.params = params
        self.chunk_bytes: int = params["chunk_bytes"]
        self.keep = keep
        self.mode: str = params["validate"]
        self.screening = self.mode != OFF or keep is not None
        self.threads = threads
        self.block_size = block_size
        self.progress = progress
        self.manifest_path = out / MANIFEST_NAME
        self.m = Manifest()
        self.ck = Checkpoint()  # live input position and counters
        self.first_id: str | None = None  # first / last valid input record
        self.last_id: str | None = None
        self.quarantine = Quarantine(out / QUARANTINE_NAME)
        self.pipeline: FramePipeline | None = None
        self.next_index = 0  # of the next chunk to open
        self.live: list[ChunkWriter] = []  # opened, not yet complete on disk
        # The chunk being written.
        self.writer: ChunkWriter | None = None
        self.cur_bytes = 0
        self.cur_records = 0
        self.cur_first = b""
        self.cur_last_portion = b""
        self.cur_end = Checkpoint()  # position just after the chunk's last line

    # -- main loop ---------------------------------------------------------

    def run(self, stream: InputStream, restart: bool, expect: dict[str, Any] | None) -> Manifest:
        self.m = prepare_output(self.out, self.params, restart)
        self.m.source = {"name": stream.name, "compression": stream.compression, "size": stream.size}
        if self.m.status == COMPLETE:  # nothing to do; every chunk was verified
            return self._check_release(expect)
        # Continue from the last finished chunk (all zeros for a fresh split).
        self.ck = replace(self.m.checkpoint)
        self.next_index = len(self.m.chunks)
        self.first_id = self.m.input_first_lens_id
        self.last_id = self.m.input_last_lens_id
        self.quarantine.size = self.ck.quarantine_bytes
        try:
            self.quarantine.cut_back()
        except OSError as exc:
            raise SplitError(str(exc)) from exc
        self.m.status = RUNNING
        self.m.error = None
        self.m.save(self.manifest_path)
        self.pipeline = FramePipeline(self.params["level"], self.threads)
        try:
            skip_done(stream, self.m, self.block_size, lambda: self._report(stream, skipping=True))
            self._split(stream)
            self.pipeline.close()
        except InputError as exc:
            self._fail(stream, exc)
        except BaseException:
            try:
                self._abandon(INTERRUPTED)
            except OSError:
                pass  # a full disk may refuse this bookkeeping too: the error to report is the first one
            raise
        self.quarantine.close()
        self.m.set_position(self.ck)  # counts lines removed after the last chunk
        self.m.input_first_lens_id = self.first_id
        self.m.input_last_lens_id = self.last_id
        self.m.status = COMPLETE
        return self._check_release(expect)

    def _split(self, stream: InputStream) -> None:
        reader, block = BlockReader(stream), b""
        while True:
            # Sized so that, with nothing removed, a block is exactly one frame.
            target = min(self.writer.frame_room, self.block_size) if self.writer else self.block_size
            data = reader.next_block(target)
            if not data:
                break
            block = data
            if self.screening:
                segments, kept, first, last = screen_block(block, self.mode, self.keep)
                if first is not None:
                    self.first_id = self.first_id or first
                if last is not None:
                    self.last_id = last
                if len(segments) == 1 and segments[0] is block:
                    self._feed(block, kept)
                else:
                    for seg in segments:
                        if type(seg) is bytes:
                            self._feed(seg)
                        else:
                            self._remove(seg)  # type: ignore[arg-type]
            else:
                if self.ck.input_records == 0:
                    self.first_id = lens_id_of(first_line(block))
                self._feed(block)
            self._report(stream, skipping=False)
        if not self.screening and block:
            self.last_id = lens_id_of(last_line(block))
        if self.writer is not None:
            self._finish_chunk()

    def _feed(self, run: bytes, records: int = -1) -> None:
        """Append a run of whole kept lines (``records`` of them, if known), cutting
        chunks at line boundaries."""
        start, size = 0, len(run)
        while start < size:
            room = self.chunk_bytes - self.cur_bytes
            end = size if size - start <= room else run.rfind(b"\n", start, start + room) + 1
            if end <= start:  # not even the next line fits
                if self.cur_bytes:
                    self._finish_chunk()
                    continue
                end = run.find(b"\n", start) + 1 or size  # a line longer than chunk_bytes: its own chunk
            whole = start == 0 and end == size
            self._write(run if whole else run[start:end], records if whole else -1)
            start = end
            if self.cur_bytes >= self.chunk_bytes:
                self._finish_chunk()

    def _write(self, portion: bytes, records: int = -1) -> None:
        if self.writer is None:
            assert self.pipeline is not None
            path = self.out / chunk_name(self.next_index)
            self.next_index += 1
            self.writer = ChunkWriter(path, self.pipeline, self._chunk_done)
            self.live.append(self.writer)
            self.cur_first = first_line(portion)
        self.writer.write(portion)
        if records < 0:
            records = portion.count(b"\n") + (portion[-1:] != b"\n")
        self.cur_bytes += len(portion)
        self.cur_records += records
        self.ck.input_records += records
        self.ck.input_bytes += len(portion)
        self.cur_last_portion = portion
        self.cur_end = replace(self.ck)

    def _remove(self, seg: Removed) -> None:
        self.ck.input_records += 1
        self.ck.input_bytes += seg.size
        if seg.reason is None:
            self.ck.dropped += 1
            return
        self.ck.quarantined += 1
        self.quarantine.add(self.ck.input_records, seg.reason, seg.line)
        self.ck.quarantine_bytes = self.quarantine.size

    def _finish_chunk(self) -> None:
        """Close the chunk being written; it completes (_chunk_done) once compressed."""
        assert self.writer is not None
        self.writer.chunk = Chunk(
            file=self.writer.path.name,
            records=self.cur_records,
            bytes=self.cur_bytes,
            compressed_bytes=0,  # known once written
            first_lens_id=lens_id_of(self.cur_first),
            last_lens_id=lens_id_of(last_line(self.cur_last_portion)),
            sha256="",
            checkpoint=self.cur_end,
        )
        self.writer.close()
        self.writer = None
        self.cur_bytes = self.cur_records = 0
        self.cur_first = self.cur_last_portion = b""

    def _chunk_done(self, writer: ChunkWriter) -> None:
        """A chunk is whole on disk: record it, so a resume will skip it."""
        self.live.remove(writer)
        self.quarantine.sync()  # holds at least the checkpoint's entries
        chunk: Chunk = writer.chunk
        chunk.compressed_bytes, chunk.sha256 = writer.compressed_bytes, writer.sha256
        self.m.add_chunk(chunk)
        self.m.input_first_lens_id = self.first_id  # set before any chunk could close
        self.m.input_last_lens_id = chunk.last_lens_id
        self.m.save(self.manifest_path)

    # -- endings -----------------------------------------------------------

    def _fail(self, stream: InputStream, exc: InputError) -> None:
        records = self.ck.input_records  # complete lines read before the break
        # Chunks closed before the break hold whole data: let them complete.
        if self.pipeline is not None:
            self.pipeline.drain(wait=True)
        self._abandon(TRUNCATED if isinstance(exc, TruncatedInputError) else CORRUPT)
        if isinstance(exc, TruncatedInputError):
            message = f"compressed stream ends early after {records} records (truncated download?)"
        else:
            message = f"corrupt {stream.compression} data after {records} records ({exc.detail})"
        self.m.error = {
            "kind": self.m.status,
            "message": message,
            "input_records": records,
            "input_bytes": stream.decompressed,
            "compressed_offset": stream.compressed_offset,
        }
        self.m.save(self.manifest_path)
        raise type(exc)(stream.name, message) from exc

    def _abandon(self, status: str) -> None:
        """Drop unfinished chunks; the manifest keeps describing finished ones only."""
        if self.pipeline is not None:
            self.pipeline.shutdown()
        for writer in self.live:
            writer.abort()
        self.live.clear()
        self.writer = None
        self.quarantine.close()
        self.quarantine.size = self.m.quarantine_bytes
        self.quarantine.cut_back()  # keep it consistent with the manifest
        self.m.status = status
        self.m.save(self.manifest_path)

    def _check_release(self, expect: dict[str, Any] | None) -> Manifest:
        report = verify_release(self.m, expect) if expect is not None else None
        self.m.release_check = report.to_dict() if report else None
        self.m.save(self.manifest_path)
        if report is not None and not report.ok:
            raise ReleaseMismatch(report, self.m.source.get("name"))
        return self.m

    def _report(self, stream: InputStream, skipping: bool) -> None:
        if self.progress is not None:
            self.progress(SplitProgress(stream.decompressed, stream.compressed_offset, stream.size,
                                        self.ck.input_records, len(self.m.chunks), skipping))
