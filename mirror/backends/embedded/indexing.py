"""Indexing chunk files into an embedded index: idempotent, resumable, guarded.

Each record replaces any earlier copy with the same lens_id, so indexing the same
data twice leaves one copy. The writer commits every COMMIT_EVERY records and at
the end; each commit records in the index's metadata the chunks finished before it,
so an interrupted run resumes at the first chunk not yet committed.
A bad record is counted and reported with its file and line; it never stops the
run or kills the writer.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import orjson
import tantivy

from mirror.ingest.read import chunk_paths, iter_chunk_lines
from mirror.settings import Settings

from .documents import BadRecord, DocumentBuilder
from .fields import ID
from .store import EmbeddedIndex

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


def index_files(
    index: EmbeddedIndex,
    targets: Iterable[str | os.PathLike[str]],
    heap_bytes: int | None = None,
    threads: int | None = None,
    on_record: Callable[[int], None] | None = None,
) -> IndexReport:
    """Index every chunk named by ``targets`` (files or split directories) into ``index``.

    Records go to the writer in blocks; the index is committed every COMMIT_EVERY
    records and at the end, and each commit records the chunks finished before it, so
    an interrupted run redoes at most the chunks since the last commit.
    """
    report = IndexReport()
    started = time.monotonic()
    builder = DocumentBuilder(index.catalogue, index.specs, index.schema)
    paths = [p for t in targets for p in chunk_paths(t)]
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"{p}: no such chunk file")
    chunks = {_chunk_key(p): p for p in paths}  # a chunk named twice (its directory and itself) is read once
    settings = Settings()
    writer = index.writer(heap_bytes or settings.index_heap_bytes, threads or settings.writer_threads())
    # Only now, holding the writer's lock, is what is committed known to stay so.
    index.index.reload()
    meta = index.read_meta()
    done = meta.setdefault("chunks", {})
    replacements = Replacements(index)
    pending = 0  # records added since the last commit
    finished: list[tuple[str, Path]] = []  # chunks read to the end since the last commit

    def commit() -> None:
        nonlocal pending
        writer.commit()
        replacements.committed()
        for key, path in finished:
            done[key] = {"file": path.name, "indexed_at": time.time()}
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
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                report.problem(f"{where}: the index rejected this record: {exc}")
                continue
            replacements.uncommitted.add(lens_id)
            report.indexed += 1
            pending += 1
        if on_record:
            on_record(len(block))
        block.clear()
        if pending >= COMMIT_EVERY:
            commit()

    try:
        for key, path in chunks.items():
            if key in done:
                report.chunks_skipped += 1
                continue
            block: list[tuple[str, str, tantivy.Document]] = []
            for lineno, line in enumerate(iter_chunk_lines(path), 1):
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
            finished.append((key, path))
        commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
    report.seconds = time.monotonic() - started
    index.index.reload()
    return report
