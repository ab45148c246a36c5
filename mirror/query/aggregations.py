"""compile_aggregate: a Lens aggregate request → one Elasticsearch search body with ``aggs``.

Pure: the catalogue says which field takes which aggregation (``Resolved.aggregations``),
and every value is judged here, so the backends only ever run what Elasticsearch accepts.
The body is written out in full (explicit bucket order with its tie-breaker, the
exactness settings), so that the embedded backend can compute the same answer from it.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mirror.catalogue import Catalogue, UnknownField
from mirror.errors import BadRequest, excerpt

from .compile import compile_query, compile_sort
from .limits import Limits
from .names import Names
from .request import describe_validation_error

METRICS = ("avg", "cardinality", "max", "min", "sum")
BUCKETS = ("date_histogram", "filter", "filters", "histogram", "terms")
SUPPORTED = tuple(sorted(METRICS + BUCKETS))
#: Query types a ``filter`` / ``filters`` aggregation may use (Lens's documented set).
FILTER_QUERY_TYPES = ("match", "range", "term", "terms")
#: Lens: terms ``size`` defaults to 10 and goes up to 100.
TERMS_SIZE, MAX_TERMS_SIZE = 10, 100
#: Calendar intervals, Lens's name → Elasticsearch's ``calendar_interval``.
INTERVALS = {"YEAR": "year", "QUARTER": "quarter", "MONTH": "month"}
#: Each shard returns this many candidate terms (at least ``size``): counts are exact
#: while a shard holds no more distinct values than this (Elasticsearch's default is
#: ``size * 1.5 + 10``, approximate as soon as a shard's top terms differ from the total's).
SHARD_SIZE = 10_000
#: Elasticsearch's cardinality is HyperLogLog++: exact up to this many distinct values.
PRECISION_THRESHOLD = 40_000
#: Terms orders in Lens's words and Elasticsearch's.
ORDER_KEYS = {"doc_count": "_count", "_count": "_count", "field_value": "_key", "_key": "_key"}


class AggregateRequest(BaseModel):
    """A ``POST /{product}/aggregate`` body. Unknown keys are rejected by name."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=False)

    query: str | dict[str, Any] | None = None
    size: int = Field(0, ge=0)
    aggregations: dict[str, Any] = Field(alias="aggs")
    stemming: bool = True
    regex: bool = False
    token: str | None = None  # some clients put the token in the body; it is ignored here


def parse_aggregate_body(body: Any) -> AggregateRequest:
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    if "aggregations" in body and "aggs" in body:
        raise BadRequest("give either aggregations or aggs, not both")
    try:
        return AggregateRequest.model_validate(body)
    except ValidationError as exc:
        raise BadRequest(describe_validation_error(exc).replace("aggs: Field required",
                                                                "aggregations: Field required")) from None


