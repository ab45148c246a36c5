"""Waiting for an index's replicas before it is served.

An index loads without replicas; once given its serving settings the engine
copies each shard to ``es_replicas`` other nodes, and until then the index is
yellow: one node lost and some of it is gone. A switch therefore waits for the
index to be green (cluster health of that index only), in slices shorter than
the client's own request timeout, up to ``es_replica_wait`` seconds. Replicas
that can never be placed (more replicas than other data nodes) keep it yellow
for good: the refusal says so and what to change.
"""

from __future__ import annotations

import time
from typing import Any

from mirror.errors import ServiceUnavailable

from .client import EngineClient, EngineError

#: Seconds one health request may wait on the engine (below every client timeout we set).
SLICE_SECONDS = 20


def wait_for_replicas(client: EngineClient, index: str, timeout: float, what: str) -> dict[str, Any]:
    """Wait until ``index`` is green; its cluster health then. ``what`` opens the refusal's message
    (:class:`~mirror.errors.ServiceUnavailable`) when it is not green within ``timeout`` seconds."""
    started = time.monotonic()
    while True:
        left = timeout - (time.monotonic() - started)
        wait = max(0, min(SLICE_SECONDS, int(left)))
        try:
            # in the path: opensearch-py takes a "timeout" parameter for its own request timeout
            health: dict[str, Any] = client.request(
                "GET", f"/_cluster/health/{index}?wait_for_status=green&timeout={wait}s")
        except EngineError as exc:
            if exc.engine_status != 408:  # 408: still not green when this slice ended
                raise
        else:
            if health.get("status") == "green" and not health.get("timed_out"):
                return health
        if time.monotonic() - started >= timeout:
            break
    health = client.request("GET", f"/_cluster/health/{index}")
    nodes = int(health.get("number_of_data_nodes", 0))
    raise ServiceUnavailable(
        f"{what}: the index {index!r} is still {health.get('status', '?')} after {timeout:,.0f} s "
        f"({health.get('unassigned_shards', '?')} shard copies unassigned, "
        f"{health.get('initializing_shards', '?')} being copied; {nodes} data node(s)). A replica is placed only "
        f"on a node without a copy of its shard, so LENS_MIRROR_ES_REPLICAS must be below the number of data "
        f"nodes ({max(nodes - 1, 0)} here): lower it or add nodes, or raise LENS_MIRROR_ES_REPLICA_WAIT if the "
        "cluster is still copying; the loaded index is kept, and the switch is retried by running the command again"
    )


__all__ = ["wait_for_replicas"]
