"""The native record transform (``native/``, module ``lens_mirror_native``) makes the documents
the Python transform makes, or declines and leaves the line to it: over generated, damaged and
odd records and lines, arbitrary values at every catalogue path, date-like text, for the
embedded indexer's fields, and on the real engine, where an index loaded with it holds what
one loaded without it holds."""

from __future__ import annotations

import itertools
import os
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_transform import records
from test_writing import split

from mirror import PRODUCTS
from mirror.backends.embedded.documents import DocumentBuilder
from mirror.backends.embedded.fields import field_specs
from mirror.backends.engine.store import EngineStore
from mirror.backends.loading import load_chunks
from mirror.catalogue import catalogue_for
from mirror.catalogue.native import NativeTransform, native_transform, transform_spec
from mirror.catalogue.paths import parse_path
from mirror.catalogue.transform import search_document, transformed
from mirror.settings import Settings

pytest.importorskip("lens_mirror_native", reason="the native transform is not built: `pip install ./native` "
                    "(needs Rust's cargo; scripts/test builds it wherever cargo is installed)")


def native(product: str) -> NativeTransform:
    made = native_transform(catalogue_for(product))
    assert made is not None, f"{product}: a derivation has no native counterpart"
    return made


def python_document(product: str, line: bytes) -> tuple[str, bytes] | None:
    """What the Python path makes of ``line``: None where it does not make a document of it
    (not JSON, not a record with a lens_id), else (lens_id, the document in orjson's bytes)."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("lens_id"), str) or not record["lens_id"]:
        return None
    return record["lens_id"], orjson.dumps(search_document(catalogue_for(product), record))


def check(product: str, line: bytes) -> bool:
    """The native transform of ``line`` is the Python one, or declined (False)."""
    made = native(product).document(line)
    if made is None:
        return False
    expected = python_document(product, line)
    assert expected is not None, f"native made a document of a line Python refuses: {line[:200]!r}"
    # orjson's bytes of the parsed document: same fields in the same order, values of the same
    # types (true is not 1), whatever escapes each writer chose
    assert (made[0], orjson.dumps(orjson.loads(made[1]))) == expected, line[:300]
    return True


@pytest.mark.parametrize("product", PRODUCTS)
def test_native_documents_are_the_python_transforms_over_generated_and_damaged_records(product: str) -> None:
    made = [check(product, orjson.dumps(record)) for record in records(product)]
    plain, damaged = made[:120], made[120:240]
    assert all(plain), "a plain generated record was left to Python"
    # damaged records are mostly still done natively (a float to print, say, is declined)
    assert sum(damaged) >= 0.6 * len(damaged), f"{sum(damaged)} of {len(damaged)}"


def test_the_spec_names_every_derived_field_and_path() -> None:
    for product in PRODUCTS:
        spec = transform_spec(catalogue_for(product))
        assert spec is not None
        catalogue = catalogue_for(product)
        assert [f["name"] for f in spec["fields"]] == [f.name for f in catalogue.fields if f.sources or f.derive]
        assert all(len(steps) >= 1 for steps in spec["paths"])


def test_floats_are_written_as_python_writes_them() -> None:
    """Wherever a float becomes text (a keyword field, a filter, a patent identifier), the native
    side writes ``repr``: every power of two (where the closest digits may not read back), ties
    between two shortest spellings, and where Python switches to exponent notation."""
    import lens_mirror_native

    powers = [sign * 2.0**e for e in range(-1074, 1024) for sign in (1, -1)]
    edges = [0.0001, 0.00001, 1e15, 1e16, 1e17, 123456789012345678.0, 162386804019734.12, 5e-324, 0.1, 1 / 3]
    for x in [*powers, *edges]:
        assert lens_mirror_native.float_repr(x) == repr(x)


@settings(max_examples=2000, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False))
def test_any_float_is_written_as_python_writes_it(x: float) -> None:
    import lens_mirror_native

    assert lens_mirror_native.float_repr(x) == repr(x)


def test_a_bad_spec_is_refused_naming_the_problem() -> None:
    import lens_mirror_native

    with pytest.raises(ValueError, match="bad transform spec"):
        lens_mirror_native.Transform('{"paths": [], "fields": [{"name": "x", "kind": "text", "sources": [3]}]}')
    with pytest.raises(ValueError, match="bad transform spec"):
        lens_mirror_native.Transform('{"paths": []')
    with pytest.raises(ValueError, match="x's derivation reads 0 paths"):  # count reads one
        lens_mirror_native.Transform('{"paths": [], "fields": [{"name": "x", "kind": "integer", '
                                     '"derive": {"op": "count", "paths": []}}]}')


ID = b'"lens_id":"000-111-222-333-44X"'


def rec(fields: bytes) -> bytes:
    """A record's line: the Lens ID, then ``fields`` as written."""
    return b"{" + ID + b"," + fields + b"}"


