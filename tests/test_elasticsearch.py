"""Engine checks on a real search engine: the `engine_url` session fixture (conftest).

They prove that the engine accepts the generated index definitions and every
golden compiled body, and that it finds the same records as the embedded backend
for the same body. The engine is LENS_MIRROR_ES_URL when set (Elasticsearch 8 or
OpenSearch 2, e.g. `docker compose up -d`), else an OpenSearch 2.19 node that the
fixture builds from Maven Central and starts (tests/engine_node.py), as in CI.
Only where neither Java+Maven nor that variable is available are they skipped,
and pytest's summary (-ra) says how to enable them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import httpx
import orjson
import pytest

from conftest import Corpus
from mirror.catalogue import catalogue_for
from mirror.catalogue.transform import search_document
from mirror.query.compile import compile_search
from mirror.query.request import parse_search_body

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def es(engine_url: str, corpus: Corpus) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=engine_url, timeout=60) as client:
        for product in ("scholarly", "patent"):
            index = f"lens-mirror-test-{product}"
            client.delete(f"/{index}")
            created = client.put(f"/{index}", content=(ROOT / "mappings" / f"{product}.json").read_bytes(),
                                 headers={"content-type": "application/json"})
            assert created.status_code == 200, created.text
            catalogue = catalogue_for(product)
            lines = []
            for record in corpus.records[product]:
                lines.append(orjson.dumps({"index": {"_index": index, "_id": record["lens_id"]}}))
                lines.append(orjson.dumps({**record, "search": search_document(catalogue, record)}))
            bulk = client.post("/_bulk?refresh=true", content=b"\n".join(lines) + b"\n",
                               headers={"content-type": "application/x-ndjson"})
            assert bulk.status_code == 200 and not bulk.json()["errors"], bulk.text[:2000]
        yield client
        for product in ("scholarly", "patent"):
            client.delete(f"/lens-mirror-test-{product}")


def golden_bodies() -> list[Any]:
    out = []
    for product in ("scholarly", "patent"):
        for golden in ("search", "aggregate"):
            for case in orjson.loads((ROOT / "tests" / "golden" / f"{product}-{golden}.json").read_bytes()):
                if "body" in case:
                    out.append(pytest.param(product, case["body"], id=f"{product}:{golden}:{case['name']}"))
    return out


@pytest.mark.parametrize(("product", "body"), golden_bodies())
def test_elasticsearch_accepts_every_golden_body(es: httpx.Client, product: str, body: dict[str, Any]) -> None:
    response = es.post(f"/lens-mirror-test-{product}/_search", json=body)
    assert response.status_code == 200, response.text


DIFFERENTIAL = [
    ("scholarly", {"query": "year_published:[2015 TO *] AND has_abstract:true", "sort": [{"year_published": "desc"}]}),
    ("scholarly", {"query": {"terms": {"pmid": ["1", "2"]}}}),
    ("scholarly", {"query": 'author.affiliation.name:"Harvard University"', "sort": [{"date_published": "asc"}]}),
    ("patent", {"query": "jurisdiction:US AND kind:B*", "sort": [{"date_published": "desc"}]}),
    ("patent", {"query": {"match": {"has_full_text": True}}, "sort": [{"reference_cited.patent_count": "desc"}]}),
]


@pytest.mark.parametrize(("product", "request_body"), DIFFERENTIAL)
def test_elasticsearch_and_embedded_find_the_same_records(es: httpx.Client, api: httpx.Client, product: str,
                                                          request_body: dict[str, Any]) -> None:
    request_body = {**request_body, "size": 200, "include": ["lens_id"]}
    body = compile_search(parse_search_body(request_body), catalogue_for(product))
    hits = es.post(f"/lens-mirror-test-{product}/_search", json=body).json()["hits"]
    embedded = api.post(f"/{product}/search", json=request_body).json()
    assert hits["total"]["value"] == embedded["total"]
    assert [h["_source"]["lens_id"] for h in hits["hits"]] == [r["lens_id"] for r in embedded["data"]]
