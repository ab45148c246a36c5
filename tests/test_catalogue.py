"""The catalogue covers the documented Lens fields and generates the committed mappings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mirror import PRODUCTS
from mirror.catalogue import Kind, UnknownField, catalogue_for, packaged_sample, packaged_schema
from mirror.catalogue.mapping import index_definition
from mirror.cli.mappings import render_mappings

ROOT = Path(__file__).resolve().parent.parent


def tsv(reference: Path, name: str) -> list[dict[str, str]]:
    with open(reference / name, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_every_documented_search_field_resolves(reference: Path) -> None:
    for row in tsv(reference, "search-fields.tsv"):
        resolved = catalogue_for(row["product"]).resolve(row["field"])
        if "exact" in row["flags"].split(","):
            assert resolved.variant == "exact", row
        elif row["type"] == "Integer":
            assert resolved.kind is Kind.INTEGER, row
        elif row["type"] == "Date":
            assert resolved.kind is Kind.DATE, row
        elif row["type"] == "Boolean":
            assert resolved.kind is Kind.BOOLEAN, row


def test_case_sensitivity_follows_the_field_list(reference: Path) -> None:
    for row in tsv(reference, "search-fields.tsv"):
        resolved = catalogue_for(row["product"]).resolve(row["field"])
        if resolved.kind is Kind.KEYWORD and not resolved.variant:
            assert resolved.field.case_sensitive == ("case_sensitive" in row["flags"]), row


def test_every_documented_filter_is_a_boolean_field(reference: Path) -> None:
    for row in tsv(reference, "filter-fields.tsv"):
        assert catalogue_for(row["product"]).resolve(row["field"]).kind is Kind.BOOLEAN, row


def test_the_catalogue_allows_each_aggregation_on_the_documented_fields(reference: Path) -> None:
    """aggregation-fields.json checks the catalogue: every documented (type, field) is allowed;
    terms, the costly bucket type, and date_histogram are allowed on exactly the documented
    fields; the other types may also take a field of the same kind (any count field takes
    every metric and histogram, any terms field cardinality), never a field of another kind."""
    lists = json.loads((reference / "aggregation-fields.json").read_text())
    for aggregation, product_fields in lists.items():
        for product, names in product_fields.items():
            catalogue = catalogue_for(product)
            documented = {catalogue.resolve(n).index_name for n in names}
            allowed = {catalogue.resolve(n).index_name for n in catalogue.aggregatable(aggregation)}
            assert documented <= allowed, (aggregation, product, documented - allowed)
            if aggregation in ("terms", "date_histogram"):
                # funding.country's keyword is documented through its .exact twin only
                assert allowed - documented <= {"search.funding.country"}, (aggregation, product)
            kinds = {catalogue.resolve(n).kind for n in names}
            assert {catalogue.resolve(n).kind for n in catalogue.aggregatable(aggregation)} <= kinds | {Kind.INTEGER}


def test_identifier_lists_are_counted_but_never_bucketed() -> None:
    scholarly, patent = catalogue_for("scholarly"), catalogue_for("patent")
    assert scholarly.resolve("reference.lens_id").aggregations == {"cardinality"}
    assert patent.resolve("family.simple.id").aggregations == {"cardinality"}
    assert patent.resolve("jurisdiction").aggregations == {"terms", "cardinality"}
    assert scholarly.resolve("author.display_name").aggregations == frozenset()  # text: use .exact
    assert "terms" in scholarly.resolve("author.display_name.exact").aggregations


def test_unknown_names_get_suggestions() -> None:
    with pytest.raises(UnknownField) as err:
        catalogue_for("scholarly").resolve("year_publshed")
    assert "year_published" in str(err.value)


@pytest.mark.parametrize("product", PRODUCTS)
def test_committed_mappings_are_current(product: str) -> None:
    body, _ = render_mappings(product, packaged_schema(product))
    committed = (ROOT / "mappings" / f"{product}.json").read_bytes()
    assert committed == body, f"mappings/{product}.json is stale: run 'lens-mirror mappings'"


@pytest.mark.parametrize("product", PRODUCTS)
def test_packaged_contract_copies_match_the_reference(reference: Path, product: str) -> None:
    assert packaged_schema(product) == json.loads((reference / "schema" / f"{product}.json").read_text())
    sample = json.loads((reference / "samples" / f"{product}.jsonl").read_text().splitlines()[0])
    assert packaged_sample(product) == sample


@pytest.mark.parametrize("product", PRODUCTS)
def test_mapping_nests_every_field_and_its_subfields(product: str) -> None:
    catalogue = catalogue_for(product)
    props = index_definition(catalogue)["mappings"]["properties"]["search"]["properties"]
    for field in catalogue.fields:
        node = props
        *parents, leaf = field.name.split(".")
        for part in parents:
            node = node[part]["properties"]
        mapping = node[leaf]
        if field.kind is Kind.TEXT:
            assert mapping["analyzer"] == "lens_english" and "unstemmed" in mapping["fields"]
        if field.exact:
            assert mapping["fields"]["exact"] == {"type": "keyword"}


def test_sortable_fields_are_single_valued() -> None:
    catalogue = catalogue_for("scholarly")
    assert catalogue.resolve("year_published").sortable
    assert catalogue.resolve("referenced_by_count").sortable
    assert not catalogue.resolve("author.display_name").sortable  # many authors
    assert not catalogue.resolve("title").sortable  # full text
