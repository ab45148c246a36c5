"""The embedded backend's :class:`~mirror.backends.writing.VersionWriter`: records into a tantivy index.

What to read, what is done and when to commit is the shared loader's
(:mod:`mirror.backends.loading`); this module turns blocks of record lines into
tantivy documents and keeps the index whole:

* Each record replaces any earlier copy with the same lens_id, paying for a
  delete only when the lens_id may be there (:class:`Replacements`).
* Each commit records in the index's metadata the chunks finished before it and
  the records the index then holds, so an interrupted run resumes at the first
  chunk not yet committed and a reader can tell a damaged index.
* A write failure (a full disk) ends as one :class:`IndexWriteError` naming the
  index; :meth:`EmbeddedVersionWriter.discard` then rolls the writer back and
  removes the files of the unfinished commit.
* A bad record is reported with its file and line; it never stops the run or
  kills the writer.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from typing import Any, NoReturn

import msgspec
import orjson
import tantivy

from mirror.backends.loading import IndexReport, load_chunks
from mirror.backends.writing import BadRecord, Line
from mirror.catalogue.native import native_transform
from mirror.settings import Settings

from .documents import DocumentBuilder
from .fields import ID
from .projections import FILE as PROJECTIONS
from .projections import ProjectionLog
from .store import EmbeddedIndex, IndexWriteError, broken_index_error

COMMIT_EVERY = 100_000  # records: bounds the work an interruption loses; fewer commits, fewer merges
BLOCK = 512  # records handed to the writer together (one replacement check per block)


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


class EmbeddedVersionWriter:
    """Writes one :class:`EmbeddedIndex` (holding tantivy's writer lock until closed).

    The writer's memory and threads come from ``settings`` (default: the environment's).
    """

    def __init__(self, index: EmbeddedIndex, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        self.index = index
        native = native_transform(index.catalogue) if settings.native_transform else None
        self._builder = DocumentBuilder(index.catalogue, index.specs, index.schema, native)
        self._writer: tantivy.IndexWriter | None = index.writer(settings.index_heap_bytes, settings.writer_threads())
        self._failed = False
        # Only now, holding the writer's lock, is what is committed known to stay so.
        index.index.reload()
        self._meta = index.read_meta()
        self._done: dict[str, Any] = self._meta.setdefault("chunks", {})
        self._replacements = Replacements(index)
        self._projections = ProjectionLog(index.path / PROJECTIONS, settings.export_field_bytes)

    # Read at each load, so that tests can shrink them.
    @property
    def block_records(self) -> int:
        return BLOCK

    @property
    def commit_every(self) -> int:
        return COMMIT_EVERY

    def _live(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise IndexWriteError(f"{self.index.path}: the index writer is closed")
        return self._writer

    def committed(self) -> set[str]:
        return set(self._done)

    def add(self, block: Sequence[Line]) -> list[str]:
        writer, builder, replacements = self._live(), self._builder, self._replacements
        projections = self._projections
        problems: list[str] = []
        docs: list[tuple[str, str, tantivy.Document]] = []
        for where, line in block:
            try:
                fields = builder.fields_of_line(line)
                projection = projections.append(line)
                docs.append((where, fields[ID][0], builder.document(fields, line, projection)))
            except OSError as exc:  # the projections file could not be written: the writer's failure
                self._fail(exc)
            except (orjson.JSONDecodeError, msgspec.DecodeError, BadRecord, ValueError, TypeError) as exc:
                problems.append(f"{where}: {exc}")
            except BaseException as exc:  # tantivy's PanicException is a BaseException
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                problems.append(f"{where}: the index rejected this record: {exc}")
        if not docs:
            return problems
        in_index = replacements.in_index([lens_id for _, lens_id, _ in docs])
        for where, lens_id, doc in docs:
            try:
                if in_index or lens_id in replacements.uncommitted:
                    writer.delete_documents_by_term(ID, lens_id)
                writer.add_document(doc)
            except BaseException as exc:
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                if _writer_failed(exc):
                    self._fail(exc)
                problems.append(f"{where}: the index rejected this record: {exc}")
                continue
            replacements.uncommitted.add(lens_id)
        return problems

    def commit(self, chunks: Mapping[str, str]) -> int:
        writer = self._live()
        try:
            projected = self._projections.sync()  # durable before any document that points into it
        except OSError as exc:
            self._fail(exc)
        try:
            writer.commit()
        except BaseException as exc:
            if _writer_failed(exc):
                self._fail(exc)
            raise
        self._replacements.committed()
        self._projections.committed(projected)
        now = time.time()
        for key, name in chunks.items():
            self._done[key] = {"file": name, "indexed_at": now}
        documents: int = self.index.index.searcher().num_docs
        self._meta["documents"] = documents  # what a reader checks the index against
        self._meta["projection_bytes"] = projected
        self.index.write_meta(self._meta)
        return documents

    def discard(self) -> None:
        """Back to the last commit, and delete the segment files the failed part left (a full
        disk would otherwise stay full of them). Best effort: the writer may be dead."""
        if self._writer is None:
            return
        self._failed = True
        for step in (self._writer.rollback, self._writer.garbage_collect_files, self._projections.rollback):
            try:
                step()
            except BaseException as exc:  # noqa: BLE001 - cleanup must not hide the failure it cleans up after
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise

    def close(self) -> None:
        self._projections.close()
        writer, self._writer = self._writer, None
        if writer is None:
            return
        if not self._failed:
            writer.wait_merging_threads()
            self.index.index.reload()
            return
        # A failed writer is still consumed here: that ends its merge threads and closes the
        # files they hold, whoever still refers to the Python object (a traceback kept by
        # the caller does). Deleted files held open would keep a full disk full.
        try:
            writer.wait_merging_threads()
        except BaseException as exc:  # noqa: BLE001 - the writer is dead; its own error was raised already
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise

    def _fail(self, exc: BaseException) -> NoReturn:
        # The free space is measured now, before discard() removes the failed files.
        raise IndexWriteError(_write_failure(self.index.path, exc)) from exc


def index_files(
    index: EmbeddedIndex,
    targets: Iterable[str | os.PathLike[str]],
    settings: Settings | None = None,
    on_record: Callable[[int], None] | None = None,
) -> IndexReport:
    """Index every chunk named by ``targets`` (files or split directories) into ``index``
    (see :func:`mirror.backends.loading.load_chunks`). Raises :class:`ChunkMismatch` for a
    chunk that is not what its manifest says and :class:`IndexWriteError` when the index
    cannot be written; either way nothing uncommitted is kept.
    """
    with closing(EmbeddedVersionWriter(index, settings)) as writer:
        return load_chunks(writer, targets, on_record)


def _writer_failed(exc: BaseException) -> bool:
    """A failure of the writer itself (I/O, a dead worker thread), not of one record."""
    return broken_index_error(exc) or (isinstance(exc, ValueError) and "index writer was killed" in str(exc))


def _write_failure(path: os.PathLike[str], exc: BaseException) -> str:
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
