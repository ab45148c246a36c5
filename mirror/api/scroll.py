"""Scrolls: Lens cursor paging, as a small table of cursors over backend snapshots.

A first request with ``scroll`` opens a *snapshot* (what the backend serves now,
pinned: see :mod:`mirror.backends.snapshots`), answers the first page and a
``scroll_id``. Each follow-up with that id answers the next page, from the same
snapshot, after the last record sent (``search_after`` on the full sort key, whose
last part is the unique Lens ID, so nothing is skipped or repeated), and a new id;
the old one is spent. When nothing is left the answer is 204 and the snapshot is
released. Every call renews the scroll's lifetime.

What is kept per scroll is small and fixed: the first request's compiled body, the
last sort key, a counter and the backend's handle; never a result set. The table is
bounded (``LENS_MIRROR_SCROLL_MAX_OPEN``: past it a new scroll is a 429) and
expired cursors are dropped lazily, on the next scroll call, so memory stays flat
however many scrolls clients abandon.

**The id** is ``base64url(version ‖ cursor key ‖ step ‖ MAC)``: the cursor key is
random (12 bytes) and looked up in the table, the step says which page the id is
for (a spent id is recognised as such), and an HMAC-SHA256 under a per-process
secret makes a forged or altered id a typed 400 before anything is looked up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from mirror.backends import Backend, Snapshot
from mirror.backends.snapshots import SnapshotGone
from mirror.errors import BadRequest, TooManyRequests, excerpt
from mirror.query.compile import check_source_paths
from mirror.query.limits import Limits
from mirror.query.request import SearchRequest
from mirror.query.scroll import check_follow_up, page_body, scroll_lifetime, source_filter

from .pipeline import shape_search

log = logging.getLogger("mirror.api.scroll")

ID_VERSION = 1
_KEY_BYTES, _MAC_BYTES = 12, 12
_ID = struct.Struct(f">B{_KEY_BYTES}sI")  # version, cursor key, step
_ID_BYTES = _ID.size + _MAC_BYTES
_MAX_ID_CHARS = 200  # far above a real id (40 characters): longer ones are not decoded at all


class ScrollIdError(BadRequest):
    """A ``scroll_id`` that is malformed, forged, spent, expired or finished: always a 400 that says which."""


@dataclass(eq=False)
class Cursor:
    product: str
    body: dict[str, Any]  # the first request's compiled body, without its projection
    source: dict[str, list[str]] | None  # the first request's projection (a follow-up may replace it)
    lifetime: float
    expires: float
    snapshot: Snapshot | None = None  # None once the last page was sent: the next call is the 204
    search_after: list[Any] | None = None
    step: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Scrolls:
    """Every open scroll of one server, and the rules of their ids."""

    def __init__(self, backend: Backend, max_open: int, max_lifetime: float,
                 clock: Callable[[], float] = time.monotonic, secret: bytes | None = None) -> None:
        self.backend, self.max_open, self.max_lifetime, self.clock = backend, max_open, max_lifetime, clock
        self._secret = secret or os.urandom(32)
        self._cursors: dict[bytes, Cursor] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._cursors)

    # -- the two requests ------------------------------------------------------------------
    def start(self, product: str, req: SearchRequest, body: dict[str, Any]) -> dict[str, Any] | None:
        """The first page of a new scroll over the compiled ``body`` (the search ``req`` compiled to)."""
        lifetime = scroll_lifetime(req.scroll, self.max_lifetime)
        source = body.get("_source")
        cursor = Cursor(product, {k: v for k, v in body.items() if k != "_source"}, source, lifetime,
                        self.clock() + lifetime)
        key = os.urandom(_KEY_BYTES)
        self._sweep()
        with self._lock:
            if len(self._cursors) >= self.max_open:
                raise TooManyRequests(
                    f"too many open scrolls ({len(self._cursors):,}, the limit LENS_MIRROR_SCROLL_MAX_OPEN); "
                    "finish a scroll (read it to its end) or wait for abandoned ones to expire, then retry")
            self._cursors[key] = cursor  # holds the place while the snapshot opens
        try:
            with cursor.lock:
                cursor.snapshot = self.backend.open_snapshot(product, lifetime)
                return self._page(key, cursor, source)
        except BaseException:
            self._drop(key, cursor)
            raise

    def follow(self, product: str, req: SearchRequest, limits: Limits) -> dict[str, Any] | None:
        """The next page of the scroll ``req.scroll_id`` names; None (a 204) when it is finished."""
        check_follow_up(req)
        key, step = self._decode(req.scroll_id or "")
        lifetime = None if req.scroll is None else scroll_lifetime(req.scroll, self.max_lifetime)
        source = None
        projected = req.include is not None or req.exclude is not None  # this page's own projection
        if projected:
            source = source_filter(check_source_paths(req.include, "include", product, limits),
                                   check_source_paths(req.exclude, "exclude", product, limits))
        self._sweep()
        with self._lock:
            cursor = self._cursors.get(key)
        if cursor is None:
            raise ScrollIdError(f"scroll_id {excerpt(req.scroll_id)} has expired or its scroll has finished; "
                                "start a new scroll")
        if cursor.product != product:
            raise ScrollIdError(f"scroll_id {excerpt(req.scroll_id)} belongs to a {cursor.product} scroll, "
                                f"not a {product} one")
        with cursor.lock:
            with self._lock:
                live = self._cursors.get(key) is cursor  # a sweep may have dropped it meanwhile
            if not live:
                raise ScrollIdError(f"scroll_id {excerpt(req.scroll_id)} has expired; start a new scroll")
            if step != cursor.step:
                raise ScrollIdError(f"scroll_id {excerpt(req.scroll_id)} was already used; each scroll_id is good "
                                    "for one page: send the one from the latest response")
            now = self.clock()
            if now > cursor.expires:
                self._drop(key, cursor)
                raise ScrollIdError(f"scroll_id {excerpt(req.scroll_id)} has expired; start a new scroll")
            cursor.lifetime = lifetime or cursor.lifetime
            cursor.expires = now + cursor.lifetime
            if cursor.snapshot is None:  # the last page went out before: now say it is over
                self._drop(key, cursor)
                return None
            try:
                return self._page(key, cursor, source if projected else cursor.source)
            except SnapshotGone:
                self._drop(key, cursor)
                raise

    # -- pages -----------------------------------------------------------------------------
    def _page(self, key: bytes, cursor: Cursor, source: dict[str, list[str]] | None) -> dict[str, Any] | None:
        """Search the next page (holding ``cursor.lock``); advance the cursor only once it succeeded."""
        assert cursor.snapshot is not None
        body = page_body(cursor.body, cursor.search_after, source)
        response = self.backend.search_snapshot(cursor.snapshot, body, cursor.lifetime)
        hits = response["hits"]["hits"]
        if not hits and cursor.step > 0:  # past the end: 204, and the context is gone
            self._drop(key, cursor)
            return None
        cursor.step += 1
        if hits:
            cursor.search_after = list(hits[-1]["sort"])
        if len(hits) < cursor.body["size"]:  # a short page is the last one: let the snapshot go now
            self._release(cursor)
        answer = shape_search(response, body)
        answer["scroll_id"] = self._encode(key, cursor.step)
        return answer

    # -- the table ---------------------------------------------------------------------------
    def _sweep(self) -> None:
        """Drop every expired cursor (lazily: on each scroll call)."""
        now = self.clock()
        with self._lock:
            # a cursor serving a page right now is left alone (and renewed by that page)
            expired = [(k, c) for k, c in self._cursors.items() if c.expires < now and not c.lock.locked()]
            for key, _ in expired:
                del self._cursors[key]
        for _, cursor in expired:
            self._release(cursor)

    def _drop(self, key: bytes, cursor: Cursor) -> None:
        with self._lock:
            if self._cursors.get(key) is cursor:
                del self._cursors[key]
        self._release(cursor)

    def _release(self, cursor: Cursor) -> None:
        snapshot, cursor.snapshot = cursor.snapshot, None
        if snapshot is not None:
            try:
                self.backend.close_snapshot(snapshot)
            except Exception:  # noqa: BLE001 - releasing is best effort; the snapshot expires anyway
                log.warning("could not release a %s scroll snapshot", cursor.product, exc_info=True)

    # -- ids -----------------------------------------------------------------------------------
    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def _encode(self, key: bytes, step: int) -> str:
        payload = _ID.pack(ID_VERSION, key, step)
        return base64.urlsafe_b64encode(payload + self._mac(payload)).decode().rstrip("=")

    def _decode(self, scroll_id: str) -> tuple[bytes, int]:
        shown = excerpt(scroll_id)
        if len(scroll_id) > _MAX_ID_CHARS:
            raise ScrollIdError(f"scroll_id {shown} is not a scroll_id this mirror issued (too long)")
        try:
            raw = base64.urlsafe_b64decode(scroll_id + "=" * (-len(scroll_id) % 4))
        except (binascii.Error, ValueError):
            raise ScrollIdError(f"scroll_id {shown} is malformed (not base64url)") from None
        if len(raw) != _ID_BYTES:
            raise ScrollIdError(f"scroll_id {shown} is malformed (not a scroll_id this mirror issued)")
        payload, mac = raw[:_ID.size], raw[_ID.size:]
        version, key, step = _ID.unpack(payload)
        if version != ID_VERSION:
            raise ScrollIdError(f"scroll_id {shown} has an unknown version ({version}); start a new scroll")
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise ScrollIdError(f"scroll_id {shown} was not issued by this server (altered, or from before a "
                                "restart); start a new scroll")
        return key, step
