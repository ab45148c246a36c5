"""``lens-mirror sync`` against the loopback bulk stand-in (tests/bulkstub.py).

Each test publishes a small generated gzip JSON Lines release, syncs it into a
temporary data dir with small split chunks (a dozen a release), and looks at the
served index, CURRENT, the state file and what the stub saw.
"""

from __future__ import annotations

import gzip
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import tantivy
from typer.testing import CliRunner, Result

import mirror.backends.embedded.indexing as indexing
import mirror.backends.loading as loading
import mirror.sync as sync_module
import mirror.sync.splitting as splitting_module
from bulkstub import BulkStub, bulk_stub, isolated_env  # noqa: F401 - fixtures
from mirror.backends.embedded import EmbeddedIndex, EmbeddedStore, current_version, product_dir
from mirror.backends.embedded.fields import ID
from mirror.bulk.client import BulkClient
from mirror.bulk.errors import ChecksumMismatch
from mirror.bulk.state import StateStore
from mirror.cli import build_app
from mirror.ingest.manifest import Manifest
from mirror.ingest.release import ReleaseMismatch
from mirror.settings import Settings
from mirror.sync import SyncReport, chunks_dir, sync

PRODUCT = "scholarly"
V1, V2 = 203024, 203026
RECORDS = 300
CHUNK = 8 << 10  # ~25 records a chunk: a dozen chunks
ROOT = Path(__file__).resolve().parent.parent


# -- a release ---------------------------------------------------------------------


def make_release(count: int = RECORDS, start: int = 0, tag: str = "a") -> tuple[bytes, list[str], dict[str, Any]]:
    """(gzip bytes, lens_ids in file order, the release metadata that truly describes them)."""
    words = ["graphene", "zebrafish", "protein", "lattice", "catalyst", "neuron", "quantum", "soil"]
    rng = random.Random(f"{tag}{start}")
    records: list[dict[str, Any]] = []
    for i in range(start, start + count):
        records.append(
            {
                "lens_id": f"{i // 10**6 % 1000:03d}-{i // 1000 % 1000:03d}-{i % 1000:03d}-{i % 997:03d}-0{i % 10}X",
                "title": f"On {words[i % 8]} and {words[(i * 3) % 8]} ({tag} {i})",
                "year_published": 1990 + i % 30,
                "publication_type": "journal article",
                "abstract": " ".join(rng.choice(words) for _ in range(40)),
                "keywords": ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(12))],
            }
        )
    content = gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in records), mtime=0)
    ids = [r["lens_id"] for r in records]
    meta = {"records": count, "firstRecordId": ids[0], "lastRecordId": ids[-1]}
    return content, ids, meta


RELEASE_1 = make_release()
RELEASE_2 = make_release(count=250, start=200, tag="b")  # overlaps release 1 by 100 lens_ids


def publish(stub: BulkStub, release: tuple[bytes, list[str], dict[str, Any]], version: int, **meta: Any) -> None:
    content, _, true_meta = release
    stub.publish(PRODUCT, content, version=version, **{**true_meta, **meta})


# -- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture
def stub(bulk_stub: BulkStub) -> BulkStub:  # noqa: F811 - the imported fixture
    publish(bulk_stub, RELEASE_1, V1)
    return bulk_stub


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run_sync(stub: BulkStub, data: Path, **kwargs: Any) -> SyncReport:
    kwargs = {"progress": False, "chunk_bytes": CHUNK, "backoff": 0, **kwargs}
    with BulkClient(stub.url, stub.token) as client:
        return sync(client, PRODUCT, Settings(data_dir=data, index_heap_bytes=40_000_000), **kwargs)


def downloads_seen(stub: BulkStub) -> int:
    return sum(1 for r in stub.requests if r.path.startswith(("/bulk/download/", "/files/")))


def hits(index: EmbeddedIndex, lens_id: str) -> int:
    searcher = index.searcher()
    result = searcher.search(tantivy.Query.term_query(index.schema, ID, lens_id), 10, count=True)
    return result.count  # type: ignore[attr-defined]  # tantivy's stub omits SearchResult.count


def assert_serves_exactly(data: Path, version: int, ids: list[str]) -> None:
    """CURRENT names ``version``, whose index holds each of ``ids`` once and nothing else."""
    assert current_version(data, PRODUCT) == str(version)
    index = EmbeddedIndex.open_version(data, PRODUCT, str(version))
    assert index.count() == len(ids)
    for lens_id in ids[::7] + [ids[0], ids[-1]]:
        assert hits(index, lens_id) == 1, lens_id
    state = StateStore.in_data_dir(data)
    serving = state.serving(PRODUCT)
    assert serving is not None and serving.version == str(version)
    assert serving.info("indexed")["documents"] == len(ids)


