"""What every request passes through before routing: one trailing slash dropped, the token checked.

Both are plain ASGI middleware so that they cover every route, FastAPI's own
(``/openapi.json``, the docs pages) and unknown paths included.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from urllib.parse import parse_qsl

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


__all__ = ["DropTrailingSlash", "RequireToken", "offered_tokens", "token_matches"]
