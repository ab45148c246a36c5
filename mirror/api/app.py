"""The app factory: builds the FastAPI app over one backend. Nothing happens at import."""

from __future__ import annotations

from typing import Any, Callable

import anyio
import orjson
from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.convertors import CONVERTOR_TYPES, Convertor

from mirror import PRODUCTS, __version__
from mirror.backends import Backend, open_backend
from mirror.catalogue import packaged_schema
from mirror.errors import (
    BadRequest,
    LimitExceeded,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)
from mirror.plans import parse_rate_limit
from mirror.query.limits import Limits
from mirror.query.request import comma_list, search_body_from_params
from mirror.settings import Settings, check_token_setting

from . import pipeline
from .aggregations import aggregate_request_body, aggregate_response_model
from .docs import install_docs
from .errors import JSONResponse, install_error_handlers
from .middleware import DropTrailingSlash, RequireToken
from .models import (
    PRODUCT_SCHEMA,
    MirrorInfo,
    Record,
    RecordSchema,
    SearchResponse,
    error_responses,
    search_request_schema,
)
from .ratelimit import HEADERS, Meter, RateLimits, count_records
from .scroll import Scrolls
from .usage import usage_router

# A plain string, so that an unknown product reaches check_product (a Lens 404), not
# FastAPI's validation (a 400); the enum tells clients and fuzzers the two that exist.
PRODUCT = PathParam(..., description="scholarly or patent", json_schema_extra=PRODUCT_SCHEMA)

LENS_ID_PATTERN = r"[0-9]{3}-[0-9]{3}-[0-9]{3}-[0-9]{3}-[0-9]{2}[0-9X]"
LENS_ID = PathParam(..., description="A Lens ID, e.g. 031-156-664-516-153",
                    json_schema_extra={"pattern": f"^{LENS_ID_PATTERN}$"})


class LensIdConvertor(Convertor[str]):
    """``{lens_id:lens_id}`` matches Lens-ID-shaped path segments only."""

    regex = LENS_ID_PATTERN

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value

SEARCH_BODY = {
    "requestBody": {
        "required": False,
        "description": "A Lens search request; an empty body searches everything.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchRequest"}}},
    }
}


#: The answer to a scroll_id whose scroll has nothing left (Lens: 204, no body).
SCROLL_DONE: dict[int | str, dict[str, Any]] = {
    204: {"description": "The scroll has nothing left; its scroll_id is released"}}


def search_answer(request: Request, answer: dict[str, Any] | None) -> Response:
    """A search's answer, its records counted for the rate limits; None is a finished scroll's 204."""
    count_records(request, 0 if answer is None else answer["results"])
    return Response(status_code=204) if answer is None else JSONResponse(answer)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it passes ``limit`` bytes (never buffered whole first)."""
    def too_big() -> LimitExceeded:
        return LimitExceeded(f"the request body is larger than {limit:,} bytes (LENS_MIRROR_MAX_BODY_BYTES)")

    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big()
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json_body(request: Request, limit: int) -> tuple[bytes, Any]:
    """The raw body and its JSON (``{}`` when empty); 415 for a body that is not JSON."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type not in ("application/json", "") and not content_type.endswith("+json"):
        raise UnsupportedMediaType(f"the body must be JSON (Content-Type: application/json), got {content_type!r}")
    raw = await read_body(request, limit)
    try:
        return raw, (orjson.loads(raw) if raw.strip() else {})
    except orjson.JSONDecodeError as exc:
        raise UnsupportedMediaType(f"the body is not valid JSON: {exc}") from None


