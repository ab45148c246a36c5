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
from typing import Any, Iterable

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


class PathReader:
    """Reads many record paths in one walk: the indexer's hot loop.

    The paths are merged into a trie of steps, so shared prefixes (``authors``,
    ``authors.affiliations``) are walked once per record, and only the keys some path
    names are looked at. Filtered steps are applied where they sit in the trie.
    ``read`` gives, for every path with values, what :func:`values_at` would
    (objects included, for paths that end on objects).
    """

    __slots__ = ("paths", "_branches")

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = frozenset(paths)
        trie: dict[tuple[str, str | None, str | None], Any] = {}
        for path in sorted(self.paths):
            node = trie
            steps = parse_path(path)
            for i, step in enumerate(steps):
                entry = node.setdefault((step.key, step.filter_key, step.filter_value), [None, {}])
                if i == len(steps) - 1:
                    entry[0] = path
                node = entry[1]
        self._branches = _freeze(trie)

    def read(self, record: Any) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        nodes: list[Any] = []
        _flatten(record, nodes)
        _walk(nodes, self._branches, out)
        return out


# A trie branch: (key, filter key, filter value, path ending here or None, child branches)
Branch = tuple[str, "str | None", "str | None", "str | None", tuple[Any, ...]]


def _freeze(trie: dict[tuple[str, str | None, str | None], Any]) -> tuple[Branch, ...]:
    return tuple((key, fkey, fval, emit, _freeze(children)) for (key, fkey, fval), (emit, children) in trie.items())


def _walk(nodes: list[Any], branches: tuple[Branch, ...], out: dict[str, list[Any]]) -> None:
    for key, fkey, fval, emit, children in branches:
        found: list[Any] = []
        for node in nodes:
            if type(node) is dict:
                child = node.get(key)
                if child is not None:
                    if type(child) is list:
                        found += child
                    else:
                        found.append(child)
        if None in found or list in map(type, found):  # rare: nulls or nested lists in a list
            flat: list[Any] = []
            _flatten(found, flat)
            found = flat
        if fkey is not None:
            found = [c for c in found if type(c) is dict and fkey in c and (fval is None or str(c[fkey]) == fval)]
        if found:
            if emit is not None:
                out[emit] = found
            if children:
                _walk(found, children, out)


class RecordView:
    """A record plus the values of the paths its reader knows: what derivations read."""

    __slots__ = ("record", "reader", "found")

    def __init__(self, record: dict[str, Any], reader: PathReader) -> None:
        self.record, self.reader = record, reader
        self.found = reader.read(record)

    def values(self, path: str) -> list[Any]:
        """Every leaf value at ``path`` (objects too, for a path that ends on objects)."""
        found = self.found.get(path)
        if found is None:
            if path in self.reader.paths:
                return []
            found = self.found[path] = values_at(self.record, path)  # a path no one declared
        return found


@lru_cache(maxsize=None)
def _reader(path: str) -> PathReader:
    return PathReader((path,))


def values_at(record: Any, path: str) -> list[Any]:
    """Every leaf value at ``path`` (lists flattened, nulls dropped)."""
    return _reader(path).read(record).get(path, [])


def schema_path(path: str) -> str:
    """The path without filters, as the record schema names it (``a.b.c``)."""
    return ".".join(step.key for step in parse_path(path))