LINES = [
    # what orjson reads, or refuses, however the line is written
    b'  {' + ID + b',"title":"a"}  \n',
    rec(b'"title":"first","title":"last"'),  # duplicate keys: the last wins
    b'{"lens_id":"000-000-000-000-001",' + ID + b',"year_published":"2001"}',
    rec(b'"authors":[{"first_name":"A","first_name":"B","last_name":"C"}]'),
    rec(b'"title":"\\u00e9\\ud83d\\ude00 \\"q\\" \\\\ \\/ \\n\\t"'),
    rec(b'"title":"\xc3\xa9t\xc3\xa9 \xe2\x82\xac"'),
    rec(b'"year_published":123456789012345678901234567890'),
    rec(b'"year_published":18446744073709551615,"references_count":-9223372036854775808'),
    rec(b'"year_published":2.5e3,"is_open_access":1.0,"title":1e16'),
    rec(b'"title":-0'),
    rec(b'"title":-0.0,"publication_type":0.0'),
    rec(b'"search":{"title":["ours"]},"title":"t"'),
    rec(b'"title":"\\ud800"'),  # a lone surrogate: not JSON to orjson
    rec(b'"title":"\xff"'),
    rec(b'"title":NaN'),
    rec(b'"title":1e400'),
    b'{' + ID + b',"title":"t"} trailing',
    rec(b'"title":"t",'),
    b'\xef\xbb\xbf{' + ID + b'}',
    rec(b'"deep":' + b"[" * 200 + b"]" * 200),
    rec(b'"deep":' + b"[" * 1100 + b"]" * 1100),
    b'[{' + ID + b'}]',
    b'"just text"',
    b'{"lens_id":""}',
    b'{"lens_id":7}',
    b'{"title":"no id"}',
    b'',
    rec(b'"created":"2020-01-01T10:00:00+05:60","date_published":" 2020-01-01"'),
    rec(b'"external_ids":[{"type":"doi","value":"10.1/x"},{"type":7,"value":"n"},{"type":null,"value":"z"},'
        b'{"type":true,"value":"b"},{"type":[1],"value":"l"},{"type":1.5,"value":"f"}]'),
]


@pytest.mark.parametrize("line", LINES, ids=[str(i) for i in range(len(LINES))])
def test_a_line_is_read_as_orjson_reads_it(line: bytes) -> None:
    made = native("scholarly").document(line)
    expected = python_document("scholarly", line)
    if made is not None:
        assert expected is not None, line
        assert (made[0], orjson.dumps(orjson.loads(made[1]))) == expected
    elif expected is not None:  # declined: only a field of ours, deep nesting, and a zero that may be a float
        assert b'"search"' in line or b"[" * 200 in line or b"-0}" in line or b"0.0" in line, line


def test_common_lines_are_not_declined() -> None:
    for line in LINES[:9]:
        assert native("scholarly").document(line) is not None, line


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_embedded_indexer_gets_the_same_fields_from_a_line(product: str) -> None:
    """The embedded writer reads each line through the native transform too
    (``DocumentBuilder.fields_of_line``): its fields are those of the record read by orjson."""
    catalogue = catalogue_for(product)
    builder = DocumentBuilder(catalogue, field_specs(catalogue), None, native(product))
    lines = [orjson.dumps(r) for r in records(product)] + [line for line in LINES if python_document(product, line)]
    for line in lines:
        assert orjson.dumps(builder.fields_of_line(line)) == orjson.dumps(builder.fields(orjson.loads(line))), line


