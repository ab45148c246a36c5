"""The record → search-document transform: one walk per record, tolerant of odd records."""

from __future__ import annotations

import inspect
import random
from typing import Any

import orjson
import pytest

from mirror import PRODUCTS
from mirror.backends.engine.bulk import bulk_document
from mirror.catalogue import Kind, catalogue_for, packaged_sample
from mirror.catalogue.paths import PathReader, parse_path, values_at
from mirror.catalogue.transform import search_document
from mirror.dates import to_millis
from mirror.sample import generate_records

ODD: dict[str, Any] = {
    "lens_id": "000-000-000-000-001",
    "authors": [
        {"first_name": 5, "last_name": "Curie",
         "ids": [{"type": "orcid", "value": None}, {"type": "magid", "value": 7}],
         "affiliations": {"name": "Sorbonne", "ids": [{"type": "ror", "value": "r1"}]}},
        None,
        [{"last_name": "Joliot", "affiliations": [[{"name": "Institut du Radium"}], None]}],
    ],
    "external_ids": {"type": "doi", "value": "10.1/x"},
    "references": [{"lens_id": ["a", ["b"]]}],
    "title": ["t1", {"x": 1}, 3],
    "source": {"issn": [{"value": "1"}, {"value": None}]},
}

NAMES: dict[str, Any] = {  # display names from every combination of parts
    "lens_id": "000-000-000-000-002",
    "authors": [
        "x", {"first_name": "", "last_name": "Curie", "ids": {"type": "magid", "value": ["1", None]}},
        {"collective_name": "CERN", "first_name": None}, {"first_name": "Ada", "last_name": ""},
        {"first_name": "Marie", "last_name": "Curie", "collective_name": "X"}, {"last_name": 3, "collective_name": ""},
        {"first_name": "Irène", "ids": [{"type": "magid", "value": 4}, {"type": "orcid", "value": "o"}]}, None,
    ],
}


def oracle(node: Any, steps: tuple[Any, ...]) -> list[Any]:
    """values_at written the slow, obvious way: lists flattened at every step, nulls dropped."""
    if isinstance(node, list):
        return [v for item in node for v in oracle(item, steps)]
    if node is None:
        return []
    if not steps:
        return [node]
    if not isinstance(node, dict):
        return []
    step = steps[0]
    children = [c for c in flatten([node.get(step.key)]) if c is not None]
    return [v for child in children if step.accepts(child) for v in oracle(child, steps[1:])]


def flatten(items: list[Any]) -> list[Any]:
    return [v for item in items for v in (flatten(item) if isinstance(item, list) else [item])]


def every_path(product: str) -> set[str]:
    catalogue = catalogue_for(product)
    paths = {p for f in catalogue.fields for p in f.sources}
    return paths | {p for f in catalogue.fields for p in getattr(f.derive, "paths", ())}


@pytest.mark.parametrize("product", PRODUCTS)
@pytest.mark.parametrize("record", [packaged_sample("scholarly"), packaged_sample("patent"), ODD],
                         ids=["scholarly-record", "patent-record", "odd-record"])
def test_one_walk_reads_what_each_path_alone_reads(product: str, record: dict[str, Any]) -> None:
    paths = every_path(product)
    found = PathReader(paths).read(record)
    for path in paths:
        assert found.get(path, []) == values_at(record, path) == oracle(record, parse_path(path)), path
    assert any(found.values())


def test_a_reader_of_no_paths_reads_nothing() -> None:
    assert PathReader(()).read(packaged_sample("scholarly")) == {}


def test_odd_values_are_dropped_not_fatal() -> None:
    doc = search_document(catalogue_for("scholarly"), ODD)
    assert doc["author.display_name"] == ["Curie", "Joliot"]  # a numeric first name is not a name
    assert doc["author.affiliation.name"] == ["Sorbonne", "Institut du Radium"]
    assert doc["author.magid"] == ["7"] and "author.orcid" not in doc
    assert doc["ids.doi"] == ["10.1/x"]
    assert doc["reference.lens_id"] == ["a", "b"]
    assert doc["title"] == ["t1", "3"]  # the object is dropped, the number kept as text
    assert doc["affiliation_count"] == [2]


