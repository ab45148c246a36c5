"""Operations a careless operator or a full disk can get wrong: nothing is lost in silence.

Issue 7, items 3, 4 and 6, through real files, a real tantivy index and the real CLI:

* ``index`` checks every chunk against its split manifest (size, sha256, record
  count) and refuses a mismatch, naming the chunk, with none of its records committed;
* a full disk during ``split`` or ``index`` is one line naming the path, and leaves
  no partial files behind;
* ``serve`` and the backend open a version only when it is whole, and keep a good
  one served when ``CURRENT`` switches to a broken one;
* every exception the project defines derives from ``MirrorError``, and the CLI
  has one failure path;
* CLI options are declared by the settings object.
"""

from __future__ import annotations

import ast
import errno
import importlib
import inspect
import logging
import os
import pkgutil
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import typer
import zstandard
from typer.testing import CliRunner

import mirror
import mirror.backends.embedded.indexing as indexing
import mirror.ingest.chunks as chunks_module
from bulkstub import isolated_env  # noqa: F401 - autouse: no LENS_MIRROR_* from the developer's shell
from conftest import LiveServer
from mirror.api import create_app
from mirror.backends import EmbeddedBackend
from mirror.backends.embedded import EmbeddedIndex, IndexUnavailable, current_version, set_current_version
from mirror.cli import build_app
from mirror.errors import MirrorError
from mirror.ingest.manifest import Manifest, chunk_is_intact
from mirror.ingest.read import iter_chunk_lines
from mirror.ingest.split import split_stream
from mirror.sample import write_sample
from mirror.settings import Settings

PRODUCT = "scholarly"
VERSION = "local"


# -- fixtures: a real split (several zstd frames per chunk) and a real index built from it --------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``chunks/`` (a split of 300 records, ~7 chunks of several frames) and ``data/`` (their index)."""
    base = tmp_path_factory.mktemp("ops")
    sample = base / "sample.jsonl.gz"
    write_sample(PRODUCT, 300, 7, sample)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chunks_module, "FRAME_BYTES", 16 << 10)  # frames a chunk can be cut between
        split_stream(sample, base / "chunks", chunk_bytes=256 << 10)
    result = cli("index", "--product", PRODUCT, "--data-dir", str(base / "data"), str(base / "chunks"))
    assert result.exit_code == 0, result.output
    return base


@pytest.fixture
def work(built: Path, tmp_path: Path) -> Path:
    """A private copy of the split and the index, free to damage."""
    for name in ("chunks", "data"):
        shutil.copytree(built / name, tmp_path / name)
    shutil.copy(built / "sample.jsonl.gz", tmp_path / "sample.jsonl.gz")
    return tmp_path


@contextmanager
def served(data_dir: Path) -> Iterator[httpx.Client]:
    with LiveServer(create_app(Settings(data_dir=data_dir))) as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield client


