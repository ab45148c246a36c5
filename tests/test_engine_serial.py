"""The engine clients' JSON reader: every answer reads as orjson reads it, except that each search
hit's ``_source`` stays JSON text, written back out byte for byte."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from mirror.backends.engine.serial import loads

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
# "a_later_key": what a later engine may add (the answer is then read another way, keeping it)
HIT = st.fixed_dictionaries({"_id": st.text(max_size=8), "_source": JSON},
                            optional={"_score": st.none() | st.floats(0, 10), "sort": st.lists(JSON, max_size=2),
                                      "_index": st.text(max_size=8), "a_later_key": JSON})
ANSWER = st.fixed_dictionaries({"took": st.integers(0, 100),
                                "hits": st.fixed_dictionaries({"total": st.fixed_dictionaries(
                                    {"value": st.integers(0, 10), "relation": st.just("eq")}),
                                    "hits": st.lists(HIT, max_size=4)})},
                               optional={"_shards": JSON, "pit_id": st.text(max_size=8), "_scroll_id": st.text(),
                                         "a_later_key": JSON})


@given(JSON)
def test_any_answer_reads_as_orjson_reads_it(value: Any) -> None:
    data = orjson.dumps(value)
    assert orjson.loads(orjson.dumps(loads(data))) == orjson.loads(data)
    assert orjson.loads(orjson.dumps(loads(data.decode()))) == orjson.loads(data)  # opensearch-py hands over str


@given(ANSWER)
def test_a_search_answer_keeps_every_key_and_each_record_as_the_engine_wrote_it(answer: dict[str, Any]) -> None:
    data = orjson.dumps(answer)
    read = loads(data)
    assert orjson.loads(orjson.dumps(read)) == orjson.loads(data)  # nothing dropped: cursors, totals, sorts
    for hit, original in zip(read["hits"]["hits"], answer["hits"]["hits"], strict=True):
        assert isinstance(hit["_source"], orjson.Fragment)
        assert orjson.dumps(hit["_source"]) == orjson.dumps(original["_source"])  # the engine's bytes
        assert {k: v for k, v in hit.items() if k != "_source"} == \
            orjson.loads(orjson.dumps({k: v for k, v in original.items() if k != "_source"}))
