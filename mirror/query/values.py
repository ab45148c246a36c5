"""Checking query values against the kind of field they are compared with."""

from __future__ import annotations

import re
from typing import Any

from mirror.catalogue import Kind, Resolved
from mirror.errors import BadRequest

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _bad(resolved: Resolved, what: str, value: Any, name: str | None) -> BadRequest:
    return BadRequest(f"field {name or resolved.field.name!r} expects {what}, got {value!r}")


def coerce(resolved: Resolved, value: Any, name: str | None = None) -> Any:
    """``value`` as the field's type for an Elasticsearch body, or a 400 naming both."""
    kind = resolved.kind
    if isinstance(value, (dict, list)) or value is None:
        raise _bad(resolved, "a single value", value, name)
    if kind is Kind.INTEGER:
        if isinstance(value, bool):
            raise _bad(resolved, "an integer", value, name)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise _bad(resolved, "an integer", value, name)
    if kind is Kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise _bad(resolved, "true or false", value, name)
    if kind is Kind.DATE:
        text = str(value).strip()
        if not _DATE.match(text):
            raise _bad(resolved, "a date like 2020-12-31", value, name)
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if not isinstance(value, str) else value


def coerce_bound(resolved: Resolved, value: Any, name: str | None = None) -> Any:
    """A range bound: like :func:`coerce`, but text fields cannot be ranged over."""
    if resolved.kind is Kind.TEXT:
        raise BadRequest(f"field {name or resolved.field.name!r} is full text and cannot be used in a range")
    if resolved.kind is Kind.BOOLEAN:
        raise BadRequest(f"field {name or resolved.field.name!r} is true/false and cannot be used in a range")
    return coerce(resolved, value, name)


def case_insensitive(resolved: Resolved) -> bool:
    """Does the field hold normalised (lower-cased, analysed) terms?

    Pattern queries (wildcard, regexp, prefix) are not normalised by Elasticsearch,
    so on these fields they must say ``case_insensitive: true`` to match at all.
    """
    if resolved.variant == "exact":
        return False
    kind = resolved.field.kind
    return kind in (Kind.TEXT, Kind.IDENTIFIER) or (kind is Kind.KEYWORD and not resolved.field.case_sensitive)
