"""The shared behavioural suite: the same API requests on both backends, the same answers.

`backend_api` (conftest) is the real app served over loopback, once on the embedded
backend and once on the engine backend (`serve --backend elasticsearch`) over the
same corpus: the engine is LENS_MIRROR_ES_URL when set, else the OpenSearch 2.19
node the `engine_url` fixture starts (skipped, with how to enable it, where neither
is possible). Each test also asks the embedded backend (`api`) as the reference, so
on the engine run it proves "the same records, in the same order, `total` equal".

Scores are not compared: tantivy and Lucene both use BM25 but differ in details
(norm encoding, idf over segments), so relevance order can differ. Order is
tested only where the sort is a field (ties broken by lens_id); under relevance
sorts only `total` and the set of records found are compared.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from pydantic import ValidationError

from conftest import Corpus, LiveServer
from mirror.api import create_app
from mirror.backends import open_backend
from mirror.backends.engine import EngineBackend
from mirror.errors import MirrorError, ServiceUnavailable
from mirror.settings import Settings


def post(client: httpx.Client, product: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/{product}/search", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def ids(answer: dict[str, Any]) -> list[str]:
    return [r["lens_id"] for r in answer["data"]]


# -- searches whose order is a field sort: same ids, same order, same total -----------------------------

FIELD_SORTED = [
    ("scholarly", {"query": "year_published:[2015 TO *] AND has_abstract:true", "sort": [{"year_published": "desc"}]}),
    ("scholarly", {"query": "malaria OR vaccine", "sort": [{"date_published": "asc"}]}),
    ("scholarly", {"query": {"terms": {"publication_type": ["journal article", "book chapter"]}},
                   "sort": [{"referenced_by_count": "desc"}]}),
    ("scholarly", {"query": {"bool": {"must": [{"match": {"title": "malaria"}}],
                                      "filter": [{"range": {"year_published": {"gte": 2000}}}]}},
                   "sort": [{"year_published": "asc"}]}),
    ("scholarly", {"query": 'author.affiliation.name:"Harvard University"', "sort": [{"date_published": "asc"}]}),
    ("patent", {"query": "jurisdiction:US AND kind:B*", "sort": [{"date_published": "desc"}]}),
    ("patent", {"query": {"match": {"has_full_text": True}}, "sort": [{"reference_cited.patent_count": "desc"}]}),
    ("patent", {"query": "title:battery", "sort": [{"year_published": "asc"}, {"lens_id": "desc"}]}),
    # every match scores the same (a filter on a boolean), so the lens_id tie-breaker is the order
    ("scholarly", {"query": {"match": {"has_abstract": True}}}),
]


@pytest.mark.parametrize(("product", "request_body"), FIELD_SORTED)
def test_field_sorted_searches_find_the_same_records_in_the_same_order(
        backend_api: httpx.Client, api: httpx.Client, product: str, request_body: dict[str, Any]) -> None:
    request_body = {**request_body, "size": 200, "include": ["lens_id"]}
    got, expected = post(backend_api, product, request_body), post(api, product, request_body)
    assert got["total"] == expected["total"] > 0
    assert ids(got) == ids(expected)
    assert got["results"] == expected["results"]


# -- relevance searches: scores differ between engines, so the same total and the same set only ----------

RELEVANCE = [
    ("scholarly", {"query": "malaria"}),
    ("scholarly", {"query": "title:(malaria AND vaccine)"}),
    ("scholarly", {"query": {"match": {"abstract": "vaccine trial"}}}),
    ("scholarly", {"query": {"query_string": {"query": "malaria NOT vaccine"}}}),
    ("patent", {"query": "battery OR electrode"}),
    ("patent", {"query": {"match_phrase": {"title": "lithium battery"}}}),
]


@pytest.mark.parametrize(("product", "request_body"), RELEVANCE)
def test_relevance_searches_find_the_same_records(
        backend_api: httpx.Client, api: httpx.Client, product: str, request_body: dict[str, Any]) -> None:
    request_body = {**request_body, "size": 300, "include": ["lens_id"]}
    got, expected = post(backend_api, product, request_body), post(api, product, request_body)
    assert got["total"] == expected["total"]
    assert sorted(ids(got)) == sorted(ids(expected))
    assert (got["max_score"] > 0) == (expected["max_score"] > 0)


def test_search_returns_records_verbatim(backend_api: httpx.Client, corpus: Corpus) -> None:
    body = post(backend_api, "scholarly", {"query": "malaria", "size": 5})
    assert set(body) == {"total", "max_score", "results", "data"}
    assert body["results"] == len(body["data"]) == 5 and body["max_score"] > 0
    by_id = corpus.by_id("scholarly")
    assert all(record == by_id[record["lens_id"]] for record in body["data"])  # no "search" field leaks out


def test_size_zero_counts_every_match(backend_api: httpx.Client, corpus: Corpus) -> None:
    yes = post(backend_api, "patent", {"query": {"match": {"has_abstract": "true"}}, "size": 0})
    no = post(backend_api, "patent", {"query": {"match": {"has_abstract": "false"}}, "size": 0})
    assert yes["data"] == [] and yes["max_score"] == 0
    assert yes["total"] > 0 and no["total"] > 0 and yes["total"] + no["total"] == len(corpus.records["patent"])


# -- paging: walked to the end, against an oracle sort in plain Python ------------------------------------


def oracle(records: list[dict[str, Any]], path: str, order: str) -> list[str]:
    """Missing values last, ties by lens_id ascending (the compile stage's tie-breaker)."""
    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        value: Any = record
        for step in path.split("."):
            value = value.get(step) if isinstance(value, dict) else None
        part = (1, 0) if value is None else (0, -value if order == "desc" else value)
        return (part, record["lens_id"])
    return [r["lens_id"] for r in sorted(records, key=key)]


@pytest.mark.parametrize(("product", "sort", "path", "order"), [
    ("scholarly", "year_published", "year_published", "desc"),
    ("scholarly", "referenced_by_count", "scholarly_citations_count", "asc"),
    ("patent", "reference_cited.patent_count", "biblio.references_cited.patent_count", "desc"),
])
def test_paging_walks_every_record_once_in_oracle_order(
        backend_api: httpx.Client, corpus: Corpus, product: str, sort: str, path: str, order: str) -> None:
    seen: list[str] = []
    offset, page_size = 0, 17
    while True:
        body = post(backend_api, product, {"sort": [{sort: order}], "size": page_size, "from": offset,
                                           "include": ["lens_id"]})
        assert body["total"] == len(corpus.records[product])
        if not body["data"]:
            break
        seen += ids(body)
        offset += page_size
    assert seen == oracle(corpus.records[product], path, order)


def test_get_search_pages_like_post(backend_api: httpx.Client) -> None:
    params = {"query": "vaccine AND year_published:[2000 TO 2030]", "size": "7", "from": "3",
              "sort": "desc(year_published),asc(lens_id)", "include": "lens_id,year_published,title"}
    via_get = backend_api.get("/scholarly/search", params=params)
    via_post = backend_api.post("/scholarly/search", json={
        "query": params["query"], "size": 7, "from": 3, "sort": [{"year_published": "desc"}, {"lens_id": "asc"}],
        "include": ["lens_id", "year_published", "title"]})
    assert via_get.status_code == via_post.status_code == 200
    assert via_get.json() == via_post.json() and via_get.json()["results"] == 7


# -- include / exclude --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("product", "projection"), [
    ("scholarly", {"include": ["lens_id", "title", "year_published"]}),
    ("scholarly", {"include": ["lens_id", "authors"], "exclude": ["authors.affiliations"]}),
    ("scholarly", {"exclude": ["abstract", "references", "authors"]}),
    ("patent", {"include": ["lens_id", "biblio.invention_title", "jurisdiction"]}),
])
def test_include_and_exclude_project_the_same(backend_api: httpx.Client, api: httpx.Client, product: str,
                                              projection: dict[str, list[str]]) -> None:
    request_body = {"query": "*", "sort": [{"lens_id": "asc"}], "size": 25, **projection}
    got, expected = post(backend_api, product, request_body), post(api, product, request_body)
    assert got["data"] == expected["data"] and len(got["data"]) == 25
    for record in got["data"]:
        if "include" in projection:
            assert set(record) <= {p.split(".")[0] for p in projection["include"]}
        assert not set(record) & set(projection.get("exclude", []))


