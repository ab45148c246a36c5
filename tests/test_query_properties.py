"""Properties of the compile stage, the only judge of a request.

Any JSON body either compiles or is refused with a 400 (``BadRequest``), never
another exception; anything that compiles runs on the embedded index and in the
split filter without error. Hypothesis generates the bodies: free-form JSON, and
Lens-shaped bodies built from the catalogue's field names with hostile values.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Corpus
from mirror.backends import EmbeddedBackend
from mirror.backends.embedded.evaluate import RecordMatcher
from mirror.catalogue import catalogue_for
from mirror.errors import BadRequest
from mirror.query.compile import compile_search
from mirror.query.registry import LENS_TYPES
from mirror.query.request import parse_search_body

FIELDS = sorted({name for product in ("scholarly", "patent") for name in catalogue_for(product).names})
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.sampled_from(["2020", "2020-02-30", "2020-13-45", "9999-12-31", "0000", "2020-01-01T10:00:00Z", "50%",
                     "-1", "-25%", "3<90%", "x", "", "*", "a\\*b*", "/(a+)+b/", ".{1000}{1000}", "[2020 TO *]"]),
)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                         max_size=4), max_leaves=20)
OPTIONS = ("boost", "slop", "minimum_should_match", "operator", "case_insensitive", "query", "value", "flags")


def leaf_query(field: str, value: Any, options: dict[str, Any], kind: str) -> dict[str, Any]:
    if kind in ("bool",):
        return {"bool": {"should": [{"match": {field: value}}], **options}}
    if kind in ("exists",):
        return {"exists": {"field": field}}
    if kind in ("ids",):
        return {"ids": {"values": [value]}}
    if kind in ("query_string",):
        return {"query_string": {"query": str(value), **options}}
    if kind in ("multi_match",):
        return {"multi_match": {"query": value, "fields": [field], **options}}
    if kind == "match_all":
        return {"match_all": options}
    if kind == "terms":
        return {"terms": {field: [value]}}
    if kind == "range":
        return {"range": {field: {"gte": value, **options}}}
    return {kind: {field: {"query" if kind.startswith("match") else "value": value, **options}} if options
            else {field: value}}


@st.composite
def query_objects(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    kind = draw(st.sampled_from(LENS_TYPES))
    if kind == "bool" and depth < 3:
        clauses = draw(st.lists(query_objects(depth + 1), max_size=3))
        key = draw(st.sampled_from(["must", "should", "must_not", "filter"]))
        extra = draw(st.dictionaries(st.sampled_from(["minimum_should_match", "boost"]), SCALARS, max_size=2))
        return {"bool": {key: clauses, **extra}}
    options = draw(st.dictionaries(st.sampled_from(OPTIONS), SCALARS, max_size=2))
    return leaf_query(draw(st.sampled_from(FIELDS)), draw(SCALARS), options, kind)


WORDS = st.sampled_from(["malaria", "AND", "OR", "NOT", "(", ")", "+", "-", '"', "*", "?", "~", "^2", "^x", ":",
                         "[", "]", "TO", "{", "}", "/", "\\", ">=", "<", "2020-13-45", "99999999999999999999",
                         "a\\*b*", "/(a+)+b/", '"a b"~99999999999', "title:", "year_published:"])
QUERY_STRINGS = st.lists(st.one_of(WORDS, st.sampled_from(FIELDS).map(lambda f: f + ":"), st.text(max_size=6)),
                         max_size=12).map(" ".join)

RANGES = st.one_of(
    st.builds(lambda f, op, v: {"range": {f: {op: v}}}, st.sampled_from(FIELDS),
              st.sampled_from(["gte", "gt", "lte", "lt"]), SCALARS),
    st.builds(lambda f, lo, hi, brackets: f"{f}:{brackets[0]}{lo} TO {hi}{brackets[1]}", st.sampled_from(FIELDS),
              st.sampled_from(["*", "-5", "-0", "2020-13-45", "a", '"a b"', "99999999999999999999", "2019"]),
              st.sampled_from(["*", "-1", "z", "2021", "9999"]), st.sampled_from(["[]", "{}", "[}", "{]"])),
)

BODIES = st.one_of(
    JSON,
    st.fixed_dictionaries({"query": RANGES}),
    st.fixed_dictionaries({"query": st.one_of(query_objects(), QUERY_STRINGS)}, optional={
        "regex": st.booleans(), "stemming": st.booleans(), "size": SCALARS, "from": SCALARS,
        "sort": st.lists(st.dictionaries(st.sampled_from(FIELDS + ["relevance"]), SCALARS, max_size=1), max_size=2),
        "include": st.lists(st.sampled_from(["lens_id", "title", "x", "*"]), max_size=3), "min_score": SCALARS,
    }),
)


def compiled_or_refused(product: str, body: Any) -> dict[str, Any] | None:
    try:
        return compile_search(parse_search_body(body), catalogue_for(product))
    except BadRequest:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(product=st.sampled_from(["scholarly", "patent"]), body=BODIES)
def test_any_body_compiles_or_is_a_bad_request(product: str, body: Any) -> None:
    compiled_or_refused(product, body)  # any other exception fails the test


@pytest.fixture(scope="module")
def backend(corpus: Corpus) -> EmbeddedBackend:
    return EmbeddedBackend(corpus.data_dir)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(product=st.sampled_from(["scholarly", "patent"]), body=BODIES)
def test_whatever_compiles_runs_on_the_index_and_in_the_split_filter(
        backend: EmbeddedBackend, corpus: Corpus, product: str, body: Any) -> None:
    compiled = compiled_or_refused(product, body)
    if compiled is None:
        return
    result = backend.search(product, compiled)
    assert result["hits"]["total"]["value"] >= len(result["hits"]["hits"])
    matcher = RecordMatcher(catalogue_for(product), compiled["query"])
    for record in corpus.records[product][:20]:
        matcher.matches(record)


def test_the_query_package_is_pure() -> None:
    """mirror.query imports neither tantivy nor any backend: it is plain data in, plain data out."""
    code = ("import sys, mirror.query.compile, mirror.query.registry, mirror.query.patterns, mirror.query.should; "
            "bad = sorted(m for m in sys.modules if m == 'tantivy' or m.startswith('mirror.backends')); "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
