"""Embedded indexes on disk: one directory per product and version.

``{data_dir}/index/{product}/CURRENT`` names the version being served; switching
versions is one atomic rename of that file (issue 3's sync builds the next
version beside the live one). Each version directory holds the tantivy files and
``lens-mirror.json``: the schema it was built with and the chunks indexed so far.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import orjson
import tantivy

from mirror.catalogue import Catalogue, catalogue_for
from mirror.errors import ServiceUnavailable
from mirror.settings import MIN_HEAP_PER_THREAD

from .fields import ID, SOURCE, build_analyzers, build_schema, field_specs, schema_signature
from .queries import QueryTranslator
from .searching import SearchRunner

META = "lens-mirror.json"
DEFAULT_VERSION = "local"
_VERSION = re.compile(r"^[A-Za-z0-9._-]+$")


class IndexUnavailable(ServiceUnavailable):
    """The index on disk cannot be used as asked (missing, busy, built differently)."""


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
        raise ValueError(f"refusing to remove {product} index version {version!r}: it is being served")
    shutil.rmtree(product_dir(data_dir, product) / version, ignore_errors=True)


class EmbeddedIndex:
    """One tantivy index of one product, opened for searching and/or writing."""

    def __init__(self, path: Path, catalogue: Catalogue) -> None:
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
        self.path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        for name, analyzer in self.analyzers.items():  # custom tokenizers are not persisted
            self.index.register_tokenizer(name, analyzer)
            self.index.register_fast_field_tokenizer(name, analyzer)  # sort columns hold normalised values
        if not meta:
            self.write_meta({"product": catalogue.product, "schema": signature, "chunks": {}})
        self.translator = QueryTranslator(self.schema, self.specs, self.analyzers)
        self.tie_breaker = catalogue.resolve("lens_id").index_name
        self._reloaded = 0.0

    @classmethod
    def open_version(cls, data_dir: Path, product: str, version: str) -> "EmbeddedIndex":
        if not _VERSION.match(version):
            raise ValueError(f"bad index version name {version!r}")
        return cls(product_dir(data_dir, product) / version, catalogue_for(product))

    # -- metadata ------------------------------------------------------------------
    def read_meta(self) -> dict[str, Any]:
        path = self.path / META
        return orjson.loads(path.read_bytes()) if path.exists() else {}

    def write_meta(self, meta: dict[str, Any]) -> None:
        tmp = self.path / (META + ".tmp")
        tmp.write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        os.replace(tmp, self.path / META)

    # -- reading -------------------------------------------------------------------
    def searcher(self) -> tantivy.Searcher:
        # Another process (lens-mirror index) may have committed; pick that up at most once a second.
        now = time.monotonic()
        if now - self._reloaded > 1.0:
            self.index.reload()
            self._reloaded = now
        return self.index.searcher()

    def search(self, body: dict[str, Any]) -> dict[str, Any]:
        return SearchRunner(self.searcher(), self.translator, self.specs, self.tie_breaker).run(body)

    def get(self, lens_id: str) -> dict[str, Any] | None:
        searcher = self.searcher()
        hits = searcher.search(tantivy.Query.term_query(self.schema, ID, lens_id), 1, count=False).hits
        if not hits:
            return None
        return orjson.loads(searcher.doc(hits[0][1]).get_first(SOURCE))

    def count(self) -> int:
        return self.searcher().num_docs

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
            raise IndexUnavailable(f"cannot write to the index at {self.path}: {exc} (is another indexer running?)") from None