#: Requests (body, or query string of a GET) bigger than this run one at a time (see in_worker).
BIG_REQUEST_BYTES = 1_000


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> FastAPI:
    settings = settings or Settings()
    check_token_setting(settings.token)  # again: a Settings may have been changed after validation
    backend = backend or open_backend(settings)
    token = settings.token
    limits = Limits.from_settings(settings)
    workers = anyio.CapacityLimiter(settings.search_threads)
    scrolls = Scrolls(backend, settings.scroll_max_open, settings.scroll_max_lifetime)
    # Parsing a query string costs more than linearly in its length, all of it in Python
    # (holding the GIL): under scripts/fuzz the requests over 1 KB were a fifth of the
    # requests and half the server's CPU. Run one at a time, they can no longer fill every
    # worker and the GIL while small searches queue behind them (probe p99 over four runs
    # each on a quiet machine: 127-192 ms -> 78-121 ms).
    big_requests = anyio.CapacityLimiter(1)

    async def in_worker(function: Callable[..., Any], *args: Any, size: int = 0) -> Any:
        """Run blocking search work on a worker thread, at most ``search_threads`` at once.

        ``size``: the request's size in bytes; those over ``BIG_REQUEST_BYTES`` also take turns.
        """
        if size > BIG_REQUEST_BYTES:
            async with big_requests:
                return await anyio.to_thread.run_sync(function, *args, limiter=workers)
        return await anyio.to_thread.run_sync(function, *args, limiter=workers)

    plan = parse_rate_limit(settings.rate_limit)
    always = ((Unauthorized,) if token else ()) + ((TooManyRequests,) if plan.limited else ())

    def errors(*kinds: type[Any]) -> dict[int | str, dict[str, Any]]:
        return error_responses(*kinds, *always)

    app = FastAPI(
        title="lens-mirror",
        version=__version__,
        description="An offline mirror of the Lens.org scholarly and patent search API."
        + (" Every request needs the token (Authorization: Bearer TOKEN, or token=TOKEN)." if token else ""),
        default_response_class=JSONResponse,
        redirect_slashes=False,  # DropTrailingSlash serves /x/ as /x instead
        docs_url=None,  # served below, so that the page loads the schema with the caller's token=
        redoc_url=None,
    )
    app.state.backend = backend
    app.state.scrolls = scrolls
    app.state.meter = meter = Meter(plan)
    install_error_handlers(app)
    if token:
        app.add_middleware(RequireToken, token=token)
    # Around the token check, so that a 401 carries the rate-limit headers too.
    app.add_middleware(RateLimits, meter=meter, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(DropTrailingSlash)  # outermost: the token check sees the path as routed
    install_docs(app, token)
    CONVERTOR_TYPES.setdefault("lens_id", LensIdConvertor())  # starlette's registry; the same one every time

    @app.get("/", summary="What this mirror serves", response_model=MirrorInfo, response_model_exclude_unset=True,
             responses=errors(ServiceUnavailable))
    def root() -> dict[str, Any]:
        # One broken product must not hide the other: each says its own state.
        products: dict[str, dict[str, Any]] = {}
        for product in PRODUCTS:
            try:
                products[product] = {"records": backend.count(product)}
            except ServiceUnavailable as exc:
                products[product] = {"records": None, "error": exc.message}
        return {"name": "lens-mirror", "version": __version__, "products": products}

    @app.post("/{product}/search", summary="Search with a JSON body (Lens POST search)",
              response_model=SearchResponse, openapi_extra=SEARCH_BODY,
              responses={**errors(BadRequest, NotFound, UnsupportedMediaType, TooManyRequests, ServiceUnavailable),
                         **SCROLL_DONE})
    async def post_search(request: Request, product: str = PRODUCT) -> Response:
        pipeline.check_product(product)
        raw, body = await read_json_body(request, settings.max_body_bytes)
        answer = await in_worker(pipeline.search, backend, product, body, limits, scrolls, size=len(raw))
        return search_answer(request, answer)

    @app.get("/{product}/search", summary="Search with URL parameters (Lens GET search)",
             response_model=SearchResponse,
             responses={**errors(BadRequest, NotFound, TooManyRequests, ServiceUnavailable), **SCROLL_DONE})
    async def get_search(
        request: Request,
        product: str = PRODUCT,
        query: str | None = Query(None, description="A Lens query string"),
        size: str | None = Query(None), from_: str | None = Query(None, alias="from"),
        sort: str | None = Query(None, description="e.g. desc(year_published),asc(lens_id)"),
        include: str | None = Query(None), exclude: str | None = Query(None),
        scroll: str | None = Query(None, description="Start a scroll (e.g. 1m), or renew one with scroll_id"),
        scroll_id: str | None = Query(None, description="The next page of a scroll"),
    ) -> Response:
        # The named parameters above document the endpoint in OpenAPI; the body is built from
        # every parameter given, so an unknown one is rejected by name like a POST body key.
        pipeline.check_product(product)
        params = {k: v for k, v in request.query_params.items() if k != "token"}
        answer = await in_worker(pipeline.search, backend, product, search_body_from_params(params), limits,
                                 scrolls, size=len(request.scope.get("query_string", b"")))
        return search_answer(request, answer)

    @app.post("/{product}/aggregate", summary="Aggregations (Lens POST aggregate)",
              response_model=aggregate_response_model(), openapi_extra=aggregate_request_body(),
              responses=errors(BadRequest, NotFound, UnsupportedMediaType, ServiceUnavailable))
    async def aggregate(request: Request, product: str = PRODUCT) -> JSONResponse:
        pipeline.check_product(product)
        raw, body = await read_json_body(request, settings.max_body_bytes)
        return JSONResponse(await in_worker(pipeline.aggregate, backend, product, body, limits, size=len(raw)))

    @app.get("/schema/{product}", summary="The record schema", response_model=RecordSchema,
             responses=errors(NotFound))
    def schema(product: str = PRODUCT) -> dict[str, Any]:
        return packaged_schema(pipeline.check_product(product))

    app.include_router(usage_router(meter, errors(NotFound)))

    # Only a Lens-ID-shaped segment is a record lookup: /scholarly/usage, /patent/anything
    # are "no such endpoint", never a search for a record called "usage".
    @app.get("/{product}/{lens_id:lens_id}", summary="One record by Lens ID", response_model=Record,
             responses=errors(BadRequest, NotFound, ServiceUnavailable))
    async def get_record(
        request: Request, product: str = PRODUCT, lens_id: str = LENS_ID,
        include: str | None = Query(None), exclude: str | None = Query(None),
    ) -> JSONResponse:
        record = await in_worker(
            pipeline.get_record, backend, product, lens_id, comma_list(include), comma_list(exclude), limits)
        count_records(request, 1)
        return JSONResponse(record)

    app.openapi = lambda: openapi_document(app, bool(token))  # type: ignore[method-assign]
    return app


#: Every answer carries Lens's rate-limit headers (mirror/api/ratelimit.py).
RATE_LIMIT_HEADERS = {name: {"schema": {"type": "string"}, "description": "Lens rate-limit state"}
                      for name in HEADERS}


def openapi_document(app: FastAPI, token_required: bool) -> dict[str, Any]:
    """FastAPI's document, finished: the search body's schema, auth schemes, and no 422.

    FastAPI documents a 422 on every route with parameters; this app never sends one
    (validation errors are the Lens 400), so it is removed.
    """
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    body, defs = search_request_schema()
    schemas.update(defs)
    schemas["SearchRequest"] = body
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
            for response in operation.get("responses", {}).values():
                response["headers"] = RATE_LIMIT_HEADERS
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    if token_required:
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer TOKEN"},
            "token": {"type": "apiKey", "in": "query", "name": "token", "description": "token=TOKEN in the URL"},
        }
        document["security"] = [{"bearer": []}, {"token": []}]
    app.openapi_schema = document
    return document
