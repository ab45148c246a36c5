"""POST /{product}/aggregate on both backends: the documented examples, and every form
against a plain-Python oracle over the fixture records.

`backend_api` runs each test on the embedded backend and on a real OpenSearch node
(see tests/test_backends.py). The oracle below reads the records as generated (their
Lens response shape), not the index, the catalogue's transform or the compiled body:
it is Lens's documented semantics written out by hand.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import httpx
import orjson
import pytest

from conftest import Corpus

Record = dict[str, Any]

#: The documentation files these examples under "scholarly", but they query patent fields
#: (owner.name.exact): they are patent requests, and are run as such.
MISFILED = {"scholarly-aggregate-18": "patent", "scholarly-aggregate-19": "patent"}


def aggregate(client: httpx.Client, product: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/{product}/aggregate", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def examples() -> list[Any]:
    folder = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "request-examples"
    return [pytest.param(MISFILED.get(p.stem, p.stem.split("-")[0]), orjson.loads(p.read_bytes()), id=p.stem)
            for p in sorted(folder.glob("*-aggregate-*.json"))]


def check_shape(result: dict[str, Any], request: dict[str, Any]) -> None:
    """Lens's shape: metrics {value}; buckets {key, doc_count, ...subs}; filter {doc_count, ...subs}."""
    for name, body in request.items():
        kind = next(k for k in body if k not in ("aggregations", "aggs"))
        params = body[kind]
        subs = body.get("aggregations") or body.get("aggs") or (
            params.get("aggregations") or params.get("aggs") if isinstance(params, dict) else None) or {}
        got = result[name]
        if kind in ("avg", "max", "min", "sum", "cardinality"):
            assert set(got) == {"value"}, got
        elif kind == "filter":
            assert isinstance(got["doc_count"], int)
            check_shape({k: v for k, v in got.items() if k != "doc_count"}, subs)
        else:
            for bucket in got["buckets"]:
                assert isinstance(bucket["doc_count"], int) and "key" in bucket
                if kind == "date_histogram":
                    assert isinstance(bucket["key"], int) and bucket["key_as_string"].endswith("T00:00:00.000Z")
                check_shape({k: v for k, v in bucket.items() if k not in ("key", "key_as_string", "doc_count")},
                            subs)


@pytest.mark.parametrize(("product", "request_body"), examples())
def test_every_documented_aggregation_example_answers_in_the_lens_shape(
        backend_api: httpx.Client, api: httpx.Client, product: str, request_body: dict[str, Any]) -> None:
    got = aggregate(backend_api, product, request_body)
    assert set(got) == {"total", "max_score", "results", "data", "aggregations"}
    assert got["results"] == len(got["data"]) == 0  # size 0, or none given
    check_shape(got["aggregations"], request_body["aggregations"])
    close(got, aggregate(api, product, request_body))  # the embedded answer: the same, to the bucket


# -- the oracle: Lens semantics over the records as generated -----------------------------------

def dig(record: Any, path: str) -> list[Any]:
    """Every value at a dotted path, through lists."""
    values = [record]
    for part in path.split("."):
        nxt: list[Any] = []
        for v in values:
            v = v.get(part) if isinstance(v, dict) else None
            nxt.extend(v if isinstance(v, list) else [] if v is None else [v])
        values = nxt
    return values


def millis(value: str) -> int:
    moment = datetime.fromisoformat(value if "T" in value else value + "T00:00:00+00:00")
    return int(moment.replace(tzinfo=moment.tzinfo or timezone.utc).timestamp() * 1000)


def lower(path: str) -> Callable[[Record], list[Any]]:  # keyword fields Lens compares case-insensitively
    return lambda r: sorted({v.lower() for v in dig(r, path)})


def raw(path: str) -> Callable[[Record], list[Any]]:
    return lambda r: sorted(set(dig(r, path)))


def date(path: str) -> Callable[[Record], list[Any]]:
    return lambda r: [millis(v) for v in dig(r, path)]


FIELDS: dict[str, dict[str, Callable[[Record], list[Any]]]] = {
    "scholarly": {
        "publication_type": raw("publication_type"),
        "open_access.colour": raw("open_access.colour"),
        "source.title.exact": raw("source.title"),
        "field_of_study": lower("fields_of_study"),
        "reference.lens_id": raw("references.lens_id"),
        "date_published": date("date_published"),
        "year_published": raw("year_published"),
        "referenced_by_count": raw("scholarly_citations_count"),
        "reference_count": raw("references_count"),
        "author_count": raw("author_count"),
    },
    "patent": {
        "jurisdiction": lower("jurisdiction"),
        "kind": lower("kind"),
        "publication_type": lower("publication_type"),
        "legal_status.patent_status": lower("legal_status.patent_status"),
        "applicant.name.exact": raw("biblio.parties.applicants.extracted_name.value"),
        "family.simple.id": raw("families.simple_family.family_id"),
        "date_published": date("date_published"),
        "cited_by.patent_count": raw("biblio.cited_by.patent_count"),
        "reference_cited.patent_count": raw("biblio.references_cited.patent_count"),
    },
}

