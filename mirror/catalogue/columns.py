"""Short constructors that keep the product tables readable, one line per field."""

from __future__ import annotations

from typing import Any

from .model import Derivation, Kind, SearchField


def text(name: str, *sources: str, **kw: Any) -> SearchField:
    return SearchField(name, Kind.TEXT, sources, **kw)


def keyword(name: str, *sources: str, **kw: Any) -> SearchField:
    return SearchField(name, Kind.KEYWORD, sources, **kw)


def integer(name: str, *sources: str, **kw: Any) -> SearchField:
    return SearchField(name, Kind.INTEGER, sources, **kw)


def date(name: str, *sources: str, **kw: Any) -> SearchField:
    return SearchField(name, Kind.DATE, sources, **kw)


def boolean(name: str, *sources: str, **kw: Any) -> SearchField:
    return SearchField(name, Kind.BOOLEAN, sources, **kw)


def derived(name: str, kind: Kind, derive: Derivation, **kw: Any) -> SearchField:
    return SearchField(name, kind, (), derive=derive, **kw)


def flag(name: str, derive: Derivation, **kw: Any) -> SearchField:
    """A documented boolean filter field (``has_*``, ``is_*``, ``cites_*``)."""
    return SearchField(name, Kind.BOOLEAN, (), derive=derive, filter=True, multi_valued=False, **kw)
