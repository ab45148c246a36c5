"""The embedded backend: tantivy indexes that execute compiled Elasticsearch bodies."""

from __future__ import annotations

from .indexing import IndexReport, index_files
from .store import (
    DEFAULT_VERSION,
    EmbeddedIndex,
    IndexUnavailable,
    IndexWriteError,
    current_version,
    product_dir,
    remove_version,
    set_current_version,
)

__all__ = [
    "DEFAULT_VERSION", "EmbeddedIndex", "IndexReport", "IndexUnavailable", "IndexWriteError", "current_version",
    "index_files", "product_dir", "remove_version", "set_current_version",
]
