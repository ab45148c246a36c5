"""Record → search document: the values of every catalogue field for one record."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from .model import Catalogue, Kind
from .paths import RecordView, is_filtered

_TRUE = {"true", "1", "yes"}
_TEXTUAL = (Kind.TEXT, Kind.KEYWORD, Kind.IDENTIFIER)
_STR = {str}
_NATIVE = {Kind.INTEGER: {int}, Kind.BOOLEAN: {bool}}


def _coerce(kind: Kind, value: Any) -> Any:
    """A value in the type its field indexes, or None when it cannot be one."""
    if kind in (Kind.TEXT, Kind.KEYWORD, Kind.IDENTIFIER):
        return value if isinstance(value, str) else (str(value) if isinstance(value, (int, float)) else None)
    if kind is Kind.INTEGER:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            return None
    if kind is Kind.BOOLEAN:
        return value if isinstance(value, bool) else str(value).lower() in _TRUE
    if kind is Kind.DATE:
        return value if isinstance(value, str) and value[:4].isdigit() else None
    return None  # pragma: no cover


# A source is an unfiltered path (looked up in the flattened record) or a function of
# the record view (filtered paths and derivations).
Source = str | Callable[[Any], list[Any]]
Plan = list[tuple[str, Kind, list[Source]]]


def _filtered(path: str) -> Callable[[RecordView], list[Any]]:
    return lambda view: view.values(path)


@lru_cache(maxsize=8)
def _plan(catalogue: Catalogue) -> Plan:
    """Per field: its name, kind and value sources (compiled once per catalogue)."""
    plan: Plan = []
    for f in catalogue.fields:
        if f.derive is not None:
            sources: list[Source] = [f.derive]
        else:
            sources = [_filtered(p) if is_filtered(p) else p for p in f.sources]
        if sources:
            plan.append((f.name, f.kind, sources))
    return plan


@lru_cache(maxsize=8)
def _walked(catalogue: Catalogue) -> frozenset[str]:
    """The unfiltered source paths and their ancestors: all the flat view must hold."""
    paths: set[str] = set()
    for _, _, sources in _plan(catalogue):
        for source in sources:
            if type(source) is str:
                parts = source.split(".")
                paths.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return frozenset(paths)


def search_document(catalogue: Catalogue, record: dict[str, Any]) -> dict[str, list[Any]]:
    """{search name: [values]} for every catalogue field that has values in ``record``.

    Values that cannot be coerced to the field's type are dropped here, so one odd
    record never reaches an index writer with a value of the wrong type.
    """
    doc: dict[str, list[Any]] = {}
    view = RecordView(record, _walked(catalogue))
    flat = view.flat
    for name, kind, sources in _plan(catalogue):
        raw: list[Any] = []
        for source in sources:
            raw += flat.get(source, ()) if type(source) is str else source(view)
        if not raw:
            continue
        types = set(map(type, raw))
        if types == _STR if kind in _TEXTUAL else types == _NATIVE.get(kind):
            doc[name] = raw  # the common case: values already of the field's type
            continue
        values = [c for c in (_coerce(kind, v) for v in raw if not isinstance(v, (dict, list))) if c is not None]
        if values:
            doc[name] = values
    return doc
