"""The HTTP API over the shared corpus: responses, paging invariants, errors, tokens."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from conftest import Corpus, LiveServer
from mirror.api import create_app
from mirror.settings import Settings


def post(api: httpx.Client, product: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/{product}/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_lens_response_shape(api: httpx.Client, corpus: Corpus) -> None:
    body = post(api, "scholarly", {"query": "malaria", "size": 5})
    assert set(body) == {"total", "max_score", "results", "data"}
    assert body["results"] == len(body["data"]) <= 5 and body["total"] >= body["results"]
    assert body["max_score"] > 0
    assert body["data"][0] == corpus.by_id("scholarly")[body["data"][0]["lens_id"]]  # records come back verbatim


def test_size_zero_and_field_sorts_report_no_max_score(api: httpx.Client, corpus: Corpus) -> None:
    empty = post(api, "patent", {"query": "battery", "size": 0})
    assert (empty["results"], empty["data"], empty["max_score"]) == (0, [], 0) and empty["total"] > 0
    by_year = post(api, "patent", {"query": "battery", "sort": [{"year_published": "desc"}]})
    assert by_year["max_score"] == 0


def test_relevance_ranks_on_topic_records_first(api: httpx.Client) -> None:
    body = post(api, "scholarly", {"query": "title:malaria", "size": 5, "include": ["title"]})
    assert body["total"] >= 5
    assert all("malaria" in r["title"].lower() for r in body["data"])


def test_get_and_post_answer_the_same(api: httpx.Client) -> None:
    params = {"query": "vaccine AND year_published:[2000 TO 2030]", "size": "7", "from": "3",
              "sort": "desc(year_published),asc(lens_id)", "include": "lens_id,year_published,title"}
    via_get = api.get("/scholarly/search", params=params)
    via_post = api.post("/scholarly/search", json={
        "query": params["query"], "size": 7, "from": 3, "sort": [{"year_published": "desc"}, {"lens_id": "asc"}],
        "include": ["lens_id", "year_published", "title"]})
    assert via_get.status_code == via_post.status_code == 200
    assert via_get.json() == via_post.json()


def oracle_order(records: list[dict[str, Any]], keys: list[tuple[str, str]]) -> list[str]:
    """Sort in plain Python: missing values last, ties broken by lens_id ascending."""
    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for path, order in keys:
            value: Any = record
            for step in path.split("."):
                value = value.get(step) if isinstance(value, dict) else None
            if path == "date_published" and isinstance(value, str):
                value = int(value[:4])  # patent year_published is derived from the date
            parts.append((1, 0) if value is None else (0, -value if order == "desc" else value))
        return (*parts, record["lens_id"])
    return [r["lens_id"] for r in sorted(records, key=key)]


@pytest.mark.parametrize(
    ("product", "sort", "paths"),
    [
        ("scholarly", [{"year_published": "desc"}], [("year_published", "desc")]),
        ("scholarly", [{"referenced_by_count": "asc"}, {"year_published": "desc"}],
         [("scholarly_citations_count", "asc"), ("year_published", "desc")]),
        ("patent", [{"reference_cited.patent_count": "desc"}, {"year_published": "asc"}],
         [("biblio.references_cited.patent_count", "desc"), ("date_published", "asc")]),
    ],
)
def test_paging_walks_every_record_once_in_oracle_order(api: httpx.Client, corpus: Corpus, product: str,
                                                        sort: list[dict[str, str]], paths: list[tuple[str, str]]) -> None:
    seen: list[str] = []
    page_size, offset = 13, 0
    while True:
        body = post(api, product, {"sort": sort, "size": page_size, "from": offset, "include": ["lens_id"]})
        if not body["data"]:
            break
        seen += [r["lens_id"] for r in body["data"]]
        offset += page_size
    assert seen == oracle_order(corpus.records[product], paths)


def test_relevance_ties_are_broken_by_lens_id(api: httpx.Client) -> None:
    body = post(api, "scholarly", {"query": {"match": {"has_abstract": True}}, "size": 50, "include": ["lens_id"]})
    ids = [r["lens_id"] for r in body["data"]]
    assert ids == sorted(ids) and len(ids) == 50  # a filter scores every match alike


def test_filters_partition_the_corpus(api: httpx.Client, corpus: Corpus) -> None:
    yes = post(api, "patent", {"query": {"match": {"has_abstract": "true"}}, "size": 0})["total"]
    no = post(api, "patent", {"query": {"match": {"has_abstract": "false"}}, "size": 0})["total"]
    assert yes > 0 and no > 0 and yes + no == len(corpus.records["patent"])


def test_min_score_drops_weak_matches(api: httpx.Client) -> None:
    everything = post(api, "scholarly", {"query": "malaria vaccine", "size": 0})["total"]
    strong = post(api, "scholarly", {"query": "malaria vaccine", "size": 0, "min_score": 3})["total"]
    assert 0 < strong < everything
    assert post(api, "scholarly", {"query": "malaria vaccine", "min_score": 1e9})["total"] == 0


def test_include_and_exclude_together(api: httpx.Client) -> None:
    body = post(api, "scholarly", {"query": {"match": {"has_affiliation": True}}, "size": 3,
                                   "include": ["lens_id", "authors"], "exclude": ["authors.affiliations"]})
    for record in body["data"]:
        assert set(record) <= {"lens_id", "authors"}
        assert all("affiliations" not in a for a in record.get("authors", []))


def test_record_by_lens_id(api: httpx.Client, corpus: Corpus) -> None:
    record = corpus.records["patent"][5]
    assert api.get(f"/patent/{record['lens_id']}").json() == record
    projected = api.get(f"/patent/{record['lens_id']}", params={"include": "lens_id,jurisdiction"}).json()
    assert projected == {"lens_id": record["lens_id"], "jurisdiction": record["jurisdiction"]}


BAD_REQUESTS = [
    ("post", "/scholarly/search", {"json": {"query": "titel:x"}}, 400, "titel"),
    ("post", "/scholarly/search", {"json": {"size": 1001}}, 400, "1000"),
    ("post", "/patent/search", {"json": {"size": 501}}, 400, "500"),
    ("post", "/patent/search", {"json": {"from": 9995, "size": 10}}, 400, "10000"),
    ("post", "/scholarly/search", {"json": {"query": {"range": {"year_published": {"gte": "soon"}}}}}, 400, "soon"),
    ("post", "/scholarly/search", {"json": {"query": "a AND (b"}}, 400, "malformed"),
    ("post", "/scholarly/search", {"json": {"scroll": "1m"}}, 400, "scroll"),
    ("post", "/patent/search", {"json": {"group_by": "SIMPLE_FAMILY"}}, 400, "group_by"),
    ("post", "/scholarly/search", {"json": {"colour": "red"}}, 400, "colour"),
    ("post", "/scholarly/search", {"content": b"{oops", "headers": {"content-type": "application/json"}}, 415, "JSON"),
    ("post", "/scholarly/search", {"content": b"q=1", "headers": {"content-type": "text/plain"}}, 415, "text/plain"),
    ("get", "/scholarly/search", {"params": {"size": "ten"}}, 400, "size"),
    ("get", "/scholarly/search", {"params": {"sort": "year_published"}}, 400, "sort"),
    ("get", "/patent/000-000-000-000-000", {}, 404, "000-000-000-000-000"),
    ("get", "/patent/search", {"params": {"include": "nope"}}, 400, "nope"),
    ("get", "/books/search", {}, 404, "books"),
    ("post", "/scholarly/aggregate", {"json": {"aggregations": {}}}, 400, "aggregation"),
    ("get", "/schema/books", {}, 404, "books"),
    ("delete", "/scholarly/search", {}, 405, ""),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "needle"), BAD_REQUESTS)
def test_every_error_has_one_shape(api: httpx.Client, method: str, path: str, kwargs: dict[str, Any],
                                   status: int, needle: str) -> None:
    response = api.request(method.upper(), path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "error", "message", "path"}
    assert body["status"] == status and body["path"] == path and needle in body["message"]


def test_tokens_are_ignored_unless_required(corpus: Corpus) -> None:
    app = create_app(Settings(data_dir=corpus.data_dir, token="s3cret"))
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/scholarly/search").status_code == 401
        assert client.get("/scholarly/search", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/scholarly/search", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get("/scholarly/search", params={"token": "s3cret"}).status_code == 200


def test_openapi_docs_are_served(api: httpx.Client) -> None:
    assert api.get("/docs").status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    assert "/{product}/search" in paths and "/{product}/{lens_id}" in paths


def test_paging_through_tied_scores_follows_lens_id(api: httpx.Client, corpus: Corpus) -> None:
    query = {"match": {"has_abstract": True}}  # a filter: every match scores the same
    seen: list[str] = []
    for offset in range(0, 400, 13):
        body = post(api, "scholarly", {"query": query, "size": 13, "from": offset, "include": ["lens_id"]})
        seen += [r["lens_id"] for r in body["data"]]
    expected = sorted(r["lens_id"] for r in corpus.records["scholarly"] if r.get("abstract"))
    assert seen == expected
