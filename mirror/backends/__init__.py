"""Search backends behind one small protocol: execute an Elasticsearch body, get a record."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mirror import PRODUCTS
from mirror.errors import MirrorError

from .snapshots import Snapshot

if TYPE_CHECKING:
    from mirror.settings import Settings

    from .embedded import EmbeddedIndex
    from .embedded.leases import Leases

log = logging.getLogger("mirror.backends")

#: How long a version that failed to open is left alone before it is tried again.
RETRY_BROKEN_SECONDS = 10.0


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

    def check(self) -> dict[str, int]:
        """Open what will be served now, and say how many records each product has.

        Raises :class:`ServiceUnavailable` (with what to do) when nothing can be
        served or what is there is broken: ``serve`` refuses to start on it.
        """

    # -- scrolls (see mirror.backends.snapshots) --
    def open_snapshot(self, product: str, keep_alive: float) -> Snapshot:
        """Pin what ``product`` serves now, for ``keep_alive`` seconds (renewed by each search)."""

    def search_snapshot(self, snapshot: Snapshot, body: dict[str, Any], keep_alive: float) -> dict[str, Any]:
        """Run a compiled body (with ``search_after`` past the first page) on the pinned data."""

    def close_snapshot(self, snapshot: Snapshot) -> None:
        """Let the pin go (best effort: never raises)."""


class EmbeddedBackend:
    """Serves the current version of each product's embedded index under ``data_dir``.

    The ``CURRENT`` pointer is checked on every call, so a version switch made by
    ``lens-mirror sync`` is picked up without restarting the server. A version is
    checked when it is opened (see ``EmbeddedIndex.open_version``); if the one
    ``CURRENT`` switches to is broken, the version already open keeps being served
    and the refusal is logged (retried every ``RETRY_BROKEN_SECONDS``), so a bad
    switch never takes a working mirror down. With nothing good open, requests
    get a 503 saying what is wrong.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._open: dict[str, tuple[str, EmbeddedIndex]] = {}
        self._refused: dict[str, tuple[str, float]] = {}  # product → (version, when) that failed to open
        self._lock = threading.Lock()
        self._leases: Leases | None = None

    def _index(self, product: str, required: bool = True) -> EmbeddedIndex | None:
        from .embedded import EmbeddedIndex, IndexUnavailable, current_version

        version = current_version(self.data_dir, product)
        with self._lock:
            opened = self._open.get(product)
            if version is None or (opened is not None and opened[0] == version):
                if opened is not None:
                    return opened[1]
                if not required:
                    return None
                raise IndexUnavailable(
                    f"there is no {product} index under {self.data_dir} yet; build one with "
                    f"'lens-mirror index --product {product} --data-dir {self.data_dir} CHUNKS'"
                )
            refused = self._refused.get(product)
            if opened is not None and refused is not None and refused[0] == version \
                    and time.monotonic() - refused[1] < RETRY_BROKEN_SECONDS:
                return opened[1]
            try:
                index = EmbeddedIndex.open_version(self.data_dir, product, version)
            except IndexUnavailable as exc:
                if opened is None:
                    raise
                if refused is None or refused[0] != version:
                    log.error("not switching %s to version %r: %s; still serving %r",
                              product, version, exc.message, opened[0])
                self._refused[product] = (version, time.monotonic())
                return opened[1]
            self._open[product] = (version, index)
            self._refused.pop(product, None)
            return index

    def _required(self, product: str) -> EmbeddedIndex:
        index = self._index(product)
        assert index is not None
        return index

    def search(self, product: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._required(product).search(body)

    def get(self, product: str, lens_id: str) -> dict[str, Any] | None:
        return self._required(product).get(lens_id)

    def count(self, product: str) -> int | None:
        index = self._index(product, required=False)
        return None if index is None else index.count()

    @property
    def leases(self) -> Leases:
        from .embedded.leases import Leases

        with self._lock:
            if self._leases is None:
                self._leases = Leases(self.data_dir)
            return self._leases

    def open_snapshot(self, product: str, keep_alive: float) -> Snapshot:
        from .embedded.snapshots import open_snapshot

        self._required(product)  # opens (or switches to) what CURRENT names
        with self._lock:
            version, index = self._open[product]  # one consistent pair, even if a switch just happened
        return open_snapshot(index, product, version, self.leases, keep_alive)

    def search_snapshot(self, snapshot: Snapshot, body: dict[str, Any], keep_alive: float) -> dict[str, Any]:
        from .embedded.snapshots import EmbeddedSnapshot, search_snapshot

        assert isinstance(snapshot, EmbeddedSnapshot)
        return search_snapshot(snapshot, body, self.leases, keep_alive)

    def close_snapshot(self, snapshot: Snapshot) -> None:
        from .embedded.snapshots import EmbeddedSnapshot, close_snapshot

        if isinstance(snapshot, EmbeddedSnapshot):
            close_snapshot(snapshot, self.leases)

    def check(self) -> dict[str, int]:
        from .embedded import IndexUnavailable

        counts = {p: index.count() for p in PRODUCTS if (index := self._index(p, required=False)) is not None}
        if not counts:
            raise IndexUnavailable(
                f"{self.data_dir}: no index yet; run 'lens-mirror index' (or 'lens-mirror demo') first"
            )
        return counts


def open_backend(settings: Settings) -> Backend:
    """The read side of ``settings.backend``; the engine one is reached lazily, on first use."""
    if settings.backend == "embedded":
        return EmbeddedBackend(settings.data_dir)
    if settings.backend == "elasticsearch":
        from .engine import EngineBackend

        return EngineBackend(settings.es_url, index_prefix=settings.es_index_prefix, timeout=settings.es_timeout)
    raise MirrorError(f"LENS_MIRROR_BACKEND={settings.backend!r}: unknown backend; use 'embedded' or 'elasticsearch'")


__all__ = ["Backend", "EmbeddedBackend", "Snapshot", "open_backend"]
