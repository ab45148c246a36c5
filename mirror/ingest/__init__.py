"""Ingest Lens bulk data: read (gz/zst/plain/stdin) and split into resumable zstd chunks.

The indexer reads split output with :func:`iter_records` (parsed dicts) or
:func:`iter_chunk_lines` (raw lines of one chunk).
"""

from mirror.ingest.errors import CorruptInputError, InputError, SplitError, TruncatedInputError
from mirror.ingest.manifest import Chunk, Manifest
from mirror.ingest.read import chunk_paths, iter_chunk_lines, iter_records, open_input
from mirror.ingest.release import ReleaseMismatch, ReleaseReport, load_release, verify_release
from mirror.ingest.split import SplitProgress, split_stream

__all__ = [
    "Chunk",
    "CorruptInputError",
    "InputError",
    "Manifest",
    "ReleaseMismatch",
    "ReleaseReport",
    "SplitError",
    "SplitProgress",
    "TruncatedInputError",
    "chunk_paths",
    "iter_chunk_lines",
    "iter_records",
    "load_release",
    "open_input",
    "split_stream",
    "verify_release",
]
