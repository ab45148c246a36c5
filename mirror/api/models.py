"""What the API answers, as pydantic models: they document the OpenAPI schema.

The routes render plain data with orjson; these models describe it (and the
schemathesis test checks every response against them), they are not a
serialisation step.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from mirror import PRODUCTS
from mirror.errors import (
    BadRequest,
    MirrorError,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)
from mirror.query.request import SearchRequest


class SearchResponse(BaseModel):
    """A Lens search answer."""

    model_config = ConfigDict(extra="forbid")

    total: int = Field(..., ge=0, description="How many records match.")
    max_score: float = Field(..., ge=0, description="The best score; 0 when size is 0 or the sort is not by relevance.")
    results: int = Field(..., ge=0, description="How many records are in data.")
    data: list[dict[str, Any]] = Field(..., description="The records, in their Lens response shape.")
    scroll_id: str | None = Field(None, description="Scrolls only: send it back (with scroll) for the next page.")


class ProductInfo(BaseModel):
    records: int | None = Field(..., ge=0, description="Records served for this product (null: no index).")
    error: str | None = Field(None, description="Why this product cannot be served now, if it cannot.")


class MirrorInfo(BaseModel):
    """What this mirror serves."""

    name: str
    version: str
    products: dict[str, ProductInfo]


class Record(RootModel[dict[str, Any]]):
    """One record in its Lens response shape (see GET /schema/{product})."""


class RecordSchema(RootModel[dict[str, Any]]):
    """The JSON Schema of one product's records."""


class Error(BaseModel):
    """The one error shape of every endpoint (as Lens answers errors)."""

    model_config = ConfigDict(extra="forbid")

    status: int = Field(..., description="The HTTP status, repeated.")
    error: str = Field(..., description="The status's reason phrase.")
    message: str = Field(..., description="What went wrong and, where known, what to do.")
    path: str = Field(..., description="The request's path.")


_WHEN: dict[type[MirrorError], str] = {
    BadRequest: "Malformed request, unknown field or value, or a request over a limit",
    Unauthorized: "Missing or wrong token (this mirror requires one)",
    NotFound: "Unknown product or record",
    UnsupportedMediaType: "The body is not JSON",
    ServiceUnavailable: "The index or engine cannot answer",
    TooManyRequests: "Over a limit of the emulated Lens plan (LENS_MIRROR_RATE_LIMIT; see the retry-after "
                     "headers), or too many open scrolls (LENS_MIRROR_SCROLL_MAX_OPEN)",
}


def error_responses(*errors: type[MirrorError]) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries documenting the error statuses a route can answer."""
    return {e.status: {"model": Error, "description": _WHEN[e]} for e in errors}


PRODUCT_SCHEMA = {"enum": list(PRODUCTS)}


def search_request_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """SearchRequest as an OpenAPI schema: (the body's schema, component schemas it refers to)."""
    schema = SearchRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return schema, defs


__all__ = [
    "PRODUCT_SCHEMA",
    "Error",
    "MirrorInfo",
    "ProductInfo",
    "Record",
    "RecordSchema",
    "SearchResponse",
    "error_responses",
    "search_request_schema",
]
