"""Every documented search field is accepted and finds the records it should.

Walks search-fields.tsv and filter-fields.tsv. For each field it takes a value
from a generated record and queries the live API for it; the expected matches
come from an oracle computed in Python over the generated records.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import REFERENCE, Corpus
from mirror.catalogue import Kind, Resolved, build_catalogue, catalogue_for, packaged_schema
from mirror.catalogue.derive import normalise_identifier
from mirror.catalogue.transform import search_document
from mirror.dates import bound_millis, to_millis


def documented_fields() -> list[Any]:
    rows = []
    for name, column in (("search-fields.tsv", "field"), ("filter-fields.tsv", "field")):
        path = REFERENCE / name
        if path.exists():
            with open(path, newline="") as fh:
                rows += [pytest.param(r["product"], r[column], id=f"{r['product']}:{r[column]}")
                         for r in csv.DictReader(fh, delimiter="\t")]
    return rows


def ascii_lower(value: str) -> str:
    """Elasticsearch's lowercase + asciifolding, written independently of the index's analyser."""
    folded = unicodedata.normalize("NFKD", value)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()


def same(resolved: Resolved, a: Any, b: Any) -> bool:
    kind = resolved.kind
    if kind is Kind.KEYWORD and not resolved.variant and not resolved.field.case_sensitive:
        return ascii_lower(str(a)) == ascii_lower(str(b))
    if kind is Kind.IDENTIFIER:
        return normalise_identifier(str(a)) == normalise_identifier(str(b))
    if kind is Kind.DATE:
        return to_millis(a) >= to_millis(b) and to_millis(a) <= bound_millis(b, round_up=True)
    return a == b


def query_for(name: str, resolved: Resolved, value: Any) -> dict[str, Any]:
    if resolved.kind is Kind.TEXT:
        return {"match_phrase": {name: value}}
    if resolved.kind is Kind.DATE:
        return {"range": {name: {"gte": value, "lte": value}}}
    return {"term": {name: value}}


def found(api: httpx.Client, product: str, query: dict[str, Any]) -> set[str]:
    response = api.post(f"/{product}/search", json={"query": query, "size": 500, "include": ["lens_id"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["data"])
    return {r["lens_id"] for r in body["data"]}


@pytest.mark.parametrize(("product", "name"), documented_fields())
def test_documented_field_finds_its_records(api: httpx.Client, corpus: Corpus, product: str, name: str) -> None:
    catalogue = catalogue_for(product)
    resolved = catalogue.resolve(name)
    docs = {r["lens_id"]: search_document(catalogue, r).get(resolved.field.name, [])
            for r in corpus.records[product]}
    holders = [(lens_id, values) for lens_id, values in docs.items() if values]
    if not holders:
        # no bulk-record source (e.g. scholarly full_text): accepted, and finds nothing
        probe = {"exists": {"field": name}}
        assert found(api, product, probe) == set(), name
        # Only fields whose sources bulk records lack may be empty: no source at all, or
        # paths the record schema does not have (build_catalogue reports those).
        _, missing = build_catalogue(product, packaged_schema(product))
        derived = resolved.field.derive is not None
        assert not derived and set(resolved.field.sources) <= set(missing), f"no generated record has {name}"
        return
    # exists: text and keywords through _field_names, numbers, dates and flags by column
    assert found(api, product, {"exists": {"field": name}}) == {i for i, _ in holders}, name
    lens_id, values = holders[len(holders) // 2]
    value = values[0]
    hits = found(api, product, query_for(name, resolved, value))
    assert lens_id in hits, (name, value)
    if resolved.kind is not Kind.TEXT:
        expected = {i for i, vs in docs.items() if any(same(resolved, v, value) for v in vs)}
        assert hits == expected, (name, value)


def plain_valued_fields() -> list[Any]:
    """Numbers and flags: their values need no quoting in a query string."""
    return [p for p in documented_fields()
            if catalogue_for(p.values[0]).resolve(p.values[1]).kind in (Kind.INTEGER, Kind.BOOLEAN)]


@pytest.mark.parametrize(("product", "name"), plain_valued_fields())
def test_documented_field_works_in_query_strings(api: httpx.Client, corpus: Corpus, product: str, name: str) -> None:
    catalogue = catalogue_for(product)
    field = catalogue.resolve(name).field.name
    values = [v for r in corpus.records[product] for v in search_document(catalogue, r).get(field, [])]
    if not values:  # only the fields the schema lacks (checked by the walk above)
        return
    value = str(values[len(values) // 2]).lower()
    via_string = api.post(f"/{product}/search", json={"query": f"{name}:{value}", "size": 0}).json()["total"]
    via_dsl = api.post(f"/{product}/search", json={"query": {"term": {name: value}}, "size": 0}).json()["total"]
    assert via_string == via_dsl > 0


def test_reference_is_present_for_the_walk(reference: Path) -> None:
    assert len(documented_fields()) > 200
