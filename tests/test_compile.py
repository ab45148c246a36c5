"""Compile stage: golden request → body corpus, GET ≡ POST, and the pure pieces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from mirror.catalogue import catalogue_for
from mirror.errors import BadRequest, MirrorError
from mirror.query.compile import compile_search
from mirror.query.request import parse_search_body, parse_sort_param, search_body_from_params

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_cases() -> list[Any]:
    cases = []
    for product in ("scholarly", "patent"):
        for case in orjson.loads((GOLDEN / f"{product}-search.json").read_bytes()):
            cases.append(pytest.param(product, case, id=f"{product}:{case['name']}"))
    return cases


def compile_request(product: str, request: dict[str, Any]) -> dict[str, Any]:
    return compile_search(parse_search_body(request), catalogue_for(product))


@pytest.mark.parametrize(("product", "case"), golden_cases())
def test_golden(product: str, case: dict[str, Any]) -> None:
    if "body" in case:
        assert compile_request(product, case["request"]) == case["body"]
    else:
        with pytest.raises(MirrorError) as err:
            compile_request(product, case["request"])
        assert (err.value.status, err.value.message) == (case["status"], case["message"])


def aggregate_cases() -> list[Any]:
    return [pytest.param(product, case, id=f"{product}:{case['name']}")
            for product in ("scholarly", "patent")
            for case in orjson.loads((GOLDEN / f"{product}-aggregate.json").read_bytes())]


@pytest.mark.parametrize(("product", "case"), aggregate_cases())
def test_golden_aggregate(product: str, case: dict[str, Any]) -> None:
    """Aggregate requests → bodies (regenerate with scripts/update-golden-aggregate), and each 400."""
    from mirror.query.aggregations import compile_aggregate, parse_aggregate_body

    def compiled() -> dict[str, Any]:
        return compile_aggregate(parse_aggregate_body(case["request"]), catalogue_for(product))

    if "body" in case:
        assert compiled() == case["body"]
    else:
        with pytest.raises(MirrorError) as err:
            compiled()
        assert (err.value.status, err.value.message) == (case["status"], case["message"])


def test_golden_covers_every_documented_search_example(reference: Path) -> None:
    names = {c.values[1]["name"] for c in golden_cases()}
    for path in (reference / "request-examples").glob("*.json"):
        if "-aggregate-" not in path.name:
            assert path.stem in names, f"{path.name} has no golden case; run scripts/update-golden"


@pytest.mark.parametrize(
    ("params", "body"),
    [
        (
            {"query": "malaria AND year_published:[2010 TO 2015]", "size": "5", "from": "10",
             "sort": "desc(year_published),asc(lens_id)", "include": "lens_id,title"},
            {"query": "malaria AND year_published:[2010 TO 2015]", "size": 5, "from": 10,
             "sort": [{"year_published": "desc"}, {"lens_id": "asc"}], "include": ["lens_id", "title"]},
        ),
        (
            {"query": "title:crystal", "exclude": "references,authors.ids", "stemming": "false"},
            {"query": "title:crystal", "exclude": ["references", "authors.ids"], "stemming": False},
        ),
    ],
)
def test_get_and_post_forms_compile_identically(params: dict[str, str], body: dict[str, Any]) -> None:
    assert compile_request("scholarly", search_body_from_params(params)) == compile_request("scholarly", body)


def test_sort_parameter_syntax() -> None:
    assert parse_sort_param("desc(year_published), asc(lens_id)") == [{"year_published": "desc"}, {"lens_id": "asc"}]
    with pytest.raises(BadRequest, match="asc\\(field\\)"):
        parse_sort_param("year_published desc")


def test_lens_id_is_always_the_last_sort_key() -> None:
    body = compile_request("patent", {"sort": [{"year_published": "desc"}]})
    assert body["sort"][-1] == {"search.lens_id": {"order": "asc"}}
    assert compile_request("patent", {"sort": [{"lens_id": "desc"}]})["sort"] == [{"search.lens_id": {"order": "desc"}}]


def test_values_may_be_strings_numbers_or_booleans() -> None:
    as_bool = compile_request("scholarly", {"query": {"match": {"has_abstract": True}}})
    as_text = compile_request("scholarly", {"query": {"match": {"has_abstract": "true"}}})
    assert as_bool == as_text
    as_int = compile_request("scholarly", {"query": {"term": {"year_published": 2012}}})
    assert as_int == compile_request("scholarly", {"query": {"term": {"year_published": "2012"}}})


def test_unknown_fields_in_query_strings_name_the_field() -> None:
    with pytest.raises(BadRequest, match="'author.affilation.name'.*did you mean 'author.affiliation.name'"):
        compile_request("scholarly", {"query": "author.affilation.name:Harvard"})
