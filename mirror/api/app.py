"""The app factory: builds the FastAPI app over one backend. Nothing happens at import."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Depends, FastAPI, Path as PathParam, Query, Request
from fastapi.concurrency import run_in_threadpool

from mirror import PRODUCTS, __version__
from mirror.backends import Backend, open_backend
from mirror.catalogue import packaged_schema
from mirror.errors import NotYetSupported, Unauthorized, UnsupportedMediaType
from mirror.query.request import comma_list, search_body_from_params
from mirror.settings import Settings

from . import pipeline
from .errors import JSONResponse, install_error_handlers

PRODUCT = PathParam(..., description="scholarly or patent")


def _token_of(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.query_params.get("token") or (auth.strip() or None)


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> FastAPI:
    settings = settings or Settings()
    backend = backend or open_backend(settings.backend, settings.data_dir, settings.es_url)

    def check_token(request: Request) -> None:
        # Lens clients always send a token; it is ignored unless this mirror requires one.
        if settings.token and _token_of(request) != settings.token:
            raise Unauthorized("a valid token is required (Authorization: Bearer TOKEN, or token=TOKEN)")

    app = FastAPI(
        title="lens-mirror",
        version=__version__,
        description="An offline mirror of the Lens.org scholarly and patent search API.",
        default_response_class=JSONResponse,
        dependencies=[Depends(check_token)],
    )
    app.state.backend = backend
    install_error_handlers(app)

    @app.get("/", summary="What this mirror serves")
    def root() -> dict[str, Any]:
        return {"name": "lens-mirror", "version": __version__,
                "products": {p: {"records": backend.count(p)} for p in PRODUCTS}}

    @app.post("/{product}/search", summary="Search with a JSON body (Lens POST search)")
    async def post_search(request: Request, product: str = PRODUCT) -> JSONResponse:
        pipeline.check_product(product)
        content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if content_type not in ("application/json", "") and not content_type.endswith("+json"):
            raise UnsupportedMediaType(f"the body must be JSON (Content-Type: application/json), got {content_type!r}")
        raw = await request.body()
        try:
            body = orjson.loads(raw) if raw.strip() else {}
        except orjson.JSONDecodeError as exc:
            raise UnsupportedMediaType(f"the body is not valid JSON: {exc}") from None
        return JSONResponse(await run_in_threadpool(pipeline.search, backend, product, body))

    @app.get("/{product}/search", summary="Search with URL parameters (Lens GET search)")
    async def get_search(
        request: Request,
        product: str = PRODUCT,
        query: str | None = Query(None, description="A Lens query string"),
        size: str | None = Query(None), from_: str | None = Query(None, alias="from"),
        sort: str | None = Query(None, description="e.g. desc(year_published),asc(lens_id)"),
        include: str | None = Query(None), exclude: str | None = Query(None),
    ) -> JSONResponse:
        # The named parameters above document the endpoint in OpenAPI; the body is built from
        # every parameter given, so an unknown one is rejected by name like a POST body key.
        params = {k: v for k, v in request.query_params.items() if k != "token"}
        return JSONResponse(await run_in_threadpool(pipeline.search, backend, product, search_body_from_params(params)))

    @app.post("/{product}/aggregate", summary="Aggregations (not yet supported)")
    def aggregate(product: str = PRODUCT) -> None:
        pipeline.check_product(product)
        raise NotYetSupported("aggregation")

    @app.get("/schema/{product}", summary="The record schema")
    def schema(product: str = PRODUCT) -> dict[str, Any]:
        return packaged_schema(pipeline.check_product(product))

    @app.get("/{product}/{lens_id}", summary="One record by Lens ID")
    async def get_record(
        product: str = PRODUCT, lens_id: str = PathParam(...),
        include: str | None = Query(None), exclude: str | None = Query(None),
    ) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(
            pipeline.get_record, backend, product, lens_id, comma_list(include), comma_list(exclude)))

    return app
