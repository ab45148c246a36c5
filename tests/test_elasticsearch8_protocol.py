"""The Elasticsearch 8 side of the engine adapter, on the wire: the official ``elasticsearch`` client
and Elasticsearch's point-in-time API, against an Elasticsearch 8 stand-in (tests/es8_standin.py)
that serves the real OpenSearch node's answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from es8_standin import es8_standin

from conftest import ENGINE_TEST_PREFIX, Corpus, LiveServer
from mirror.api import create_app
from mirror.backends.engine import EngineBackend
from mirror.settings import Settings


@pytest.fixture
def es8_api(engine_api: httpx.Client, engine_url: str, tmp_path: Path) -> Iterator[tuple[httpx.Client, Any, Any]]:
    """Our API on the engine backend, the engine being the stand-in (engine_api loaded the corpus)."""
    if httpx.get(engine_url, timeout=30).json()["version"].get("distribution") != "opensearch":
        pytest.skip("LENS_MIRROR_ES_URL is a real Elasticsearch: the engine tests run on it, no stand-in needed")
    with es8_standin(engine_url) as standin:
        backend = EngineBackend(standin.url, index_prefix=ENGINE_TEST_PREFIX)
        with LiveServer(create_app(Settings(data_dir=tmp_path), backend)) as server, \
                httpx.Client(base_url=server.url, timeout=60) as client:
            yield client, backend, standin


def test_the_elasticsearch_client_is_chosen_and_answers(es8_api: tuple[httpx.Client, Any, Any],
                                                        corpus: Corpus) -> None:
    client, backend, _ = es8_api
    assert client.get("/").json()["products"] == {"scholarly": {"records": 300}, "patent": {"records": 300}}
    assert backend.info.distribution == "elasticsearch" and backend.info.version == "8.15.3"
    record = corpus.records["patent"][4]
    assert client.get(f"/patent/{record['lens_id']}").json() == record
    found = client.post("/scholarly/search", json={"query": "*", "sort": [{"lens_id": "asc"}], "size": 5}).json()
    assert [r["lens_id"] for r in found["data"]] == sorted(r["lens_id"] for r in corpus.records["scholarly"])[:5]


def test_a_scroll_uses_elasticsearch_points_in_time(es8_api: tuple[httpx.Client, Any, Any], corpus: Corpus) -> None:
    client, _, standin = es8_api
    ids: list[str] = []
    page = client.post("/scholarly/search", json={"query": "*", "size": 37, "scroll": "1m",
                                                  "include": ["lens_id", "title"]})
    while page.status_code == 200 and page.json()["results"]:
        ids += [r["lens_id"] for r in page.json()["data"]]
        page = client.post("/scholarly/search", json={"scroll_id": page.json()["scroll_id"], "scroll": "1m"})
    assert page.status_code in (200, 204)
    assert len(ids) == len(set(ids)) and set(ids) == {r["lens_id"] for r in corpus.records["scholarly"]}
    # on the wire: Elasticsearch's calls, none of OpenSearch's
    calls = standin.calls
    opened = [c for c in calls if c[0] == "POST" and c[1] == f"/{ENGINE_TEST_PREFIX}-scholarly/_pit"]
    assert len(opened) == 1 and opened[0][2]["keep_alive"].endswith("s")
    pages = [c for c in calls if c[0] == "POST" and c[1] == "/_search"]
    assert len(pages) >= 9 and all(c[3]["pit"]["id"] and c[3]["search_after"] for c in pages[1:])
    closed = [c for c in calls if c[0] == "DELETE" and c[1] == "/_pit"]
    assert len(closed) == 1 and set(closed[0][3]) == {"id"}
    assert not [c for c in calls if "point_in_time" in c[1]]