class AggregationCompiler:
    """Lens aggregations → Elasticsearch ``aggs``, checking names, fields, sizes and depth."""

    def __init__(self, names: Names, regex: bool, limits: Limits) -> None:
        self.names, self.regex, self.limits = names, regex, limits
        self.catalogue: Catalogue = names.catalogue

    def compile(self, aggs: Any, where: str = "aggregations", depth: int = 0) -> dict[str, Any]:
        if not isinstance(aggs, dict) or not aggs:
            raise BadRequest(f"{where}: expected an object of name → aggregation, got {excerpt(aggs)}")
        if depth > self.limits.max_agg_depth:
            raise self.limits.breach(f"{where}: aggregations nest {depth} levels deep", self.limits.max_agg_depth,
                                     "max_agg_depth")
        out: dict[str, Any] = {}
        for name, body in aggs.items():
            if not name or any(c in name for c in "[]>"):
                raise BadRequest(f"{where}: aggregation name {excerpt(name)} must be non-empty and "
                                 "contain none of '[', ']', '>'")
            out[name] = self.one(body, f"{where}.{name}", depth)
        return out

    def one(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise BadRequest(f"{where}: expected an aggregation object, got {excerpt(body)}")
        subs = {k: body[k] for k in ("aggregations", "aggs") if k in body}
        kinds = [k for k in body if k not in subs]
        if len(kinds) == 1 and isinstance(body[kinds[0]], dict):
            # Lens's examples put sub-aggregations inside the type's object; Elasticsearch beside it
            params = dict(body[kinds[0]])
            subs.update({f"{kinds[0]}.{k}": params.pop(k) for k in ("aggregations", "aggs") if k in params})
            body = {kinds[0]: params, **{k: v for k, v in body.items() if k != kinds[0]}}
        if len(subs) > 1:
            raise BadRequest(f"{where}: give sub-aggregations once (aggregations or aggs), not {len(subs)} times")
        if len(kinds) != 1:
            raise BadRequest(f"{where}: expected exactly one aggregation type (one of {', '.join(SUPPORTED)}), "
                             f"got {excerpt(kinds)}")
        kind = kinds[0]
        if kind not in SUPPORTED:
            raise BadRequest(f"{where}: unknown aggregation type {excerpt(kind)}; "
                             f"supported: {', '.join(SUPPORTED)}")
        compiled: dict[str, Any] = {kind: getattr(self, f"on_{kind}")(body[kind], f"{where}.{kind}")}
        if subs:
            if kind in METRICS:
                raise BadRequest(f"{where}: {kind} is a metric; metrics cannot have sub-aggregations")
            compiled["aggs"] = self.compile(next(iter(subs.values())), f"{where}.aggregations", depth + 1)
        if kind == "terms":
            self.check_order(compiled, where)
        return compiled

    # -- fields -------------------------------------------------------------------
    def field(self, params: Any, kind: str, where: str, allowed: tuple[str, ...] = ()) -> str:
        if not isinstance(params, dict):
            raise BadRequest(f"{where}: expected an object with a field, got {excerpt(params)}")
        unknown = sorted(set(params) - {"field", *allowed})
        if unknown:
            raise BadRequest(f"{where}: unknown parameter {excerpt(unknown[0])}; "
                             f"{kind} takes {', '.join(['field', *allowed])}")
        name = params.get("field")
        if not isinstance(name, str) or not name.strip():
            raise BadRequest(f"{where}.field: a field name is required, got {excerpt(name)}")
        valid = self.catalogue.aggregatable(kind)
        try:
            resolved = self.catalogue.resolve(name.strip())
        except UnknownField:
            resolved = None
        if resolved is None or kind not in resolved.aggregations:
            # the nearest valid names first: the whole list may not fit in one message
            close = difflib.get_close_matches(name, valid, n=3, cutoff=0.5) if len(name) <= 100 else []
            rest = [n for n in valid if n not in close]
            what = "is not a known field" if resolved is None else f"cannot be aggregated with {kind}"
            raise BadRequest(f"{where}.field: {excerpt(name)} {what} in {self.catalogue.product}; "
                             f"{kind} takes: {listing(close + rest)}")
        return resolved.index_name

    # -- metrics ----------------------------------------------------------------------
    def metric(self, params: Any, kind: str, where: str) -> dict[str, Any]:
        return {"field": self.field(params, kind, where)}

    def on_avg(self, params: Any, where: str) -> dict[str, Any]:
        return self.metric(params, "avg", where)

    def on_max(self, params: Any, where: str) -> dict[str, Any]:
        return self.metric(params, "max", where)

    def on_min(self, params: Any, where: str) -> dict[str, Any]:
        return self.metric(params, "min", where)

    def on_sum(self, params: Any, where: str) -> dict[str, Any]:
        return self.metric(params, "sum", where)

    def on_cardinality(self, params: Any, where: str) -> dict[str, Any]:
        return {"field": self.field(params, "cardinality", where), "precision_threshold": PRECISION_THRESHOLD}

    # -- buckets ----------------------------------------------------------------------
    def on_terms(self, params: Any, where: str) -> dict[str, Any]:
        field = self.field(params, "terms", where, ("size", "order"))
        size = params.get("size", TERMS_SIZE)
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_TERMS_SIZE:
            raise BadRequest(f"{where}.size: must be an integer from 1 to {MAX_TERMS_SIZE}, got {excerpt(size)}")
        order = params.get("order", {"doc_count": "desc"})
        if isinstance(order, list) and len(order) == 1:
            order = order[0]
        if not isinstance(order, dict) or len(order) != 1:
            raise BadRequest(f"{where}.order: expected {{doc_count|field_value|<sub-aggregation>: 'asc'|'desc'}}, "
                             f"got {excerpt(order)}")
        (key, direction), = order.items()
        direction = str(direction).lower()
        if direction not in ("asc", "desc"):
            raise BadRequest(f"{where}.order: direction must be 'asc' or 'desc', got {excerpt(order[key])}")
        key = ORDER_KEYS.get(key, key)
        # Elasticsearch breaks ties by the key, ascending; written out so both backends do
        orders = [{key: direction}] + ([] if key == "_key" else [{"_key": "asc"}])
        return {"field": field, "size": size, "shard_size": max(size, SHARD_SIZE), "order": orders}

    def check_order(self, compiled: dict[str, Any], where: str) -> None:
        """A terms order names ``_count``, ``_key`` or one of its own single-value metric sub-aggregations."""
        key = next(iter(compiled["terms"]["order"][0]))
        if key in ("_count", "_key"):
            return
        sub = (compiled.get("aggs") or {}).get(key)
        if sub is None or next(iter(sub)) not in METRICS:
            metrics = [n for n, b in (compiled.get("aggs") or {}).items() if next(iter(b)) in METRICS]
            raise BadRequest(f"{where}.terms.order: {excerpt(key)} is not doc_count, field_value or a metric "
                             f"sub-aggregation of this terms aggregation"
                             + (f" ({', '.join(metrics)})" if metrics else ""))

    def on_histogram(self, params: Any, where: str) -> dict[str, Any]:
        field = self.field(params, "histogram", where, ("interval",))
        interval = params.get("interval")
        # the fields are whole numbers: an interval under 1 would only add empty buckets (and
        # Elasticsearch spends minutes making them before it refuses)
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not 1 <= interval < 1e15:
            raise BadRequest(f"{where}.interval: must be a number of at least 1, got {excerpt(interval)}")
        return {"field": field, "interval": interval}

    def on_date_histogram(self, params: Any, where: str) -> dict[str, Any]:
        field = self.field(params, "date_histogram", where, ("interval",))
        interval = params.get("interval", "YEAR")
        calendar = INTERVALS.get(interval.upper()) if isinstance(interval, str) else None
        if calendar is None:
            raise BadRequest(f"{where}.interval: must be one of {', '.join(INTERVALS)}, got {excerpt(interval)}")
        return {"field": field, "calendar_interval": calendar}

    def filter_query(self, query: Any, where: str) -> dict[str, Any]:
        if not isinstance(query, dict) or len(query) != 1 or next(iter(query)) not in FILTER_QUERY_TYPES:
            raise BadRequest(f"{where}: expected a query of type {', '.join(FILTER_QUERY_TYPES)}, "
                             f"got {excerpt(query)}")
        return compile_query(query, self.names, self.regex, self.limits)

    def on_filter(self, query: Any, where: str) -> dict[str, Any]:
        return self.filter_query(query, where)

    def on_filters(self, params: Any, where: str) -> dict[str, Any]:
        filters = params.get("filters") if isinstance(params, dict) and set(params) == {"filters"} else None
        if not isinstance(filters, dict) or not filters:
            raise BadRequest(f"{where}: expected {{\"filters\": {{name: query, ...}}}}, got {excerpt(params)}")
        return {"filters": {name: self.filter_query(q, f"{where}.filters.{name}") for name, q in filters.items()}}


def listing(names: list[str], room: int = 300) -> str:
    """Names joined up to about ``room`` characters, then how many more (messages stay short)."""
    shown: list[str] = []
    for name in names:
        if shown and sum(len(n) + 2 for n in shown) + len(name) > room:
            return f"{', '.join(shown)} and {len(names) - len(shown)} more"
        shown.append(name)
    return ", ".join(shown)


def most_buckets(aggs: dict[str, Any]) -> int:
    """An upper bound on the buckets of compiled ``aggs``, where one is known before running.

    Histograms count as one bucket here (their span depends on the data); the pipeline
    counts the answer's buckets too.
    """
    total = 0
    for body in aggs.values():
        kind = next(k for k in body if k != "aggs")
        if kind in METRICS:
            continue
        params = body[kind]
        n = params["size"] if kind == "terms" else len(params["filters"]) if kind == "filters" else 1
        total += n * (1 + most_buckets(body.get("aggs") or {}))
    return total


def count_buckets(result: dict[str, Any]) -> int:
    """The buckets in a shaped (Lens) aggregations answer, all levels together."""
    total = 0
    for value in result.values():
        if not isinstance(value, dict):
            continue
        buckets = value.get("buckets")
        if isinstance(buckets, list):
            total += len(buckets) + sum(count_buckets(b) for b in buckets)
        elif "doc_count" in value:
            total += 1 + count_buckets(value)
    return total


def too_many_buckets(count: int, limits: Limits) -> BadRequest:
    return limits.breach(f"the aggregations make {count:,} buckets", limits.max_buckets, "max_buckets")


def compile_aggregate(req: AggregateRequest, catalogue: Catalogue, limits: Limits | None = None) -> dict[str, Any]:
    """The one Elasticsearch request body for a Lens aggregate request."""
    limits = limits or Limits()
    if req.size > catalogue.max_size:
        raise BadRequest(f"size {req.size} is over the {catalogue.product} maximum of {catalogue.max_size}")
    names = Names(catalogue, stemming=req.stemming)
    aggs = AggregationCompiler(names, req.regex, limits).compile(req.aggregations)
    bound = most_buckets(aggs)
    if bound > limits.max_buckets:
        raise too_many_buckets(bound, limits)
    return {
        "query": compile_query(req.query, names, req.regex, limits),
        "from": 0,
        "size": req.size,
        "sort": compile_sort([], names),
        "track_total_hits": True,
        "aggs": aggs,
    }


__all__ = ["AggregateRequest", "compile_aggregate", "count_buckets", "parse_aggregate_body"]
