"""Lens plan limits for the rate-limit emulation: ``LENS_MIRROR_RATE_LIMIT`` parsed, strictly.

Lens plans allow some requests a minute, some requests and records a month, and at most
some records in one request; the emulation takes the same four, written as
``10/minute,5000/month,100000 records/month,1000/request``. A value that is not
exactly this grammar is refused at start with a message naming the setting, so a typo
never silently serves with no limit. Pure: no clock, no state (``mirror.api.ratelimit``
keeps the counts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from mirror.errors import MirrorError, excerpt

SETTING = "LENS_MIRROR_RATE_LIMIT"

#: ``N[ requests]/minute``, ``N[ requests]/month``, ``N records/month``, ``N[ records]/request``.
_ITEM = re.compile(r"(?P<count>[0-9]{1,12})\s*(?P<what>requests?|records?)?\s*/\s*(?P<per>minute|month|request)")

#: (what is counted, per what) → the RatePlan field it sets. What is left out is a request count.
_FIELDS = {
    ("request", "minute"): "requests_per_minute",
    ("request", "month"): "requests_per_month",
    ("record", "month"): "records_per_month",
    ("record", "request"): "records_per_request",
}
_DEFAULT_WHAT = {"minute": "request", "month": "request", "request": "record"}

GRAMMAR = "N/minute, N/month, N records/month, N/request (records in one request), comma-separated"


@dataclass(frozen=True)
class RatePlan:
    """The limits in force; None: no limit of that kind."""

    requests_per_minute: int | None = None
    requests_per_month: int | None = None
    records_per_month: int | None = None
    records_per_request: int | None = None

    @property
    def limited(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


def parse_rate_limit(spec: str | None) -> RatePlan:
    """``"10/minute,5000/month"`` → ``RatePlan(requests_per_minute=10, requests_per_month=5000)``.

    None is no limit. Raises :class:`MirrorError` (one line on the command line) for anything else
    that is not the grammar: an empty value, an unknown unit, a zero, the same limit twice.
    """
    if spec is None:
        return RatePlan()
    if not spec.strip():
        raise MirrorError(f"{SETTING} is set but empty; unset it to serve with no rate limit, or give {GRAMMAR}")
    values: dict[str, int] = {}
    for item in spec.split(","):
        match = _ITEM.fullmatch(item.strip().lower())
        if match is None:
            raise MirrorError(f"{SETTING}: cannot read {excerpt(item.strip())}; expected {GRAMMAR}")
        per = match["per"]
        what = (match["what"] or _DEFAULT_WHAT[per]).rstrip("s")
        name = _FIELDS.get((what, per))
        if name is None:
            raise MirrorError(f"{SETTING}: {excerpt(item.strip())} is not a Lens limit; expected {GRAMMAR}")
        count = int(match["count"])
        if count < 1:
            raise MirrorError(f"{SETTING}: {excerpt(item.strip())} allows nothing; a limit must be at least 1")
        if name in values:
            raise MirrorError(f"{SETTING}: {excerpt(item.strip())} repeats a limit already given")
        values[name] = count
    return RatePlan(**values)


__all__ = ["GRAMMAR", "SETTING", "RatePlan", "parse_rate_limit"]
