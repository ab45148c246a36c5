"""Loading chunk files into any backend's :class:`~mirror.backends.writing.VersionWriter`:
resumable, verified, committed at chunk ends.

The writer gets records in blocks and a commit call now and then; everything
else is decided here, once for every backend:

* **Resume.** Each commit records the chunks finished before it (their
  checkpoint keys: resolved path, size and mtime), so an interrupted load skips
  them and redoes at most the chunks since the last commit. A record read twice
  replaces itself (the writer's promise), so redoing is harmless.
* **Verification.** A chunk its split's manifest lists is checked against that
  entry before it is read (size and sha256: a chunk cut at a zstd frame
  boundary still decompresses cleanly) and its records are counted against the
  entry after; a mismatch discards everything not yet committed and is refused
  with :class:`ChunkMismatch`, naming the chunk. Such chunks are committed
  whole (at the first chunk end after ``commit_every`` records), never half.
  Files no manifest lists are loaded as they are, commit as they go, and are
  reported as unverified.
* **Nothing lost in silence.** A record the writer cannot take is counted and
  reported with its file and line; it never stops the load. A failure of the
  writer itself, or an interruption, discards the uncommitted part and is
  raised as it came.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mirror.ingest.errors import ChunkMismatch, InputError
from mirror.ingest.manifest import Chunk, chunk_problem
from mirror.ingest.read import chunk_entries, iter_chunk_lines

from .writing import Line, VersionWriter

MAX_REPORTED = 20


@dataclass
class IndexReport:
    """What one load did."""

    indexed: int = 0
    failed: int = 0
    chunks_done: int = 0
    chunks_skipped: int = 0
    seconds: float = 0.0
    documents: int | None = None  # what the version held at the last commit
    problems: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)  # files no split manifest vouches for

    def problem(self, message: str) -> None:
        self.failed += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(message)

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


def chunk_key(path: Path) -> str:
    """A chunk's checkpoint: the same file, unchanged, has the same key."""
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def chunk_sources(targets: Iterable[str | os.PathLike[str]]) -> dict[str, tuple[Path, Chunk | None]]:
    """Every chunk file ``targets`` name, once (a chunk named twice, by its directory and
    itself, is read once), with the manifest entry it must match."""
    sources: dict[str, tuple[Path, Chunk | None]] = {}
    for target in targets:
        for path, entry in chunk_entries(target):
            if not path.is_file():
                raise InputError(str(path), "no such chunk file")
            key = chunk_key(path)
            if key not in sources or sources[key][1] is None:
                sources[key] = (path, entry)
    return sources


def load_chunks(
    writer: VersionWriter,
    targets: Iterable[str | os.PathLike[str]],
    on_record: Callable[[int], None] | None = None,
) -> IndexReport:
    """Load every chunk named by ``targets`` (files or split directories) into ``writer``.

    ``on_record(n)`` is told of every ``n`` lines read, good or bad (progress).
    Raises :class:`ChunkMismatch` for a chunk that is not what its manifest says,
    and whatever the writer raises when it fails; either way nothing uncommitted
    is kept (the writer is told to discard it). The caller closes the writer.
    """
    report = IndexReport()
    started = time.monotonic()
    chunks = chunk_sources(targets)
    done = set(writer.committed())
    block_records, commit_every = writer.block_records, writer.commit_every
    pending = 0  # records written since the last commit
    finished: dict[str, str] = {}  # chunks read to the end since the last commit: key → file name
    whole_chunk = False  # the chunk being read must be committed whole (it is being verified)

    def commit() -> None:
        nonlocal pending
        add([], flush=True)  # the answers still outstanding, counted before the checkpoint
        report.documents = writer.commit(finished)
        report.chunks_done += len(finished)
        finished.clear()
        pending = 0

    def add(block: list[Line], flush: bool = False) -> None:
        nonlocal pending
        if not block and not flush:
            return
        # Before a commit the writer is given an empty block: a writer that sends in the
        # background answers then for every record still in flight. Problems may be of
        # records of earlier blocks (counted as written then), so the arithmetic below
        # takes them back: ``written`` is negative for an empty block with refusals.
        problems = writer.add(block)
        for problem in problems:
            report.problem(problem)
        written = len(block) - len(problems)
        report.indexed += written
        pending += written
        if on_record and block:
            on_record(len(block))
        block.clear()
        if pending >= commit_every and not whole_chunk and not flush:
            commit()

    try:
        for key, (path, entry) in chunks.items():
            if key in done:
                report.chunks_skipped += 1
                continue
            if entry is None:
                report.unverified.append(str(path))
            elif (problem := chunk_problem(path, entry)) is not None:
                raise ChunkMismatch(str(path), f"does not match its split manifest: {problem}; nothing of it "
                                               "was committed (split the input again)")
            whole_chunk = entry is not None
            block: list[Line] = []
            lines = 0
            where = f"{path}:"
            for lines, line in enumerate(iter_chunk_lines(path), 1):
                block.append((f"{where}{lines}", line))
                if len(block) >= block_records:
                    add(block)
            add(block)
            if entry is not None and lines != entry.records:
                raise ChunkMismatch(str(path), f"holds {lines:,} records where its split manifest records "
                                               f"{entry.records:,}; nothing of it was committed "
                                               "(split the input again)")
            finished[key] = path.name
            whole_chunk = False
            if pending >= commit_every:
                commit()
        commit()
    except BaseException:
        writer.discard()
        raise
    report.seconds = time.monotonic() - started
    return report


__all__ = ["IndexReport", "chunk_key", "chunk_sources", "load_chunks"]
