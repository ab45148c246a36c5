"""``/docs`` and ``/redoc`` that work offline: the UI's scripts and styles come from this server.

FastAPI's pages load Swagger UI and ReDoc from a CDN, so without internet they are
blank. The assets ship in the ``fastapi-offline`` package (Swagger UI 5 and ReDoc 2
bundles, and a favicon); they are served here under :data:`ASSETS`, and the pages
name only those. A browser cannot add a header, so when the server wants a token the
pages opened as ``/docs?token=T`` pass the same token on every URL they load.
"""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .middleware import token_matches

#: Where the UI assets are served.
ASSETS = "/docs-assets"


def install_docs(app: FastAPI, token: str | None) -> None:
    """Add ``/docs``, ``/redoc`` and their assets to ``app`` (none of them in the OpenAPI document)."""
    app.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")

    def with_token(request: Request, url: str) -> str:
        # Only a token that is right is echoed into the page (never a stranger's text).
        offered = request.query_params.get("token")
        return f"{url}?{urlencode({'token': offered})}" if token and offered and token_matches(offered, token) else url

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=with_token(request, str(app.openapi_url)), title=f"{app.title} - Swagger UI",
            swagger_js_url=with_token(request, f"{ASSETS}/swagger-ui-bundle.js"),
            swagger_css_url=with_token(request, f"{ASSETS}/swagger-ui.css"),
            swagger_favicon_url=with_token(request, f"{ASSETS}/favicon.png"),
            # No validator badge: it is an image fetched from swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=with_token(request, str(app.openapi_url)), title=f"{app.title} - ReDoc",
            redoc_js_url=with_token(request, f"{ASSETS}/redoc.standalone.js"),
            redoc_favicon_url=with_token(request, f"{ASSETS}/favicon.png"),
            with_google_fonts=False,
        )


__all__ = ["ASSETS", "install_docs"]
