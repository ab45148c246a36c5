"""The embedded backend on real Lens records: dedupe, resume, bad records, panics."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from mirror.backends import loading
from mirror.backends.embedded import EmbeddedIndex, IndexUnavailable, index_files, indexing
from mirror.catalogue import catalogue_for, packaged_sample
from mirror.ingest.split import split_stream
from mirror.query.compile import compile_search
from mirror.query.request import parse_search_body
from mirror.settings import Settings


def variants(product: str, n: int) -> list[dict[str, Any]]:
    base = packaged_sample(product)
    out = []
    for i in range(n):
        record = copy.deepcopy(base)
        record["lens_id"] = f"000-000-000-000-{i:03d}"
        out.append(record)
    return out


def write_chunks(tmp: Path, name: str, lines: list[bytes]) -> Path:
    source = tmp / f"{name}.jsonl"
    source.write_bytes(b"".join(line + b"\n" for line in lines))
    out = tmp / f"{name}-chunks"
    split_stream(source, out, chunk_bytes=64 << 10, validate=False)
    return out


def stored(index: EmbeddedIndex, lens_id: str) -> dict[str, Any]:
    """The stored record of ``lens_id``, which must be in the index."""
    record = index.get(lens_id)
    assert record is not None, f"{lens_id} is not in the index"
    return record


def search(index: EmbeddedIndex, product: str, request: dict[str, Any]) -> dict[str, Any]:
    return index.search(compile_search(parse_search_body(request), catalogue_for(product)))["hits"]


def test_indexing_twice_keeps_one_copy_and_updates_it(tmp_path: Path) -> None:
    records = variants("scholarly", 12)
    chunks = write_chunks(tmp_path, "a", [orjson.dumps(r) for r in records])
    index = EmbeddedIndex(tmp_path / "idx", catalogue_for("scholarly"))
    assert index_files(index, [chunks]).indexed == 12
    changed = copy.deepcopy(records[3])
    changed["title"] = "A completely different heading about zebrafish"
    again = write_chunks(tmp_path, "b", [orjson.dumps(r) for r in records[:5]] + [orjson.dumps(changed)])
    index_files(index, [again])
    assert index.count() == 12
    assert stored(index, records[3]["lens_id"])["title"] == changed["title"]
    assert search(index, "scholarly", {"query": "title:zebrafish"})["total"]["value"] == 1


@pytest.mark.parametrize("commit_every", [100_000, 3], ids=["one-commit", "commits-between-copies"])
def test_a_record_repeated_in_one_run_keeps_its_last_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, commit_every: int
) -> None:
    # A fresh build skips the delete for IDs it has not seen; a repeat must still replace
    # the earlier copy, whether that copy is committed yet or not.
    monkeypatch.setattr(indexing, "COMMIT_EVERY", commit_every)
    monkeypatch.setattr(indexing, "BLOCK", 2)
    records = variants("scholarly", 6)
    later = copy.deepcopy(records[1])
    later["title"] = "A completely different heading about zebrafish"
    chunks = write_chunks(tmp_path, "a", [orjson.dumps(r) for r in [*records, records[4], later, records[4]]])
    index = EmbeddedIndex(tmp_path / "idx", catalogue_for("scholarly"))
    assert index_files(index, [chunks]).indexed == 9
    assert index.count() == 6
    assert stored(index, records[1]["lens_id"])["title"] == later["title"]
    assert search(index, "scholarly", {"query": "title:zebrafish"})["total"]["value"] == 1


def test_finished_chunks_are_skipped_when_indexing_resumes(tmp_path: Path) -> None:
    lines = [orjson.dumps(r) for r in variants("patent", 40)]
    chunks = write_chunks(tmp_path, "p", lines)
    assert len(list(chunks.glob("blk-*.jsonl.zst"))) > 1
    index = EmbeddedIndex(tmp_path / "idx", catalogue_for("patent"))
    first = index_files(index, [chunks])
    reopened = EmbeddedIndex(tmp_path / "idx", catalogue_for("patent"))
    second = index_files(reopened, [chunks])
    assert (second.chunks_done, second.chunks_skipped, second.indexed) == (0, first.chunks_done, 0)
    assert reopened.count() == 40


def test_bad_records_are_reported_with_file_and_line_and_the_rest_indexed(tmp_path: Path) -> None:
    good = variants("scholarly", 3)
    odd = copy.deepcopy(good[0])
    odd.update(lens_id="000-000-000-000-777", year_published="nineteen", authors="nobody", date_published="garbage")
    lines = [orjson.dumps(good[0]), b"{not json", orjson.dumps({"title": "no id"}), orjson.dumps(odd),
             orjson.dumps(good[1]), b"[1, 2]", orjson.dumps(good[2])]
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    index = EmbeddedIndex(tmp_path / "idx", catalogue_for("scholarly"))
    report = index_files(index, [source])
    assert report.indexed == 4 and report.failed == 3
    assert [p.split(": ")[0] for p in report.problems] == [f"{source}:2", f"{source}:3", f"{source}:6"]
    assert stored(index, "000-000-000-000-777")["year_published"] == "nineteen"  # kept as given, just not searchable
    assert search(index, "scholarly", {"query": "year_published:2015"})["total"]["value"] == 3


@pytest.mark.parametrize(
    "request_body",
    [
        {"size": 0},
        {"query": {"match_phrase": {"title": "cixutumumab"}}},  # one-word phrase
        {"query": {"match_phrase": {"title": "!!! ..."}}},  # no tokens at all
        {"query": {"match": {"title": "***"}}},
        {"query": {"terms": {"lens_id": []}}},
        {"query": {"bool": {"must_not": [{"match": {"title": "cixutumumab"}}]}}},
        {"query": "title:\"prostate\""},
    ],
)
def test_inputs_that_make_tantivy_panic_are_answered(tmp_path: Path, request_body: dict[str, Any]) -> None:
    index = EmbeddedIndex(tmp_path / "idx", catalogue_for("scholarly"))
    index_files(index, [write_chunks(tmp_path, "s", [orjson.dumps(r) for r in variants("scholarly", 4)])])
    hits = search(index, "scholarly", request_body)
    assert hits["total"]["value"] in (0, 4)


def test_reopened_index_still_analyses_text(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path / "idx", catalogue_for("patent"))
    index_files(index, [write_chunks(tmp_path, "p", [orjson.dumps(r) for r in variants("patent", 2)])])
    reopened = EmbeddedIndex(tmp_path / "idx", catalogue_for("patent"))
    # "genotyping" is stemmed at index time; the custom analyser must be registered again to match
    assert search(reopened, "patent", {"query": {"match": {"abstract": "Genotyped"}}})["total"]["value"] == 2
    assert search(reopened, "patent", {"query": {"match": {"abstract": "Genotyped"}}, "stemming": False})[
        "total"]["value"] == 0


def test_an_index_built_with_another_catalogue_is_refused(tmp_path: Path) -> None:
    EmbeddedIndex(tmp_path / "idx", catalogue_for("patent"))
    with pytest.raises(IndexUnavailable, match="different field catalogue"):
        EmbeddedIndex(tmp_path / "idx", catalogue_for("scholarly"))


def test_index_refuses_an_incomplete_split_unless_asked(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from mirror.cli import build_app

    chunks = write_chunks(tmp_path, "s", [orjson.dumps(r) for r in variants("scholarly", 30)])
    manifest = json.loads((chunks / "manifest.json").read_text())
    manifest["status"] = "truncated"
    (chunks / "manifest.json").write_text(json.dumps(manifest))
    args = ["index", "--product", "scholarly", "--data-dir", str(tmp_path / "data"), str(chunks)]
    refused = CliRunner().invoke(build_app(), args)
    assert refused.exit_code == 1 and "truncated" in refused.output
    allowed = CliRunner().invoke(build_app(), [*args, "--allow-partial"])
    assert allowed.exit_code == 0, allowed.output
    assert EmbeddedIndex.open_version(tmp_path / "data", "scholarly", "local").count() == 30


def test_writer_threads_leave_a_core_for_the_python_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LENS_MIRROR_INDEX_THREADS", raising=False)
    monkeypatch.delenv("LENS_MIRROR_INDEX_HEAP_BYTES", raising=False)
    for cores, threads in ((1, 1), (2, 1), (4, 3), (16, 4)):
        monkeypatch.setattr("os.cpu_count", lambda cores=cores: cores)
        assert Settings().writer_threads() == threads
    monkeypatch.setenv("LENS_MIRROR_INDEX_THREADS", "2")
    assert Settings().writer_threads() == 2
    # tantivy needs 15 MB a thread: a small budget means fewer threads, not a failure
    assert Settings(index_threads=4, index_heap_bytes=40_000_000).writer_threads() == 2


def test_a_writer_budget_too_small_is_a_clear_error(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path / "idx", catalogue_for("scholarly"))
    with pytest.raises(IndexUnavailable, match="LENS_MIRROR_INDEX_HEAP_BYTES"):
        index_files(index, [], Settings(index_heap_bytes=10_000_000, index_threads=1))


@pytest.mark.parametrize("verified", [True, False], ids=["split-chunks", "plain-files"])
def test_an_interrupted_run_resumes_without_losing_or_doubling_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verified: bool
) -> None:
    # Chunks a manifest vouches for are committed whole, so the crash leaves only whole
    # chunks committed. Plain files commit as they go, so the crash leaves one half
    # committed and not recorded: the rerun reads it again and its records replace themselves.
    monkeypatch.setattr(indexing, "COMMIT_EVERY", 3)
    monkeypatch.setattr(indexing, "BLOCK", 1)
    chunks = write_chunks(tmp_path, "p", [orjson.dumps(r) for r in variants("patent", 40)])
    manifest = orjson.loads((chunks / "manifest.json").read_bytes())
    if not verified:
        (chunks / "manifest.json").unlink()
    real, read = loading.iter_chunk_lines, 0

    def dying(path: Path) -> Any:
        nonlocal read
        for line in real(path):
            read += 1
            if read > 25:
                raise RuntimeError("power cut")
            yield line

    monkeypatch.setattr(loading, "iter_chunk_lines", dying)
    index = EmbeddedIndex(tmp_path / "idx", catalogue_for("patent"))
    with pytest.raises(RuntimeError, match="power cut"):
        index_files(index, [chunks])
    reopened = EmbeddedIndex(tmp_path / "idx", catalogue_for("patent"))
    recorded = reopened.read_meta()["chunks"]
    in_recorded = sum(
        c["records"] for c in manifest["chunks"] if any(r["file"] == c["file"] for r in recorded.values())
    )
    if verified:
        assert recorded and in_recorded == reopened.count() < 25  # whole chunks only
    else:
        assert recorded and in_recorded < reopened.count() <= 24  # a half-read file is committed, not recorded

    monkeypatch.setattr(loading, "iter_chunk_lines", real)
    report = index_files(reopened, [chunks])
    assert report.chunks_skipped == len(recorded)
    assert reopened.count() == 40
    # exports read the records' pruned copies: the interrupted run's copies mislead none of them
    found = search(reopened, "patent", {"query": "*", "size": 100, "sort": [{"lens_id": "asc"}],
                                        "include": ["lens_id", "jurisdiction"]})["hits"]
    assert [h["_id"] for h in found] == sorted(r["lens_id"] for r in variants("patent", 40))
    assert all(orjson.loads(orjson.dumps(h["_source"]))["lens_id"] == h["_id"] for h in found)