def index_meta(data: Path, version: int) -> dict[str, Any]:
    return orjson.loads((product_dir(data, PRODUCT) / str(version) / "lens-mirror.json").read_bytes())


# -- (a) a first sync --------------------------------------------------------------------


def test_sync_serves_every_record_once(stub: BulkStub, data: Path) -> None:
    report = run_sync(stub, data)
    _, ids, _ = RELEASE_1
    assert report.ran == ["split", "index", "switch"]
    assert report.streamed and report.records == report.documents == RECORDS and not report.warnings
    assert_serves_exactly(data, V1, ids)
    entry = StateStore.in_data_dir(data).get(PRODUCT, V1)
    assert entry is not None
    steps = entry.steps
    assert set(steps) == {"split", "indexed", "serving"}  # streamed: never "downloaded"
    assert steps["split"]["records"] == RECORDS
    assert len(Manifest.load(chunks_dir(data, PRODUCT, str(V1)) / "manifest.json").chunks) > 5
    # Streamed: the .gz never touched the disk; one pass over the file, from byte 0.
    assert not list(data.rglob("*.gz")) and not list(data.rglob("*.part"))
    assert [r.headers.get("Range") for r in stub.file_requests()] == [None]


# -- (b) twice in a row ------------------------------------------------------------------


def test_second_sync_does_no_work(stub: BulkStub, data: Path) -> None:
    run_sync(stub, data)
    before_requests = downloads_seen(stub)
    before_meta = index_meta(data, V1)
    index_files_before = {p: p.stat().st_mtime_ns for p in (product_dir(data, PRODUCT) / str(V1)).iterdir()}

    report = run_sync(stub, data)

    assert report.up_to_date and report.ran == []
    assert report.summary().startswith(f"{PRODUCT} {V1}: up to date")
    assert downloads_seen(stub) == before_requests  # not even a download request
    assert index_meta(data, V1) == before_meta
    after = {p: p.stat().st_mtime_ns for p in (product_dir(data, PRODUCT) / str(V1)).iterdir()}
    assert after == index_files_before  # no commit, no new segment
    assert_serves_exactly(data, V1, RELEASE_1[1])


# -- (c) interrupted while indexing -------------------------------------------------------


