"""Record → search document: the values of every catalogue field for one record."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any, Callable

from mirror.dates import to_millis

from . import walk
from .model import Catalogue, Kind, SearchField
from .paths import PathReader, RecordView, steps

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
        if not isinstance(value, str):
            return None
        try:
            to_millis(value)
        except ValueError:
            return None  # not a date Elasticsearch would accept: not searchable (nor "existing")
        return value
    return None  # pragma: no cover


def _coerced(kind: Kind, raw: list[Any]) -> list[Any]:
    """``raw``'s values that can be of the field's type, in that type (objects and lists dropped)."""
    return [c for c in (_coerce(kind, v) for v in raw if not isinstance(v, (dict, list))) if c is not None]


def _dates(raw: list[Any]) -> list[Any]:
    """``_coerced(Kind.DATE, raw)``, without the dispatch: the dates Elasticsearch would accept."""
    out = []
    for v in raw:
        if isinstance(v, str):
            try:
                to_millis(v)  # cached: the embedded indexer converts the same value next
            except ValueError:
                continue
            out.append(v)
    return out


#: Per kind, the one type its values may all have to be indexed as they are (dates are always checked).
_NATIVE_TYPE = {Kind.TEXT: "str", Kind.KEYWORD: "str", Kind.IDENTIFIER: "str", Kind.INTEGER: "int",
                Kind.BOOLEAN: "bool"}


def transformed(catalogue: Catalogue) -> tuple[list[SearchField], list[str]]:
    """The fields the transform fills (those with record paths or a derivation) and every
    record path they read, sorted: what the compiled walk and the native transform read."""
    fields = [f for f in catalogue.fields if f.sources or f.derive]
    paths = {p for f in fields for p in f.sources} | {p for f in fields for p in getattr(f.derive, "paths", ())}
    return fields, sorted(paths)


@lru_cache(maxsize=8)
def _compiled(catalogue: Catalogue) -> Callable[[dict[str, Any]], dict[str, list[Any]]]:
    """``search_document`` for one catalogue, as one function compiled from its fields.

    The record's paths are read by the compiled walk of ``walk.py``; then each field, in
    catalogue order, takes its paths' values (or its derivation's) and keeps them as they
    are when all have the field's type (the common case), else as :func:`_coerce` makes them.
    """
    fields, paths = transformed(catalogue)
    derived_paths = sorted({p for f in fields for p in getattr(f.derive, "paths", ())})
    uses = Counter(p for f in fields for p in f.sources)
    namespace: dict[str, Any] = {"_view": RecordView, "_reader": PathReader(derived_paths),
                                 "_coerced": _coerced, "_dates": _dates}
    src = walk.Source()
    src.line(0, "def search_document(record):")
    var = walk.walk_source(steps(paths), "record", src, 1)
    if any(not hasattr(f.derive, "compute") for f in fields if f.derive is not None):
        # derivations that read more than their paths' values get a view of the record
        src.line(1, "found = {}")
        for path in derived_paths:
            src.line(1, f"if {var[path]}: found[{path!r}] = {var[path]}")
        src.line(1, "view = _view(record, _reader, found)")
    src.line(1, "doc = {}")
    for i, f in enumerate(fields):
        src.line(1, f"# {f.name}: {f.kind}")
        v = "v"  # the name of the field's values
        if f.derive is not None:
            compute = getattr(f.derive, "compute", None)
            namespace[f"_derive{i}"] = compute or f.derive
            args = ", ".join(var[p] for p in f.derive.paths) if compute else "view"  # type: ignore[attr-defined]
            src.line(1, f"v = _derive{i}({args})")
            src.line(1, "if v:")
        elif len(f.sources) > 1:
            src.line(1, "v = [" + ", ".join(f"*{var[p]}" for p in f.sources) + "]")
            src.line(1, "if v:")
        elif uses[f.sources[0]] > 1:  # a path another field reads too is copied: no two share a list
            src.line(1, f"if {var[f.sources[0]]}:")
            src.line(2, f"v = {var[f.sources[0]]}[:]")
        else:  # the walk's list itself
            v = var[f.sources[0]]
            src.line(1, f"if {v}:")
        native = _NATIVE_TYPE.get(f.kind)
        if native is None:  # dates: kept when they parse
            src.line(2, f"v = _dates({v})")
            src.line(2, f"if v: doc[{f.name!r}] = v")
            continue
        namespace[f"_kind{i}"] = f.kind
        src.line(2, f"if type({v}[0]) is {native} and (len({v}) == 1 or len(set(map(type, {v}))) == 1):")
        src.line(3, f"doc[{f.name!r}] = {v}")
        src.line(2, "else:")
        src.line(3, f"v = _coerced(_kind{i}, {v})")
        src.line(3, f"if v: doc[{f.name!r}] = v")
    src.line(1, "return doc")
    return walk.build(src, "search_document", namespace)


def search_document(catalogue: Catalogue, record: dict[str, Any]) -> dict[str, list[Any]]:
    """{search name: [values]} for every catalogue field that has values in ``record``.

    Values that cannot be coerced to the field's type are dropped here, so one odd
    record never reaches an index writer with a value of the wrong type.
    """
    return _compiled(catalogue)(record)