# -- identifiers: one record by Lens ID ---------------------------------------------------------------------


def test_record_by_lens_id(backend_api: httpx.Client, corpus: Corpus) -> None:
    for product in ("scholarly", "patent"):
        record = corpus.records[product][11]
        assert backend_api.get(f"/{product}/{record['lens_id']}").json() == record
    record = corpus.records["patent"][5]
    projected = backend_api.get(f"/patent/{record['lens_id']}", params={"include": "lens_id,jurisdiction"}).json()
    assert projected == {"lens_id": record["lens_id"], "jurisdiction": record["jurisdiction"]}


def test_lens_id_search_finds_the_record(backend_api: httpx.Client, corpus: Corpus) -> None:
    wanted = [r["lens_id"] for r in corpus.records["scholarly"][:3]]
    body = post(backend_api, "scholarly", {"query": {"terms": {"lens_id": wanted}}, "sort": [{"lens_id": "asc"}]})
    assert ids(body) == sorted(wanted) and body["total"] == 3


# -- errors: judged by the compile stage, so identical on both backends -------------------------------------

BAD_REQUESTS = [
    ("post", "/scholarly/search", {"json": {"query": "titel:x"}}, 400),
    ("post", "/scholarly/search", {"json": {"size": 1001}}, 400),
    ("post", "/patent/search", {"json": {"from": 9995, "size": 10}}, 400),
    ("post", "/scholarly/search", {"json": {"query": {"range": {"year_published": {"gte": "soon"}}}}}, 400),
    ("post", "/scholarly/search", {"json": {"query": "a AND (b"}}, 400),
    ("post", "/scholarly/search", {"json": {"sort": [{"abstract": "asc"}]}}, 400),
    ("post", "/scholarly/search", {"json": {"colour": "red"}}, 400),
    ("get", "/scholarly/search", {"params": {"size": "ten"}}, 400),
    ("get", "/patent/search", {"params": {"include": "nope"}}, 400),
    ("get", "/patent/000-000-000-000-000", {}, 404),
    ("get", "/patent/000-000-000-000-000", {"params": {"include": "nope"}}, 400),
    ("get", "/books/search", {}, 404),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), BAD_REQUESTS)
