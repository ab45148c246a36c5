"""``minimum_should_match`` as Elasticsearch defines it: checked once, computed once.

Forms: an integer (``3``), a negative integer (``-2``: all but two), a percentage
(``"75%"``, rounded down), a negative percentage (``"-25%"``), and conditional
forms (``"3<90%"``, ``"2<-25% 9<-3"``: up to N optional clauses all are required,
above it the spec after ``<`` applies). The compile stage checks the spec and keeps
it as given for the engine; every executor computes the number with
:func:`required_should` (Lucene's ``Queries.calculateMinShouldMatch``).
"""

from __future__ import annotations

import re
from typing import Any

from mirror.errors import BadRequest, excerpt

_SIMPLE = r"-?\d{1,9}%?"
_SPEC = re.compile(rf"^\s*(?:{_SIMPLE}|(?:\d{{1,9}}<{_SIMPLE}\s*)+)\s*$")


def check_minimum_should_match(value: Any, where: str) -> int | str:
    """The spec as the body carries it, or a 400 naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not _SPEC.match(str(value)):
        raise BadRequest(f"{where}: minimum_should_match must be an integer, a percentage like '75%', "
                         f"or a combination like '3<90%', got {excerpt(value)}")
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    if isinstance(value, int) and abs(value) > 1_000_000_000:
        raise BadRequest(f"{where}: minimum_should_match {value} is out of range")
    return value.strip() if isinstance(value, str) else value


def _simple(optional: int, spec: str) -> int:
    if spec.endswith("%"):
        share = optional * int(spec[:-1]) / 100
        result = optional + int(share) if share < 0 else int(share)  # int(): toward zero, as Java's cast
    else:
        calc = int(spec)
        result = optional + calc if calc < 0 else calc
    return max(result, 0)


def required_should(spec: int | str | None, optional: int) -> int:
    """How many of ``optional`` should-clauses must match (0: none required beyond the default)."""
    if spec is None:
        return 0
    text = str(spec).strip()
    if "<" not in text:
        return _simple(optional, text)
    result = optional
    for part in text.split():
        bound, _, rest = part.partition("<")
        if optional <= int(bound):
            return result
        result = _simple(optional, rest)
    return result


__all__ = ["check_minimum_should_match", "required_should"]
