"""Record → search document: the values of every catalogue field for one record."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from mirror.dates import to_millis

from .model import Catalogue, Kind
from .paths import PathReader, RecordView

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
        if not isinstance(value, str):
            return None
        try:
            to_millis(value)
        except ValueError:
            return None  # not a date Elasticsearch would accept: not searchable (nor "existing")
        return value
    return None  # pragma: no cover


# Per field: its name, kind, the record paths it reads and its derivation (if any).
Plan = tuple[tuple[str, Kind, tuple[str, ...], Callable[[RecordView], list[Any]] | None], ...]


@lru_cache(maxsize=8)
def _plan(catalogue: Catalogue) -> tuple[Plan, PathReader]:
    """The per-field plan and the reader that collects every path it needs in one walk."""
    plan = tuple((f.name, f.kind, f.sources, f.derive) for f in catalogue.fields if f.sources or f.derive)
    paths = {p for _, _, sources, _ in plan for p in sources}
    paths.update(p for _, _, _, derive in plan for p in getattr(derive, "paths", ()))
    return plan, PathReader(paths)


def search_document(catalogue: Catalogue, record: dict[str, Any]) -> dict[str, list[Any]]:
    """{search name: [values]} for every catalogue field that has values in ``record``.

    Values that cannot be coerced to the field's type are dropped here, so one odd
    record never reaches an index writer with a value of the wrong type.
    """
    doc: dict[str, list[Any]] = {}
    plan, reader = _plan(catalogue)
    view = RecordView(record, reader)
    found = view.found
    for name, kind, sources, derive in plan:
        if derive is not None:
            raw = derive(view)
        elif len(sources) == 1:
            values = found.get(sources[0])
            if values is None:
                continue
            raw = list(values)  # the view's lists are shared by every field reading that path
        else:
            raw = [v for source in sources for v in found.get(source, ())]
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
