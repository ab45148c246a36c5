"""The embedded backend's snapshots: a version's tantivy searcher, held open for one scroll.

A tantivy ``Searcher`` reads the segments it was made with, whatever is committed
or switched to afterwards, so holding one is the whole snapshot; the index object
stays open with it even when ``CURRENT`` has moved on. A lease
(:mod:`.leases`) keeps ``sync`` from deleting the version's files meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

import tantivy

from mirror.backends.snapshots import Snapshot

from .leases import Leases
from .paging import after_page
from .store import EmbeddedIndex

_holders = count(1)


@dataclass(eq=False)
class EmbeddedSnapshot(Snapshot):
    index: EmbeddedIndex | None = None
    searcher: tantivy.Searcher | None = None
    position: int = 0  # records sent so far: where the next page starts (a hint for deep pages)
    holder: int = field(default_factory=lambda: next(_holders))


def open_snapshot(index: EmbeddedIndex, product: str, version: str, leases: Leases,
                  keep_alive: float) -> EmbeddedSnapshot:
    snapshot = EmbeddedSnapshot(product, version, index, index.searcher())
    leases.hold(product, version, snapshot.holder, keep_alive)
    return snapshot


def search_snapshot(snapshot: EmbeddedSnapshot, body: dict[str, Any], leases: Leases,
                    keep_alive: float) -> dict[str, Any]:
    index, searcher = snapshot.index, snapshot.searcher
    assert index is not None and searcher is not None, "a closed snapshot is never searched"
    leases.hold(snapshot.product, snapshot.version, snapshot.holder, keep_alive)
    with index._readable():
        response = after_page(index.runner(searcher), body, snapshot.position)
    snapshot.position += len(response["hits"]["hits"])
    return response


def close_snapshot(snapshot: EmbeddedSnapshot, leases: Leases) -> None:
    snapshot.index = snapshot.searcher = None  # the segments go when the last reference does
    leases.release(snapshot.product, snapshot.version, snapshot.holder)
