"""The one settings object. Every knob is read from ``LENS_MIRROR_*`` here, once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mirror.errors import MirrorError
from mirror.plans import parse_rate_limit

MIN_HEAP_PER_THREAD = 15_000_000  # tantivy's floor for one indexing thread's memory


class Settings(BaseSettings):
    """Runtime configuration; the CLI and the app factory both build one of these."""

    model_config = SettingsConfigDict(env_prefix="LENS_MIRROR_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where indexes, downloads and state live.")
    host: str = Field("127.0.0.1", description="Address the API server binds to.")
    port: int = Field(8000, description="Port the API server listens on.")
    backend: Literal["embedded", "elasticsearch"] = Field(
        "embedded",
        description="Search backend: 'embedded' (tantivy) or 'elasticsearch' (Elasticsearch 8.x / OpenSearch 2.x).",
    )
    es_url: str | None = Field(None, description="Elasticsearch/OpenSearch URL for the elasticsearch backend.")
    es_index_prefix: str = Field(
        "lens-mirror", min_length=1, description="Engine names start with this: read alias PREFIX-PRODUCT."
    )
    es_timeout: float = Field(30.0, gt=0, description="Seconds an engine request may take before it is a 503.")
    # -- the engine's write side (lens-mirror index / sync --backend elasticsearch)
    es_shards: int = Field(
        1, ge=1, le=1024, description="Primary shards of each new engine index (rule of thumb: 20-40 GB each)."
    )
    es_replicas: int = Field(
        0, ge=0, le=16, description="Replicas of an engine index once loaded (none while it loads)."
    )
    es_replica_wait: float = Field(
        600.0, ge=0, description="Seconds a switch waits for an engine index's replicas to be assigned (green)."
    )
    es_bulk_workers: int = Field(2, ge=1, le=32, description="Bulk requests sent to the engine at once.")
    es_bulk_bytes: int = Field(
        5_000_000, ge=10_000, le=100_000_000, description="Largest bulk request sent to the engine, in bytes."
    )
    # A commit refreshes the index and stores the finished chunks' checkpoints in its
    # mapping: cheap, but each one is a cluster-state update, so not per chunk by default.
    es_commit_every: int = Field(
        100_000, ge=1, description="Records loaded into the engine between checkpoints (a killed load resumes there)."
    )
    native_transform: bool = Field(
        True, description="Make search documents (engine and embedded indexing) with the native module where it "
        "is installed (lens-mirror-native, built from native/); off: always in Python. The documents are the same."
    )
    token: str | None = Field(
        None,
        description="If set, requests must carry this token (Bearer header or token=); otherwise tokens are ignored.",
    )
    api_url: str = Field("https://api.lens.org", description="Upstream Lens API base URL (bulk release/download).")
    # Lens's own name for it (no LENS_MIRROR_ prefix): what users of the Lens API already have set.
    lens_api_token: str | None = Field(
        None,
        validation_alias=AliasChoices("lens_api_token", "LENS_API_TOKEN"),
        description="Your Lens API token, sent upstream by release, download, sync and mappings --from-api.",
    )
    # 128 MB: a segment is flushed every ~30k scholarly records, in the background while
    # records keep coming, and the writer's tables stay cache-sized. Interleaved runs on
    # 100k records: 2,200-2,700 rec/s against 2,150-2,400 with 1 GB (whose one big final
    # flush stalls the commit for ~6 s). Bigger values mean fewer merges on huge builds.
    index_heap_bytes: int = Field(128_000_000, description="Memory budget of the embedded index writer.")
    # One Python thread reads and transforms records; on two cores a second tantivy
    # thread only competes with it (interleaved 100k-record runs: one thread ~25% faster).
    index_threads: int = Field(
        0, ge=0, le=8, description="Indexing threads of the embedded writer; 0: one per core beyond the first, 1 to 4."
    )
    # Exports read these pruned copies instead of whole records: 7x faster on include-only
    # scrolls, for ~1 KB per scholarly record on disk (see backends/embedded/projections.py).
    export_field_bytes: int = Field(
        128, ge=0, le=1_000_000,
        description="Embedded indexes keep each record's values up to this many bytes of JSON beside the index, "
                    "for fast include-only exports; 0: off (takes effect for records indexed afterwards).",
    )
    # Searches are CPU-bound and mostly hold the GIL: past a few at once they only
    # queue inside the process, each thread growing its own malloc arena. Waiting for
    # a turn instead keeps memory flat and a cheap request's wait short.
    search_threads: int = Field(4, ge=1, le=64, description="Searches the API runs at once; more wait their turn.")

    # -- scrolls: each holds a snapshot (an old index version's files, an engine point in time)
    # until it ends or expires; Elasticsearch's own defaults are 500 open scroll contexts.
    scroll_max_open: int = Field(
        500, ge=1, description="Scrolls open at once; past it a new scroll is a 429 until some finish or expire."
    )
    scroll_max_lifetime: float = Field(
        3600.0, gt=0, description="Longest life a scroll may ask for (its 'scroll' value), in seconds."
    )

    # -- request limits: each breach is a 400 naming the setting (Elasticsearch's defaults as a guide)
    max_body_bytes: int = Field(
        1_000_000, ge=1_000, description="Largest request body accepted, in bytes."
    )
    max_query_length: int = Field(
        10_000, ge=10, description="Longest query string (Lens or query_string), in characters."
    )
    max_pattern_length: int = Field(
        1_000, ge=1, description="Longest wildcard, prefix or regular-expression pattern, in characters."
    )
    max_nesting_depth: int = Field(
        30, ge=2, description="Deepest nesting of query clauses and parentheses (Elasticsearch 8: 30)."
    )
    max_clauses: int = Field(
        1_024, ge=1, description="Most query clauses and terms in one request (Elasticsearch: 1,024 Boolean clauses)."
    )
    max_terms: int = Field(
        65_536, ge=1, description="Most values in one terms or ids query (Elasticsearch: 65,536)."
    )
    max_source_paths: int = Field(
        200, ge=1, description="Most entries in include or exclude."
    )
    max_slop: int = Field(
        100, ge=0, description="Largest phrase slop (\"a b\"~N, match_phrase slop)."
    )
    max_agg_depth: int = Field(
        2, ge=0, le=10, description="Levels of sub-aggregations below a top-level aggregation (Lens: two)."
    )
    max_buckets: int = Field(
        10_000, ge=1, le=65_535,
        description="Most buckets one aggregate request may answer with, all levels together.",
    )

    rate_limit: str | None = Field(
        None,
        description="Emulate Lens plan limits, e.g. '10/minute,5000/month,100000 records/month,1000/request' "
        "(answered with 429 and the retry-after headers); unset: no limit.",
    )

    @field_validator("rate_limit")
    @classmethod
    def _readable_rate_limit(cls, value: str | None) -> str | None:
        parse_rate_limit(value)  # refuse a bad value at start, naming the setting
        return value

    @field_validator("token")
    @classmethod
    def _usable_token(cls, value: str | None) -> str | None:
        check_token_setting(value)
        return value

    def writer_threads(self) -> int:
        threads = self.index_threads or max(1, min(4, (os.cpu_count() or 2) - 1))
        # tantivy wants at least 15 MB of the budget per thread: fewer threads, not an error
        return max(1, min(threads, self.index_heap_bytes // MIN_HEAP_PER_THREAD))


def check_token_setting(token: str | None) -> None:
    """Refuse a token no client could send: an empty one would otherwise switch auth off in silence.

    Raises :class:`MirrorError` (not a pydantic ``ValueError``) so the CLI shows it as one line.
    """
    if token is None:
        return
    if not token.strip():
        raise MirrorError(
            "LENS_MIRROR_TOKEN is set but empty; set it to the token clients must send, "
            "or unset it to serve without one"
        )
    if token != token.strip():
        raise MirrorError(
            "LENS_MIRROR_TOKEN starts or ends with whitespace, which no Authorization header can carry; remove it"
        )
