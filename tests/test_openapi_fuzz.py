"""A bounded schemathesis run: whatever the OpenAPI document allows (and much it does not), no 5xx, and every
answer is documented, JSON, and shaped as documented.

The app serves the shared corpus in process (schemathesis's ASGI transport); each operation gets a bounded
number of examples so the whole run stays well under a minute on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import Corpus

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
TOKEN = "fuzz-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OPERATIONS = [
    ("GET", "/"), ("POST", "/{product}/search"), ("GET", "/{product}/search"), ("POST", "/{product}/aggregate"),
    ("GET", "/schema/{product}"), ("GET", "/{product}/{lens_id}"),
    ("GET", "/subscriptions/{subscription}/usage"), ("GET", "/scholarly/usage"),
]


@pytest.fixture(scope="module")
def fuzz_schema(corpus: Corpus) -> BaseSchema:
    from mirror.api import create_app
    from mirror.settings import Settings

    # With a token, so that 401 is a documented answer too; every case carries it.
    app = create_app(Settings(data_dir=corpus.data_dir, token=TOKEN))
    return schemathesis.openapi.from_asgi("/openapi.json", app, headers=AUTH)


def test_the_document_lists_every_operation(fuzz_schema: BaseSchema) -> None:
    found = {(method.upper(), path) for path, ops in fuzz_schema.raw_schema["paths"].items() for method in ops}
    assert found == set(OPERATIONS)


# Positive cases follow the document; negative ones break it (unknown products, wrong types, bad bodies),
# and must be refused with a documented 4xx, never a 5xx. (schemathesis's own pytest plugin cannot take a
# fixture's schema on this pytest, so the strategies are driven with hypothesis directly.)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_keeps_its_openapi_promises(
    fuzz_schema: BaseSchema, method: str, path: str, mode: GenerationMode
) -> None:
    operation = fuzz_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Case) -> None:
        case.call_and_validate(headers=AUTH, checks=CHECKS)

    run()


@pytest.mark.parametrize("product", ["scholarly", "patent"])
def test_projections_of_real_records_keep_the_promises(fuzz_schema: BaseSchema, corpus: Corpus, product: str) -> None:
    # Random Lens IDs are all unknown (404): fuzz include/exclude on records that exist.
    ids = [r["lens_id"] for r in corpus.records[product][:5]]
    operation = fuzz_schema["/{product}/{lens_id}"]["GET"]
    strategies = [operation.as_strategy(path_parameters={"product": product, "lens_id": i}) for i in ids]

    @given(case=st.one_of(strategies))
    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Case) -> None:
        case.call_and_validate(headers=AUTH, checks=CHECKS)

    run()
