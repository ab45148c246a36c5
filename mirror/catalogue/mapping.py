"""Generate the Elasticsearch index definition (settings + mappings) from a catalogue.

The committed files in ``mappings/`` are this function's output; the embedded
backend reads the same definition to build its tantivy schema, so both backends
analyse every field the same way.
"""

from __future__ import annotations

from typing import Any

from .model import SEARCH_PREFIX, Catalogue, Kind, SearchField

ANALYSIS: dict[str, Any] = {
    "analyzer": {
        # Stemmed English: what Lens searches by default ("stemming": true).
        "lens_english": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding", "lens_english_stemmer"],
        },
        # Unstemmed text: what "stemming": false searches.
        "lens_plain": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
    },
    "filter": {"lens_english_stemmer": {"type": "stemmer", "language": "porter2"}},
    "normalizer": {
        "lens_lowercase": {"type": "custom", "filter": ["lowercase", "asciifolding"]},
        # Patent identifiers: "EP 0227762 B1", "EP_0227762_B1" and "ep0227762b1" are one value.
        "lens_identifier": {"type": "custom", "char_filter": ["lens_alnum_only"], "filter": ["uppercase"]},
    },
    "char_filter": {"lens_alnum_only": {"type": "pattern_replace", "pattern": "[^0-9A-Za-z]", "replacement": ""}},
}

EXACT = {"type": "keyword"}


def field_mapping(f: SearchField) -> dict[str, Any]:
    """The mapping of one search field (with its sub-fields)."""
    subfields: dict[str, Any] = {}
    if f.kind is Kind.TEXT:
        body: dict[str, Any] = {"type": "text", "analyzer": "lens_english"}
        subfields["unstemmed"] = {"type": "text", "analyzer": "lens_plain"}
    elif f.kind is Kind.KEYWORD:
        body = {"type": "keyword"}
        if not f.case_sensitive:
            body["normalizer"] = "lens_lowercase"
    elif f.kind is Kind.IDENTIFIER:
        body = {"type": "keyword", "normalizer": "lens_identifier"}
    elif f.kind is Kind.INTEGER:
        body = {"type": "long"}
    elif f.kind is Kind.DATE:
        body = {"type": "date"}
    elif f.kind is Kind.BOOLEAN:
        body = {"type": "boolean"}
    else:  # pragma: no cover - Kind is closed
        raise ValueError(f.kind)
    if f.exact:
        subfields["exact"] = dict(EXACT)
    if subfields:
        body["fields"] = subfields
    return body


def _insert(tree: dict[str, Any], dotted: str, leaf: dict[str, Any]) -> None:
    *parents, last = dotted.split(".")
    node = tree
    for i, part in enumerate(parents):
        child = node.setdefault(part, {"properties": {}})
        if "properties" not in child:
            raise ValueError(f"field {'.'.join(parents[: i + 1])!r} is both a value and an object")
        node = child["properties"]
    if last in node:
        raise ValueError(f"field {dotted!r} is both a value and an object, or defined twice")
    node[last] = leaf


def index_definition(catalogue: Catalogue) -> dict[str, Any]:
    """Settings and mappings for one product's index."""
    search: dict[str, Any] = {}
    for f in catalogue.fields:
        _insert(search, f.name, field_mapping(f))
    return {
        "settings": {"index": {"max_result_window": 10000}, "analysis": ANALYSIS},
        "mappings": {
            # The original record is kept verbatim in _source for responses but not
            # indexed; only the catalogue's fields under "search" are searchable.
            "dynamic": False,
            "_source": {"excludes": [SEARCH_PREFIX]},
            "_meta": {"product": catalogue.product, "generator": "lens-mirror mappings"},
            "properties": {SEARCH_PREFIX: {"properties": search}},
        },
    }


def flatten_mapping(properties: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """Mapping properties → {dotted field path: leaf mapping}, sub-fields included."""
    out: dict[str, dict[str, Any]] = {}
    for name, body in properties.items():
        path = f"{prefix}{name}"
        if "properties" in body:
            out.update(flatten_mapping(body["properties"], path + "."))
            continue
        out[path] = {k: v for k, v in body.items() if k != "fields"}
        for sub, sub_body in (body.get("fields") or {}).items():
            out[f"{path}.{sub}"] = sub_body
    return out
