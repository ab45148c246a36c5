"""Dates as Elasticsearch reads them, and as the embedded index stores them: integer
milliseconds since the epoch (UTC).

The record transform keeps only values that parse here, as Elasticsearch would
reject a document with a malformed date; the record is still indexed without it.

Range bounds follow Elasticsearch's rounding of missing date components: ``gte`` and
``lt`` round down to the start of the unit given, ``gt`` and ``lte`` round up to its
last millisecond, so ``{"lte": "2020-09-30"}`` includes the whole of that day.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache

_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})(?:[T ](?P<H>\d{2})(?::(?P<M>\d{2})(?::(?P<S>\d{2})"
    r"(?:\.(?P<f>\d+))?)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)


def _parse(text: str) -> tuple[datetime, str]:
    m = _DATE.match(text.strip())
    if not m:
        raise ValueError(f"not a date: {text!r}")
    g = m.groupdict()
    frac = (g["f"] or "0")[:6].ljust(6, "0")
    tz = timezone.utc
    if g["tz"] and g["tz"] != "Z":
        sign = 1 if g["tz"][0] == "+" else -1
        digits = g["tz"][1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    value = datetime(
        int(g["y"]), int(g["m"] or 1), int(g["d"] or 1), int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0),
        int(frac), tzinfo=tz,
    )
    unit = next(u for u, k in (("ms", "f"), ("s", "S"), ("min", "M"), ("h", "H"), ("d", "d"), ("mo", "m"), ("y", "y"))
                if g[k] is not None)
    return value, unit


def _millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


#: The shapes stored dates nearly always have (a day, or a second with its fraction and
#: zone), which ``datetime.fromisoformat`` reads as ``_parse`` does, in C: 1.5-2.5 µs
#: against 8-11. Every record's ``created`` is a different second, so the cache below
#: rarely spares a parse, and validating dates took a quarter of the engine feeder's
#: transform. Anything else (a year, a month, spaces, other digits) goes to ``_parse``.
_COMMON = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


@lru_cache(maxsize=1 << 16)  # records repeat dates a lot; parsing is the indexer's hot loop
def to_millis(text: str) -> int:
    """A stored date value → epoch milliseconds (start of the unit given)."""
    if _COMMON.fullmatch(text):
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            pass  # _parse has the last word (it refuses 2020-02-30 too, but reads a zone of +05:60)
        else:
            return _millis(value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc))
    return _millis(_parse(text)[0])


def is_date(text: str) -> bool:
    """Is ``text`` a date in the one grammar the index and every query use?

    True only when it parses, names a real day (no 2020-02-30) and both of its
    rounded range bounds exist (no year 9999 rounded up past the calendar).
    """
    try:
        bound_millis(text, round_up=False)
        bound_millis(text, round_up=True)
    except (ValueError, OverflowError):
        return False
    return True


def bound_millis(text: str, round_up: bool) -> int:
    """A range bound → epoch milliseconds, rounded as Elasticsearch rounds it."""
    start, unit = _parse(text)
    if not round_up or unit == "ms":
        return _millis(start)
    try:
        if unit == "y":
            end = start.replace(year=start.year + 1, month=1, day=1)
        elif unit == "mo":
            days = calendar.monthrange(start.year, start.month)[1]
            end = start.replace(day=1) + timedelta(days=days)
        else:
            end = start + {"d": timedelta(days=1), "h": timedelta(hours=1), "min": timedelta(minutes=1),
                           "s": timedelta(seconds=1)}[unit]
    except (ValueError, OverflowError):  # the end of year 9999: the calendar's last millisecond
        return _millis(datetime.max.replace(tzinfo=timezone.utc))
    return _millis(end) - 1
