"""The record → search-document transform: one walk per record, tolerant of odd records."""

from __future__ import annotations

from typing import Any

import pytest

from mirror import PRODUCTS
from mirror.catalogue import catalogue_for, packaged_sample
from mirror.catalogue.paths import PathReader, parse_path, values_at
from mirror.catalogue.transform import search_document

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


def test_odd_publication_number_parts_do_not_stop_a_patent_being_indexed() -> None:
    record = {"lens_id": "000-000-000-000-003", "jurisdiction": ["EP"], "doc_number": 227762, "kind": "B1",
              "date_published": None}
    doc = search_document(catalogue_for("patent"), record)
    assert doc["ids"] == ["000000000000003", "B1"]  # the Lens ID, and what is left of the number
