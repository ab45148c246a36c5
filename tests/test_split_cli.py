"""``lens-mirror split`` through Typer: sizes, stdin, and one-line errors that name the file."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from mirror.cli import build_app
from mirror.cli import split as split_cli
from mirror.ingest import Manifest, iter_records


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(build_app(), ["split", *args], input=input)


def sample(n: int = 400) -> bytes:
    return b"".join(
        orjson.dumps({"lens_id": f"000-000-000-000-{i:03d}", "title": "t" * (50 + i % 200)}) + b"\n" for i in range(n)
    )


@pytest.fixture
def gz(tmp_path: Path) -> Path:
    path = tmp_path / "input.jsonl.gz"
    path.write_bytes(gzip.compress(sample()))
    return path


@pytest.mark.parametrize(("text", "size"), [
    ("1G", 1 << 30), ("512M", 512 << 20), ("64K", 64 << 10), ("64k", 64 << 10), ("1000", 1000),
    ("1GiB", 1 << 30), ("1GB", 10**9), ("2 M", 2 << 20),
])
def test_parse_size(text: str, size: int) -> None:
    assert split_cli.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "1.5G", "-1", "0", "12X"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        split_cli.parse_size(text)


def test_split_file(tmp_path: Path, gz: Path) -> None:
    result = run(str(gz), "--out", str(tmp_path / "out"), "--chunk-bytes", "8K")
    assert result.exit_code == 0, result.output
    m = Manifest.load(tmp_path / "out" / "manifest.json")
    assert m.status == "complete" and m.records == 400 and len(m.chunks) > 3
    assert m.params["chunk_bytes"] == 8192


def test_split_stdin(tmp_path: Path, gz: Path) -> None:
    result = run("-", "--out", str(tmp_path / "out"), input=gz.read_bytes())
    assert result.exit_code == 0, result.output
    assert len(list(iter_records(tmp_path / "out"))) == 400


def test_truncated_input_is_one_clear_line(tmp_path: Path, gz: Path) -> None:
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gz.read_bytes()[: gz.stat().st_size // 2])
    result = run(str(cut), "--out", str(tmp_path / "out"), "--chunk-bytes", "4K")
    assert result.exit_code == 1
    assert f"{cut}: compressed stream ends early after" in result.output
    assert "Traceback" not in result.output
    assert Manifest.load(tmp_path / "out" / "manifest.json").status == "truncated"


def test_missing_input(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.jsonl.gz"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "nope.jsonl.gz: No such file or directory" in result.output
    assert not (tmp_path / "out").exists()


def test_quarantine_is_reported(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(sample(10) + b"oops\n" + sample(3))
    result = run(str(src), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "1 bad lines set aside" in result.output


def test_verify_release(tmp_path: Path, gz: Path) -> None:
    release = {"records": 400, "firstRecordId": "000-000-000-000-000", "lastRecordId": "000-000-000-000-399"}
    (gz.parent / "release.json").write_bytes(orjson.dumps(release))
    ok = run(str(gz), "--out", str(tmp_path / "a"), "--verify-release")
    assert ok.exit_code == 0, ok.output
    (gz.parent / "release.json").write_bytes(orjson.dumps(release | {"records": 401}))
    bad = run(str(gz), "--out", str(tmp_path / "b"), "--verify-release")
    assert bad.exit_code == 1
    assert "records: release says 401, input has 400" in bad.output
    other = tmp_path / "elsewhere.json"
    other.write_bytes(orjson.dumps(release | {"lastRecordId": "x"}))
    bad2 = run(str(gz), "--out", str(tmp_path / "c"), "--release-file", str(other))
    assert bad2.exit_code == 1 and "lastRecordId" in bad2.output


def test_verify_release_needs_metadata(tmp_path: Path, gz: Path) -> None:
    result = run(str(gz), "--out", str(tmp_path / "out"), "--verify-release")
    assert result.exit_code == 1
    assert "release.json: release metadata not found" in result.output


def test_resume_refusal_is_one_line(tmp_path: Path, gz: Path) -> None:
    assert run(str(gz), "--out", str(tmp_path / "out"), "--chunk-bytes", "8K").exit_code == 0
    result = run(str(gz), "--out", str(tmp_path / "out"), "--chunk-bytes", "16K")
    assert result.exit_code == 1 and "other settings" in result.output and "Traceback" not in result.output
    assert run(str(gz), "--out", str(tmp_path / "out"), "--chunk-bytes", "16K", "--restart").exit_code == 0
