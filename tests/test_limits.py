"""Request limits come from the settings and are enforced on the live app, as 400s naming them."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from conftest import Corpus, LiveServer


@pytest.fixture(scope="module")
def strict_api(corpus: Corpus) -> Iterator[httpx.Client]:
    from mirror.api import create_app
    from mirror.settings import Settings

    settings = Settings(data_dir=corpus.data_dir, max_query_length=40, max_clauses=8, max_source_paths=2,
                        max_nesting_depth=4, max_slop=3, max_pattern_length=10, max_terms=5)
    with LiveServer(create_app(settings)) as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield client


@pytest.mark.parametrize(("body", "setting"), [
    ({"query": "malaria " * 10}, "MAX_QUERY_LENGTH"),
    ({"query": "a b c d e f g h i j"}, "MAX_CLAUSES"),
    ({"query": {"bool": {"should": [{"match": {"title": str(i)}} for i in range(9)]}}}, "MAX_CLAUSES"),
    ({"include": ["lens_id", "title", "abstract"]}, "MAX_SOURCE_PATHS"),
    ({"query": "((((malaria))))"}, "MAX_NESTING_DEPTH"),
    ({"query": 'title:"malaria vaccine"~4'}, "MAX_SLOP"),
    ({"query": {"wildcard": {"title": "malaria*vaccine*"}}}, "MAX_PATTERN_LENGTH"),
    ({"query": {"terms": {"lens_id": ["1", "2", "3", "4", "5", "6"]}}}, "MAX_TERMS"),
])
def test_each_limit_is_a_400_naming_its_setting(strict_api: httpx.Client, body: dict, setting: str) -> None:
    response = strict_api.post("/scholarly/search", json=body)
    assert response.status_code == 400, response.text
    assert f"LENS_MIRROR_{setting}" in response.json()["message"]


def test_within_the_limits_the_same_app_answers(strict_api: httpx.Client) -> None:
    response = strict_api.post("/scholarly/search", json={"query": "title:(malaria OR vaccine)", "size": 1})
    assert response.status_code == 200, response.text


def test_a_huge_query_is_refused_quickly_and_quoted_briefly(api: httpx.Client) -> None:
    words = " ".join(f"w{i}" for i in range(200_000))  # 1.3 MB: the kind that froze the server
    response = api.get("/scholarly/search", params={"query": words[:60_000]})
    assert response.status_code == 400
    assert len(response.json()["message"]) < 300
