"""The embedded backend: tantivy indexes that execute compiled Elasticsearch bodies."""

from __future__ import annotations

from mirror.backends.loading import IndexReport
from mirror.backends.writing import DEFAULT_VERSION

from .indexing import EmbeddedVersionWriter, index_files
from .store import (
    EmbeddedIndex,
    IndexUnavailable,
    IndexWriteError,
    current_version,
    product_dir,
    remove_version,
    set_current_version,
)
from .versions import EmbeddedStore

__all__ = [
    "DEFAULT_VERSION", "EmbeddedIndex", "EmbeddedStore", "EmbeddedVersionWriter", "IndexReport", "IndexUnavailable",
    "IndexWriteError", "current_version", "index_files", "product_dir", "remove_version", "set_current_version",
]
