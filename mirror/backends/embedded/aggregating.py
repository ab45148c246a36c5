"""Running a compiled body's ``aggs`` on a tantivy searcher, exactly, in Elasticsearch's shape.

tantivy's own aggregations run where they are exact: metrics, ``histogram``, and
``terms`` over fast (columnar) keywords, asked with an unbounded ``segment_size`` so
no segment cuts its list short (tantivy otherwise keeps ``10 * size`` terms per segment,
approximate like an Elasticsearch shard). The rest is planned here, over tantivy calls:

- ``date_histogram``: tantivy has fixed intervals only, so the calendar buckets (years,
  quarters, months in UTC) are computed from the matches' min and max and run as one
  ``range`` aggregation;
- ``cardinality``: tantivy's is HyperLogLog; here it is the number of distinct terms
  (of the column when there is one, else of the term dictionary, under the query);
- ``filter`` / ``filters``: a count of the query AND the filter;
- sub-aggregations tantivy cannot nest run per bucket, on the query AND the bucket's own
  (a term, a range), so every level stays exact.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

import tantivy

from mirror.errors import LimitExceeded

from .fields import FieldSpec
from .queries import QueryTranslator

Q = tantivy.Query
NATIVE_METRICS = ("avg", "max", "min", "sum")
#: "every term": tantivy's sizes are 32-bit
ALL = 1 << 30
#: A guard on the embedded engine's own work, Elasticsearch's search.max_buckets (the
#: request's own limit, LENS_MIRROR_MAX_BUCKETS, is checked on the answer).
MAX_BUCKETS = 65_536
MONTHS = {"year": 12, "quarter": 3, "month": 1}


def kind_of(body: dict[str, Any]) -> str:
    return next(k for k in body if k != "aggs")


def iso_millis(ms: int) -> str:
    """Elasticsearch's default rendering of a date key (``strict_date_optional_time``)."""
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def calendar_starts(low: int, high: int, interval: str) -> list[int]:
    """Epoch-ms starts of the UTC calendar buckets from the one holding ``low`` to the one holding ``high``."""
    step = MONTHS[interval]
    first = datetime.fromtimestamp(low / 1000, tz=timezone.utc)
    month = (first.year * 12 + first.month - 1) // step * step
    starts: list[int] = []
    while True:
        start = int(datetime(month // 12, month % 12 + 1, 1, tzinfo=timezone.utc).timestamp() * 1000)
        if start > high:
            return starts
        starts.append(start)
        if len(starts) > MAX_BUCKETS:
            raise too_many(len(starts))
        month += step


def too_many(count: int) -> LimitExceeded:
    return LimitExceeded(f"an aggregation would make more than {count - 1:,} buckets; narrow the query or "
                         "widen the interval")


class AggregationRunner:
    def __init__(self, searcher: tantivy.Searcher, translator: QueryTranslator,
                 specs: dict[str, FieldSpec]) -> None:
        self.searcher, self.translator, self.specs = searcher, translator, specs
        self.schema = translator.schema

    # -- tantivy helpers ---------------------------------------------------------------
    def count(self, query: tantivy.Query) -> int:
        return self.searcher.search(query, 1, count=True).count  # type: ignore[attr-defined]  # stub lacks it

    @staticmethod
    def both(query: tantivy.Query, other: tantivy.Query) -> tantivy.Query:
        return Q.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, other)])

    def between(self, field: str, low: int, high: int) -> tantivy.Query:
        """Values from ``low`` to ``high``, both included."""
        return Q.range_query(self.schema, field, tantivy.FieldType.Integer, low, high)

    def native(self, body: dict[str, Any]) -> bool:
        """Whether tantivy computes this aggregation (and everything under it) exactly by itself."""
        kind = kind_of(body)
        if kind in NATIVE_METRICS:
            return True
        if kind == "terms" and self.specs[body["terms"]["field"]].fast:
            order = next(iter(body["terms"]["order"][0]))
            subs = body.get("aggs") or {}
            return all(self.native(b) for b in subs.values()) and (order in ("_count", "_key") or order in subs)
        if kind == "histogram":
            return all(self.native(b) for b in (body.get("aggs") or {}).values())
        return False

    def to_tantivy(self, body: dict[str, Any]) -> dict[str, Any]:
        kind = kind_of(body)
        params = body[kind]
        subs = {n: self.to_tantivy(b) for n, b in (body.get("aggs") or {}).items()}
        if kind in NATIVE_METRICS:
            return {kind: {"field": params["field"]}}
        if kind == "terms":
            key, direction = next(iter(params["order"][0].items()))
            # by a sub-aggregation: every bucket, sorted and cut here (ties by key, as ES)
            size = params["size"] if key in ("_count", "_key") else ALL
            out: dict[str, Any] = {"terms": {"field": params["field"], "size": size, "segment_size": ALL,
                                             "order": {key: direction}}}
        else:
            out = {"histogram": {"field": params["field"], "interval": params["interval"]}}
        if subs:
            out["aggs"] = subs
        return out

    # -- the tree ------------------------------------------------------------------------
    def run(self, query: tantivy.Query, aggs: dict[str, Any]) -> dict[str, Any]:
        native = {n: b for n, b in aggs.items() if self.native(b)}
        for body in native.values():
            if kind_of(body) == "histogram":
                self.check_histogram(query, body["histogram"])
        result: dict[str, Any] = {}
        if native:
            answer = self.searcher.aggregate(query, {n: self.to_tantivy(b) for n, b in native.items()})
            for name, body in native.items():
                result[name] = self.tidy(answer[name], body)
        for name, body in aggs.items():
            if name not in native:
                result[name] = getattr(self, f"on_{kind_of(body)}")(query, body)
        return result

    def tidy(self, answer: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """tantivy's answer in Elasticsearch's: terms sorted and cut as ES does, all levels."""
        kind = kind_of(body)
        if kind in NATIVE_METRICS:
            return {"value": answer.get("value")}
        subs = body.get("aggs") or {}
        buckets = [{"key": b["key"], "doc_count": b["doc_count"],
                    **{n: self.tidy(b[n], s) for n, s in subs.items()}} for b in answer.get("buckets") or []]
        if kind == "terms":
            buckets = self.order(buckets, body["terms"])
        return {"buckets": buckets}

    @staticmethod
    def order(buckets: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
        """Elasticsearch's terms order: the key given, then the term ascending; cut to ``size``."""
        key, direction = next(iter(params["order"][0].items()))

        def sort_key(b: dict[str, Any]) -> tuple[Any, ...]:
            if key == "_key":
                return (b["key"],)
            value = b["doc_count"] if key == "_count" else b[key]["value"]
            missing = value is None  # an empty metric sorts last, whatever the direction
            number = 0.0 if missing else float(value)
            return (missing, -number if direction == "desc" else number, b["key"])

        ordered = sorted(buckets, key=sort_key, reverse=(key == "_key" and direction == "desc"))
        return ordered[: params["size"]]

    def check_histogram(self, query: tantivy.Query, params: dict[str, Any]) -> None:
        span = self.span(query, params["field"])
        if span is not None and (span[1] - span[0]) / params["interval"] + 1 > MAX_BUCKETS:
            raise too_many(MAX_BUCKETS + 1)

    def span(self, query: tantivy.Query, field: str) -> tuple[int, int] | None:
        answer = self.searcher.aggregate(query, {"lo": {"min": {"field": field}}, "hi": {"max": {"field": field}}})
        low, high = answer["lo"]["value"], answer["hi"]["value"]
        return None if low is None or high is None else (int(low), int(high))

    # -- what tantivy does not do exactly ------------------------------------------------
    def on_cardinality(self, query: tantivy.Query, body: dict[str, Any]) -> dict[str, Any]:
        spec = self.specs[body["cardinality"]["field"]]
        if spec.fast or spec.columnar:
            answer = self.searcher.aggregate(query, {"t": {"terms": {"field": spec.name, "size": ALL,
                                                                     "segment_size": ALL}}})
            return {"value": len(answer["t"]["buckets"])}
        # no column: the term dictionary, each term's postings checked against the query
        return {"value": len(self.searcher.terms_with_prefix(spec.name, "", filter_query=query))}

    def on_filter(self, query: tantivy.Query, body: dict[str, Any]) -> dict[str, Any]:
        return self.bucket(query, self.translator.translate(body["filter"]), body.get("aggs"))

    def on_filters(self, query: tantivy.Query, body: dict[str, Any]) -> dict[str, Any]:
        return {"buckets": {name: self.bucket(query, self.translator.translate(f), body.get("aggs"))
                            for name, f in body["filters"]["filters"].items()}}

    def bucket(self, query: tantivy.Query, within: tantivy.Query, subs: dict[str, Any] | None,
               doc_count: int | None = None) -> dict[str, Any]:
        """One bucket: the matches also in ``within``, counted, with their sub-aggregations."""
        inside = self.both(query, within)
        out: dict[str, Any] = {"doc_count": self.count(inside) if doc_count is None else doc_count}
        if subs:
            out.update(self.run(inside, subs) if out["doc_count"] else self.run(Q.empty_query(), subs))
        return out

    def on_date_histogram(self, query: tantivy.Query, body: dict[str, Any]) -> dict[str, Any]:
        params = body["date_histogram"]
        field, subs = params["field"], body.get("aggs") or {}
        span = self.span(query, field)
        if span is None:
            return {"buckets": []}
        starts = calendar_starts(span[0], span[1], params["calendar_interval"])
        ends = starts[1:] + [span[1] + 1]
        native = {n: b for n, b in subs.items() if self.native(b)}
        ranges: dict[str, Any] = {"range": {"field": field, "ranges": [
            {"from": s, "to": e} for s, e in zip(starts, ends, strict=True)]}}
        if native:
            ranges["aggs"] = {n: self.to_tantivy(b) for n, b in native.items()}
        answer = self.searcher.aggregate(query, {"r": ranges})["r"]["buckets"]
        by_start = {int(b["from"]): b for b in answer if "from" in b}
        buckets = []
        for start, end in zip(starts, ends, strict=True):
            found = by_start.get(start, {"doc_count": 0})
            bucket = {"key_as_string": iso_millis(start), "key": start, "doc_count": found["doc_count"]}
            for name, sub in native.items():
                bucket[name] = self.tidy(found.get(name) or {}, sub)
            rest = {n: b for n, b in subs.items() if n not in native}
            if rest:
                bucket.update(self.bucket(query, self.between(field, start, end - 1), rest, found["doc_count"]))
            buckets.append(bucket)
        return {"buckets": buckets}

    def on_terms(self, query: tantivy.Query, body: dict[str, Any]) -> dict[str, Any]:
        """Terms whose sub-aggregations (or order) tantivy cannot nest: buckets first, then each bucket's."""
        params, subs = body["terms"], body.get("aggs") or {}
        spec = self.specs[params["field"]]  # a column: terms fields are fast (fields.field_specs)
        key = next(iter(params["order"][0]))
        if key in ("_count", "_key"):
            listing = {**params, "order": params["order"][:1]}
        else:  # every bucket: the order needs each one's value, computed below
            listing = {**params, "size": ALL, "order": [{"_count": "desc"}]}
        found = self.run(query, {"t": {"terms": listing}})["t"]["buckets"]
        buckets = [{**b, **self.bucket(query, Q.term_query(self.schema, spec.name, b["key"]), subs,
                                       b["doc_count"])} for b in found]
        return {"buckets": self.order(buckets, params)}

    def on_histogram(self, query: tantivy.Query, body: dict[str, Any]) -> dict[str, Any]:
        params, subs = body["histogram"], body.get("aggs") or {}
        self.check_histogram(query, params)
        found = self.run(query, {"h": {"histogram": params}})["h"]["buckets"]
        interval = params["interval"]
        return {"buckets": [
            {**b, **self.bucket(query, self.between(params["field"], math.ceil(b["key"]),
                                                    math.ceil(b["key"] + interval) - 1), subs, b["doc_count"])}
            for b in found]}