def test_sync_failing_during_indexing_finishes_on_next_run(
    stub: BulkStub, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Commit inside chunks too, so the rerun re-adds records that are already in
    # the index: they must replace themselves, not double.
    monkeypatch.setattr(indexing, "COMMIT_EVERY", 10)
    real = loading.iter_chunk_lines
    seen = 0

    def dying(path: Any) -> Iterator[bytes]:
        nonlocal seen
        for line in real(path):
            seen += 1
            if seen > 50:  # two chunks and a commit into the third
                raise RuntimeError("power cut")
            yield line

    monkeypatch.setattr(loading, "iter_chunk_lines", dying)
    with pytest.raises(RuntimeError, match="power cut"):
        run_sync(stub, data)
    state = StateStore.in_data_dir(data)
    assert state.status(PRODUCT, V1) == "split"  # split marked, indexing not
    assert current_version(data, PRODUCT) is None  # nothing switched
    partial = EmbeddedIndex.open_version(data, PRODUCT, str(V1)).count()
    assert 0 < partial < RECORDS
    requests = downloads_seen(stub)

    monkeypatch.setattr(loading, "iter_chunk_lines", real)
    monkeypatch.setattr(indexing, "COMMIT_EVERY", 100_000)
    report = run_sync(stub, data)
    assert report.skipped[:1] == ["split"] and "index" in report.ran
    assert downloads_seen(stub) == requests  # split was done: no second download
    assert_serves_exactly(data, V1, RELEASE_1[1])


RUNNER = """
import sys, time
import mirror.backends.embedded.indexing as indexing
import mirror.backends.loading as loading

real = loading.iter_chunk_lines

def slow(path):  # slow enough that the test can kill us between two chunks
    for line in real(path):
        time.sleep(0.01)
        yield line

loading.iter_chunk_lines = slow
indexing.COMMIT_EVERY = 20  # commit (and record finished chunks) long before the end
from mirror.cli import build_app

build_app()()
"""


def test_sync_killed_during_indexing_finishes_on_next_run(stub: BulkStub, data: Path, tmp_path: Path) -> None:
    script = tmp_path / "runner.py"
    script.write_text(textwrap.dedent(RUNNER))
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env["LENS_API_TOKEN"] = stub.token
    argv = [sys.executable, str(script), "sync", "--product", PRODUCT, "--data-dir", str(data),
            "--api-url", stub.url, "--chunk-bytes", str(CHUNK), "--no-progress"]
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    meta = product_dir(data, PRODUCT) / str(V1) / "lens-mirror.json"
    deadline = time.monotonic() + 30
    try:
        while True:  # kill once at least one chunk is committed and recorded
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "indexing never committed a chunk"
            if meta.is_file() and orjson.loads(meta.read_bytes()).get("chunks"):
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    done = len(orjson.loads(meta.read_bytes())["chunks"])
    total = len(Manifest.load(chunks_dir(data, PRODUCT, str(V1)) / "manifest.json").chunks)
    assert 0 < done < total  # really killed in the middle of indexing
    assert StateStore.in_data_dir(data).status(PRODUCT, V1) == "split"
    requests = downloads_seen(stub)

    report = run_sync(stub, data)
    assert report.ran == ["index", "switch"] and report.skipped == ["split", "cleanup"]
    assert downloads_seen(stub) == requests
    assert len(index_meta(data, V1)["chunks"]) == total
    assert_serves_exactly(data, V1, RELEASE_1[1])


def test_interrupted_streamed_split_resumes_from_its_last_chunk(
    stub: BulkStub, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = splitting_module.split_stream

    def interrupting(source: Any, out: Path, *args: Any, progress: Any = None, **kwargs: Any) -> Any:
        def report(p: Any) -> None:
            if p.chunks >= 3 and not p.skipping:
                raise KeyboardInterrupt
        return real(source, out, *args, progress=report, block_size=4096, **kwargs)

    monkeypatch.setattr(splitting_module, "split_stream", interrupting)
    with pytest.raises(KeyboardInterrupt):
        run_sync(stub, data)
    out = chunks_dir(data, PRODUCT, str(V1))
    first = Manifest.load(out / "manifest.json")
    assert first.status == "interrupted" and len(first.chunks) >= 3
    finished = [c.file for c in first.chunks]
    stamps = {name: (out / name).stat().st_mtime_ns for name in finished}
    assert StateStore.in_data_dir(data).get(PRODUCT, V1) is None

    monkeypatch.setattr(splitting_module, "split_stream", real)
    report = run_sync(stub, data)
    assert report.ran == ["split", "index", "switch"]
    # Streamed again from byte 0 (the MD5 must cover the whole file) ...
    assert [r.headers.get("Range") for r in stub.file_requests()] == [None, None]
    # ... but the chunks the first run finished were kept, not rewritten.
    assert {name: (out / name).stat().st_mtime_ns for name in finished} == stamps
    assert_serves_exactly(data, V1, RELEASE_1[1])


def test_unresumable_split_is_started_over(stub: BulkStub, data: Path) -> None:
    # A chunk dir split_stream refuses to continue (here: chunk files without a
    # manifest; likewise a split made with another chunk size): sync owns the
    # dir, so it starts that version's split over instead of failing forever.
    out = chunks_dir(data, PRODUCT, str(V1))
    out.mkdir(parents=True)
    (out / "blk-000000.jsonl.zst").write_bytes(b"debris without a manifest")
    report = run_sync(stub, data, chunk_bytes=2 * CHUNK)
    assert report.ran == ["split", "index", "switch"]
    assert Manifest.load(out / "manifest.json").params["chunk_bytes"] == 2 * CHUNK
    assert_serves_exactly(data, V1, RELEASE_1[1])


def test_finished_but_unrecorded_split_is_verified_again_not_redone(
    stub: BulkStub, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A crash after the split finished but before the state said so: the chunks
    # stay, but only a fresh pass over the bytes may vouch for them (MD5).
    real_mark = StateStore.mark

    def crash_on_split(self: StateStore, product: str, version: Any, step: str, **info: Any) -> Any:
        if step == "split":
            raise KeyboardInterrupt
        return real_mark(self, product, version, step, **info)

    monkeypatch.setattr(StateStore, "mark", crash_on_split)
    with pytest.raises(KeyboardInterrupt):
        run_sync(stub, data)
    out = chunks_dir(data, PRODUCT, str(V1))
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    monkeypatch.setattr(StateStore, "mark", real_mark)

    report = run_sync(stub, data)
    assert report.ran == ["split", "index", "switch"]
    assert len(stub.file_requests()) == 2  # streamed once more, for the MD5
    chunk_stamps = {n: t for n, t in stamps.items() if n.startswith("blk-")}
    assert {n: (out / n).stat().st_mtime_ns for n in chunk_stamps} == chunk_stamps
    assert_serves_exactly(data, V1, RELEASE_1[1])


def test_dropped_connection_mid_split_is_resumed_in_process(stub: BulkStub, data: Path) -> None:
    stub.drop_after, stub.drops = 4000, 2
    run_sync(stub, data)
    assert [r.headers.get("Range") for r in stub.file_requests()] == [None, "bytes=4000-", "bytes=8000-"]
    assert_serves_exactly(data, V1, RELEASE_1[1])


# -- (d) a new release ---------------------------------------------------------------------


def test_new_release_switches_then_removes_the_old_version(
    stub: BulkStub, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_sync(stub, data, keep_download=True)
    old_download = data / "downloads" / PRODUCT / str(V1)
    assert old_download.is_dir()
    publish(stub, RELEASE_2, V2)
    events: list[str] = []
    real_index = sync_module.load_chunks
    real_switch, real_remove = EmbeddedStore.switch, EmbeddedStore.remove

    def load_chunks(*args: Any, **kwargs: Any) -> Any:
        assert current_version(data, PRODUCT) == str(V1)  # the old one serves while the new one builds
        events.append("index")
        return real_index(*args, **kwargs)

    def switch(self: EmbeddedStore, product: str, version: str) -> None:
        events.append("switch")
        real_switch(self, product, version)

    def remove(self: EmbeddedStore, product: str, version: str) -> None:
        assert current_version(data, PRODUCT) == str(V2)
        serving = StateStore.in_data_dir(data).serving(PRODUCT)
        assert serving is not None and serving.version == str(V2)
        events.append(f"remove {version}")
        real_remove(self, product, version)

    monkeypatch.setattr(sync_module, "load_chunks", load_chunks)
    monkeypatch.setattr(EmbeddedStore, "switch", switch)
    monkeypatch.setattr(EmbeddedStore, "remove", remove)

    report = run_sync(stub, data)

    assert events == ["index", "switch", f"remove {V1}"]
    assert report.previous == str(V1) and report.removed == [str(V1)]
    assert report.ran == ["split", "index", "switch", "cleanup"]
    assert_serves_exactly(data, V2, RELEASE_2[1])
    assert not (product_dir(data, PRODUCT) / str(V1)).exists()
    assert not chunks_dir(data, PRODUCT, str(V1)).exists()
    assert not old_download.exists()
    assert [v.version for v in StateStore.in_data_dir(data).versions(PRODUCT)] == [str(V2)]


def test_cleanup_keeps_a_version_a_live_scroll_reads_until_a_later_sync(stub: BulkStub, data: Path) -> None:
    from mirror.backends.embedded.leases import Leases

    run_sync(stub, data)
    leases = Leases(data)  # what a server does while a scroll reads V1
    leases.hold(PRODUCT, str(V1), holder=1, seconds=60)
    publish(stub, RELEASE_2, V2)
    report = run_sync(stub, data)
    assert current_version(data, PRODUCT) == str(V2) and report.removed == []
    assert (product_dir(data, PRODUCT) / str(V1)).is_dir()
    leases.release(PRODUCT, str(V1), holder=1)  # the scroll ended
    assert run_sync(stub, data).removed == [str(V1)]
    assert not (product_dir(data, PRODUCT) / str(V1)).exists()


def test_an_abandoned_split_of_an_older_release_is_swept(
    stub: BulkStub, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = splitting_module.split_stream

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(splitting_module, "split_stream", interrupted)
    chunks_dir(data, PRODUCT, str(V1)).mkdir(parents=True)  # what a killed streamed split leaves
    with pytest.raises(KeyboardInterrupt):
        run_sync(stub, data)
    assert StateStore.in_data_dir(data).get(PRODUCT, V1) is None
    monkeypatch.setattr(splitting_module, "split_stream", real)

    publish(stub, RELEASE_2, V2)  # upstream moved on before that split ever finished
    report = run_sync(stub, data)
    assert report.removed == [str(V1)]
    assert not chunks_dir(data, PRODUCT, str(V1)).exists()
    assert_serves_exactly(data, V2, RELEASE_2[1])


def test_leftovers_of_an_interrupted_cleanup_go_on_the_next_run(
    stub: BulkStub, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_sync(stub, data)
    publish(stub, RELEASE_2, V2)

    def crash(*args: Any) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(EmbeddedStore, "remove", crash)
    with pytest.raises(OSError):
        run_sync(stub, data)
    assert current_version(data, PRODUCT) == str(V2)  # switched before cleaning up
    assert (product_dir(data, PRODUCT) / str(V1)).exists()
    monkeypatch.undo()

    requests = downloads_seen(stub)
    report = run_sync(stub, data)
    assert report.up_to_date and report.ran == ["cleanup"] and report.removed == [str(V1)]
    assert downloads_seen(stub) == requests
    assert not (product_dir(data, PRODUCT) / str(V1)).exists()
    assert_serves_exactly(data, V2, RELEASE_2[1])


# -- (e) a bad release -------------------------------------------------------------------


def test_wrong_md5_fails_marks_nothing_and_the_old_version_keeps_serving(stub: BulkStub, data: Path) -> None:
    run_sync(stub, data)
    publish(stub, RELEASE_2, V2, md5sum="0" * 32)
    with pytest.raises(ChecksumMismatch, match="md5 mismatch"):
        run_sync(stub, data)
    state = StateStore.in_data_dir(data)
    assert state.get(PRODUCT, V2) is None  # not split, not anything
    assert not chunks_dir(data, PRODUCT, str(V2)).exists()  # nothing to resume from bad bytes
    assert_serves_exactly(data, V1, RELEASE_1[1])


def test_release_metadata_mismatch_is_refused(stub: BulkStub, data: Path) -> None:
    publish(stub, RELEASE_1, V1, records=RECORDS + 1)
    with pytest.raises(ReleaseMismatch, match="records"):
        run_sync(stub, data)
    assert StateStore.in_data_dir(data).get(PRODUCT, V1) is None
    assert current_version(data, PRODUCT) is None


# -- keeping the download ----------------------------------------------------------------


def test_keep_download_splits_the_kept_file(stub: BulkStub, data: Path) -> None:
    report = run_sync(stub, data, keep_download=True)
    assert report.ran == ["download", "split", "index", "switch"] and not report.streamed
    kept = data / "downloads" / PRODUCT / str(V1) / stub.files[PRODUCT].name
    assert kept.read_bytes() == RELEASE_1[0]
    entry = StateStore.in_data_dir(data).get(PRODUCT, V1)
    assert entry is not None and entry.done("downloaded")
    assert_serves_exactly(data, V1, RELEASE_1[1])


# -- the command line -----------------------------------------------------------------------

Invoke = Callable[..., Result]


@pytest.fixture
def cli(stub: BulkStub, data: Path) -> Invoke:
    app = build_app()
    runner = CliRunner()

    def run(*args: str) -> Result:
        argv = ["sync", "--product", PRODUCT, "--data-dir", str(data), "--api-url", stub.url,
                "--chunk-bytes", "8K", "--no-progress", *args]
        return runner.invoke(app, argv, env={"LENS_API_TOKEN": stub.token})

    return run


def test_cli_sync_then_up_to_date(cli: Invoke, data: Path) -> None:
    first = cli()
    assert first.exit_code == 0, first.output
    assert f"{PRODUCT} {V1}: now serving ({RECORDS} records)" in first.stdout
    second = cli()
    assert second.exit_code == 0, second.output
    assert second.stdout.strip() == f"{PRODUCT} {V1}: up to date (serving, {RECORDS} records)"
    assert_serves_exactly(data, V1, RELEASE_1[1])


def test_cli_bad_md5_is_one_line_and_exit_1(cli: Invoke, stub: BulkStub, data: Path) -> None:
    assert cli().exit_code == 0
    publish(stub, RELEASE_2, V2, md5sum="0" * 32)
    result = cli()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "md5 mismatch" in lines[-1]
    assert "Traceback" not in result.output
    assert current_version(data, PRODUCT) == str(V1)


def test_cli_release_mismatch_is_one_line(cli: Invoke, stub: BulkStub) -> None:
    publish(stub, RELEASE_1, V1, lastRecordId="999-999-999-999-99X")
    result = cli()
    assert result.exit_code == 1
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "lastRecordId" in error[0] and "999-999-999-999-99X" in error[0]


def test_cli_unauthorized(stub: BulkStub, data: Path) -> None:
    result = CliRunner().invoke(build_app(), ["sync", "--product", PRODUCT, "--data-dir", str(data),
                                              "--api-url", stub.url, "--token", "wrong"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "token rejected" in result.stderr
