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
from typing import Any, Callable, Iterable

from . import walk

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


class PathReader:
    """Reads many record paths in one walk: the indexer's hot loop.

    The paths are merged into a trie of steps, so shared prefixes (``authors``,
    ``authors.affiliations``) are walked once per record, and only the keys some path
    names are looked at. Filtered steps are applied where they sit in the trie. The
    trie is compiled into one Python function (see ``walk.py``).
    ``read`` gives, for every path with values, what :func:`values_at` would
    (objects included, for paths that end on objects).
    """

    __slots__ = ("paths", "read")

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = frozenset(paths)
        self.read: Callable[[Any], dict[str, list[Any]]] = walk.reader(steps(self.paths))


def steps(paths: Iterable[str]) -> dict[str, tuple[tuple[str, str | None, str | None], ...]]:
    """Each path's steps as (key, filter key, filter value)."""
    return {p: tuple((s.key, s.filter_key, s.filter_value) for s in parse_path(p)) for p in paths}


class RecordView:
    """A record plus the values of the paths its reader knows: what derivations read."""

    __slots__ = ("record", "reader", "found")

    def __init__(self, record: dict[str, Any], reader: PathReader,
                 found: dict[str, list[Any]] | None = None) -> None:
        """``found``: what ``reader.read(record)`` gives, when the caller has read it already."""
        self.record, self.reader = record, reader
        self.found = reader.read(record) if found is None else found

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
