"""One field catalogue per product; see model.py for the vocabulary."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from importlib import import_module, resources
from typing import Any

import orjson

from .model import SEARCH_PREFIX, Catalogue, Kind, Resolved, SearchField, UnknownField
from .paths import schema_path

__all__ = [
    "SEARCH_PREFIX", "Catalogue", "Kind", "Resolved", "SearchField", "UnknownField",
    "build_catalogue", "catalogue_for", "packaged_sample", "packaged_schema", "record_arrays", "record_key_order",
    "record_paths", "schema_arrays",
]


def packaged_schema(product: str) -> dict[str, Any]:
    """The reconstructed Lens record schema shipped with the package."""
    return orjson.loads(resources.files("mirror.data.schema").joinpath(f"{product}.json").read_bytes())


def schema_arrays(schema: dict[str, Any]) -> dict[str, bool]:
    """Every path of a JSON schema → whether an array lies on the way to it."""
    out: dict[str, bool] = {}

    def walk(node: dict[str, Any], path: str, in_array: bool) -> None:
        if path:
            out[path] = in_array
        if node.get("type") == "array" or "items" in node:
            walk(node.get("items", {}), path, True)
            return
        for key, child in (node.get("properties") or {}).items():
            walk(child, f"{path}.{key}" if path else key, in_array)

    walk(schema, "", False)
    return out


def packaged_sample(product: str) -> dict[str, Any]:
    """The one real Lens record shipped with the package (ground truth for shapes)."""
    return orjson.loads(resources.files("mirror.data.samples").joinpath(f"{product}.jsonl").read_bytes())


def record_arrays(
    record: Any, path: str = "", in_array: bool = False, out: dict[str, bool] | None = None
) -> dict[str, bool]:
    """Like :func:`schema_arrays`, read off a real record."""
    out = {} if out is None else out
    if path:
        out[path] = out.get(path, False) or in_array
    if isinstance(record, list):
        for item in record:
            record_arrays(item, path, True, out)
    elif isinstance(record, dict):
        for key, child in record.items():
            record_arrays(child, f"{path}.{key}" if path else key, in_array, out)
    return out


def build_catalogue(product: str, schema: dict[str, Any]) -> tuple[Catalogue, list[str]]:
    """The product's catalogue checked against a record schema.

    Returns the catalogue and the source paths the schema does not know (a Lens
    schema change shows up here, and in the regenerated mappings).
    """
    table = import_module(f"mirror.catalogue.{product}")
    # The real sample record wins where the reconstructed schema is silent or wrong.
    arrays = {**schema_arrays(schema), **record_arrays(packaged_sample(product))}
    missing: list[str] = []
    fields: list[SearchField] = []
    for f in table.FIELDS:
        if f.sources:
            known = [schema_path(s) for s in f.sources if schema_path(s) in arrays]
            missing += [s for s in f.sources if schema_path(s) not in arrays]
            # Unknown paths count as multi-valued: never offer a sort we cannot vouch for.
            multi = len(f.sources) > 1 or len(known) < len(f.sources) or any(arrays[p] for p in known)
            f = dataclasses.replace(f, multi_valued=multi)
        fields.append(f)
    catalogue = Catalogue(product, tuple(fields), table.DEFAULT_FIELDS, table.MAX_SIZE)
    return catalogue, missing


@lru_cache(maxsize=None)
def record_paths(product: str) -> frozenset[str]:
    """Every path of a response record (for include/exclude): schema plus the real sample."""
    return frozenset(schema_arrays(packaged_schema(product))) | frozenset(record_arrays(packaged_sample(product)))


@lru_cache(maxsize=None)
def record_key_order(product: str) -> tuple[str, ...]:
    """A record's top-level fields in the order Lens writes them: the real sample's, then the schema's others."""
    sample = tuple(packaged_sample(product))
    return sample + tuple(k for k in packaged_schema(product)["properties"] if k not in sample)


@lru_cache(maxsize=None)
def catalogue_for(product: str) -> Catalogue:
    """The catalogue the server and indexer use (built once, on first use)."""
    return build_catalogue(product, packaged_schema(product))[0]
