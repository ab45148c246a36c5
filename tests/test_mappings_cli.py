"""``lens-mirror mappings``: a Lens schema change is one command away."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from typer.testing import CliRunner

from mirror.catalogue import packaged_schema
from mirror.cli import build_app

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), list(args))
    return result.exit_code, result.output


def test_regenerating_from_the_packaged_schema_reproduces_the_committed_files(tmp_path: Path) -> None:
    code, output = run("mappings", "--out", str(tmp_path))
    assert code == 0, output
    for product in ("scholarly", "patent"):
        assert (tmp_path / f"{product}.json").read_bytes() == (ROOT / "mappings" / f"{product}.json").read_bytes()


def test_a_schema_that_drops_a_field_is_reported(tmp_path: Path) -> None:
    schema = packaged_schema("scholarly")
    del schema["properties"]["conference"]  # not in the real sample record either
    changed = tmp_path / "scholarly-schema.json"
    changed.write_text(json.dumps(schema))
    code, output = run("mappings", "--schema", str(changed), "--product", "scholarly", "--out", str(tmp_path / "m"))
    assert code == 0, output
    assert "'conference.name' is not in the schema" in output
    assert (tmp_path / "m" / "scholarly.json").exists()


def test_bad_schema_arguments_are_clear_errors(tmp_path: Path) -> None:
    assert run("mappings", "--schema", str(tmp_path / "x.json"))[1].count("--product") == 1
    (tmp_path / "x.json").write_text("{nope")
    code, output = run("mappings", "--schema", str(tmp_path / "x.json"), "--product", "patent")
    assert code == 1 and "x.json" in output


@pytest.fixture
def schema_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            product = self.path.rsplit("/", 1)[-1]
            if self.headers.get("Authorization") != "Bearer t0ken" or product not in ("scholarly", "patent"):
                self.send_response(401)
                self.end_headers()
                return
            body = json.dumps(packaged_schema(product)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_from_api_uses_the_live_schema_endpoint(schema_server: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENS_MIRROR_API_URL", schema_server)
    code, output = run("mappings", "--from-api", "--token", "t0ken", "--out", str(tmp_path))
    assert code == 0, output
    assert (tmp_path / "patent.json").read_bytes() == (ROOT / "mappings" / "patent.json").read_bytes()
    code, output = run("mappings", "--from-api", "--token", "wrong", "--out", str(tmp_path))
    assert code == 1 and "401" in output