def cli(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(build_app(), list(args), env=env)


def error_line(result: Any) -> str:
    """The failure as the user sees it: exactly one ``error:`` line on stderr, no traceback."""
    assert "Traceback" not in result.output, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip("\n").splitlines()[-1] == errors[0], result.stderr
    return errors[0]


def lens_ids(path: Path) -> list[str]:
    return [orjson.loads(line)["lens_id"] for line in iter_chunk_lines(path)]


def frame_ends(data: bytes) -> list[int]:
    """Offsets just past each zstd frame of ``data``."""
    ends, offset, dctx = [], 0, zstandard.ZstdDecompressor()
    while offset < len(data):
        frame = dctx.decompressobj()
        frame.decompress(data[offset:])
        offset = len(data) - len(frame.unused_data)
        ends.append(offset)
    return ends


def indexed(data: Path, ids: list[str]) -> list[str]:
    index = EmbeddedIndex.open_version(data, PRODUCT, VERSION)
    return [i for i in ids if index.get(i) is not None]


def index_args(work: Path, *targets: Path | str) -> list[str]:
    return ["index", "--product", PRODUCT, "--data-dir", str(work / "fresh"), *(str(t) for t in targets)]


# -- item 3a: chunks are checked against their manifest before they are committed ----------------


def test_a_chunk_cut_at_a_frame_boundary_is_refused_and_none_of_it_committed(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "COMMIT_EVERY", 1)  # commit after every chunk it can
    chunk = work / "chunks" / "blk-000001.jsonl.zst"
    ids = lens_ids(chunk)
    data = chunk.read_bytes()
    ends = frame_ends(data)
    assert len(ends) >= 3
    chunk.write_bytes(data[: ends[-2]])
    assert 0 < len(lens_ids(chunk)) < len(ids)  # decompresses cleanly: only the manifest can tell

    result = cli(*index_args(work, work / "chunks"))
    assert result.exit_code == 1
    line = error_line(result)
    assert str(chunk) in line and "does not match its split manifest" in line and "truncated" in line
    fresh = work / "fresh"
    assert indexed(fresh, ids) == []
    first = lens_ids(work / "chunks" / "blk-000000.jsonl.zst")
    assert indexed(fresh, first) == first  # the chunk before it was whole and committed


def test_a_chunk_with_other_bytes_is_refused_by_its_sha256(work: Path) -> None:
    chunk = work / "chunks" / "blk-000002.jsonl.zst"
    data = bytearray(chunk.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, different bytes
    chunk.write_bytes(bytes(data))
    result = cli(*index_args(work, work / "chunks"))
    assert result.exit_code == 1
    line = error_line(result)
    assert str(chunk) in line and "sha256" in line


def test_a_record_count_that_differs_from_the_manifest_rolls_the_chunk_back(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same bytes, but the manifest says one record more: only counting tells. Commits
    # after every block would land inside the chunk, were it not committed whole.
    monkeypatch.setattr(indexing, "COMMIT_EVERY", 1)
    monkeypatch.setattr(indexing, "BLOCK", 1)
    manifest = Manifest.load(work / "chunks" / "manifest.json")
    manifest.chunks[1].records += 1
    manifest.save(work / "chunks" / "manifest.json")
    chunk = work / "chunks" / manifest.chunks[1].file
    ids = lens_ids(chunk)

    result = cli(*index_args(work, work / "chunks"))
    assert result.exit_code == 1
    line = error_line(result)
    assert str(chunk) in line and f"holds {len(ids)} records where its split manifest records {len(ids) + 1}" in line
    assert indexed(work / "fresh", ids) == []
    recorded = EmbeddedIndex.open_version(work / "fresh", PRODUCT, VERSION).read_meta()["chunks"]
    assert [r["file"] for r in recorded.values()] == ["blk-000000.jsonl.zst"]


def test_one_chunk_named_by_itself_is_checked_against_the_manifest_beside_it(work: Path) -> None:
    chunk = work / "chunks" / "blk-000003.jsonl.zst"
    chunk.write_bytes(chunk.read_bytes()[: frame_ends(chunk.read_bytes())[0]])
    result = cli(*index_args(work, chunk))
    assert result.exit_code == 1 and str(chunk) in error_line(result)


def test_chunks_no_manifest_lists_are_indexed_with_a_warning(work: Path) -> None:
    loose = work / "loose"
    loose.mkdir()
    shutil.copy(work / "chunks" / "blk-000000.jsonl.zst", loose / "part.jsonl.zst")
    result = cli(*index_args(work, loose))
    assert result.exit_code == 0, result.output
    assert "warning: no split manifest lists" in " ".join(result.stderr.split())
    assert "part.jsonl.zst" in result.stderr
    verified = cli(*index_args(work, work / "chunks"))
    assert verified.exit_code == 0 and "no split manifest" not in verified.stderr


def test_each_commit_records_the_documents_a_reader_checks_against(built: Path) -> None:
    index = EmbeddedIndex.open_version(built / "data", PRODUCT, VERSION)
    assert index.read_meta()["documents"] == index.count() == 300


# -- item 3b: a full disk is one line naming the path, with no partial files left ----------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Any]:
    """``mount(size)`` a tmpfs of ``size`` at a fresh directory (root on Linux only; else skipped)."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        where = tmp_path / f"disk{len(mounted)}"
        where.mkdir()
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a small tmpfs needs root")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                              capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], check=False)


TANTIVY_FILES = {"meta.json", ".managed.json", ".tantivy-meta.lock", ".tantivy-writer.lock", "lens-mirror.json",
                 "projections.bin"}


def committed_files(version_dir: Path) -> set[str]:
    """What the index directory may hold: tantivy's and our metadata and files, and the committed segments."""
    meta = orjson.loads((version_dir / "meta.json").read_bytes())
    segments = {s["segment_id"].replace("-", "") for s in meta.get("segments", [])}
    return TANTIVY_FILES | {p.name for p in version_dir.iterdir() if p.name.split(".")[0] in segments}


def test_a_full_disk_while_indexing_is_one_line_and_leaves_no_orphan_segments(work: Path, tiny_disk: Any) -> None:
    disk = tiny_disk("1m")
    result = cli("index", "--product", PRODUCT, "--data-dir", str(disk / "data"), str(work / "chunks"))
    assert result.exit_code == 1
    version_dir = disk / "data" / "index" / PRODUCT / VERSION
    line = error_line(result)
    assert line.startswith(f"error: {version_dir}: cannot write the index") and "run the same command again" in line
    assert set(os.listdir(version_dir)) <= committed_files(version_dir)
    assert shutil.disk_usage(disk).used < 200_000  # the failed commit's segment files are gone
    # and the pruned copies written for it too: the file is cut back to what the last commit left
    committed = orjson.loads((version_dir / "lens-mirror.json").read_bytes()).get("projection_bytes", 0)
    assert (version_dir / "projections.bin").stat().st_size == committed


def test_a_full_disk_while_splitting_names_the_file_and_keeps_only_whole_chunks(work: Path, tiny_disk: Any) -> None:
    disk = tiny_disk("64k")
    out = disk / "out"
    result = cli("split", str(work / "sample.jsonl.gz"), "--out", str(out), "--chunk-bytes", "256K")
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith(f"error: {out}/blk-") and line.endswith(".jsonl.zst.tmp: No space left on device")
    assert not list(out.glob("*.tmp"))
    manifest = Manifest.load(out / "manifest.json")
    assert all(chunk_is_intact(out, c) for c in manifest.chunks)
    assert {p.name for p in out.glob("blk-*")} == {c.file for c in manifest.chunks}


def test_a_write_error_while_splitting_names_the_file_and_removes_it(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same failure injected where the OS reports it (a write to an open file, which
    # names no file), for machines without a tmpfs to fill: the disk fills in chunk 2.
    class FillingFile:
        written = 0

        def __init__(self, raw: Any) -> None:
            self.raw = raw

        def write(self, data: bytes) -> int:
            FillingFile.written += len(data)
            if FillingFile.written > room:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self.raw.write(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.raw, name)

    room = (work / "chunks" / "blk-000000.jsonl.zst").stat().st_size + 1_000  # chunk 0 fits, chunk 1 does not
    monkeypatch.setattr(chunks_module, "open", lambda *a: FillingFile(open(*a)), raising=False)
    out = work / "out"
    result = cli("split", str(work / "sample.jsonl.gz"), "--out", str(out), "--chunk-bytes", "256K")
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith(f"error: {out}/blk-0000") and line.endswith(".jsonl.zst.tmp: No space left on device")
    assert not list(out.glob("*.tmp"))
    manifest = Manifest.load(out / "manifest.json")
    assert manifest.chunks and all(chunk_is_intact(out, c) for c in manifest.chunks)


class FailingCommits:
    """A real writer whose commit fails as tantivy's does on a full disk."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer
        self.calls: list[str] = []

    def commit(self) -> None:
        raise ValueError("An IO error occurred: 'No space left on device (os error 28)'")

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.writer, name)
        if callable(attribute):
            def recorded(*args: Any) -> Any:
                self.calls.append(name)
                return attribute(*args)
            return recorded
        return attribute


def test_a_failed_commit_is_rolled_back_cleaned_up_and_one_line(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writers: list[FailingCommits] = []
    real = EmbeddedIndex.writer

    def failing(self: EmbeddedIndex, heap: int, threads: int) -> Any:
        writers.append(FailingCommits(real(self, heap, threads)))
        return writers[-1]

    monkeypatch.setattr(EmbeddedIndex, "writer", failing)
    result = cli(*index_args(work, work / "chunks"))
    assert result.exit_code == 1
    line = error_line(result)
    assert "cannot write the index: No space left on device (os error 28)" in line
    # rolled back, its files collected, then consumed so its merge threads end and release their files
    assert writers[0].calls[-3:] == ["rollback", "garbage_collect_files", "wait_merging_threads"]
    assert EmbeddedIndex.open_version(work / "fresh", PRODUCT, VERSION).count() == 0


# -- item 3c: only a whole index is served ---------------------------------------------------------


def damage(data: Path, how: str) -> Path:
    version_dir = data / "index" / PRODUCT / VERSION
    segment = next(version_dir.glob("*.store")).name.split(".")[0]
    if how == "missing-version":
        set_current_version(data, PRODUCT, "gone")
        return data / "index" / PRODUCT / "gone"
    if how == "truncated-meta":
        meta = version_dir / "meta.json"
        meta.write_bytes(meta.read_bytes()[:100])
    elif how == "missing-segment-file":
        (version_dir / f"{segment}.store").unlink()
    elif how == "no-tantivy-meta":
        (version_dir / "meta.json").unlink()
    elif how == "fewer-records-than-committed":
        meta = orjson.loads((version_dir / "lens-mirror.json").read_bytes())
        meta["documents"] += 5
        (version_dir / "lens-mirror.json").write_bytes(orjson.dumps(meta))
    elif how == "unreadable-lens-mirror-json":
        (version_dir / "lens-mirror.json").write_bytes(b"{")
    else:
        raise AssertionError(how)
    return version_dir


BREAKAGES = ["missing-version", "truncated-meta", "missing-segment-file", "no-tantivy-meta",
             "fewer-records-than-committed", "unreadable-lens-mirror-json"]


@pytest.mark.parametrize("how", BREAKAGES)
def test_serve_refuses_a_broken_version_at_start(work: Path, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    monkeypatch.setattr("mirror.cli.serve.uvicorn.run", lambda *a, **k: started.append(k))
    version_dir = damage(work / "data", how)
    result = cli("serve", "--data-dir", str(work / "data"))
    assert result.exit_code == 1
    line = error_line(result)
    assert str(version_dir) in line
    assert not started
    if how == "missing-version":
        assert not version_dir.exists()  # reading never creates an index


def test_serve_starts_on_a_whole_index_with_the_settings_it_was_given(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr("mirror.cli.serve.uvicorn.run", lambda app, **k: started.append(k))
    result = cli("serve", "--host", "127.0.0.2", env={"LENS_MIRROR_DATA_DIR": str(work / "data"),
                                                       "LENS_MIRROR_PORT": "8123"})
    assert result.exit_code == 0, result.output
    assert started == [{"host": "127.0.0.2", "port": 8123, "log_level": "warning"}]
    assert "scholarly 300 records" in result.stderr


@pytest.mark.parametrize("how", BREAKAGES)
def test_requests_on_a_broken_index_are_503_not_500(work: Path, how: str) -> None:
    version_dir = damage(work / "data", how)
    with served(work / "data") as client:
        for response in (client.get("/scholarly/search", params={"query": "malaria"}),
                         client.post("/scholarly/search", json={"query": "malaria"}),
                         client.get("/scholarly/000-000-000-000-000")):
            assert response.status_code == 503, response.text
            body = response.json()
            assert body["status"] == 503 and body["error"] == "Service Unavailable"
            assert str(version_dir) in body["message"]
        info = client.get("/")  # the overview still answers, and says what is wrong with which product
        assert info.status_code == 200, info.text
        scholarly = info.json()["products"]["scholarly"]
        assert scholarly["records"] is None and str(version_dir) in scholarly["error"]
    if how == "missing-version":
        assert not version_dir.exists()


def test_a_switch_to_a_broken_version_keeps_serving_the_good_one(
    work: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = work / "data"
    backend = EmbeddedBackend(data)
    assert backend.count(PRODUCT) == 300
    broken = data / "index" / PRODUCT / "broken"
    shutil.copytree(data / "index" / PRODUCT / VERSION, broken)
    next(broken.glob("*.term")).unlink()
    set_current_version(data, PRODUCT, "broken")
    with caplog.at_level(logging.ERROR, logger="mirror.backends"):
        assert backend.count(PRODUCT) == 300
        assert backend.search(PRODUCT, {"query": {"match_all": {}}, "size": 0})["hits"]["total"]["value"] == 300
    refusals = [r for r in caplog.records if "not switching scholarly to version 'broken'" in r.getMessage()]
    assert len(refusals) == 1 and "still serving 'local'" in refusals[0].getMessage()

    # A good version replaces it as soon as CURRENT names one.
    small = EmbeddedIndex.create_version(data, PRODUCT, "small")
    indexing.index_files(small, [work / "chunks" / "blk-000000.jsonl.zst"])
    set_current_version(data, PRODUCT, "small")
    assert backend.count(PRODUCT) == small.count() < 300

    # A fresh server with nothing good to fall back on refuses with the reason.
    set_current_version(data, PRODUCT, "broken")
    with pytest.raises(IndexUnavailable, match="broken is damaged"):
        EmbeddedBackend(data).count(PRODUCT)
    assert current_version(data, PRODUCT) == "broken"


def test_files_damaged_after_opening_answer_503(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mirror.backends.embedded.store as store

    def unreadable(self: Any, body: Any) -> Any:
        raise ValueError("Data corrupted: 'Failed to open field \"title\"'s positions in the composite file.'")

    monkeypatch.setattr(store.SearchRunner, "run", unreadable)
    with served(work / "data") as client:
        response = client.post("/scholarly/search", json={"query": "malaria"})
    assert response.status_code == 503 and "cannot be read" in response.json()["message"]


# -- item 4: one error hierarchy, one CLI failure path ----------------------------------------------


def project_exception_classes() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(mirror.__path__, "mirror."):
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == info.name:
                found.append(value)
    return found


def test_every_exception_the_project_defines_derives_from_mirror_error() -> None:
    classes = project_exception_classes()
    assert len(classes) > 20
    strays = [f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, MirrorError)]
    assert strays == []


def test_upstream_401_is_not_a_client_401() -> None:
    from mirror.bulk.errors import BulkError, UpstreamUnauthorized
    from mirror.errors import Unauthorized

    assert issubclass(UpstreamUnauthorized, BulkError) and not issubclass(UpstreamUnauthorized, Unauthorized)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["index", "--product", "scholarly", "--data-dir", "{tmp}/d", "{tmp}/nope"], "error: {tmp}/nope: no such file"),
        (["index", "--product", "scholarly", "--data-dir", "{tmp}/a-file", "{chunks}"],
         "error: {tmp}/a-file/index/"),
        (["serve", "--data-dir", "{tmp}"], "error: {tmp}: no index yet"),
        (["split", "{tmp}/nope.jsonl.gz", "--out", "{tmp}/out"], "error: {tmp}/nope.jsonl.gz: No such file"),
        (["mappings", "--schema", "{tmp}/nope.json", "--product", "patent", "--out", "{tmp}/m"],
         "error: {tmp}/nope.json: No such file or directory"),
        (["index", "--product", "scholarly", "--data-dir", "{tmp}/d", "--threads", "99", "{chunks}"],
         "error: bad setting: LENS_MIRROR_INDEX_THREADS: "),
    ],
    ids=["input-error", "os-error", "no-index", "split-input", "mappings-input", "bad-setting"],
)
def test_the_cli_fails_in_one_way(work: Path, argv: list[str], expected: str) -> None:
    (work / "a-file").write_text("not a directory")
    fill = {"tmp": str(work), "chunks": str(work / "chunks")}
    result = cli(*(a.format(**fill) for a in argv))
    assert result.exit_code == (2 if "--threads" in argv else 1)  # a bad value is a usage error
    line = error_line(result)
    assert line.startswith(expected.format(**fill))
    if any("a-file" in a for a in argv):
        assert line.endswith(": Not a directory")


def test_ctrl_c_says_how_to_resume(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("mirror.cli.split.split_stream", interrupted)
    result = cli("split", str(work / "sample.jsonl.gz"), "--out", str(work / "out"))
    assert result.exit_code == 130 and "run the same command again to resume" in result.stderr


def test_no_command_has_a_failure_path_of_its_own() -> None:
    # The one path is mirror.cli.MirrorGroup; commands raise, they do not print-and-exit.
    for path in Path(mirror.__file__).parent.joinpath("cli").glob("*.py"):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        exits = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "Exit"]
        handlers = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler) and any(
            name in ast.unparse(n.type or ast.Name("BaseException"))
            for name in ("OSError", "MirrorError", "BulkError", "InputError", "SplitError", "ReleaseMismatch",
                         "IndexUnavailable", "KeyboardInterrupt", "BaseException"))]
        assert (exits, handlers) == ([], []), path.name


# -- item 6: settings declared once -----------------------------------------------------------------


SETTING_OPTIONS = [
    ("serve", "data_dir", "data_dir"), ("serve", "host", "host"), ("serve", "port", "port"),
    ("demo", "host", "host"), ("demo", "port", "port"),
    ("index", "data_dir", "data_dir"), ("index", "heap_bytes", "index_heap_bytes"),
    ("index", "threads", "index_threads"),
    ("sync", "data_dir", "data_dir"), ("sync", "api_url", "api_url"), ("sync", "token", "lens_api_token"),
    ("sync", "heap_bytes", "index_heap_bytes"),
    ("release", "data_dir", "data_dir"), ("release", "token", "lens_api_token"),
    ("download", "api_url", "api_url"), ("mappings", "token", "lens_api_token"), ("mappings", "api_url", "api_url"),
]


@pytest.mark.parametrize(("command", "param", "field"), SETTING_OPTIONS)
def test_options_take_help_env_and_default_from_the_settings(command: str, param: str, field: str) -> None:
    group = typer.main.get_command(build_app())
    option = next(p for p in group.commands[command].params if p.name == param)  # type: ignore[attr-defined]
    declared = Settings.model_fields[field]
    assert option.help == declared.description
    expected_env = "LENS_API_TOKEN" if field == "lens_api_token" else f"LENS_MIRROR_{field.upper()}"
    assert option.envvar == expected_env
    assert option.default is None  # the default stays the settings object's
    if declared.default is not None:
        assert option.show_default == str(declared.default)


def test_the_index_writer_budget_reaches_the_indexer_from_flag_and_environment(work: Path) -> None:
    args = index_args(work, work / "chunks")
    by_flag = cli(*args, "--heap-bytes", "10000000", "--threads", "1")
    by_env = cli(*args, env={"LENS_MIRROR_INDEX_HEAP_BYTES": "10000000", "LENS_MIRROR_INDEX_THREADS": "1"})
    for result in (by_flag, by_env):
        assert result.exit_code == 1
        assert "needs at least 15,000,000 bytes for 1 thread(s)" in error_line(result)
