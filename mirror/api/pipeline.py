"""The request pipeline the routes call: parse → compile → execute → shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mirror import PRODUCTS
from mirror.backends import Backend
from mirror.backends.source import project
from mirror.catalogue import catalogue_for
from mirror.errors import NotFound
from mirror.query.aggregations import compile_aggregate, count_buckets, parse_aggregate_body, too_many_buckets
from mirror.query.compile import check_source_paths, compile_base, compile_search
from mirror.query.families import counted_total, expanded_body, family_field, family_keys, listing_body
from mirror.query.limits import Limits
from mirror.query.request import parse_search_body

from .aggregations import shape_aggregations

if TYPE_CHECKING:
    from .scroll import Scrolls


def check_product(product: str) -> str:
    if product not in PRODUCTS:
        raise NotFound(f"unknown product {product!r}; use one of {', '.join(PRODUCTS)}")
    return product


def shape_search(es_response: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """An Elasticsearch response → the Lens response ``{total, max_score, results, data}``."""
    hits = es_response["hits"]
    by_relevance = bool(body.get("sort")) and "_score" in body["sort"][0]
    max_score = hits.get("max_score") if by_relevance and body.get("size") else None
    data = [h["_source"] for h in hits["hits"]]
    return {"total": counted_total(es_response, body), "max_score": max_score or 0, "results": len(data), "data": data}


def search(backend: Backend, product: str, request_body: Any, limits: Limits,
           scrolls: Scrolls | None = None) -> dict[str, Any] | None:
    """The Lens answer to a search; None means 204 (a scroll that has nothing left)."""
    catalogue = catalogue_for(check_product(product))
    req = parse_search_body(request_body)
    if scrolls is not None and req.scroll_id is not None:
        return scrolls.follow(product, req, limits)
    if req.expand_by is not None:  # two bodies: the matches' families, then all their members
        base, field = compile_base(req, catalogue, limits), family_field(req.expand_by, catalogue)
        keys = family_keys(backend.search(product, listing_body(base, field)), req.expand_by)
        body = expanded_body(base, field, keys)
    else:
        body = compile_search(req, catalogue, limits)
    if scrolls is not None and req.scroll is not None:
        return scrolls.start(product, req, body)
    return shape_search(backend.search(product, body), body)


def aggregate(backend: Backend, product: str, request_body: Any, limits: Limits) -> dict[str, Any]:
    """A Lens aggregate request: the search answer (hits only when ``size`` asks) plus ``aggregations``."""
    catalogue = catalogue_for(check_product(product))
    body = compile_aggregate(parse_aggregate_body(request_body), catalogue, limits)
    answer = backend.search(product, body)
    aggregations = shape_aggregations(answer.get("aggregations") or {}, body["aggs"])
    buckets = count_buckets(aggregations)  # histograms' spans are known only now
    if buckets > limits.max_buckets:
        raise too_many_buckets(buckets, limits)
    return {**shape_search(answer, body), "aggregations": aggregations}


def get_record(backend: Backend, product: str, lens_id: str, include: list[str] | None,
               exclude: list[str] | None, limits: Limits) -> dict[str, Any]:
    check_product(product)
    includes = check_source_paths(include, "include", product, limits)
    excludes = check_source_paths(exclude, "exclude", product, limits)
    record = backend.get(product, lens_id)
    if record is None:
        raise NotFound(f"no {product} record with lens_id {lens_id!r}")
    return project(record, includes, excludes)