def test_dates_elasticsearch_would_reject_are_not_indexed() -> None:
    catalogue = catalogue_for("scholarly")
    for bad in ("2020-13-45", "garbage", "20200101x"):
        doc = search_document(catalogue, {"lens_id": "x", "date_published": bad, "created": "2020-01-02"})
        assert "date_published" not in doc and doc["created"] == ["2020-01-02"], bad


# -- the whole transform against a plain reference, over generated and damaged records --------

def damaged(value: Any, rng: random.Random) -> Any:
    """``value`` with some of what real dumps hold: nulls, nested lists, numbers as text and
    text as numbers, bad dates, objects where lists were and the other way round."""
    roll = rng.random()
    if isinstance(value, dict):
        if roll < 0.03:
            return [value]
        return {k: damaged(v, rng) for k, v in value.items()}
    if isinstance(value, list):
        items = [damaged(v, rng) for v in value]
        if roll < 0.05:
            items.insert(rng.randint(0, len(items)), None)
        elif roll < 0.08 and items:
            items = [items[:1], *items[1:]]
        elif roll < 0.10 and len(items) == 1:
            return items[0]
        return items
    if roll < 0.02:
        return None
    if roll < 0.04:
        return [value]
    if isinstance(value, bool):
        return rng.choice([value, str(value).lower(), int(value)]) if roll < 0.2 else value
    if isinstance(value, int):
        return rng.choice([str(value), float(value), f"{value}x"]) if roll < 0.1 else value
    if isinstance(value, str) and roll < 0.06:
        return rng.choice([7, 2.5, True, "", "2020-02-30", "1999-12-31T23:59:60Z", "garbage", value.upper()])
    return value


def records(product: str) -> list[dict[str, Any]]:
    rng = random.Random(f"transform-{product}")
    plain = list(generate_records(product, 120, 7))
    broken = [{**{k: damaged(v, rng) for k, v in r.items()}, "lens_id": r["lens_id"]} for r in plain]
    return [*plain, *broken, packaged_sample(product), ODD, NAMES]


def naive_coerce(kind: Kind, value: Any) -> Any:
    """What one value indexes as in a field of ``kind`` (None: not at all)."""
    if isinstance(value, (dict, list)):
        return None
    if kind in (Kind.TEXT, Kind.KEYWORD, Kind.IDENTIFIER):
        return value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else None
    if kind is Kind.INTEGER:
        if isinstance(value, (bool, int)):
            return int(value)
        return int(str(value)) if str(value).lstrip("+-").isdigit() else None
    if kind is Kind.BOOLEAN:
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
    if kind is Kind.DATE:
        if not isinstance(value, str):
            return None
        try:
            to_millis(value)
        except ValueError:
            return None
        return value
    raise AssertionError(kind)