#: The filter queries the table uses, as predicates.
PREDICATES: dict[str, Callable[[Record], bool]] = {
    "open access": lambda r: r.get("is_open_access") is True,
    "since 2015": lambda r: (r.get("year_published") or 0) >= 2015,
    "articles": lambda r: r.get("publication_type") in ("journal article", "preprint"),
    "US": lambda r: str(r.get("jurisdiction")).upper() == "US",
    "granted": lambda r: str(r.get("publication_type")).upper() == "GRANTED_PATENT",
    "cited": lambda r: (dig(r, "biblio.cited_by.patent_count") or [0])[0] > 0,
}
QUERIES = {
    "open access": {"term": {"is_open_access": True}},
    "since 2015": {"range": {"year_published": {"gte": 2015}}},
    "articles": {"terms": {"publication_type": ["journal article", "preprint"]}},
    "US": {"match": {"jurisdiction": "us"}},
    "granted": {"term": {"publication_type": "GRANTED_PATENT"}},
    "cited": {"range": {"cited_by.patent_count": {"gte": 1}}},
}


def calendar_start(ms: int, months: int) -> int:
    d = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    m = (d.year * 12 + d.month - 1) // months * months
    return int(datetime(m // 12, m % 12 + 1, 1, tzinfo=timezone.utc).timestamp() * 1000)


def next_start(ms: int, months: int) -> int:
    d = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    m = d.year * 12 + d.month - 1 + months
    return int(datetime(m // 12, m % 12 + 1, 1, tzinfo=timezone.utc).timestamp() * 1000)


def oracle(product: str, records: list[Record], aggs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, body in aggs.items():
        subs = body.get("aggs", {})
        kind, params = next((k, v) for k, v in body.items() if k != "aggs")
        values = FIELDS[product].get(params.get("field", "") if isinstance(params, dict) else "", lambda r: [])
        if kind in ("sum", "avg", "min", "max"):
            numbers = [v for r in records for v in values(r)]
            value = {"sum": sum(numbers), "avg": sum(numbers) / len(numbers) if numbers else None,
                     "min": min(numbers, default=None), "max": max(numbers, default=None)}[kind]
            out[name] = {"value": value}
        elif kind == "cardinality":
            out[name] = {"value": len({v for r in records for v in values(r)})}
        elif kind == "filter":
            inside = [r for r in records if PREDICATES[params](r)]
            out[name] = {"doc_count": len(inside), **oracle(product, inside, subs)}
        elif kind == "filters":
            out[name] = {"buckets": [{"key": k, "doc_count": len(ins := [r for r in records if PREDICATES[k](r)]),
                                      **oracle(product, ins, subs)} for k in params]}
        else:
            out[name] = {"buckets": buckets(product, kind, params, records, values, subs)}
    return out


def buckets(product: str, kind: str, params: dict[str, Any], records: list[Record],
            values: Callable[[Record], list[Any]], subs: dict[str, Any]) -> list[dict[str, Any]]:
    if kind == "terms":
        counts = Counter(v for r in records for v in values(r))
        found = [{"key": k, "doc_count": n, **oracle(product, [r for r in records if k in values(r)], subs)}
                 for k, n in counts.items()]
        key, direction = next(iter(params.get("order", {"doc_count": "desc"}).items()))
        if key == "field_value":
            found.sort(key=lambda b: b["key"], reverse=direction == "desc")
        else:
            sign = -1 if direction == "desc" else 1
            found.sort(key=lambda b: (sign * (b["doc_count"] if key == "doc_count" else b[key]["value"]), b["key"]))
        return found[: params.get("size", 10)]
    if kind == "histogram":
        step = params["interval"]
        keyed = {r["lens_id"]: [math.floor(v / step) * step for v in values(r)] for r in records}
        keys = {k for ks in keyed.values() for k in ks}
        if not keys:
            return []
        span = range(int(min(keys) // step), int(max(keys) // step) + 1)
        inside = {i: [r for r in records if i * step in keyed[r["lens_id"]]] for i in span}
        return [{"key": float(i * step), "doc_count": len(inside[i]), **oracle(product, inside[i], subs)}
                for i in span]
    months = {"YEAR": 12, "QUARTER": 3, "MONTH": 1}[params.get("interval", "YEAR")]
    starts = {r["lens_id"]: [calendar_start(v, months) for v in values(r)] for r in records}
    every = {s for ss in starts.values() for s in ss}
    out: list[dict[str, Any]] = []
    at = min(every, default=None)
    while at is not None and at <= max(every):
        members = [r for r in records if at in starts[r["lens_id"]]]
        out.append({"key": at, "key_as_string": datetime.fromtimestamp(at / 1000, tz=timezone.utc)
                    .strftime("%Y-%m-%dT%H:%M:%S.000Z"), "doc_count": len(members), **oracle(product, members, subs)})
        at = next_start(at, months)
    return out


def terms(field: str, **params: Any) -> dict[str, Any]:
    return {"terms": {"field": field, **params}}


#: (product, query name or None, aggregations); the request sends QUERIES[...] and the
#: oracle filters with PREDICATES[...], as do filter (a name) and filters (a list of names).
#: A sibling "aggs" holds the sub-aggregations of the bucket aggregations beside it.
TABLE: list[tuple[str, str | None, dict[str, Any]]] = [
    ("patent", None, {"j": terms("jurisdiction", size=20)}),
    ("patent", None, {"k": terms("kind", size=3)}),  # ties at the cut: by key
    ("patent", "granted", {"a": terms("applicant.name.exact", size=5, order={"field_value": "desc"})}),
    ("patent", None, {"a": terms("applicant.name.exact", size=7, order={"cites": "desc"}),
                      "aggs": None}),
    ("patent", None, {"p": terms("publication_type"), "s": {"sum": {"field": "cited_by.patent_count"}},
                      "v": {"avg": {"field": "reference_cited.patent_count"}},
                      "lo": {"min": {"field": "cited_by.patent_count"}},
                      "hi": {"max": {"field": "cited_by.patent_count"}}}),
    ("patent", "US", {"f": {"cardinality": {"field": "family.simple.id"}}}),
    ("patent", None, {"y": {"date_histogram": {"field": "date_published"},
                            "aggs": {"c": {"sum": {"field": "cited_by.patent_count"}}}}}),
    ("patent", "granted", {"q": {"date_histogram": {"field": "date_published", "interval": "QUARTER"}}}),
    ("patent", "US", {"m": {"date_histogram": {"field": "date_published", "interval": "MONTH"}}}),
    ("patent", None, {"h": {"histogram": {"field": "reference_cited.patent_count", "interval": 7},
                            "aggs": {"j": terms("jurisdiction", size=2)}}}),
    ("patent", None, {"g": {"filters": ["granted", "cited"]},
                      "aggs": {"s": terms("legal_status.patent_status")}}),
    ("patent", None, {"j": terms("jurisdiction", size=4),
                      "aggs": {"t": terms("publication_type", size=2),
                               "f": {"cardinality": {"field": "family.simple.id"}}}}),
    ("patent", None, {"j": terms("jurisdiction", size=4, order={"f": "asc"}),
                      "aggs": {"f": {"cardinality": {"field": "applicant.name.exact"}}}}),
    ("scholarly", None, {"t": terms("publication_type", size=100), "c": terms("open_access.colour")}),
    ("scholarly", "since 2015", {"f": terms("field_of_study", size=8, order={"doc_count": "asc"})}),
    ("scholarly", None, {"r": {"cardinality": {"field": "reference.lens_id"}},
                         "n": {"cardinality": {"field": "year_published"}}}),
    ("scholarly", None, {"h": {"histogram": {"field": "referenced_by_count", "interval": 2.5}}}),
    ("scholarly", "open access", {"y": {"date_histogram": {"field": "date_published", "interval": "YEAR"},
                                        "aggs": {"t": terms("publication_type", size=2),
                                                 "a": {"avg": {"field": "author_count"}}}}}),
    ("scholarly", None, {"o": {"filter": "open access"},
                         "aggs": {"y": {"date_histogram": {"field": "date_published"},
                                        "aggs": {"r": {"max": {"field": "reference_count"}}}}}}),
    ("scholarly", None, {"s": terms("source.title.exact", size=5, order={"cites": "desc"}),
                         "aggs": {"cites": {"sum": {"field": "referenced_by_count"}}}}),
    ("scholarly", "articles", {"y": {"date_histogram": {"field": "date_published"}},
                               "aggs": {"g": {"filters": ["since 2015", "open access"]}}}),
]


def split_subs(aggs: dict[str, Any]) -> dict[str, Any]:
    """The table's shorthand (sub-aggregations under a sibling "aggs" key) → one tree."""
    subs = aggs.get("aggs") or {}
    if aggs.get("aggs", 0) is None:  # the sum the order needs
        subs = {"cites": {"sum": {"field": "cited_by.patent_count"}}}
    tree = {}
    for name, body in aggs.items():
        if name == "aggs":
            continue
        kind = next(iter(body))
        tree[name] = {kind: body[kind], **({"aggs": body.get("aggs") or subs} if kind not in (
            "sum", "avg", "min", "max", "cardinality") and (body.get("aggs") or subs) else {})}
    return tree


def lens_request(tree: dict[str, Any]) -> dict[str, Any]:
    """The oracle tree as a Lens request (filter names → queries)."""
    out = {}
    for name, body in tree.items():
        kind = next(k for k in body if k != "aggs")
        params = body[kind]
        if kind == "filter":
            params = QUERIES[params]
        elif kind == "filters":
            params = {"filters": {k: QUERIES[k] for k in params}}
        out[name] = {kind: params, **({"aggregations": lens_request(body["aggs"])} if "aggs" in body else {})}
    return out


def close(got: Any, expected: Any) -> None:
    if isinstance(expected, dict):
        assert isinstance(got, dict) and set(got) == set(expected), (got, expected)
        for k in expected:
            close(got[k], expected[k])
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), (got, expected)
        for g, e in zip(got, expected, strict=True):
            close(g, e)
    elif isinstance(expected, float) and got is not None:
        assert got == pytest.approx(expected)
    else:
        assert got == expected


@pytest.mark.parametrize(("product", "query", "aggs"), TABLE, ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(TABLE)])
def test_each_aggregation_form_matches_a_plain_python_oracle(
        backend_api: httpx.Client, corpus: Corpus, product: str, query: str | None, aggs: dict[str, Any]) -> None:
    tree = split_subs(aggs)
    records = [r for r in corpus.records[product] if query is None or PREDICATES[query](r)]
    request = {"aggregations": lens_request(tree), **({"query": QUERIES[query]} if query else {})}
    got = aggregate(backend_api, product, request)
    assert got["total"] == len(records)
    expected = oracle(product, records, tree)
    close(got["aggregations"], expected)
    assert any(b.get("doc_count") or b.get("value") for v in expected.values() for b in v.get("buckets", [v])), \
        "a vacuous case"


def test_size_returns_hits_beside_the_aggregations(backend_api: httpx.Client) -> None:
    got = aggregate(backend_api, "scholarly", {"query": {"match": {"title": "malaria"}}, "size": 3,
                                               "aggs": {"n": {"cardinality": {"field": "publication_type"}}}})
    assert got["results"] == len(got["data"]) == 3 and got["total"] > 3
    assert got["aggregations"]["n"]["value"] >= 1


@pytest.mark.parametrize(("body", "words"), [
    ({"aggregations": {"x": {"terms": {"field": "title"}}}}, ["'title'", "terms takes: affiliation.type", "more"]),
    ({"aggregations": {"x": {"stats": {"field": "year_published"}}}}, ["'stats'", "cardinality", "date_histogram"]),
    ({"aggregations": {"x": {"terms": {"field": "publication_type", "size": 500}}}}, ["size", "100"]),
    ({"aggs": {"x": {"histogram": {"field": "referenced_by_count", "interval": 0.5}}}}, ["interval", "at least 1"]),
    ({"aggs": {"x": {"terms": {"field": "publication_type", "size": 100},
                     "aggs": {"y": {"terms": {"field": "source.title.exact", "size": 100}}}}}},
     ["10,100 buckets", "LENS_MIRROR_MAX_BUCKETS"]),
    ({"aggs": {"x": {"terms": {"field": "publication_type"}, "aggs": {"y": {"terms": {"field": "source.type"}, "aggs": {
        "z": {"terms": {"field": "open_access.colour"}, "aggs": {"w": {"avg": {"field": "author_count"}}}}}}}}}},
     ["3 levels", "LENS_MIRROR_MAX_AGG_DEPTH"]),
])
def test_refusals_are_400s_naming_the_problem(backend_api: httpx.Client, body: dict[str, Any],
                                               words: list[str]) -> None:
    response = backend_api.post("/scholarly/aggregate", json=body)
    assert response.status_code == 400, response.text
    assert all(w in response.json()["message"] for w in words), response.json()


def test_buckets_only_the_data_can_count_are_limited_on_the_answer(corpus: Corpus) -> None:
    """A date_histogram's span is known only once it has run: the answer's buckets are counted."""
    from conftest import LiveServer
    from mirror.api import create_app
    from mirror.settings import Settings

    years = {"aggs": {"y": {"date_histogram": {"field": "date_published"}}}}
    with LiveServer(create_app(Settings(data_dir=corpus.data_dir, max_buckets=5))) as server:
        response = httpx.post(f"{server.url}/scholarly/aggregate", json=years, timeout=30)
    assert response.status_code == 400
    assert "LENS_MIRROR_MAX_BUCKETS" in response.json()["message"]
