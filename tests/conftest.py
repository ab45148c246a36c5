"""Shared fixtures: the reference contract, and one generated corpus every API test shares."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference() -> Path:
    """../shared/reference (CI clones the repo with shared/ beside it)."""
    if not REFERENCE.is_dir():
        pytest.skip(f"the Lens reference contract is not at {REFERENCE}")
    return REFERENCE


@pytest.fixture(autouse=True)
def _no_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    # A test that forgets its stand-in must fail at once, never reach the real Lens API.
    monkeypatch.setenv("LENS_MIRROR_API_URL", os.environ.get("LENS_MIRROR_TEST_API_URL", "http://127.0.0.1:9"))


# -- the shared corpus: generated records → real split → real index → real server ------------

import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any, Iterator  # noqa: E402

import httpx  # noqa: E402
import orjson  # noqa: E402
import uvicorn  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

CORPUS_SIZE = 300
CORPUS_SEED = 7


@dataclass
class Corpus:
    data_dir: Path
    records: dict[str, list[dict[str, Any]]]  # product → the records as generated

    def by_id(self, product: str) -> dict[str, dict[str, Any]]:
        return {r["lens_id"]: r for r in self.records[product]}


def run_cli(*args: str) -> str:
    from mirror.cli import build_app

    result = CliRunner().invoke(build_app(), list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Both products, generated, split and indexed through the public CLI."""
    from mirror.sample import write_sample

    base = tmp_path_factory.mktemp("corpus")
    data_dir = base / "data"
    records: dict[str, list[dict[str, Any]]] = {}
    for product in ("scholarly", "patent"):
        sample = base / f"{product}.jsonl.gz"
        write_sample(product, CORPUS_SIZE, CORPUS_SEED, sample)
        import gzip

        records[product] = [orjson.loads(line) for line in gzip.decompress(sample.read_bytes()).splitlines()]
        chunks = base / f"{product}-chunks"
        run_cli("split", str(sample), "--out", str(chunks), "--chunk-bytes", "256K")
        run_cli("index", "--product", product, "--data-dir", str(data_dir), str(chunks))
    return Corpus(data_dir, records)


class LiveServer:
    """The real app under uvicorn on a loopback port, in a background thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="session")
def api(corpus: Corpus) -> Iterator[httpx.Client]:
    from mirror.api import create_app
    from mirror.settings import Settings

    with LiveServer(create_app(Settings(data_dir=corpus.data_dir))) as server:
        with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": "Bearer any-token"}) as client:
            yield client


# -- a real search engine: LENS_MIRROR_ES_URL, else an OpenSearch node built from Maven Central ----


@pytest.fixture(scope="session")
def engine_url() -> Iterator[str]:
    """The engine tests' Elasticsearch/OpenSearch URL, one per test session.

    LENS_MIRROR_ES_URL when set (e.g. `docker compose up -d`); otherwise a real
    OpenSearch 2.19 node assembled by tests/engine_node.py (needs Java 17+ and
    Maven, as CI has), started once and stopped at the end. Skipped, with how to
    enable it, where neither is possible.
    """
    url = os.environ.get("LENS_MIRROR_ES_URL")
    if url:
        yield url.rstrip("/")
        return
    import engine_node

    reason = engine_node.engine_available()
    if reason:
        pytest.skip(f"engine test skipped: {reason}")
    engine_node.build()
    engine = engine_node.start_node()
    try:
        yield engine.url
    finally:
        engine.stop()


# -- the engine backend over the same corpus (a loader for tests only; the real indexer is `index`) ----

#: Names of the test indexes and aliases: never the default prefix, so a LENS_MIRROR_ES_URL
#: pointing at a real mirror's engine is left alone.
ENGINE_TEST_PREFIX = "lens-mirror-test-backends"


def load_engine_corpus(engine_url: str, corpus: Corpus, prefix: str = ENGINE_TEST_PREFIX) -> None:
    """Index ``corpus`` as the engine backend reads it: a versioned index per product from
    mappings/{product}.json, documents with ``_id`` = lens_id, refreshed, behind the read alias."""
    from mirror.backends.engine import alias_name
    from mirror.catalogue import catalogue_for
    from mirror.catalogue.transform import search_document

    json_headers = {"content-type": "application/json"}
    with httpx.Client(base_url=engine_url, timeout=120) as client:
        for product in ("scholarly", "patent"):
            index, alias = f"{prefix}-{product}-v1", alias_name(prefix, product)
            client.delete(f"/{index}")
            created = client.put(f"/{index}", content=(ROOT / "mappings" / f"{product}.json").read_bytes(),
                                 headers=json_headers)
            assert created.status_code == 200, created.text
            catalogue = catalogue_for(product)
            lines = []
            for record in corpus.records[product]:
                lines.append(orjson.dumps({"index": {"_index": index, "_id": record["lens_id"]}}))
                lines.append(orjson.dumps({**record, "search": search_document(catalogue, record)}))
            bulk = client.post("/_bulk?refresh=true", content=b"\n".join(lines) + b"\n",
                               headers={"content-type": "application/x-ndjson"})
            assert bulk.status_code == 200 and not bulk.json()["errors"], bulk.text[:2000]
            aliased = client.post("/_aliases", json={"actions": [{"add": {"index": index, "alias": alias}}]})
            assert aliased.status_code == 200, aliased.text


def drop_engine_corpus(engine_url: str, prefix: str = ENGINE_TEST_PREFIX) -> None:
    with httpx.Client(base_url=engine_url, timeout=60) as client:
        for product in ("scholarly", "patent"):
            client.delete(f"/{prefix}-{product}-v1")


@pytest.fixture(scope="session")
def engine_api(engine_url: str, corpus: Corpus) -> Iterator[httpx.Client]:
    """The real app on the engine backend (`serve --backend elasticsearch`) over the shared corpus."""
    from mirror.api import create_app
    from mirror.backends import open_backend
    from mirror.settings import Settings

    load_engine_corpus(engine_url, corpus)
    settings = Settings(data_dir=corpus.data_dir, backend="elasticsearch", es_url=engine_url,
                        es_index_prefix=ENGINE_TEST_PREFIX)
    backend = open_backend(settings)
    try:
        with LiveServer(create_app(settings, backend)) as server:
            with httpx.Client(base_url=server.url, timeout=60,
                              headers={"Authorization": "Bearer any-token"}) as client:
                yield client
    finally:
        drop_engine_corpus(engine_url)


@pytest.fixture(scope="session", params=["embedded", "engine"])
def backend_api(request: pytest.FixtureRequest) -> httpx.Client:
    """The shared behavioural suite's server: the same corpus on each backend in turn."""
    client: httpx.Client = request.getfixturevalue("api" if request.param == "embedded" else "engine_api")
    return client