# -- arbitrary values at every catalogue path ------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from("0123456789-:+TZ .xXyesYESTrueFalse_é٣²\t"), max_size=12)
_DATES = st.from_regex(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2}([T ][0-9]{2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?"
                       r"(Z|[+-][0-9]{2}:?[0-9]{2})?)?)?)?", fullmatch=True)
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1), st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False), _TEXT, _DATES,
    st.sampled_from(["magid", "doi", "ror", "orcid", "diamond", "Retraction", "000-111-222-333-44X", "1", "yes"]),
)
_VALUES = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.sampled_from(["type", "value", "name", "first_name", "last_name",
                                                          "collective_name", "ids", "lens_id"]), inner, max_size=3),
                       max_leaves=8)


def _at(steps: tuple[Any, ...], leaf: Any, filter_value: Any) -> Any:
    """An object holding ``leaf`` at ``steps`` (below the first key), filters satisfied or not."""
    value = leaf
    for i in range(len(steps) - 1, 0, -1):
        obj: dict[str, Any] = {steps[i].key: value}
        before = steps[i - 1]
        if before.filter_key is not None:
            obj[before.filter_key] = before.filter_value if filter_value is None else filter_value
        value = obj
    return value


@st.composite
def arbitrary_records(draw: st.DrawFn, product: str) -> bytes:
    read = transformed(catalogue_for(product))[1]
    paths = sorted({".".join(s.key for s in parse_path(p)) for p in read} - {"lens_id"} | {
        "authors.first_name", "authors.last_name", "authors.collective_name", "authors.ids.type",
        "jurisdiction", "doc_number", "kind", "date_published", "doc_key", "docdb_id"})
    filtered = [p for p in read if "[" in p and not p.startswith("lens_id")]
    record: dict[str, Any] = {"lens_id": draw(st.sampled_from(["000-111-222-333-44X", "999-000-111-222-333",
                                                              "odd-id", "٣٣٣-111-222-333-444"]))}
    for path in draw(st.lists(st.sampled_from(paths + filtered), min_size=1, max_size=6)):
        steps = parse_path(path)
        value = _at(steps, draw(_VALUES), draw(st.one_of(st.none(), _LEAVES)))
        existing = record.get(steps[0].key)
        record[steps[0].key] = [*existing, value] if isinstance(existing, list) else [value]
    if draw(st.booleans()) and steps[0].key != "lens_id":  # a plain value straight at a top-level path
        record[steps[0].key] = draw(_LEAVES)
    return orjson.dumps(record)


@pytest.mark.parametrize("product", PRODUCTS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_arbitrary_values_at_catalogue_paths_give_the_python_document(product: str, data: st.DataObject) -> None:
    check(product, data.draw(arbitrary_records(product)))


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(_DATES, _TEXT))
def test_date_like_text_is_kept_exactly_where_python_keeps_it(text: str) -> None:
    line = orjson.dumps({"lens_id": "000-111-222-333-44X", "created": text, "date_published": [text, "2020-01-01"]})
    check("scholarly", line)


# -- on the real engine ---------------------------------------------------------------------------------

_PREFIXES = itertools.count(1)


@pytest.mark.parametrize("product", PRODUCTS)
def test_an_index_loaded_natively_holds_what_one_loaded_in_python_holds(
    engine_url: str, product: str, tmp_path: Path
) -> None:
    prefix = f"lens-mirror-test-native-{os.getpid()}-{next(_PREFIXES)}"
    # the damaged copies keep their record's Lens ID: one of each, the damaged one
    unique = {r["lens_id"]: orjson.dumps(r) for r in records(product)}
    chunks = split(tmp_path, "a", list(unique.values()))
    sources: list[dict[str, Any]] = []
    try:
        for version, on in (("1", True), ("2", False)):
            store = EngineStore(Settings(data_dir=tmp_path / version, backend="elasticsearch", es_url=engine_url,
                                         es_index_prefix=prefix, native_transform=on))
            with closing(store.writer(product, version)) as writer:
                report = load_chunks(writer, [chunks])
            assert report.failed == 0 and report.indexed == len(unique), report.problems
            assert (writer.native_documents >= 0.9 * len(unique)) if on else writer.native_documents == 0
            index = store.index_name(product, version)
            found = httpx.post(f"{engine_url}/{index}/_search", json={
                "size": 1000, "sort": [{"_id": "asc"}], "query": {"match_all": {}}}, timeout=60).json()
            sources.append({hit["_id"]: hit["_source"] for hit in found["hits"]["hits"]})
        assert len(sources[0]) == len(unique) and sources[0] == sources[1]
    finally:
        httpx.delete(f"{engine_url}/{prefix}-*", params={"expand_wildcards": "all"}, timeout=60)
