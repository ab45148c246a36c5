"""The bulk service consumer against a local stand-in (tests/bulkstub.py): loopback only."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bulkstub import RESET_DATE, BulkStub, bulk_stub, isolated_env, make_bulk_file  # noqa: F401 - fixtures
from mirror.bulk.client import BulkClient
from mirror.bulk.download import download, release_path
from mirror.bulk.errors import (
    ChecksumMismatch,
    DownloadInterrupted,
    QuotaExceeded,
    SizeMismatch,
    UpstreamUnauthorized,
)
from mirror.bulk.state import StateStore
from mirror.bulk.transfer import open_release_stream
from mirror.cli import build_app

CONTENT = make_bulk_file()
CUT = 100_000  # where the stub hangs up when told to drop


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def stub(bulk_stub: BulkStub) -> BulkStub:  # noqa: F811 - the imported fixture
    assert len(CONTENT) > 3 * CUT
    bulk_stub.publish("scholarly", CONTENT)
    return bulk_stub


@pytest.fixture
def client(stub: BulkStub) -> Iterator[BulkClient]:
    with BulkClient(stub.url, stub.token) as c:
        yield c


def fetch(client: BulkClient, tmp_path: Path, **kwargs: Any) -> Path:
    kwargs.setdefault("backoff", 0)
    state = StateStore(tmp_path / "state")
    return download(client, "scholarly", tmp_path / "dl", progress=False, state=state, **kwargs)


def part_of(client: BulkClient, tmp_path: Path) -> Path:
    final = release_path(tmp_path / "dl", "scholarly", client.release("scholarly"))
    return final.with_name(final.name + ".part")


def ranges(stub: BulkStub) -> list[str | None]:
    return [r.headers.get("Range") for r in stub.file_requests()]


# -- download to file ------------------------------------------------------------


def test_download_writes_verified_file_metadata_and_state(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    path = fetch(client, tmp_path)
    assert path == tmp_path / "dl" / "scholarly" / "203024" / "scholarly-203024-0bd17e86.jsonl.gz"
    assert sha256(path.read_bytes()) == sha256(CONTENT)
    assert not path.with_name(path.name + ".part").exists()
    meta = json.loads((path.parent / "release.json").read_text())
    assert meta["md5sum"] == hashlib.md5(CONTENT).hexdigest() and "downloadAccessKey" not in meta
    entry = StateStore(tmp_path / "state").get("scholarly", 203024)
    assert entry is not None and entry.status == "downloaded"
    info = entry.info("downloaded")
    assert info["bytes"] == len(CONTENT) and info["md5"] == meta["md5sum"] and info["path"] == str(path)
    # The token never travelled to the (cross-origin) file host.
    assert all("Authorization" not in r.headers for r in stub.file_requests())


def test_dropped_connections_resume_in_process(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    stub.drop_after, stub.drops = CUT, 2
    path = fetch(client, tmp_path, retries=3)
    assert sha256(path.read_bytes()) == sha256(CONTENT)
    assert ranges(stub) == [None, f"bytes={CUT}-", f"bytes={2 * CUT}-"]


def test_interrupted_download_resumes_on_next_run(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    stub.drop_after, stub.drops = CUT, 1
    with pytest.raises(DownloadInterrupted, match="run the command again to resume") as info:
        fetch(client, tmp_path, retries=0)
    part = part_of(client, tmp_path)
    assert info.value.offset == CUT and part.stat().st_size == CUT
    assert StateStore(tmp_path / "state").status("scholarly", 203024) == "new"

    path = fetch(client, tmp_path)
    assert sha256(path.read_bytes()) == sha256(CONTENT)
    assert ranges(stub)[-1] == f"bytes={CUT}-"


def test_server_ignoring_range_starts_over_instead_of_appending(
    stub: BulkStub, client: BulkClient, tmp_path: Path
) -> None:
    part = part_of(client, tmp_path)
    part.parent.mkdir(parents=True)
    garbage = b"\x00garbage, not a prefix of the file" * 1000  # appending to it would corrupt
    part.write_bytes(garbage)
    stub.honour_range = False
    path = fetch(client, tmp_path)
    assert ranges(stub) == [f"bytes={len(garbage)}-"]  # asked to resume, got a 200
    assert sha256(path.read_bytes()) == sha256(CONTENT)


def test_drop_then_range_ignored_still_identical(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    stub.drop_after, stub.drops, stub.honour_range = CUT, 1, False
    path = fetch(client, tmp_path, retries=2)
    assert ranges(stub) == [None, f"bytes={CUT}-"]
    assert sha256(path.read_bytes()) == sha256(CONTENT)


def test_transient_503_is_retried(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    stub.unavailable = 2
    path = fetch(client, tmp_path, retries=2)
    assert sha256(path.read_bytes()) == sha256(CONTENT) and len(stub.file_requests()) == 3


def test_wrong_md5_fails_and_is_not_marked(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    stub.publish("scholarly", CONTENT, md5sum="0" * 32)
    with pytest.raises(ChecksumMismatch, match="md5 mismatch.*removed"):
        fetch(client, tmp_path)
    final = release_path(tmp_path / "dl", "scholarly", client.release("scholarly"))
    assert not final.exists() and not final.with_name(final.name + ".part").exists()
    assert StateStore(tmp_path / "state").get("scholarly", 203024) is None


def test_truncated_file_fails_size_check(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    stub.truncate_to = len(CONTENT) // 2
    with pytest.raises(SizeMismatch, match="release says"):
        fetch(client, tmp_path)
    assert StateStore(tmp_path / "state").status("scholarly", 203024) == "new"


def test_complete_version_is_not_downloaded_again(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    first = fetch(client, tmp_path)
    stub.requests.clear()
    assert fetch(client, tmp_path) == first
    assert [r.path for r in stub.requests] == ["/bulk/scholarly/release"]


def test_quota_exceeded_carries_usage(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    stub.quota_spent = True
    with pytest.raises(QuotaExceeded) as info:
        fetch(client, tmp_path)
    assert info.value.usage[0]["remaining"] == 0
    assert not part_of(client, tmp_path).exists()  # nothing fetched, nothing left behind
    assert "remaining 0" in str(info.value) and "allowed 5" in str(info.value) and RESET_DATE in str(info.value)


def test_bad_token_is_unauthorized(stub: BulkStub) -> None:
    with BulkClient(stub.url, "wrong") as c, pytest.raises(UpstreamUnauthorized, match="token rejected"):
        c.release("scholarly")


# -- streaming (for sync) ------------------------------------------------------


def test_stream_survives_drops_and_ignored_range(stub: BulkStub, client: BulkClient) -> None:
    stub.drop_after, stub.drops, stub.honour_range = CUT, 2, False
    release = client.release("scholarly")
    with open_release_stream(client, release, backoff=0) as stream:
        lines = gzip.GzipFile(fileobj=stream).read().splitlines()
        stream.verify()
    assert len(lines) == 2000 and json.loads(lines[-1])["n"] == 1999
    assert stream.md5_hex == hashlib.md5(CONTENT).hexdigest()


def test_stream_verify_rejects_wrong_md5(stub: BulkStub, client: BulkClient) -> None:
    stub.publish("scholarly", CONTENT, md5sum="f" * 32)
    with open_release_stream(client, client.release("scholarly"), backoff=0) as stream:
        for _ in stream.chunks():
            pass
        with pytest.raises(ChecksumMismatch):
            stream.verify()


# -- state -------------------------------------------------------------------


def test_state_steps_and_exclusive_serving(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.mark("patent", 202401, "split", chunks=3)
    store.mark("patent", 202401, "serving")
    store.mark("patent", 99999, "indexed", path=tmp_path / "ix")
    store.mark("patent", 99999, "serving")
    assert [v.version for v in store.versions("patent")] == ["99999", "202401"]
    assert store.serving("patent").version == "99999"  # type: ignore[union-attr]
    assert store.status("patent", 202401) == "split"
    assert store.get("patent", 99999).info("indexed")["path"] == str(tmp_path / "ix")  # type: ignore[union-attr]
    store.forget("patent", 202401)
    assert store.status("patent", 202401) == "new"
    assert not list(tmp_path.glob("*.tmp"))


# -- CLI ---------------------------------------------------------------------


Invoke = Callable[..., Result]


@pytest.fixture
def cli(stub: BulkStub, tmp_path: Path) -> Invoke:
    """Run a command of the real app (its one failure path included)."""
    app = build_app()
    runner = CliRunner()

    def run(*args: str, token: str | None = "stub-token") -> Result:
        argv = [*args, "--product", "scholarly", "--data-dir", str(tmp_path / "data"), "--api-url", stub.url]
        env = {"LENS_API_TOKEN": token} if token else {}
        return runner.invoke(app, argv, env=env)

    return run


def test_cli_release_prints_fields_and_local_status(cli: Invoke, tmp_path: Path) -> None:
    result = cli("release")
    assert result.exit_code == 0, result.output
    for field in ("bulkDataProduct", "dataVersion", "records", "md5sum", "fileName", "firstRecordId",
                  "lastRecordId", "dateProcessed", "downloadAccessKey", "size", "rawSize"):
        assert field in result.stdout
    assert "key-scholarly-203024" not in result.stdout  # the access key is a credential
    assert "local status" in result.stdout and "new" in result.stdout

    assert cli("download", "--no-progress").exit_code == 0
    assert "downloaded (downloaded 20" in cli("release").stdout
    StateStore(tmp_path / "data" / "state").mark("scholarly", 203024, "split", chunks=1)
    as_json = json.loads(cli("release", "--json").stdout)
    assert as_json["local"]["status"] == "split" and as_json["release"]["dataVersion"] == 203024


def test_cli_download_then_already_downloaded(cli: Invoke, stub: BulkStub, tmp_path: Path) -> None:
    first = cli("download")  # with the progress bar, which must not break anything
    assert first.exit_code == 0, first.output
    assert "size and md5 verified" in first.stdout
    assert (tmp_path / "data" / "downloads" / "scholarly" / "203024").is_dir()
    stub.requests.clear()
    again = cli("download", "--no-progress")
    assert again.exit_code == 0 and "already downloaded" in again.stdout
    assert not stub.file_requests()


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda s: setattr(s, "quota_spent", True), ["remaining 0", "allowed 5", RESET_DATE]),
        (lambda s: s.publish("scholarly", CONTENT, md5sum="0" * 32), ["md5 mismatch"]),
    ],
    ids=["429", "md5"],
)
def test_cli_download_failures_are_one_line(
    cli: Invoke, stub: BulkStub, setup: Callable[[BulkStub], object], expected: list[str]
) -> None:
    setup(stub)
    result = cli("download", "--no-progress")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr


@pytest.mark.parametrize(("token", "hint"), [(None, "LENS_API_TOKEN"), ("bad", "token rejected")])
def test_cli_unauthorized(cli: Invoke, token: str | None, hint: str) -> None:
    for command in ("release", "download"):
        result = cli(command, token=token)
        assert result.exit_code == 1
        assert "401" in result.stderr and hint in result.stderr and "Traceback" not in result.output


def test_cli_network_down(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(
        build_app(), ["release", "-p", "patent", "--api-url", f"http://127.0.0.1:{port}", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1 and result.stderr.startswith("error: cannot reach 127.0.0.1")


def test_full_length_part_is_verified_without_fetching(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    # A crash after the last byte but before the rename: nothing left to fetch.
    part = part_of(client, tmp_path)
    part.parent.mkdir(parents=True)
    part.write_bytes(CONTENT)
    path = fetch(client, tmp_path)
    assert sha256(path.read_bytes()) == sha256(CONTENT) and not stub.file_requests()


def test_unrecorded_final_file_is_adopted_after_rehash(stub: BulkStub, client: BulkClient, tmp_path: Path) -> None:
    # A crash between the rename and the state write: re-hash, record, no download.
    final = release_path(tmp_path / "dl", "scholarly", client.release("scholarly"))
    final.parent.mkdir(parents=True)
    final.write_bytes(CONTENT)
    assert fetch(client, tmp_path) == final and not stub.file_requests()
    assert StateStore(tmp_path / "state").status("scholarly", 203024) == "downloaded"


def test_closing_a_stream_early_releases_the_connection(stub: BulkStub, client: BulkClient) -> None:
    stream = open_release_stream(client, client.release("scholarly"), backoff=0)
    assert stream.read(10) == CONTENT[:10]
    stream.close()
    assert stream.closed
    # The pool is usable again: a fresh request goes through at once.
    assert client.release("scholarly").version == "203024"


def test_cli_verify_rehashes_and_replaces_a_corrupted_file(cli: Invoke, stub: BulkStub, tmp_path: Path) -> None:
    assert cli("download", "--no-progress").exit_code == 0
    final = next((tmp_path / "data" / "downloads").rglob("*.jsonl.gz"))
    final.write_bytes(b"X" + CONTENT[1:])  # same size, so only a re-hash can tell
    assert "already downloaded" in cli("download", "--no-progress").stdout
    result = cli("download", "--no-progress", "--verify")
    assert result.exit_code == 0 and "size and md5 verified" in result.stdout
    assert final.read_bytes() == CONTENT
