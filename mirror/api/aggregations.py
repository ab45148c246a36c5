"""An Elasticsearch ``aggregations`` answer → the Lens shape, guided by the compiled ``aggs``.

Lens answers aggregations as Elasticsearch does, minus the engine's bookkeeping:
metrics are ``{"value": v}``; bucket aggregations ``{"buckets": [{"key", "doc_count",
...sub-aggregations}]}``; date buckets also carry ``key_as_string``; ``filter`` is
``{"doc_count", ...}``; ``filters`` buckets are a list in the request's order, each
keyed by its name. Pure: both backends answer in Elasticsearch's shape and meet here.
"""

from __future__ import annotations

from typing import Any

from mirror.query.aggregations import METRICS


def kind_of(body: dict[str, Any]) -> str:
    return next(k for k in body if k != "aggs")


def shape_aggregations(result: dict[str, Any], aggs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, body in aggs.items():
        kind, subs = kind_of(body), body.get("aggs") or {}
        answer = result.get(name) or {}
        if kind in METRICS:
            out[name] = {"value": answer.get("value")}
        elif kind == "filter":
            out[name] = {"doc_count": answer.get("doc_count", 0), **shape_aggregations(answer, subs)}
        elif kind == "filters":
            buckets = answer.get("buckets") or {}
            out[name] = {"buckets": [
                {"key": key, "doc_count": buckets.get(key, {}).get("doc_count", 0),
                 **shape_aggregations(buckets.get(key, {}), subs)}
                for key in body["filters"]["filters"]
            ]}
        else:
            out[name] = {"buckets": [shape_bucket(b, kind, subs) for b in answer.get("buckets") or []]}
    return out


def shape_bucket(bucket: dict[str, Any], kind: str, subs: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {"key": bucket["key"]}
    if kind == "date_histogram":
        shaped["key_as_string"] = bucket.get("key_as_string")
    shaped["doc_count"] = bucket["doc_count"]
    shaped.update(shape_aggregations(bucket, subs))
    return shaped


def aggregate_response_model() -> Any:
    """The OpenAPI model of an aggregate answer: a search answer plus ``aggregations``."""
    from pydantic import Field, create_model

    from .models import SearchResponse

    return create_model(
        "AggregateResponse", __base__=SearchResponse,
        aggregations=(dict[str, Any], Field(..., description="Each aggregation's result, by its name.")),
    )


def aggregate_request_body() -> dict[str, Any]:
    """The aggregate endpoint's OpenAPI request body (the request model's own schema)."""
    from mirror.query.aggregations import AggregateRequest

    schema = AggregateRequest.model_json_schema(by_alias=False)
    schema.pop("$defs", None)
    return {"requestBody": {"required": True, "description": "A Lens aggregate request.",
                            "content": {"application/json": {"schema": schema}}}}
