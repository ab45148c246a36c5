"""What every request passes through before routing: one trailing slash dropped, the token checked.

Both are plain ASGI middleware so that they cover every route, FastAPI's own
(``/openapi.json``, the docs pages) and unknown paths included. ``serve`` adds a
third, :class:`ReleaseMemoryWhenIdle`, around the whole app.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import hmac
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import JSONResponse, error_body


class DropTrailingSlash:
    """Serve ``/scholarly/search/`` as ``/scholarly/search``.

    Starlette would answer a 307 instead, before any auth check, with a ``Location``
    built from the client's ``Host`` header; a Lens client expects the answer itself.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope["path"]) > 1 and scope["path"].endswith("/"):
            scope = dict(scope, path=scope["path"][:-1])
            raw = scope.get("raw_path")
            if raw and raw.endswith(b"/"):
                scope["raw_path"] = raw[:-1]
        await self.app(scope, receive, send)


def offered_tokens(scope: Scope) -> Iterator[str]:
    """The tokens a request carries: ``Authorization: Bearer T``, a bare ``Authorization: T``, ``token=T``."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            scheme, _, rest = text.partition(" ")
            yield rest.strip() if scheme.lower() == "bearer" and rest.strip() else text
    query = scope.get("query_string", b"")
    if b"token=" in query:
        for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if key == "token":
                yield value


def token_matches(offered: str, token: str) -> bool:
    """Constant-time comparison, so response times do not reveal how much of a guess was right."""
    return hmac.compare_digest(offered.encode("utf-8", "surrogateescape"), token.encode("utf-8"))


class RequireToken:
    """Answer 401 (the Lens error shape) to any request that does not carry the token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(token_matches(t, self.token) for t in offered_tokens(scope)):
            message = "a valid token is required (Authorization: Bearer TOKEN, or token=TOKEN in the URL)"
            response = JSONResponse(error_body(401, "Unauthorized", message, scope["path"]), status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``malloc_trim`` and ``mallopt``), else None (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim.argtypes, libc.mallopt.argtypes = [ctypes.c_size_t], [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):
        return None
    return libc


class ReleaseMemoryWhenIdle:
    """Give the memory a burst of requests freed back to the system once nothing is in flight.

    glibc keeps what a request frees for reuse, in the arena of the thread that freed
    it: after 10,000 adversarial requests from 8 clients (scripts/fuzz) the server held
    ~230 MB of free heap for 17 MB in use, as before the run (malloc_info), and kept it.
    ``malloc_trim(0)`` returns the free pages of every arena. It walks them all (up to
    hundreds of ms on a big heap), so it runs on a worker thread, once per quiet spell:
    when no request has been in flight for ``idle`` seconds, never while any is served.
    """

    def __init__(self, app: ASGIApp, idle: float = 1.0, trim: Callable[[], object] | None = None) -> None:
        self.app = app
        self.idle = idle
        libc = glibc() if trim is None else None
        self.trim = trim or (None if libc is None else lambda: libc.malloc_trim(0))
        self.in_flight = 0
        self.generation = 0  # requests started so far: a quiet spell is one in which it does not move
        self.trimming: asyncio.Task[None] | None = None
        self.trims = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.trim is None:
            await self.app(scope, receive, send)
            return
        self.in_flight += 1
        self.generation += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                asyncio.get_running_loop().call_later(self.idle, self._quiet, self.generation)

    def _quiet(self, generation: int) -> None:
        if self.in_flight or generation != self.generation or self.trimming is not None:
            return
        self.trimming = asyncio.get_running_loop().create_task(self._trim())

    async def _trim(self) -> None:
        assert self.trim is not None
        try:
            await anyio.to_thread.run_sync(self.trim)
            self.trims += 1
        finally:
            self.trimming = None


__all__ = ["DropTrailingSlash", "ReleaseMemoryWhenIdle", "RequireToken", "glibc", "offered_tokens", "token_matches"]
