"""Record paths: how the catalogue says where a search field's values live.

A path is dotted keys; lists are flattened at every step (as Elasticsearch does
with arrays of objects). A step may filter the objects it walks into:

* ``external_ids[type=doi].value``: only objects whose ``type`` equals ``doi``;
* ``citations[nplcit].cited_phase``: only objects that have a ``nplcit`` key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

_STEP = re.compile(r"^(?P<key>[A-Za-z0-9_]+)(?:\[(?P<fkey>[A-Za-z0-9_]+)(?:=(?P<fval>[^\]]*))?\])?$")


@dataclass(frozen=True)
class Step:
    key: str
    filter_key: str | None = None
    filter_value: str | None = None

    def accepts(self, obj: Any) -> bool:
        if self.filter_key is None:
            return True
        if not isinstance(obj, dict) or self.filter_key not in obj:
            return False
        return self.filter_value is None or str(obj[self.filter_key]) == self.filter_value


@lru_cache(maxsize=None)
def parse_path(path: str) -> tuple[Step, ...]:
    steps = []
    for part in path.split("."):
        m = _STEP.match(part)
        if not m:
            raise ValueError(f"bad record path {path!r} at {part!r}")
        steps.append(Step(m["key"], m["fkey"], m["fval"]))
    return tuple(steps)


def _flatten(value: Any, out: list[Any]) -> None:
    if type(value) is list:
        for item in value:
            if type(item) is list:
                _flatten(item, out)
            elif item is not None:
                out.append(item)
    elif value is not None:
        out.append(value)


Extractor = Callable[[Any], list[Any]]


@lru_cache(maxsize=None)
def compile_path(path: str) -> Extractor:
    """A function returning every leaf value at ``path``: the transform's hot loop.

    Walks level by level over plain lists (no generators, no recursion per value).
    """
    steps = [(s.key, s.filter_key, s.filter_value) for s in parse_path(path)]

    def extract(record: Any) -> list[Any]:
        nodes: list[Any] = []
        _flatten(record, nodes)
        for key, fkey, fval in steps:
            found: list[Any] = []
            for node in nodes:
                if type(node) is dict:
                    child = node.get(key)
                    if child is not None:
                        _flatten(child, found)
            if fkey is not None:
                found = [c for c in found if type(c) is dict and fkey in c and (fval is None or str(c[fkey]) == fval)]
            if not found:
                return found
            nodes = found
        return nodes

    return extract


def flatten_record(node: Any, prefix: str = "", out: dict[str, list[Any]] | None = None,
                   only: frozenset[str] | None = None) -> dict[str, list[Any]]:
    """Every scalar of a record by its unfiltered path, in one pass.

    ``{"authors.affiliations.name": [...], ...}``: one walk of the record answers every
    unfiltered source path with a dict lookup (the indexer's hot loop). ``only`` names
    the paths (and their ancestors) worth walking; other subtrees are skipped.
    """
    if out is None:
        out = {}
    kind = type(node)
    if kind is dict:
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            if only is None or path in only:
                flatten_record(value, path, out, only)
    elif kind is list:
        if node and type(node[0]) not in (dict, list):  # a list of scalars: one step, not one call each
            scalars = [v for v in node if v is not None and type(v) not in (dict, list)]
            if len(scalars) < len(node):  # mixed list: fall back to the general walk
                for item in node:
                    flatten_record(item, prefix, out, only)
                return out
            bucket = out.get(prefix)
            if bucket is None:
                out[prefix] = scalars
            else:
                bucket.extend(scalars)
            return out
        for item in node:
            flatten_record(item, prefix, out, only)
    elif node is not None:
        bucket = out.get(prefix)
        if bucket is None:
            out[prefix] = [node]
        else:
            bucket.append(node)
    return out


@lru_cache(maxsize=None)
def is_filtered(path: str) -> bool:
    return any(step.filter_key is not None for step in parse_path(path))


class RecordView:
    """A record plus its flattened form: what derivations read values through."""

    __slots__ = ("record", "flat", "filtered")

    def __init__(self, record: dict[str, Any], only: frozenset[str] | None = None) -> None:
        self.record = record
        self.flat = flatten_record(record, only=only)
        self.filtered: dict[str, list[Any]] = {}  # several fields share a filtered path

    def values(self, path: str) -> list[Any]:
        """Scalars at ``path`` (objects too, for a path that ends on objects)."""
        if not is_filtered(path):
            found = self.flat.get(path)
            if found is not None:
                return found
        found = self.filtered.get(path)
        if found is None:
            found = self.filtered[path] = compile_path(path)(self.record)
        return found


def values_at(record: dict[str, Any], path: str) -> list[Any]:
    """Every leaf value at ``path`` (lists flattened, nulls dropped)."""
    return compile_path(path)(record)


def schema_path(path: str) -> str:
    """The path without filters, as the record schema names it (``a.b.c``)."""
    return ".".join(step.key for step in parse_path(path))
