"""Search backends behind one small protocol: execute an Elasticsearch body, get a record."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol



class Backend(Protocol):
    def search(self, product: str, body: dict[str, Any]) -> dict[str, Any]:
        """Run a compiled search body; answer in Elasticsearch's response shape.

        A hit's ``_source`` may be an ``orjson.Fragment`` (the stored record's bytes,
        passed through unparsed); the API's orjson responses write it as it is.
        """

    def get(self, product: str, lens_id: str) -> dict[str, Any] | None:
        """One record by Lens ID, or None."""

    def count(self, product: str) -> int | None:
        """How many records the product's index holds (None: no index)."""



class EmbeddedBackend:
    """Serves the current version of each product's embedded index under ``data_dir``.

    The ``CURRENT`` pointer is checked on every call, so a version switch made by
    ``lens-mirror sync`` is picked up without restarting the server.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._open: dict[str, tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def _index(self, product: str, required: bool = True) -> Any:
        from .embedded import EmbeddedIndex, IndexUnavailable, current_version

        version = current_version(self.data_dir, product)
        if version is None:
            if not required:
                return None
            raise IndexUnavailable(f"there is no {product} index under {self.data_dir} yet; build one with "
                          f"'lens-mirror index --product {product} --data-dir {self.data_dir} CHUNKS'")
        with self._lock:
            opened = self._open.get(product)
            if opened is None or opened[0] != version:
                index = EmbeddedIndex.open_version(self.data_dir, product, version)
                opened = self._open[product] = (version, index)
        return opened[1]

    def search(self, product: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._index(product).search(body)

    def get(self, product: str, lens_id: str) -> dict[str, Any] | None:
        return self._index(product).get(lens_id)

    def count(self, product: str) -> int | None:
        index = self._index(product, required=False)
        return None if index is None else index.count()


def open_backend(kind: str, data_dir: Path, es_url: str | None = None) -> Backend:
    if kind == "embedded":
        return EmbeddedBackend(data_dir)
    raise ValueError(f"unknown backend {kind!r} (the elasticsearch backend arrives in a later release)")


__all__ = ["Backend", "EmbeddedBackend", "open_backend"]
