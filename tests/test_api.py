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
        # a keyword sort: few values, so every page edge falls inside a tie
        ("scholarly", [{"publication_type": "asc"}], [("publication_type", "asc")]),
    ],
)
def test_paging_walks_every_record_once_in_oracle_order(
    api: httpx.Client, corpus: Corpus, product: str, sort: list[dict[str, str]], paths: list[tuple[str, str]]
) -> None:
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
    ("post", "/scholarly/search", {"json": {"scroll": "soon"}}, 400, "scroll"),
    ("post", "/patent/search", {"json": {"group_by": "SIMPLE"}}, 400, "group_by must be one of"),
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


# -- the HTTP layer: trailing slashes, body limit, message length, unknown products, OpenAPI -------------

@pytest.mark.parametrize("path", ["/", "/schema/patent/", "/scholarly/search/", "/docs/", "/openapi.json/"])
def test_a_trailing_slash_answers_directly(api: httpx.Client, path: str) -> None:
    response = api.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 200 and "location" not in response.headers
    assert response.content == api.get(path.rstrip("/") or "/").content


def test_post_search_with_a_trailing_slash(api: httpx.Client, corpus: Corpus) -> None:
    body = {"query": "malaria", "size": 3, "include": ["lens_id"]}
    slashed = api.post("/scholarly/search/", json=body)
    assert slashed.status_code == 200 and slashed.json() == post(api, "scholarly", body)
    record = corpus.records["patent"][0]
    assert api.get(f"/patent/{record['lens_id']}/").json() == record


def test_a_body_over_the_limit_is_refused_by_its_declared_length(api: httpx.Client) -> None:
    response = api.post("/scholarly/search", content=b" " * 1_000_001, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["message"] == "the request body is larger than 1,000,000 bytes (LENS_MIRROR_MAX_BODY_BYTES)"


def asgi_post(app: Any, path: str, content: Any) -> httpx.Response:
    """One POST straight to the app in process (httpx's ASGI transport reads a body as the app asks for it)."""
    import asyncio

    async def send() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mirror") as client:
            return await client.post(path, content=content, headers={"content-type": "application/json"})

    return asyncio.run(send())


def test_a_streamed_body_is_read_only_up_to_the_limit(corpus: Corpus) -> None:
    app = create_app(Settings(data_dir=corpus.data_dir, max_body_bytes=50_000))
    sent = 0

    async def chunks() -> Any:  # no Content-Length: only counting while reading can stop it
        nonlocal sent
        for _ in range(1_000):  # 10 MB if read to the end
            sent += 1
            yield b" " * 10_000

    response = asgi_post(app, "/patent/search", chunks())
    assert response.status_code == 400, response.text
    assert "50,000 bytes (LENS_MIRROR_MAX_BODY_BYTES)" in response.json()["message"]
    assert sent <= 7  # stopped just past 50 KB, not after 10 MB


def test_a_body_under_the_limit_is_searched(corpus: Corpus) -> None:
    app = create_app(Settings(data_dir=corpus.data_dir, max_body_bytes=1_000))
    padded = b'{"size": 1' + b" " * 989 + b"}"  # exactly 1,000 bytes
    assert asgi_post(app, "/scholarly/search", padded).json()["results"] == 1
    assert asgi_post(app, "/scholarly/search", padded + b" ").status_code == 400


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("post", "/scholarly/search", {"json": {"x" * 200_000: 1}}),
    ("post", "/scholarly/search", {"json": {"size": "x" * 200_000}}),
    ("post", "/scholarly/search", {"json": {"query": {"term": {"y" * 200_000: 1}}}}),
    ("get", "/scholarly/" + "9" * 5_000, {}),
    ("get", "/scholarly/search", {"params": {"size": "1" * 5_000}}),
])
def test_error_messages_never_echo_a_huge_input(api: httpx.Client, method: str, path: str,
                                                 kwargs: dict[str, Any]) -> None:
    response = api.request(method.upper(), path, **kwargs)
    assert 400 <= response.status_code < 500, response.text[:300]
    body = response.json()
    assert len(body["message"]) <= 500 and len(body["path"]) <= 500
    assert len(response.content) < 1_500


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("get", "/books/search", {"params": {"size": "ten"}}),
    ("post", "/books/search", {"json": {"colour": "red"}}),
    ("post", "/books/search/", {"json": {}}),
    ("get", "/books/000-000-000-000-000", {"params": {"include": "nope"}}),
    ("post", "/books/aggregate", {"json": {}}),
    ("get", "/schema/books/", {}),
])
def test_an_unknown_product_is_a_404_on_every_route(api: httpx.Client, method: str, path: str,
                                                    kwargs: dict[str, Any]) -> None:
    response = api.request(method.upper(), path, **kwargs)
    assert response.status_code == 404, response.text
    assert set(response.json()) == {"status", "error", "message", "path"} and "books" in response.json()["message"]


def test_openapi_documents_what_the_api_answers(api: httpx.Client) -> None:
    from mirror.query.request import SearchRequest

    document = api.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    operations = [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]
    assert {(m, p) for p, m, _ in operations} == {
        ("get", "/"), ("post", "/{product}/search"), ("get", "/{product}/search"), ("post", "/{product}/aggregate"),
        ("get", "/schema/{product}"), ("get", "/{product}/{lens_id}"),
        ("get", "/subscriptions/{subscription}/usage"), ("get", "/scholarly/usage")}
    for path, method, op in operations:
        assert "422" not in op["responses"], (method, path)  # never sent: validation errors are 400s
        for status, response in op["responses"].items():
            if status == "204":  # a finished scroll: no body
                assert "content" not in response, (method, path)
            elif status != "200":
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        for param in op.get("parameters", []):
            if param["name"] == "product":
                assert param["schema"]["enum"] == ["scholarly", "patent"]
    assert "ValidationError" not in schemas and "HTTPValidationError" not in schemas
    assert set(schemas["Error"]["required"]) == {"status", "error", "message", "path"}

    def ok_schema(path: str, method: str) -> dict[str, Any]:
        return document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]

    assert schemas[ok_schema("/", "get")["$ref"].split("/")[-1]]["type"] == "object"
    search = schemas[ok_schema("/{product}/search", "post")["$ref"].split("/")[-1]]
    assert set(search["required"]) == {"total", "max_score", "results", "data"}
    post_search = document["paths"]["/{product}/search"]["post"]
    assert {"400", "404", "415", "503"} <= set(post_search["responses"])
    body = post_search["requestBody"]["content"]["application/json"]["schema"]
    assert set(schemas[body["$ref"].split("/")[-1]]["properties"]) == set(
        SearchRequest.model_json_schema()["properties"])


def test_a_wrong_method_says_which_are_allowed(api: httpx.Client) -> None:
    response = api.request("TRACE", "/scholarly/search")
    assert response.status_code == 405 and response.json()["status"] == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
