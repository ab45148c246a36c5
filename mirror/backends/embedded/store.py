"""Embedded indexes on disk: one directory per product and version.

``{data_dir}/index/{product}/CURRENT`` names the version being served; switching
versions is one atomic rename of that file (issue 3's sync builds the next
version beside the live one). Each version directory holds the tantivy files and
``lens-mirror.json``: the schema it was built with, the chunks indexed so far and
the records the last commit left (``documents``).

Only a writer creates an index (:meth:`EmbeddedIndex.create_version`); a reader
(:meth:`EmbeddedIndex.open_version`, what the server uses) opens an existing one
and checks it first: the directory, both metadata files, every segment file, and
at least the record count lens-mirror.json recorded. A broken index is refused
with :class:`IndexUnavailable` (a 503), never served empty or as a run of 500s.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import tantivy

from mirror.catalogue import Catalogue, catalogue_for
from mirror.errors import MirrorError, ServiceUnavailable
from mirror.settings import MIN_HEAP_PER_THREAD

from .fields import ID, SOURCE, build_analyzers, build_schema, field_specs, schema_signature
from .projections import FILE as PROJECTIONS
from .projections import ProjectionStore
from .queries import QueryTranslator
from .searching import SearchRunner

META = "lens-mirror.json"
_VERSION = re.compile(r"^[A-Za-z0-9._-]+$")


class IndexUnavailable(ServiceUnavailable):
    """The index on disk cannot be used as asked (missing, broken, busy, built differently)."""


class IndexWriteError(MirrorError):
    """The index could not be written (a full disk, an I/O error); nothing uncommitted was kept."""


# tantivy reports a damaged or unreadable index as ValueError with one of these openings.
_BROKEN = ("Data corrupted", "Failed to open file", "An IO error occurred", "Internal error")


def broken_index_error(exc: BaseException) -> bool:
    """Whether a tantivy error says the files are damaged or unreadable (not that a request was bad)."""
    return isinstance(exc, ValueError) and str(exc).startswith(_BROKEN)


def product_dir(data_dir: Path, product: str) -> Path:
    return Path(data_dir) / "index" / product


def current_version(data_dir: Path, product: str) -> str | None:
    pointer = product_dir(data_dir, product) / "CURRENT"
    return pointer.read_text().strip() if pointer.exists() else None


def set_current_version(data_dir: Path, product: str, version: str) -> None:
    """Point the served index at ``version`` atomically (readers see old or new, never half)."""
    base = product_dir(data_dir, product)
    tmp = base / "CURRENT.tmp"
    tmp.write_text(version + "\n")
    os.replace(tmp, base / "CURRENT")


def remove_version(data_dir: Path, product: str, version: str) -> None:
    if version == current_version(data_dir, product):
        raise IndexUnavailable(f"refusing to remove {product} index version {version!r}: it is being served")
    from mirror.backends.writing import VersionInUse

    from .leases import leased

    if leased(data_dir, product, version):
        raise VersionInUse(f"keeping {product} index version {version!r}: a scroll still reads it")
    shutil.rmtree(product_dir(data_dir, product) / version, ignore_errors=True)


class EmbeddedIndex:
    """One tantivy index of one product, opened for searching and/or writing.

    ``create=True`` (the writer's way) makes the index when ``path`` holds none;
    ``create=False`` (the reader's) refuses anything but a whole, readable index.
    """

    def __init__(self, path: Path, catalogue: Catalogue, *, create: bool = True) -> None:
        self.path, self.catalogue = Path(path), catalogue
        self.specs = field_specs(catalogue)
        self.schema = build_schema(self.specs)
        self.analyzers = build_analyzers()
        meta = self.read_meta()
        signature = orjson.loads(orjson.dumps(schema_signature(self.specs)))
        if meta and meta.get("schema") != signature:
            raise IndexUnavailable(
                f"the index at {self.path} was built with a different field catalogue; "
                f"rebuild it (lens-mirror index --rebuild)"
            )
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        else:
            self.index = self._open_existing(meta)
        for name, analyzer in self.analyzers.items():  # custom tokenizers are not persisted
            self.index.register_tokenizer(name, analyzer)
            self.index.register_fast_field_tokenizer(name, analyzer)  # sort columns hold normalised values
        if not meta:
            self.write_meta({"product": catalogue.product, "schema": signature, "chunks": {}})
        self.translator = QueryTranslator(self.schema, self.specs, self.analyzers)
        self.tie_breaker = catalogue.resolve("lens_id").index_name
        self.projections = ProjectionStore(self.path / PROJECTIONS)
        self._reloaded = 0.0

    @classmethod
    def open_version(cls, data_dir: Path, product: str, version: str) -> "EmbeddedIndex":
        """An existing version, checked whole (for reading: never creates one)."""
        return cls(cls.version_path(data_dir, product, version), catalogue_for(product), create=False)

    @classmethod
    def create_version(cls, data_dir: Path, product: str, version: str) -> "EmbeddedIndex":
        """A version to write to, created when it does not exist yet."""
        return cls(cls.version_path(data_dir, product, version), catalogue_for(product), create=True)

    @staticmethod
    def version_path(data_dir: Path, product: str, version: str) -> Path:
        if not _VERSION.match(version):
            raise IndexUnavailable(f"bad index version name {version!r} (letters, digits, '.', '_' and '-' only)")
        return product_dir(data_dir, product) / version

    def _open_existing(self, meta: dict[str, Any]) -> tantivy.Index:
        """Open the index at ``path`` for reading, refusing anything missing, damaged or short."""
        where = f"the {self.catalogue.product} index at {self.path}"
        if not self.path.is_dir():
            raise IndexUnavailable(f"{where} does not exist; build it with 'lens-mirror index' or fix CURRENT")
        if not meta:
            raise IndexUnavailable(f"{where} is not a lens-mirror index (no {META}); rebuild it")
        if not (self.path / "meta.json").is_file():
            raise IndexUnavailable(f"{where} is damaged: tantivy's meta.json is missing; rebuild it")
        try:
            index = tantivy.Index.open(str(self.path))
            index.reload()
            searcher = index.searcher()
            # Touch what opening leaves lazy: the ID postings every lookup uses, and the stored records.
            hits = searcher.search(tantivy.Query.all_query(), 1, count=False).hits
            if hits:
                searcher.doc(hits[0][1])
            searcher.search(tantivy.Query.term_query(self.schema, ID, "lens-mirror-probe"), 1, count=False)
        except ValueError as exc:
            raise IndexUnavailable(f"{where} is damaged ({_first_line(exc)}); rebuild it") from None
        projected = meta.get("projection_bytes")
        if isinstance(projected, int) and _size(self.path / PROJECTIONS) < projected:
            raise IndexUnavailable(f"{where} is damaged: {PROJECTIONS} is shorter than its last commit left it "
                                   "(truncated or replaced); rebuild it")
        recorded = meta.get("documents")
        # Fewer records than the last recorded commit left means lost files; more is a
        # commit whose metadata is still being written (a concurrent 'lens-mirror index').
        if isinstance(recorded, int) and searcher.num_docs < recorded:
            raise IndexUnavailable(
                f"{where} holds {searcher.num_docs:,} records but {recorded:,} were committed; "
                "files are missing or were replaced: rebuild it"
            )
        return index

    # -- metadata ------------------------------------------------------------------
    def read_meta(self) -> dict[str, Any]:
        path = self.path / META
        try:
            meta = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return {}
        except orjson.JSONDecodeError as exc:
            raise IndexUnavailable(f"{path} is damaged ({exc}); rebuild the index") from None
        if not isinstance(meta, dict):
            raise IndexUnavailable(f"{path} is damaged (not a JSON object); rebuild the index")
        return meta

    def write_meta(self, meta: dict[str, Any]) -> None:
        """Replace lens-mirror.json atomically; a failed write (disk full) leaves the old one and no temp file."""
        tmp = self.path / (META + ".tmp")
        try:
            tmp.write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
            os.replace(tmp, self.path / META)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.filename is None:
                raise OSError(exc.errno, exc.strerror, str(tmp)) from exc
            raise

    # -- reading -------------------------------------------------------------------
    def searcher(self) -> tantivy.Searcher:
        # Another process (lens-mirror index) may have committed; pick that up at most once a second.
        now = time.monotonic()
        if now - self._reloaded > 1.0:
            self.index.reload()
            self._reloaded = now
        return self.index.searcher()

    def search(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._readable():
            return self.runner(self.searcher()).run(body)

    def runner(self, searcher: tantivy.Searcher) -> SearchRunner:
        """A runner of compiled bodies on ``searcher`` (one of this index's)."""
        return SearchRunner(searcher, self.translator, self.specs, self.tie_breaker, self.catalogue.product,
                            self.projections)

    def get(self, lens_id: str) -> dict[str, Any] | None:
        with self._readable():
            searcher = self.searcher()
            hits = searcher.search(tantivy.Query.term_query(self.schema, ID, lens_id), 1, count=False).hits
            if not hits:
                return None
            source = searcher.doc(hits[0][1]).get_first(SOURCE)
            if source is None:  # every document is written with its source
                raise IndexUnavailable(
                    f"the {self.catalogue.product} index at {self.path} holds a document without its source"
                )
            return orjson.loads(source)

    def count(self) -> int:
        with self._readable():
            return self.searcher().num_docs

    @contextmanager
    def _readable(self) -> Iterator[None]:
        """Files damaged after opening are the index's failure (503), not the request's."""
        try:
            yield
        except ValueError as exc:
            if broken_index_error(exc):
                raise IndexUnavailable(
                    f"the {self.catalogue.product} index at {self.path} cannot be read ({_first_line(exc)})"
                ) from None
            raise

    # -- writing -------------------------------------------------------------------
    def writer(self, heap_bytes: int, threads: int) -> tantivy.IndexWriter:
        if heap_bytes < MIN_HEAP_PER_THREAD * threads:
            raise IndexUnavailable(
                f"the index writer needs at least {MIN_HEAP_PER_THREAD * threads:,} bytes for {threads} thread(s); "
                f"raise LENS_MIRROR_INDEX_HEAP_BYTES (now {heap_bytes:,})"
            )
        try:
            return self.index.writer(heap_bytes, threads)
        except ValueError as exc:
            raise IndexUnavailable(
                f"cannot write to the index at {self.path}: {exc} (is another indexer running?)"
            ) from None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _first_line(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
