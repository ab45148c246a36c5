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
from typing import Any, Iterator

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


def _walk(node: Any, steps: tuple[Step, ...], i: int) -> Iterator[Any]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, steps, i)
        return
    if i == len(steps):
        if node is not None:
            yield node
        return
    if not isinstance(node, dict):
        return
    step = steps[i]
    child = node.get(step.key)
    if child is None:
        return
    if step.filter_key is not None:
        children = child if isinstance(child, list) else [child]
        for c in children:
            if step.accepts(c):
                yield from _walk(c, steps, i + 1)
        return
    yield from _walk(child, steps, i + 1)


def values_at(record: dict[str, Any], path: str) -> list[Any]:
    """Every leaf value at ``path`` (lists flattened, nulls dropped)."""
    return list(_walk(record, parse_path(path), 0))


def schema_path(path: str) -> str:
    """The path without filters, as the record schema names it (``a.b.c``)."""
    return ".".join(step.key for step in parse_path(path))
