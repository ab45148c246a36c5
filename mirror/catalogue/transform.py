"""Record → search document: the values of every catalogue field for one record."""

from __future__ import annotations

from typing import Any

from .model import Catalogue, Kind
from .paths import values_at

_TRUE = {"true", "1", "yes"}


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


def search_document(catalogue: Catalogue, record: dict[str, Any]) -> dict[str, list[Any]]:
    """{search name: [values]} for every catalogue field that has values in ``record``.

    Values that cannot be coerced to the field's type are dropped here, so one odd
    record never reaches an index writer with a value of the wrong type.
    """
    doc: dict[str, list[Any]] = {}
    for f in catalogue.fields:
        if f.derive is not None:
            raw = f.derive(record)
        else:
            raw = [v for path in f.sources for v in values_at(record, path)]
        values = [c for c in (_coerce(f.kind, v) for v in raw if not isinstance(v, (dict, list))) if c is not None]
        if values:
            doc[f.name] = values
    return doc
