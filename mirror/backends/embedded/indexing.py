"""Indexing chunk files into an embedded index: idempotent, resumable, verified, guarded.

Each record replaces any earlier copy with the same lens_id, so indexing the same
data twice leaves one copy. Each commit records in the index's metadata the chunks
finished before it and the records the index then holds, so an interrupted run
resumes at the first chunk not yet committed and a reader can tell a damaged index.

Nothing is lost in silence:

* A chunk its split's manifest lists is checked against that entry before it is
  read (size and sha256: a chunk cut at a zstd frame boundary still decompresses
  cleanly) and its records are counted against the entry after; a mismatch rolls
  back everything not yet committed and is refused, naming the chunk. Such chunks
  are committed whole (at the first chunk end after COMMIT_EVERY records), never
  half. Files no manifest lists are indexed as they are, commit as they go, and
  are reported as unverified.
* A write failure (a full disk) rolls the writer back, removes the files of the
  unfinished commit, and ends as one :class:`IndexWriteError` naming the index.
* A bad record is counted and reported with its file and line; it never stops the
  run or kills the writer.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import orjson
import tantivy

from mirror.ingest.errors import ChunkMismatch, InputError
from mirror.ingest.manifest import Chunk, chunk_problem
from mirror.ingest.read import chunk_entries, iter_chunk_lines
from mirror.settings import Settings

from .documents import BadRecord, DocumentBuilder
from .fields import ID
from .store import EmbeddedIndex, IndexWriteError, broken_index_error

COMMIT_EVERY = 100_000  # records: bounds the work an interruption loses; fewer commits, fewer merges
BLOCK = 512  # records handed to the writer together (one replacement check per block)
MAX_REPORTED = 20


@dataclass
class IndexReport:
    indexed: int = 0
    failed: int = 0
    chunks_done: int = 0
    chunks_skipped: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)  # files no split manifest vouches for

    def problem(self, message: str) -> None:
        self.failed += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(message)

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


def _chunk_key(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


class Replacements:
    """Which records may replace an earlier copy, so that only those pay for a delete.

    A delete-by-term per record makes tantivy look the term up in every segment at
    commit: about a tenth of a fresh bulk build, for nothing when the ID is new. A
    record needs one only when its ID may already be there: in the committed index
    (asked once per block of records with one term-set query) or added since the last
    commit (a set, bounded by the commit interval).
    """

    def __init__(self, index: EmbeddedIndex) -> None:
        self.index = index
        self.uncommitted: set[str] = set()
        self.committed_empty = index.index.searcher().num_docs == 0

    def in_index(self, ids: list[str]) -> bool:
        """Whether any of ``ids`` is in the committed index."""
        if self.committed_empty:
            return False
        query = tantivy.Query.term_set_query(self.index.schema, ID, ids)
        return bool(self.index.index.searcher().search(query, 1, count=False).hits)

    def committed(self) -> None:
        self.index.index.reload()
        self.uncommitted.clear()
        self.committed_empty = False


def _sources(targets: Iterable[str | os.PathLike[str]]) -> dict[str, tuple[Path, Chunk | None]]:
    """Every chunk file ``targets`` name, once (a chunk named twice, by its directory and
    itself, is read once), with the manifest entry it must match."""
    sources: dict[str, tuple[Path, Chunk | None]] = {}
    for target in targets:
        for path, entry in chunk_entries(target):
            if not path.is_file():
                raise InputError(str(path), "no such chunk file")
            key = _chunk_key(path)
            if key not in sources or sources[key][1] is None:
                sources[key] = (path, entry)
    return sources


def index_files(
    index: EmbeddedIndex,
    targets: Iterable[str | os.PathLike[str]],
    settings: Settings | None = None,
    on_record: Callable[[int], None] | None = None,
) -> IndexReport:
    """Index every chunk named by ``targets`` (files or split directories) into ``index``.

    The writer's memory and threads come from ``settings`` (default: the environment's).
    Records go to the writer in blocks; the index is committed every COMMIT_EVERY
    records and at the end, and each commit records the chunks finished before it, so
    an interrupted run redoes at most the chunks since the last commit. Raises
    :class:`ChunkMismatch` for a chunk that is not what its manifest says and
    :class:`IndexWriteError` when the index cannot be written; either way nothing
    uncommitted is kept.
    """
    settings = settings or Settings()
    report = IndexReport()
    started = time.monotonic()
    builder = DocumentBuilder(index.catalogue, index.specs, index.schema)
    chunks = _sources(targets)
    writer = index.writer(settings.index_heap_bytes, settings.writer_threads())
    # Only now, holding the writer's lock, is what is committed known to stay so.
    index.index.reload()
    meta = index.read_meta()
    done = meta.setdefault("chunks", {})
    replacements = Replacements(index)
    pending = 0  # records added since the last commit
    finished: list[tuple[str, Path]] = []  # chunks read to the end since the last commit
    whole_chunks = False  # the chunk being read must be committed whole (it is being verified)

    def commit() -> None:
        nonlocal pending
        writer.commit()
        replacements.committed()
        for key, path in finished:
            done[key] = {"file": path.name, "indexed_at": time.time()}
        meta["documents"] = index.index.searcher().num_docs  # what a reader checks the index against
        index.write_meta(meta)
        report.chunks_done += len(finished)
        finished.clear()
        pending = 0

    def add(block: list[tuple[str, str, tantivy.Document]]) -> None:
        nonlocal pending
        in_index = replacements.in_index([lens_id for _, lens_id, _ in block])
        for where, lens_id, doc in block:
            try:
                if in_index or lens_id in replacements.uncommitted:
                    writer.delete_documents_by_term(ID, lens_id)
                writer.add_document(doc)
            except BaseException as exc:  # tantivy's PanicException is a BaseException
                if isinstance(exc, (KeyboardInterrupt, SystemExit)) or _writer_failed(exc):
                    raise
                report.problem(f"{where}: the index rejected this record: {exc}")
                continue
            replacements.uncommitted.add(lens_id)
            report.indexed += 1
            pending += 1
        if on_record:
            on_record(len(block))
        block.clear()
        if pending >= COMMIT_EVERY and not whole_chunks:
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
            whole_chunks = entry is not None
            block: list[tuple[str, str, tantivy.Document]] = []
            lines = 0
            for lineno, line in enumerate(iter_chunk_lines(path), 1):
                lines = lineno
                try:
                    fields = builder.fields(orjson.loads(line))
                    block.append((f"{path}:{lineno}", fields[ID][0], builder.document(fields, line)))
                except (orjson.JSONDecodeError, BadRecord, ValueError, TypeError) as exc:
                    report.problem(f"{path}:{lineno}: {exc}")
                    if on_record:
                        on_record(1)  # progress counts lines read, good or bad
                    continue
                except BaseException as exc:
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    report.problem(f"{path}:{lineno}: the index rejected this record: {exc}")
                    if on_record:
                        on_record(1)
                    continue
                if len(block) >= BLOCK:
                    add(block)
            add(block)
            if entry is not None and lines != entry.records:
                raise ChunkMismatch(str(path), f"holds {lines:,} records where its split manifest records "
                                               f"{entry.records:,}; nothing of it was committed "
                                               "(split the input again)")
            finished.append((key, path))
            whole_chunks = False
            if pending >= COMMIT_EVERY:
                commit()
        commit()
        writer.wait_merging_threads()
    except BaseException as exc:
        failure = _write_failure(index.path, exc) if _writer_failed(exc) else None  # free space: before cleanup
        _discard_uncommitted(writer)
        if failure is not None:
            raise IndexWriteError(failure) from exc
        raise
    report.seconds = time.monotonic() - started
    index.index.reload()
    return report


def _writer_failed(exc: BaseException) -> bool:
    """A failure of the writer itself (I/O, a dead worker thread), not of one record."""
    return broken_index_error(exc) or (isinstance(exc, ValueError) and "index writer was killed" in str(exc))


def _discard_uncommitted(writer: tantivy.IndexWriter) -> None:
    """Back to the last commit, and delete the segment files the failed part left (a full
    disk would otherwise stay full of them). Best effort: the writer may be dead."""
    for step in (writer.rollback, writer.garbage_collect_files):
        try:
            step()
        except BaseException as exc:  # noqa: BLE001 - cleanup must not hide the failure it cleans up after
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise


def _write_failure(path: Path, exc: BaseException) -> str:
    """One line: where, why (the OS's words when tantivy quotes them), and what to do."""
    text = str(exc)
    quoted = re.search(r"'([^']*\(os error \d+\)[^']*)'", text)
    if quoted:
        reason = quoted.group(1)
    elif "index writer was killed" in text:  # a worker thread died; tantivy keeps its error to itself
        reason = "an indexing thread failed (an I/O error, most likely)"
    else:
        reason = text.splitlines()[0] if text else type(exc).__name__
    try:
        free = f" with {shutil.disk_usage(path).free / 1e6:,.1f} MB free"
    except OSError:
        free = ""
    return (f"{path}: cannot write the index: {reason}{free}; rolled back to the last commit and removed "
            "the unfinished files: fix the cause and run the same command again to resume")
