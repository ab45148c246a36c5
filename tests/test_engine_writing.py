"""Indexer faults on the real engine (issue 8's proof): a killed `index` resumes without
resending finished chunks, a record the engine refuses lands in quarantine with its error,
and a 429 from the engine is retried (a loopback stand-in answers the first `_bulk` with
a recorded 429 and passes everything else to the real node)."""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
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

from mirror.backends.engine import bulk
from mirror.backends.engine.lock import STALE_SECONDS, EngineWriterLock, Owner, WriterBusy
from mirror.backends.engine.store import EngineStore
from mirror.backends.loading import load_chunks
from mirror.errors import MirrorError, ServiceUnavailable
from mirror.ingest.split import split_stream
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
    # A checkpoint the killed process had already sent may still land on the engine: wait
    # until what the engine holds stops changing before comparing with the second run.
    done = _checkpoint(engine_url, index)
    while True:
        time.sleep(1.0)
        again = _checkpoint(engine_url, index)
        if again == done:
            break
        done = again
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


def test_a_refusal_in_a_chunk_ending_on_a_full_block_is_counted_where_it_is_quarantined(
    engine_url: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No add() of the chunk waits for its last request (its last block is full; a chunk's end
    never waits): the refusal must still reach the loader's report, not only the quarantine."""
    monkeypatch.setattr(bulk, "BLOCK", 10)
    bad = orjson.dumps({"lens_id": "999-999-999-999-99X", "title": "too long", "publication_type": "x" * 40_000})
    source = tmp_path / "one.jsonl"
    source.write_bytes(b"".join(line + b"\n" for line in [*records(29), bad]))  # 3 full blocks
    split_stream(source, tmp_path / "chunks", chunk_bytes=1 << 20, validate=False)
    assert len(list((tmp_path / "chunks").glob("*.jsonl.zst"))) == 1
    settings = Settings(data_dir=tmp_path / "data", backend="elasticsearch", es_url=engine_url,
                        es_index_prefix=prefix)
    store = EngineStore(settings)
    with closing(store.writer(PRODUCT, "1")) as writer:
        report = load_chunks(writer, [tmp_path / "chunks"])
    quarantined = store.quarantine_path(PRODUCT, "1").read_bytes().splitlines()
    assert (report.indexed, report.failed, len(quarantined)) == (29, 1, 1)
    assert ":30: the engine refused this record" in report.problems[0] and "immense term" in report.problems[0]
    assert store.check(PRODUCT, "1") == report.indexed == report.documents


# -- one writer per version ------------------------------------------------------------------------

def test_a_second_writer_of_the_same_version_is_refused_naming_the_first(
    engine_url: str, prefix: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", backend="elasticsearch", es_url=engine_url,
                        es_index_prefix=prefix)
    chunks = split(tmp_path, "a", records(60))
    first = EngineStore(settings).writer(PRODUCT, "1")
    try:
        with pytest.raises(WriterBusy) as refused:
            EngineStore(settings).writer(PRODUCT, "1", fresh=True)
        assert f"pid {os.getpid()} on {socket.gethostname()}" in refused.value.message
        # the command line says the same, and exits 1 without touching the version
        run = _cli("index", "--product", PRODUCT, "--backend", "elasticsearch", "--version", "1", "--rebuild",
                   str(chunks), env={"LENS_MIRROR_ES_URL": engine_url, "LENS_MIRROR_ES_INDEX_PREFIX": prefix,
                                     "LENS_MIRROR_DATA_DIR": str(tmp_path / "data")})
        output, _ = run.communicate(timeout=120)
        assert run.returncode == 1, output
        assert f"is being written by pid {os.getpid()}" in output and "Traceback" not in output
        with closing(EngineStore(settings).writer(PRODUCT, "2")) as other:  # another version is free
            assert load_chunks(other, [chunks]).indexed == 60
        assert load_chunks(first, [chunks]).indexed == 60  # the refused rebuild deleted nothing
    finally:
        first.close()
    with closing(EngineStore(settings).writer(PRODUCT, "1")) as again:  # released by close
        assert load_chunks(again, [chunks]).chunks_skipped > 0


def test_a_stale_writer_lock_is_taken_over_and_its_holder_stops(engine_url: str, prefix: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", backend="elasticsearch", es_url=engine_url,
                        es_index_prefix=prefix)
    store = EngineStore(settings)
    index = store.index_name(PRODUCT, "1")
    now = time.time()
    # A process of this host that died holding the lock (a SIGKILLed index run): taken over at once.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = EngineWriterLock(store.client, prefix, index, Owner(socket.gethostname(), int(dead.stdout), 0, now, now))
    gone.acquire()
    store.writer(PRODUCT, "1").close()
    gone.release()  # its renewals stop; the lock is no longer its own to delete
    # A writer on another host, heard from lately: refused, naming it.
    elsewhere = EngineWriterLock(store.client, prefix, index, Owner("build-box-7", 4242, 0, now - 30, now - 5))
    elsewhere.acquire()
    with pytest.raises(WriterBusy, match=r"being written by pid 4242 on build-box-7 .*last heard from \d+ s ago"):
        store.writer(PRODUCT, "1")
    elsewhere.release()
    # The same, silent for longer than STALE_SECONDS: taken over; the old holder learns it at its next renewal
    # and refuses to commit from then on.
    silent = EngineWriterLock(store.client, prefix, index,
                              Owner("build-box-7", 4242, 0, now - 900, now - STALE_SECONDS - 60))
    silent.acquire()
    try:
        with closing(store.writer(PRODUCT, "1")) as writer:
            assert silent.renew() is False and silent.lost
            with pytest.raises(MirrorError, match="taken over by pid"):
                silent.check()
            assert load_chunks(writer, [split(tmp_path, "a", records(30))]).indexed == 30
    finally:
        silent.release()
    assert store.check(PRODUCT, "1") == 30


# -- replicas before serving -----------------------------------------------------------------------

def test_a_switch_waits_for_the_replicas_and_refuses_when_they_cannot_be_placed(
    engine_url: str, prefix: str, tmp_path: Path
) -> None:
    chunks = split(tmp_path, "a", records(60))
    one_replica = Settings(data_dir=tmp_path / "data", backend="elasticsearch", es_url=engine_url,
                           es_index_prefix=prefix, es_replicas=1, es_replica_wait=2)
    store = EngineStore(one_replica)
    with closing(store.writer(PRODUCT, "1")) as writer:
        load_chunks(writer, [chunks])
    # One node: a replica has nowhere to go, the index stays yellow, the alias is not moved.
    began = time.monotonic()
    with pytest.raises(ServiceUnavailable) as refused:
        store.switch(PRODUCT, "1")
    assert time.monotonic() - began >= 2
    message = refused.value.message
    assert "not switching scholarly to version '1'" in message and "still yellow after 2 s" in message
    assert "1 shard copies unassigned" in message and "LENS_MIRROR_ES_REPLICAS must be below" in message
    assert store.serving(PRODUCT) is None

    # Waiting: the replica requirement is dropped (as a new node would place it) while the switch waits.
    index = store.index_name(PRODUCT, "1")
    patient = EngineStore(one_replica.model_copy(update={"es_replica_wait": 60}))

    def drop_the_replica() -> None:
        time.sleep(1.5)
        httpx.put(f"{engine_url}/{index}/_settings", json={"index": {"number_of_replicas": 0}}, timeout=30)

    dropper = threading.Thread(target=drop_the_replica)
    began = time.monotonic()
    dropper.start()
    patient.switch(PRODUCT, "1")
    dropper.join()
    assert time.monotonic() - began >= 1.5
    assert store.serving(PRODUCT) == "1"
    assert httpx.get(f"{engine_url}/_cluster/health/{index}", timeout=30).json()["status"] == "green"