def test_errors_are_identical(backend_api: httpx.Client, api: httpx.Client, method: str, path: str,
                              kwargs: dict[str, Any], status: int) -> None:
    got = backend_api.request(method.upper(), path, **kwargs)
    expected = api.request(method.upper(), path, **kwargs)
    assert got.status_code == expected.status_code == status, got.text
    assert got.json() == expected.json()
    assert set(got.json()) == {"status", "error", "message", "path"}


def test_overview_counts_every_record(backend_api: httpx.Client, corpus: Corpus) -> None:
    products = backend_api.get("/").json()["products"]
    assert {p: v["records"] for p, v in products.items()} == {p: len(r) for p, r in corpus.records.items()}


# -- an engine that cannot answer is a 503 with a clear message, never a 500 ---------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_503(response: httpx.Response, *needles: str) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert set(body) == {"status", "error", "message", "path"} and body["status"] == 503
    for needle in needles:
        assert needle in body["message"], body["message"]


def test_an_unreachable_engine_is_a_503(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    backend = EngineBackend(url, timeout=2)
    with LiveServer(create_app(Settings(data_dir=tmp_path), backend)) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        assert_503(client.post("/scholarly/search", json={"query": "malaria"}), url, "cannot be reached")
        assert_503(client.get("/patent/000-000-000-000-000"), url)
        assert client.post("/scholarly/search", json={"size": 5000}).status_code == 400  # judged before the engine
        products = client.get("/").json()["products"]
        assert all(v["records"] is None and url in v["error"] for v in products.values())
    with pytest.raises(ServiceUnavailable, match="cannot be reached"):
        backend.check()


class FakeOpenSearch(BaseHTTPRequestHandler):
    """An engine that says it is OpenSearch 2, then hangs on searches and fails everything else
    (the opensearch client counts with POST, so the count error is the POST one)."""

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        if self.path == "/":
            self.answer(200, {"version": {"number": "2.19.1", "distribution": "opensearch"}})
        elif "/_doc/" in self.path:
            self.answer(404, {"error": {"root_cause": [{"type": "index_not_found_exception",
                                                        "reason": "no such index [x]"}]}, "status": 404})
        else:
            self.answer(500, {"error": {"root_cause": [{"type": "circuit_breaking_exception",
                                                        "reason": "[parent] Data too large"}]}, "status": 500})

    def do_POST(self) -> None:  # noqa: N802
        if self.path.startswith("/partial-") and "_search" in self.path:  # a shard down: a short answer
            self.answer(200, {"timed_out": False, "_shards": {"total": 3, "successful": 2, "failed": 1},
                              "hits": {"total": {"value": 5, "relation": "eq"}, "max_score": None, "hits": []}})
            return
        if "_search" in self.path:
            time.sleep(3)  # past the client's timeout: it has hung up by now
            return
        self.answer(500, {"error": {"type": "search_phase_execution_exception", "reason": "all shards failed"}})

    def answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def fake_engine() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenSearch)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_engine_timeouts_and_errors_are_503s(fake_engine: str, tmp_path: Path) -> None:
    backend = EngineBackend(fake_engine, timeout=0.5)
    with LiveServer(create_app(Settings(data_dir=tmp_path), backend)) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        assert_503(client.post("/scholarly/search", json={"query": "malaria"}), "OpenSearch 2.19.1", "timed out")
        assert_503(client.get("/patent/000-000-000-000-000"), "has no index 'lens-mirror-patent'")
        assert client.get("/").json()["products"]["scholarly"]["error"].endswith(
            "with HTTP 500: search_phase_execution_exception: all shards failed")


