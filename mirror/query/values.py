"""Checking query values against the kind of field they are compared with."""

from __future__ import annotations

import math
import re
from typing import Any

from mirror.catalogue import Kind, Resolved
from mirror.dates import is_date
from mirror.errors import BadRequest, excerpt

_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1  # Elasticsearch's long, tantivy's i64
MAX_BOOST = 1e9  # past this, scores lose their meaning in single-precision floats


def _bad(resolved: Resolved, what: str, value: Any, name: str | None) -> BadRequest:
    return BadRequest(f"field {name or resolved.field.name!r} expects {what}, got {excerpt(value)}")


def coerce(resolved: Resolved, value: Any, name: str | None = None) -> Any:
    """``value`` as the field's type for an Elasticsearch body, or a 400 naming both."""
    kind = resolved.kind
    if isinstance(value, (dict, list)) or value is None:
        raise _bad(resolved, "a single value", value, name)
    if kind is Kind.INTEGER:
        if isinstance(value, bool):
            raise _bad(resolved, "an integer", value, name)
        number: int | None = None
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,40}\s*", value):
            number = int(value)
        if number is None:
            raise _bad(resolved, "an integer", value, name)
        if not LONG_MIN <= number <= LONG_MAX:
            raise _bad(resolved, "an integer within 64 bits (±9,223,372,036,854,775,807)", value, name)
        return number
    if kind is Kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise _bad(resolved, "true or false", value, name)
    if kind is Kind.DATE:
        text = str(value).strip()
        if not is_date(text):
            raise _bad(resolved, "a real date like 2020, 2020-12 or 2020-12-31 (optionally with a time)", value, name)
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if not isinstance(value, str) else value


def coerce_bound(resolved: Resolved, value: Any, name: str | None = None) -> Any:
    """A range bound: like :func:`coerce`, but text fields cannot be ranged over."""
    check_rangeable(resolved, name)
    return coerce(resolved, value, name)


def check_rangeable(resolved: Resolved, name: str | None = None) -> None:
    """Ranges are over numbers and dates. Elasticsearch also ranges over keywords, but the
    embedded engine cannot, and one request must mean the same on both backends."""
    if resolved.kind not in (Kind.INTEGER, Kind.DATE):
        what = {Kind.TEXT: "full text", Kind.BOOLEAN: "true/false"}.get(resolved.kind, "a keyword")
        raise BadRequest(f"field {name or resolved.field.name!r} is {what}; ranges need a number or date field")


def case_insensitive(resolved: Resolved) -> bool:
    """Does the field hold normalised (lower-cased, analysed) terms?

    Pattern queries (wildcard, regexp, prefix) are not normalised by Elasticsearch,
    so on these fields they must say ``case_insensitive: true`` to match at all.
    """
    if resolved.variant == "exact":
        return False
    kind = resolved.field.kind
    return kind in (Kind.TEXT, Kind.IDENTIFIER) or (kind is Kind.KEYWORD and not resolved.field.case_sensitive)


def check_boost(value: Any, where: str) -> float:
    """A boost: a finite, non-negative number (numeric strings too, as Elasticsearch reads them)."""
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or not 0 <= number <= MAX_BOOST:
        raise BadRequest(f"{where}: boost must be a number from 0 to {MAX_BOOST:g}, got {excerpt(value)}")
    return number


def check_slop(value: Any, where: str, max_slop: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"\s*\d{1,12}\s*", str(value)):
        raise BadRequest(f"{where}: slop must be a whole number from 0 to {max_slop}, got {excerpt(value)}")
    slop = int(value)
    if slop > max_slop:
        raise BadRequest(f"{where}: slop {slop:,} is over the limit of {max_slop} (LENS_MIRROR_MAX_SLOP)")
    return slop


def check_flag(value: Any, where: str, option: str) -> bool:
    if not isinstance(value, bool):
        raise BadRequest(f"{where}: {option} must be true or false, got {excerpt(value)}")
    return value
