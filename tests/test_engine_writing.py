"""Indexer faults on the real engine (issue 8's proof): a killed `index` resumes without
resending finished chunks, a record the engine refuses lands in quarantine with its error,
and a 429 from the engine is retried (a loopback stand-in answers the first `_bulk` with
a recorded 429 and passes everything else to the real node)."""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import orjson
import pytest
from test_writing import PRODUCT, records, split

from mirror.backends.engine.store import EngineStore
from mirror.backends.loading import load_chunks
from mirror.settings import Settings

_PREFIXES = itertools.count(1)


@pytest.fixture
def prefix(engine_url: str) -> Iterator[str]:
    name = f"lens-mirror-test-faults-{os.getpid()}-{next(_PREFIXES)}"
    yield name
    httpx.delete(f"{engine_url}/{name}-*", params={"expand_wildcards": "all"}, timeout=60)


def _checkpoint(url: str, index: str) -> dict[str, str]:
    found = httpx.get(f"{url}/{index}/_mapping", timeout=30)
    if found.status_code != 200:
        return {}
    chunks: dict[str, str] = found.json()[index]["mappings"].get("_meta", {}).get("lens_mirror", {}).get("chunks", {})
    return chunks


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", "from mirror.cli import main; main()", *args]
    return subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def test_a_killed_index_run_resumes_without_resending_finished_chunks(
    engine_url: str, prefix: str, tmp_path: Path
) -> None:
    total = 3000
    chunks = split(tmp_path, "a", records(total))  # ~100 chunks of ~30 records
    env = {"LENS_MIRROR_ES_URL": engine_url, "LENS_MIRROR_ES_INDEX_PREFIX": prefix,
           "LENS_MIRROR_ES_COMMIT_EVERY": "1",  # a checkpoint at every chunk end
           "LENS_MIRROR_DATA_DIR": str(tmp_path / "data")}
    args = ("index", "--product", PRODUCT, "--backend", "elasticsearch", str(chunks))
    index = f"{prefix}-{PRODUCT}-local"

    first = _cli(*args, env=env)
    deadline = time.monotonic() + 120
    while not _checkpoint(engine_url, index):
        assert first.poll() is None, f"the load ended before its first checkpoint was seen: {first.stdout}"
        assert time.monotonic() < deadline, "no checkpoint within 120 s"
        time.sleep(0.02)
    assert first.poll() is None, "the load finished before it could be killed: make the input bigger"
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    done = _checkpoint(engine_url, index)
    assert 0 < len(done) < 100

    second = _cli(*args, env=env)
    output, _ = second.communicate(timeout=300)
    assert second.returncode == 0, output
    indexed = int(re.search(r"indexed ([\d,]+) records", output)[1].replace(",", ""))  # type: ignore[index]
    skipped = int(re.search(r"(\d+) already indexed", output)[1])  # type: ignore[index]
    assert skipped == len(done)  # the finished chunks were not sent again
    assert indexed < total
    count = httpx.get(f"{engine_url}/{prefix}-{PRODUCT}/_count", timeout=30).json()["count"]
    assert count == total  # every record, once (the same lens_id twice is one document)
    ids = httpx.post(f"{engine_url}/{prefix}-{PRODUCT}/_search", timeout=30, json={
        "size": 0, "aggs": {"ids": {"cardinality": {"field": "search.lens_id", "precision_threshold": 10000}}},
    }).json()["aggregations"]["ids"]["value"]
    assert ids == total


def test_a_record_the_engine_refuses_is_quarantined_with_its_error(
    engine_url: str, prefix: str, tmp_path: Path
) -> None:
    good = records(60)
    # Passes our transform (a keyword is a string) but no engine takes a term over 32,766 bytes.
    bad = orjson.dumps({"lens_id": "999-999-999-999-99X", "title": "too long", "publication_type": "x" * 40_000})
    chunks = split(tmp_path, "a", good[:30] + [bad] + good[30:])
    settings = Settings(data_dir=tmp_path / "data", backend="elasticsearch", es_url=engine_url,
                        es_index_prefix=prefix)
    store = EngineStore(settings)
    with closing(store.writer(PRODUCT, "1")) as writer:
        report = load_chunks(writer, [chunks])
    assert report.failed == 1 and report.indexed == 60
    assert "the engine refused this record" in report.problems[0] and "immense term" in report.problems[0]
    assert store.check(PRODUCT, "1") == 60
    entries = [orjson.loads(line) for line in store.quarantine_path(PRODUCT, "1").read_bytes().splitlines()]
    assert len(entries) == 1
    assert orjson.loads(entries[0]["text"])["lens_id"] == "999-999-999-999-99X"
    assert "immense term" in entries[0]["error"] and entries[0]["source"].endswith(".jsonl.zst")
    assert entries[0]["line"] >= 1


#: What an overloaded Elasticsearch answers a bulk request with (recorded).
REJECTED = {
    "error": {
        "root_cause": [{"type": "es_rejected_execution_exception",
                        "reason": "rejected execution of coordinating operation [coordinating_and_primary_bytes="
                                  "0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=5242880, "
                                  "max_coordinating_and_primary_bytes=53687091]"}],
        "type": "es_rejected_execution_exception",
        "reason": "rejected execution of coordinating operation",
    },
    "status": 429,
}


class StandIn:
    """A loopback HTTP server in front of the engine: the first ``busy`` bulk requests get
    the recorded 429, everything else is passed on."""

    def __init__(self, upstream: str, busy: int) -> None:
        self.upstream, self.busy, self.bulks = upstream, busy, 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                if self.command == "POST" and "/_bulk" in self.path:
                    stand_in.bulks += 1
                    if stand_in.busy > 0:
                        stand_in.busy -= 1
                        self._answer(429, orjson.dumps(REJECTED), "application/json")
                        return
                answer = httpx.request(self.command, stand_in.upstream + self.path, content=body, timeout=60,
                                       headers={"content-type": self.headers.get("content-type",
                                                                                 "application/json")})
                self._answer(answer.status_code, answer.content, answer.headers.get("content-type", ""))

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_bulk_request_answered_429_is_retried_and_nothing_is_lost(
    engine_url: str, prefix: str, tmp_path: Path
) -> None:
    chunks = split(tmp_path, "a", records(120))
    with StandIn(engine_url, busy=2) as stand_in:
        settings = Settings(data_dir=tmp_path / "data", backend="elasticsearch", es_url=stand_in.url,
                            es_index_prefix=prefix, es_bulk_workers=1)
        store = EngineStore(settings)
        with closing(store.writer(PRODUCT, "1")) as writer:
            waits: list[float] = []
            writer.sleep = waits.append  # the backoff, recorded instead of slept
            report = load_chunks(writer, [chunks])
        assert report.failed == 0 and report.indexed == 120
        assert writer.retries == 2 and waits == [0.5, 1.0]  # exponential backoff
        assert stand_in.bulks == writer.requests and stand_in.busy == 0
        assert store.check(PRODUCT, "1") == 120