class NaiveView:
    """What a derivation reads, every path read on its own by the recursive oracle."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def values(self, path: str) -> list[Any]:
        return oracle(self.record, parse_path(path))


def naive_display_names(record: dict[str, Any], position: str) -> list[str]:
    authors = [a for a in oracle(record, parse_path("authors")) if isinstance(a, dict)]
    authors = {"first": authors[:1], "last": authors[-1:]}.get(position, authors)
    names = []
    for a in authors:
        parts = [p for p in (a.get("first_name"), a.get("last_name")) if isinstance(p, str) and p != ""]
        name = " ".join(parts) if parts else a.get("collective_name")
        if isinstance(name, str) and name:
            names.append(name)
    return names


def naive_derived(field: Any, record: dict[str, Any]) -> list[Any]:
    """A derived field's values, written out here for every derivation the transform calls
    without a view (``derive.compute``); the others are the catalogue's own, fed by the oracle."""
    maker = field.derive.__qualname__.split(".")[0]
    paths = getattr(field.derive, "paths", ())
    values = [oracle(record, parse_path(p)) for p in paths]
    if maker == "exists":
        return [any(v not in ("", [], {}) for found in values for v in found)]
    if maker == "positive":
        return [any(isinstance(v, (int, float)) and v > 0 for v in values[0])]
    if maker == "equals":
        return [inspect.getclosurevars(field.derive.compute).nonlocals["value"] in values[0]]
    if maker == "count":
        return [len(values[0])]
    if maker == "year_of":
        return [int(v[:4]) for v in values[0] if isinstance(v, str) and v[:4].isdigit()][:1]
    if maker in ("author_names", "author_ids"):
        position = field.name.split(".")[0].removeprefix("author").lstrip("_") or "all"
        if maker == "author_names":
            return naive_display_names(record, position)
        authors = [a for a in values[0] if isinstance(a, dict)]
        chosen = authors[:1] if position == "first" else authors[-1:]
        return [v for a in chosen for v in oracle(a, parse_path("ids[type=magid].value"))]
    assert not hasattr(field.derive, "compute"), f"{field.name}: no reference for {maker}"
    return list(field.derive(NaiveView(record)))


def naive_document(product: str, record: dict[str, Any]) -> dict[str, list[Any]]:
    doc = {}
    for field in catalogue_for(product).fields:
        if field.derive is not None:
            raw = naive_derived(field, record)
        else:
            raw = [v for path in field.sources for v in oracle(record, parse_path(path))]
        values = [c for c in (naive_coerce(field.kind, v) for v in raw) if c is not None]
        if values:
            doc[field.name] = values
    return doc


@pytest.mark.parametrize("product", PRODUCTS)
def test_search_documents_are_what_a_plain_reading_of_the_catalogue_gives(product: str) -> None:
    catalogue = catalogue_for(product)
    for record in records(product):
        doc = search_document(catalogue, record)
        expected = naive_document(product, record)
        # the bytes: same fields in the same (catalogue) order, same values of the same types
        assert orjson.dumps(doc) == orjson.dumps(expected), record.get("lens_id")
        assert len({id(values) for values in doc.values()}) == len(doc)  # no two fields share a list
        line = orjson.dumps(record)
        action, source, end = bulk_document(line, record, doc).split(b"\n")
        assert orjson.loads(action) == {"index": {"_id": record["lens_id"]}} and end == b""
        assert source == line[:-1] + b',"search":' + orjson.dumps(expected) + b"}"


@pytest.mark.parametrize("product", PRODUCTS)
def test_one_walk_reads_what_each_path_alone_reads_in_damaged_records(product: str) -> None:
    paths = every_path(product)
    reader = PathReader(paths)
    for record in records(product):
        found = reader.read(record)
        for path in paths:
            assert found.get(path, []) == oracle(record, parse_path(path)), path


def test_the_damage_reaches_the_slow_paths() -> None:
    """The damaged records do hold what the transform must coerce or drop (else the test above
    would only check the common case)."""
    kinds = {(f.kind, type(v).__name__) for product in PRODUCTS for record in records(product)
             for f in catalogue_for(product).fields for path in f.sources
             for v in oracle(record, parse_path(path))}
    assert {(Kind.KEYWORD, "int"), (Kind.INTEGER, "str"), (Kind.INTEGER, "float"), (Kind.TEXT, "dict"),
            (Kind.BOOLEAN, "str"), (Kind.DATE, "int")} <= kinds


def test_odd_publication_number_parts_do_not_stop_a_patent_being_indexed() -> None:
    record = {"lens_id": "000-000-000-000-003", "jurisdiction": ["EP"], "doc_number": 227762, "kind": "B1",
              "date_published": None}
    doc = search_document(catalogue_for("patent"), record)
    assert doc["ids"] == ["000000000000003", "B1"]  # the Lens ID, and what is left of the number
