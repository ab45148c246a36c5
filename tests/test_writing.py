"""The write protocol's contract (mirror/backends/writing.py), the same for every backend.

Each test runs once per store implementation in ``STORES``: the embedded backend
always, the engine's on the session's real node (tests/conftest.py's ``engine_url``);
each is a :class:`StoreCase` (how to open an empty store, and how to damage one
version of it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from mirror.backends.embedded import EmbeddedStore, product_dir
from mirror.backends.engine.store import EngineStore
from mirror.backends.loading import chunk_sources, load_chunks
from mirror.backends.writing import IndexStore, VersionWriter
from mirror.errors import ServiceUnavailable
from mirror.ingest.errors import ChunkMismatch
from mirror.ingest.manifest import Manifest
from mirror.ingest.read import iter_chunk_lines
from mirror.ingest.split import split_stream
from mirror.settings import Settings

PRODUCT = "scholarly"
RECORDS = 120


@dataclass(frozen=True)
class StoreCase:
    name: str
    # an empty store whose files (if any) live under the path; the request gives it fixtures (an engine)
    open: Callable[[Path, pytest.FixtureRequest], IndexStore]
    damage: Callable[[IndexStore, str, str], None]  # break one version so that a server cannot open it


def _embedded(tmp: Path, request: pytest.FixtureRequest) -> IndexStore:
    return EmbeddedStore(Settings(data_dir=tmp / "data", index_heap_bytes=40_000_000, index_threads=1))


def _damage_embedded(store: IndexStore, product: str, version: str) -> None:
    assert isinstance(store, EmbeddedStore)
    path = product_dir(store.data_dir, product) / version
    for segment in path.glob("*.store"):  # the stored records: what a server reads for every hit
        segment.unlink()


def _engine(tmp: Path, request: pytest.FixtureRequest) -> IndexStore:
    """A store on the real engine (the session's node) under a prefix of its own, deleted afterwards."""
    import httpx

    from mirror.backends.engine.store import EngineStore

    url: str = request.getfixturevalue("engine_url")
    prefix = f"lens-mirror-test-writing-{next(_PREFIXES)}"
    request.addfinalizer(lambda: httpx.delete(f"{url}/{prefix}-*", params={"expand_wildcards": "all"}, timeout=60))
    return EngineStore(Settings(data_dir=tmp / "data", backend="elasticsearch", es_url=url,
                                es_index_prefix=prefix))


def _damage_engine(store: IndexStore, product: str, version: str) -> None:
    """Close the index: it is there, but it answers no count and no search."""
    import httpx

    assert isinstance(store, EngineStore)
    closed = httpx.post(f"{store.url}/{store.index_name(product, version)}/_close", timeout=60)
    assert closed.status_code == 200, closed.text


_PREFIXES = itertools.count(1)
STORES = [StoreCase("embedded", _embedded, _damage_embedded), StoreCase("engine", _engine, _damage_engine)]


@pytest.fixture(params=STORES, ids=lambda case: case.name)
def case(request: pytest.FixtureRequest) -> StoreCase:
    return request.param


@pytest.fixture
def store(case: StoreCase, tmp_path: Path, request: pytest.FixtureRequest) -> IndexStore:
    return case.open(tmp_path, request)


def records(count: int, start: int = 0, tag: str = "a") -> list[bytes]:
    return [
        orjson.dumps({
            "lens_id": f"000-{i // 1000:03d}-{i % 1000:03d}-{i % 997:03d}-0{i % 10}X",
            "title": f"On graphene and zebrafish ({tag} {i})",
            "year_published": 1990 + i % 30,
        })
        for i in range(start, start + count)
    ]


def split(tmp: Path, name: str, lines: list[bytes]) -> Path:
    """A split directory (chunks + manifest) of ``lines``: 3 kB chunks, about 30 records each."""
    source = tmp / f"{name}.jsonl"
    source.write_bytes(b"".join(line + b"\n" for line in lines))
    out = tmp / f"{name}-chunks"
    split_stream(source, out, chunk_bytes=3 << 10, validate=False)
    return out


def load(store: IndexStore, version: str, targets: list[Path], fresh: bool = False) -> int:
    with closing(store.writer(PRODUCT, version, fresh=fresh)) as writer:
        report = load_chunks(writer, targets)
    assert report.failed == 0, report.problems
    return report.indexed


def add_chunk(writer: VersionWriter, path: Path) -> int:
    lines = [(f"{path}:{n}", line) for n, line in enumerate(iter_chunk_lines(path), 1)]
    assert writer.add(lines) == []
    return len(lines)


def test_a_version_is_built_beside_nothing_checked_then_switched_to(store: IndexStore, tmp_path: Path) -> None:
    chunks = split(tmp_path, "a", records(RECORDS))
    assert store.serving(PRODUCT) is None and store.versions(PRODUCT) == []
    assert load(store, "1", [chunks]) == RECORDS
    assert store.versions(PRODUCT) == ["1"]
    assert store.serving(PRODUCT) is None  # building never switches
    assert store.check(PRODUCT, "1") == RECORDS
    store.switch(PRODUCT, "1")
    assert store.serving(PRODUCT) == "1"


def test_a_killed_load_resumes_after_the_last_committed_chunk(store: IndexStore, tmp_path: Path) -> None:
    chunks = split(tmp_path, "a", records(RECORDS))
    assert len(Manifest.load(chunks / "manifest.json").chunks) >= 3
    (first_key, (first, _)), (_, (second, _)) = list(chunk_sources([chunks]).items())[:2]
    writer = store.writer(PRODUCT, "1")
    assert set(writer.committed()) == set()
    done = add_chunk(writer, first)
    assert writer.commit({first_key: first.name}) == done
    add_chunk(writer, second)  # added, never committed: then the process dies
    writer.close()

    assert store.check(PRODUCT, "1") == done
    with closing(store.writer(PRODUCT, "1")) as resumed:
        assert set(resumed.committed()) == {first_key}
        report = load_chunks(resumed, [chunks])
    assert report.chunks_skipped == 1 and report.indexed == RECORDS - done
    assert store.check(PRODUCT, "1") == RECORDS


def test_a_record_added_again_replaces_itself(store: IndexStore, tmp_path: Path) -> None:
    load(store, "1", [split(tmp_path, "a", records(RECORDS))])
    again = split(tmp_path, "b", records(RECORDS // 2, start=RECORDS // 2, tag="b") + records(10, start=RECORDS))
    load(store, "1", [again])
    assert store.check(PRODUCT, "1") == RECORDS + 10


def test_a_chunk_unlike_its_manifest_is_refused_and_none_of_it_kept(store: IndexStore, tmp_path: Path) -> None:
    chunks = split(tmp_path, "a", records(RECORDS))
    manifest = Manifest.load(chunks / "manifest.json")
    manifest.chunks[1].records += 1
    manifest.save(chunks / "manifest.json")
    with pytest.raises(ChunkMismatch, match=manifest.chunks[1].file), \
            closing(store.writer(PRODUCT, "1")) as writer:
        load_chunks(writer, [chunks])
    with closing(store.writer(PRODUCT, "1")) as writer:
        assert len(writer.committed()) == 0
    assert store.check(PRODUCT, "1") == 0


def test_old_versions_go_after_the_switch_but_never_the_served_one(store: IndexStore, tmp_path: Path) -> None:
    load(store, "1", [split(tmp_path, "a", records(RECORDS))])
    store.switch(PRODUCT, "1")
    load(store, "2", [split(tmp_path, "b", records(30, tag="b"))])
    store.switch(PRODUCT, "2")
    store.remove(PRODUCT, "1")
    assert store.versions(PRODUCT) == ["2"] and store.serving(PRODUCT) == "2"
    store.remove(PRODUCT, "1")  # already gone: nothing to do
    with pytest.raises(ServiceUnavailable, match="served"):
        store.remove(PRODUCT, "2")
    assert store.check(PRODUCT, "2") == 30


def test_a_broken_or_missing_version_is_never_switched_to(
    case: StoreCase, store: IndexStore, tmp_path: Path
) -> None:
    chunks = split(tmp_path, "a", records(RECORDS))
    load(store, "1", [chunks])
    store.switch(PRODUCT, "1")
    load(store, "2", [chunks])
    case.damage(store, PRODUCT, "2")
    with pytest.raises(ServiceUnavailable):
        store.check(PRODUCT, "2")
    with pytest.raises(ServiceUnavailable, match="not switching"):
        store.switch(PRODUCT, "2")
    with pytest.raises(ServiceUnavailable):
        store.switch(PRODUCT, "3")  # never built
    assert store.serving(PRODUCT) == "1" and store.check(PRODUCT, "1") == RECORDS


def test_a_fresh_writer_starts_the_version_over(store: IndexStore, tmp_path: Path) -> None:
    load(store, "1", [split(tmp_path, "a", records(RECORDS))])
    assert load(store, "1", [split(tmp_path, "b", records(10, start=500, tag="b"))], fresh=True) == 10
    assert store.check(PRODUCT, "1") == 10


def test_open_store_picks_the_backend_from_the_settings(tmp_path: Path) -> None:
    from mirror.backends.writing import open_store
    from mirror.errors import MirrorError

    assert open_store(Settings(data_dir=tmp_path)).backend == "embedded"
    with pytest.raises(MirrorError, match="elasticsearch"):  # no URL: refused before anything is written
        open_store(Settings(data_dir=tmp_path, backend="elasticsearch"))
    # the engine is reached on first use, not when the store is made
    assert open_store(Settings(data_dir=tmp_path, backend="elasticsearch", es_url="http://127.0.0.1:9")).backend \
        == "elasticsearch"


@pytest.mark.parametrize("command", ["index", "sync", "demo"])
def test_the_commands_that_write_take_the_backend_from_the_settings(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    monkeypatch.delenv("LENS_MIRROR_ES_URL", raising=False)  # no engine URL: refused before anything is written

    from mirror.cli import build_app

    args = {
        "index": ["index", "--product", PRODUCT, "--data-dir", str(tmp_path), str(split(tmp_path, "a", records(5)))],
        "sync": ["sync", "--product", PRODUCT, "--data-dir", str(tmp_path), "--no-progress"],
        "demo": ["demo", "--data-dir", str(tmp_path), "--count", "5", "--no-serve"],
    }[command]
    result = CliRunner().invoke(build_app(), [*args, "--backend", "elasticsearch"])
    assert result.exit_code == 1, result.output
    assert "elasticsearch" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "index").exists() and not (tmp_path / "samples").exists()
