"""Indexing chunk files into an embedded index: idempotent, resumable, guarded.

Each record replaces any earlier copy with the same lens_id, so indexing the same
data twice leaves one copy. Every finished chunk is committed and recorded in the
index's metadata, so an interrupted run resumes at the first unfinished chunk.
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

from mirror.ingest.read import chunk_paths, iter_chunk_lines
from mirror.settings import Settings

from .documents import BadRecord, DocumentBuilder
from .fields import ID
from .store import EmbeddedIndex

COMMIT_EVERY = 100_000  # records; bounds the work an interruption can lose inside a big chunk
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


def index_files(
    index: EmbeddedIndex,
    targets: Iterable[str | os.PathLike[str]],
    heap_bytes: int | None = None,
    on_record: Callable[[int], None] | None = None,
) -> IndexReport:
    """Index every chunk named by ``targets`` (files or split directories) into ``index``."""
    report = IndexReport()
    started = time.monotonic()
    builder = DocumentBuilder(index.catalogue, index.specs, index.schema)
    paths = [p for t in targets for p in chunk_paths(t)]
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"{p}: no such chunk file")
    meta = index.read_meta()
    writer = index.writer(heap_bytes or Settings().index_heap_bytes)
    try:
        for path in paths:
            key = _chunk_key(path)
            if key in meta.get("chunks", {}):
                report.chunks_skipped += 1
                continue
            pending = 0
            for lineno, line in enumerate(iter_chunk_lines(path), 1):
                try:
                    fields = builder.fields(orjson.loads(line))
                    doc = builder.document(fields, line)
                    writer.delete_documents_by_term(ID, fields[ID][0])
                    writer.add_document(doc)
                except (orjson.JSONDecodeError, BadRecord, ValueError, TypeError) as exc:
                    report.problem(f"{path}:{lineno}: {exc}")
                    continue
                except BaseException as exc:  # tantivy's PanicException is a BaseException
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    report.problem(f"{path}:{lineno}: the index rejected this record: {exc}")
                    continue
                report.indexed += 1
                pending += 1
                if on_record:
                    on_record(1)
                if pending >= COMMIT_EVERY:
                    writer.commit()
                    pending = 0
            writer.commit()
            meta.setdefault("chunks", {})[key] = {"file": path.name, "indexed_at": time.time()}
            index.write_meta(meta)
            report.chunks_done += 1
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
    report.seconds = time.monotonic() - started
    index.index.reload()
    return report