def test_a_partial_answer_is_a_503_not_a_short_total(fake_engine: str, tmp_path: Path) -> None:
    backend = EngineBackend(fake_engine, index_prefix="partial", timeout=5)
    with LiveServer(create_app(Settings(data_dir=tmp_path), backend)) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        assert_503(client.post("/scholarly/search", json={"query": "malaria"}), "from 2 of 3 shards")


def test_a_missing_alias_is_a_503(engine_url: str, tmp_path: Path) -> None:
    backend = EngineBackend(engine_url, index_prefix="lens-mirror-test-nothing-here")
    with pytest.raises(ServiceUnavailable, match="none of the indexes"):
        backend.check()
    with LiveServer(create_app(Settings(data_dir=tmp_path), backend)) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        assert_503(client.post("/scholarly/search", json={"query": "malaria"}),
                   "has no index 'lens-mirror-test-nothing-here-scholarly'", "lens-mirror index")
        assert client.get("/").json()["products"] == {"scholarly": {"records": None}, "patent": {"records": None}}


def test_the_engine_is_detected(engine_url: str, engine_api: httpx.Client) -> None:
    backend = EngineBackend(engine_url)
    info = httpx.get(engine_url).json()["version"]
    expected = "opensearch" if info.get("distribution") == "opensearch" else "elasticsearch"
    assert backend.info.distribution == expected and backend.info.version == info["number"]


def test_open_backend_choices(tmp_path: Path) -> None:
    with pytest.raises(MirrorError, match="LENS_MIRROR_ES_URL"):
        open_backend(Settings(data_dir=tmp_path, backend="elasticsearch", es_url=None))
    with pytest.raises(ValidationError, match="'embedded' or 'elasticsearch'"):
        Settings(data_dir=tmp_path, backend="solr")  # as a user's environment may say
    backend = open_backend(Settings(data_dir=tmp_path, backend="elasticsearch", es_url="http://127.0.0.1:9/",
                                    es_index_prefix="x"))
    assert isinstance(backend, EngineBackend) and backend.alias("patent") == "x-patent"  # nothing contacted yet


def test_serve_backend_elasticsearch(engine_url: str, engine_api: httpx.Client, corpus: Corpus,
                                     tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from conftest import ENGINE_TEST_PREFIX

    port = closed_port()
    env = {**os.environ, "LENS_MIRROR_ES_URL": engine_url, "LENS_MIRROR_ES_INDEX_PREFIX": ENGINE_TEST_PREFIX}
    command = [sys.executable, "-c", "from mirror.cli import main; main()", "serve", "--backend", "elasticsearch",
               "--data-dir", str(tmp_path), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[0].decode()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/patent/search", params={"size": 1}, timeout=10)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve --backend elasticsearch did not answer"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json()["total"] == len(corpus.records["patent"])
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_serve_refuses_an_engine_without_our_indexes(engine_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mirror.cli import build_app

    env = {"LENS_MIRROR_ES_URL": engine_url, "LENS_MIRROR_ES_INDEX_PREFIX": "lens-mirror-test-nothing-here"}
    result = CliRunner().invoke(build_app(), ["serve", "--backend", "elasticsearch", "--data-dir", str(tmp_path)],
                                env=env)
    assert result.exit_code == 1 and "none of the indexes" in result.output, result.output
