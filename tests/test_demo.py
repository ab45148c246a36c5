"""``lens-mirror demo``: sample → split → index for both products, then a served API."""

from __future__ import annotations

from pathlib import Path

import httpx
from typer.testing import CliRunner

from conftest import LiveServer
from mirror.api import create_app
from mirror.cli import build_app
from mirror.settings import Settings


def test_demo_prepares_both_products_and_skips_finished_steps(tmp_path: Path) -> None:
    args = ["demo", "--data-dir", str(tmp_path), "--count", "150", "--no-serve"]
    first = CliRunner().invoke(build_app(), args)
    assert first.exit_code == 0, first.output
    assert "indexed 150 records" in first.output
    again = CliRunner().invoke(build_app(), args)  # everything is already done
    assert again.exit_code == 0 and "indexed 0 records" in again.output and "1 already indexed" in again.output
    with LiveServer(create_app(Settings(data_dir=tmp_path))) as server, httpx.Client(base_url=server.url) as client:
        counts = client.get("/").json()["products"]
        assert counts == {"scholarly": {"records": 150}, "patent": {"records": 150}}
        body = client.post("/scholarly/search", json={"query": "malaria", "size": 1}).json()
        assert body["results"] == 1


def test_serve_without_an_index_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(build_app(), ["serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "lens-mirror index" in result.output
