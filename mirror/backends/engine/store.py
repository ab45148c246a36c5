"""The engine backend's :class:`~mirror.backends.writing.IndexStore`: one index per product
and version, ``{prefix}-{product}-{version}``, and the read alias ``{prefix}-{product}``.

* A version is created from ``mappings/{product}.json`` with load settings (no
  refresh, no replicas, ``es_shards`` primaries) and given serving settings
  (refresh back on, ``es_replicas`` replicas) when its writer closes after a
  clean load, and again at the switch.
* ``check`` counts the version (commits refresh it: what it counts is what was
  committed, not what an interrupted load sent since), refuses an index that
  holds fewer documents than its last checkpoint counted, and makes it answer
  a search.
* ``switch`` checks, gives the version its serving settings, waits until its
  replicas are assigned (the index is green, at most ``es_replica_wait``
  seconds; else it refuses, saying why), then moves the alias in one
  ``_aliases`` call (remove from the served index + add to the new one), so
  readers see one or the other.
* ``remove`` deletes the index, never the served one.
* ``writer`` first takes the version's writer lock (:mod:`.lock`): a second
  writer of the same version is refused, naming the one that holds it.

Every call goes through the engine adapter's ``request`` (the same REST calls on
Elasticsearch 8 and OpenSearch 2); the client is connected on first use.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import Any

import orjson

from mirror.backends.writing import VersionInUse
from mirror.errors import MirrorError, ServiceUnavailable
from mirror.settings import Settings

from . import alias_name
from .bulk import LOAD_SETTINGS, STATE_KEY, EngineVersionWriter, serving_settings
from .client import EngineClient, EngineError, IndexMissing, check_url, connect
from .health import wait_for_replicas
from .lock import EngineWriterLock

#: The generated index definitions (``lens-mirror mappings`` writes them).
MAPPINGS_DIR = Path(__file__).resolve().parents[3] / "mappings"
#: Seconds a write request may take: longer than a search's (a 5 MB bulk on a busy node).
MIN_WRITE_TIMEOUT = 120.0
_VERSION_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def mapping_source(product: str) -> bytes:
    path = MAPPINGS_DIR / f"{product}.json"
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MirrorError(f"{path}: cannot read the index definition of {product} ({exc.strerror}); "
                          "regenerate it with 'lens-mirror mappings'") from None


class EngineStore:
    """Every product's versioned indexes on the engine at ``settings.es_url``."""

    backend = "elasticsearch"

    def __init__(self, settings: Settings, client: EngineClient | None = None) -> None:
        self.settings = settings
        self.url = check_url(settings.es_url)
        self.prefix = settings.es_index_prefix
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> EngineClient:
        with self._lock:
            if self._client is None:
                self._client = connect(self.url, max(self.settings.es_timeout, MIN_WRITE_TIMEOUT), retries=0,
                                       connections=self.settings.es_bulk_workers + 2)
            return self._client

    def index_name(self, product: str, version: str) -> str:
        if not _VERSION_RE.match(version):
            raise MirrorError(f"{version!r} cannot name an engine index version: use lower-case letters, "
                              "digits, '.', '_' and '-' (at most 100)")
        return f"{self.prefix}-{product}-{version}"

    def quarantine_path(self, product: str, version: str) -> Path:
        return self.settings.data_dir / "quarantine" / f"{product}-{version}.jsonl"

    def serving(self, product: str) -> str | None:
        try:
            found = self.client.request("GET", f"/_alias/{alias_name(self.prefix, product)}")
        except EngineError as exc:
            if exc.engine_status == 404:
                return None
            raise
        start = f"{self.prefix}-{product}-"
        names = [name for name in found if name.startswith(start)]
        return names[0][len(start):] if names else None

    def versions(self, product: str) -> list[str]:
        start = f"{self.prefix}-{product}-"
        rows = self.client.request("GET", f"/_cat/indices/{start}*",
                                   params={"format": "json", "h": "index", "expand_wildcards": "all"})
        return sorted(row["index"][len(start):] for row in rows if row["index"].startswith(start))

    def writer(self, product: str, version: str, *, fresh: bool = False) -> EngineVersionWriter:
        index = self.index_name(product, version)
        lock = EngineWriterLock(self.client, self.prefix, index)  # before anything is deleted or written
        lock.acquire()
        try:
            return self._writer(product, version, index, lock, fresh)
        except BaseException:
            lock.release()
            raise

    def _writer(self, product: str, version: str, index: str, lock: EngineWriterLock,
                fresh: bool) -> EngineVersionWriter:
        quarantine = self.quarantine_path(product, version)
        if fresh:
            self._delete(index)
            quarantine.unlink(missing_ok=True)
        source = mapping_source(product)
        digest = hashlib.sha256(source).hexdigest()
        meta = self._meta(index)
        if meta is None:
            meta = self._create(index, source, digest)
        else:
            built = meta.get(STATE_KEY, {}).get("mapping") if isinstance(meta.get(STATE_KEY), dict) else None
            if built != digest:
                what = "was not built by lens-mirror" if built is None else "was built from another mapping"
                raise ServiceUnavailable(f"{self.client.info}: the index {index!r} {what} than "
                                         f"mappings/{product}.json; rebuild it (index --rebuild)")
            self.client.request("PUT", f"/{index}/_settings", LOAD_SETTINGS)
        quarantine.parent.mkdir(parents=True, exist_ok=True)
        return EngineVersionWriter(self.client, index, product, self.settings, meta, quarantine, lock)

    def check(self, product: str, version: str) -> int:
        index = self.index_name(product, version)
        meta = self._meta(index)
        if meta is None:
            raise IndexMissing(f"{self.client.info} has no index {index!r}")
        documents = self.client.count(index)
        self.client.request("POST", f"/{index}/_search", {"size": 0, "query": {"match_all": {}}})
        state = meta.get(STATE_KEY)
        committed = state.get("documents") if isinstance(state, dict) else None
        if isinstance(committed, int) and documents < committed:
            raise ServiceUnavailable(f"{self.client.info}: the index {index!r} holds {documents:,} documents where "
                                     f"its last checkpoint counted {committed:,}; rebuild it (index --rebuild)")
        return documents

    def switch(self, product: str, version: str) -> None:
        index = self.index_name(product, version)
        try:
            self.check(product, version)
        except ServiceUnavailable as exc:
            raise ServiceUnavailable(f"not switching {product} to version {version!r}: {exc.message}") from None
        self.client.request("PUT", f"/{index}/_settings", serving_settings(self.settings))
        wait_for_replicas(self.client, index, self.settings.es_replica_wait, f"not switching {product} to "
                          f"version {version!r}")
        alias = alias_name(self.prefix, product)
        served = self.serving(product)
        actions: list[dict[str, Any]] = []
        if served is not None and served != version:
            actions.append({"remove": {"index": self.index_name(product, served), "alias": alias}})
        actions.append({"add": {"index": index, "alias": alias}})
        self.client.request("POST", "/_aliases", {"actions": actions})

    def remove(self, product: str, version: str) -> None:
        index = self.index_name(product, version)
        if self.serving(product) == version:
            raise ServiceUnavailable(f"not removing {index!r}: it is the version of {product} being served "
                                     f"(switch to another first)")
        if self._open_contexts(index):
            raise VersionInUse(f"keeping {index!r}: a scroll (point in time) still reads it")
        self._delete(index)

    def _open_contexts(self, index: str) -> int:
        """Search contexts open on ``index``: points in time count (a scroll started before the switch)."""
        try:
            stats = self.client.request("GET", f"/{index}/_stats/search")
        except IndexMissing:
            return 0
        return int(stats.get("_all", {}).get("total", {}).get("search", {}).get("open_contexts", 0))

    # -- helpers --------------------------------------------------------------------------------

    def _meta(self, index: str) -> dict[str, Any] | None:
        """The index's ``_meta``, or None when there is no such index."""
        try:
            found = self.client.request("GET", f"/{index}/_mapping")
        except IndexMissing:
            return None
        first: dict[str, Any] = next(iter(found.values()), {})
        mapping: dict[str, Any] = first.get("mappings", {})
        meta = mapping.get("_meta")
        return dict(meta) if isinstance(meta, dict) else {}

    def _create(self, index: str, source: bytes, digest: str) -> dict[str, Any]:
        body = orjson.loads(source)
        body["settings"] = {**body.get("settings", {}), "number_of_shards": self.settings.es_shards,
                            **LOAD_SETTINGS["index"]}
        meta = {**body["mappings"].get("_meta", {}), STATE_KEY: {"chunks": {}, "documents": 0, "mapping": digest}}
        body["mappings"]["_meta"] = meta
        try:
            self.client.request("PUT", f"/{index}", body)
        except EngineError as exc:
            if exc.engine_status == 400 and "resource_already_exists" in exc.message:
                return self._meta(index) or meta  # another writer created it first
            raise
        return meta

    def _delete(self, index: str) -> None:
        try:
            self.client.request("DELETE", f"/{index}")
        except IndexMissing:
            pass


__all__ = ["EngineStore", "mapping_source"]
