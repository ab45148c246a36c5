"""One JSON error shape for every endpoint and every failure.

``{"status": 400, "error": "Bad Request", "message": "...", "path": "/scholarly/search"}``
(the shape Lens's own API answers errors with). Bad input is never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse as StarletteJSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from mirror.errors import MirrorError
from mirror.query.request import describe_validation_error

log = logging.getLogger("mirror.api")


class JSONResponse(StarletteJSONResponse):
    """JSON rendered by orjson straight from plain data (no jsonable_encoder pass).

    A JSONResponse subclass, so that OpenAPI documents each route's response model.
    """

    def render(self, content: object) -> bytes:
        return orjson.dumps(content)


#: Longest message an error carries: messages quote the client's input, which may be megabytes.
MAX_MESSAGE_CHARS = 500


def error_body(status: int, title: str, message: str, path: str) -> dict[str, object]:
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    if len(path) > MAX_MESSAGE_CHARS:
        path = path[: MAX_MESSAGE_CHARS - 1] + "…"
    return {"status": status, "error": title, "message": message, "path": path}


def error_response(request: Request, status: int, title: str, message: str,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, title, message, request.url.path), status_code=status, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on this path (Starlette's Allow names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if getattr(route, "methods", None) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MirrorError)
    async def lens_error(request: Request, exc: MirrorError) -> JSONResponse:
        return error_response(request, exc.status, exc.title, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(request, 400, "Bad Request", describe_validation_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not Found", 405: "Method Not Allowed"}
        message = "no such endpoint" if exc.status_code == 404 else str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return error_response(request, exc.status_code, titles.get(exc.status_code, "Error"), message, headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500, "Internal Server Error", f"unexpected error: {type(exc).__name__}")


__all__ = ["MAX_MESSAGE_CHARS", "JSONResponse", "error_body", "error_response", "install_error_handlers"]
