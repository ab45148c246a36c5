"""Snapshots: what one scroll reads from its first page to its last, whatever is indexed meanwhile.

A backend pins what it serves when a scroll starts (:meth:`Backend.open_snapshot`),
answers each page from that pin (:meth:`Backend.search_snapshot`) and lets it go
when the scroll ends or expires (:meth:`Backend.close_snapshot`). The embedded
backend keeps the version's tantivy searcher (and a lease on its files, see
:mod:`mirror.backends.embedded.leases`); the engine backend opens a point in time.
"""

from __future__ import annotations

from dataclasses import dataclass

from mirror.errors import BadRequest


@dataclass(eq=False)
class Snapshot:
    """One backend's pin of one product, as the scroll that holds it sees it (subclassed per backend)."""

    product: str
    version: str  # what was served when it was taken (an index version, or the engine index)


class SnapshotGone(BadRequest):
    """The snapshot a scroll read is gone (the engine let its point in time go, its index was deleted)."""


__all__ = ["Snapshot", "SnapshotGone"]
