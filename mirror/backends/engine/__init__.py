"""The engine backend: serves each product from Elasticsearch 8.x or OpenSearch 2.x.

It reads through one alias per product, ``{prefix}-{product}`` (``lens-mirror-scholarly``,
``lens-mirror-patent``), which the indexer points at the live versioned index. The
compiled body is sent unchanged and the engine's response returned as it is: the
API shapes it exactly as it shapes the embedded backend's. Documents are stored
with the Lens ID as ``_id``.

The engine is detected on first use, not at construction, so that building the
app never touches the network; until it answers, each call tries again and fails
with a 503 that says why.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

from mirror import PRODUCTS
from mirror.backends.snapshots import Snapshot, SnapshotGone
from mirror.errors import ServiceUnavailable

from .client import DEFAULT_TIMEOUT, EngineClient, EngineError, EngineInfo, IndexMissing, check_url, connect

DEFAULT_PREFIX = "lens-mirror"
#: A point in time outlives its scroll's own lifetime by this much, so the scroll table
#: (which answers an expired id with a 400) always decides first.
PIT_MARGIN_SECONDS = 30


@dataclass(eq=False)
class EngineSnapshot(Snapshot):
    pit_id: str = ""


def _keep_alive(seconds: float) -> str:
    return f"{math.ceil(seconds) + PIT_MARGIN_SECONDS}s"


def alias_name(prefix: str, product: str) -> str:
    """The read alias a product is served from."""
    return f"{prefix}-{product}"


class EngineBackend:
    """The :class:`mirror.backends.Backend` protocol over a search engine's read aliases."""

    def __init__(self, url: str | None, index_prefix: str = DEFAULT_PREFIX, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = check_url(url)
        self.index_prefix = index_prefix
        self.timeout = timeout
        self._client: EngineClient | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> EngineClient:
        with self._lock:
            if self._client is None:
                self._client = connect(self.url, self.timeout)
            return self._client

    @property
    def info(self) -> EngineInfo:
        return self.client.info

    def alias(self, product: str) -> str:
        return alias_name(self.index_prefix, product)

    def search(self, product: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._whole(product, self.client.search(self.alias(product), body))

    def _whole(self, product: str, response: dict[str, Any]) -> dict[str, Any]:
        # An engine answers from the shards it could reach; a partial answer would look
        # like missing records to every client, so it is refused, never passed on.
        shards = response.get("_shards") or {}
        if shards.get("failed") or response.get("timed_out"):
            raise ServiceUnavailable(
                f"{self.info} answered a {product} search from {shards.get('successful', '?')} of "
                f"{shards.get('total', '?')} shards{' (timed out)' if response.get('timed_out') else ''}; "
                "a partial answer is not served: check the cluster's health"
            )
        return response

    def get(self, product: str, lens_id: str) -> dict[str, Any] | None:
        return self.client.get(self.alias(product), lens_id)

    def count(self, product: str) -> int | None:
        try:
            return self.client.count(self.alias(product))
        except IndexMissing:
            return None

    def open_snapshot(self, product: str, keep_alive: float) -> Snapshot:
        return EngineSnapshot(product, self.alias(product), self.client.open_pit(self.alias(product),
                                                                                 _keep_alive(keep_alive)))

    def search_snapshot(self, snapshot: Snapshot, body: dict[str, Any], keep_alive: float) -> dict[str, Any]:
        assert isinstance(snapshot, EngineSnapshot)
        try:
            response = self.client.search_pit(snapshot.pit_id, body, _keep_alive(keep_alive))
        except EngineError as exc:
            if exc.engine_status == 404:  # search_context_missing: expired there, or its index was deleted
                raise SnapshotGone(f"the scroll's point in time is gone from {self.info} (it expired there, or "
                                   f"its index was deleted); start a new scroll") from None
            raise
        snapshot.pit_id = response.get("pit_id") or snapshot.pit_id
        return self._whole(product=snapshot.product, response=response)

    def close_snapshot(self, snapshot: Snapshot) -> None:
        if isinstance(snapshot, EngineSnapshot):
            try:
                self.client.close_pit(snapshot.pit_id)
            except ServiceUnavailable:
                pass  # it expires on the engine by itself

    def check(self) -> dict[str, int]:
        counts = {p: n for p in PRODUCTS if (n := self.count(p)) is not None}
        if not counts:
            aliases = ", ".join(self.alias(p) for p in PRODUCTS)
            raise ServiceUnavailable(
                f"{self.info} has none of the indexes lens-mirror serves ({aliases}); "
                "load one with 'lens-mirror index --backend elasticsearch' first"
            )
        return counts


__all__ = ["DEFAULT_PREFIX", "EngineBackend", "EngineClient", "EngineInfo", "alias_name", "connect"]
