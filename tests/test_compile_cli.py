"""``lens-mirror compile``: prints exactly the body the API sends the engine, refuses what the API refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from mirror.cli import build_app
from mirror.settings import Settings

GOLDEN = Path(__file__).resolve().parent / "golden"


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def golden_cases() -> list[Any]:
    return [
        pytest.param(product, case, id=f"{product}:{case['name']}")
        for product in ("scholarly", "patent")
        for case in orjson.loads((GOLDEN / f"{product}-search.json").read_bytes())
    ]


def one_line(message: str) -> str:
    return " ".join(message.split())


@pytest.mark.parametrize(("product", "case"), golden_cases())
def test_every_golden_case_prints_the_body_the_api_sends(tmp_path: Path, product: str, case: dict[str, Any]) -> None:
    request = tmp_path / "request.json"
    request.write_bytes(orjson.dumps(case["request"]))
    code, out, err = run("compile", "--product", product, str(request))
    if "body" in case:
        assert code == 0, err
        assert orjson.loads(out) == case["body"]
    else:
        assert case["status"] == 400
        assert code == 2, (out, err)
        assert out == ""
        assert err == f"error: {one_line(case['message'])}\n"


def test_the_body_is_the_one_the_api_sends_its_backend(tmp_path: Path) -> None:
    """Against the API itself: the body a search hands its backend is the body compile prints."""
    from fastapi.testclient import TestClient

    from mirror.api import create_app

    sent: list[dict[str, Any]] = []

    class Recorder:
        def search(self, product: str, body: dict[str, Any]) -> dict[str, Any]:
            sent.append(body)
            return {"hits": {"total": {"value": 0}, "max_score": None, "hits": []}}

    request = {"query": "title:(malaria vaccine) AND year_published:[2010 TO 2015]", "size": 3,
               "sort": [{"year_published": "desc"}], "include": ["lens_id", "title"]}
    app = create_app(Settings(), Recorder())  # type: ignore[arg-type]
    response = TestClient(app).post("/scholarly/search", json=request)
    assert response.status_code == 200, response.text
    code, out, err = run("compile", "-", stdin=orjson.dumps(request))
    assert code == 0, err
    assert [orjson.loads(out)] == sent


def test_stdin_and_a_bare_query_string() -> None:
    code, from_stdin, err = run("compile", "--product", "patent", "-", stdin=b'{"query": "title:battery"}')
    assert code == 0, err
    code, from_option, err = run("compile", "--product", "patent", "--query", "title:battery")
    assert code == 0, err
    assert from_stdin == from_option
    assert orjson.loads(from_option)["query"]
    assert from_option.startswith("{\n  ")  # pretty-printed


def test_empty_input_is_an_empty_request_as_for_the_api() -> None:
    code, out, err = run("compile", "-", stdin=b"  \n")
    assert code == 0, err
    assert orjson.loads(out) == orjson.loads(run("compile", "-", stdin=b"{}")[1])


def test_bad_json_names_the_file_and_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "request.json"
    bad.write_text('{\n  "query": "malaria",\n  "size": 10,,\n}\n')
    code, out, err = run("compile", str(bad))
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: {bad}: line 3, column ")
    assert "not valid JSON" in err
    assert err.count("\n") == 1


def test_bad_json_on_stdin_is_named_stdin() -> None:
    code, _, err = run("compile", "-", stdin=b'{"query": ')
    assert code == 2
    assert err.startswith("error: <stdin>: line 1, column ")


def test_a_limit_is_the_api_s_and_can_be_raised_like_the_api_s() -> None:
    query = " ".join(f"w{i}" for i in range(200))
    code, _, err = run("compile", "--query", query, "--max-clauses", "100")
    assert code == 2
    assert "LENS_MIRROR_MAX_CLAUSES" in err
    code, _, err = run("compile", "--query", query, "--max-clauses", "100000")
    assert code == 0, err


def test_a_missing_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    code, _, err = run("compile", str(tmp_path / "nope.json"))
    assert code == 1
    assert err.startswith("error: ") and "nope.json" in err and err.count("\n") == 1


@pytest.mark.parametrize("args", [[], ["request.json", "--query", "x"]])
def test_exactly_one_request_source(args: list[str]) -> None:
    code, _, err = run("compile", *args)
    assert code == 2  # a usage error
    assert "give one request" in err


def aggregate_cases() -> list[Any]:
    return [
        pytest.param(product, case, id=f"{product}:{case['name']}")
        for product in ("scholarly", "patent")
        for case in orjson.loads((GOLDEN / f"{product}-aggregate.json").read_bytes())
        if "aggregations" in case["request"] or "aggs" in case["request"]
    ]


@pytest.mark.parametrize(("product", "case"), aggregate_cases())
def test_aggregate_requests_print_their_body_or_refusal(product: str, case: dict[str, Any]) -> None:
    code, out, err = run("compile", "--product", product, "-", stdin=orjson.dumps(case["request"]))
    if "body" in case:
        assert (code, orjson.loads(out)) == (0, case["body"])
    else:
        assert code == 2 and one_line(case["message"]) in one_line(err)


def test_endpoint_option_chooses_the_request_model() -> None:
    request = orjson.dumps({"query": "malaria"})
    code, out, err = run("compile", "--endpoint", "aggregate", "-", stdin=request)
    assert code == 2 and "aggregations" in err  # an aggregate request needs its aggregations
    assert run("compile", "--endpoint", "search", "-", stdin=request)[0] == 0
