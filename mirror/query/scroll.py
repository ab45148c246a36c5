"""Scroll requests, checked and turned into page bodies: pure functions of plain data.

A Lens scroll is two kinds of request. The first is an ordinary search with
``scroll`` (how long the cursor lives: ``"1m"``, ``"30s"``); its body compiles
as any search does, and each later page is that body plus ``search_after``
(the previous page's last sort values) and ``from: 0``. A follow-up carries only
``scroll_id``, optionally ``scroll`` (a new lifetime) and ``include``/``exclude``
(this page's projection); anything else beside it is refused by name, since the
query, sort and size were fixed by the first request.

The state that ties the pages together (the snapshot, the cursor) lives in
:mod:`mirror.api.scroll`; this module never sees a backend.
"""

from __future__ import annotations

import re
from typing import Any

from mirror.errors import BadRequest, LimitExceeded, excerpt

from .request import SearchRequest

#: Elasticsearch's time units that make sense for a cursor's life (no micros or nanos).
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^([0-9]{1,9})(ms|s|m|h|d)$")

#: Keys a follow-up may send beside ``scroll_id`` (``token``: some clients put it in every body).
FOLLOW_UP_KEYS = frozenset({"scroll_id", "scroll", "include", "exclude", "token"})


def parse_duration(value: Any, what: str = "scroll") -> float:
    """``"1m"`` → 60.0 seconds; anything but a positive whole number and a unit is a 400 naming it."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or int(match[1]) == 0:
        raise BadRequest(f"{what}: expected a positive duration such as '30s', '1m' or '5m' "
                         f"(units ms, s, m, h, d), got {excerpt(value)}")
    return int(match[1]) * _UNITS[match[2]]


def scroll_lifetime(value: Any, max_lifetime: float, what: str = "scroll") -> float:
    """A requested lifetime in seconds, within the server's bound (``LENS_MIRROR_SCROLL_MAX_LIFETIME``)."""
    seconds = parse_duration(value, what)
    if seconds > max_lifetime:
        raise LimitExceeded(f"{what}: {excerpt(value)} is longer than a scroll may live; the limit is "
                            f"{max_lifetime:g} seconds (LENS_MIRROR_SCROLL_MAX_LIFETIME)")
    return seconds


def check_first_page(req: SearchRequest) -> None:
    """What a search that starts a scroll may not ask for (checked before compiling)."""
    if req.size == 0:
        raise BadRequest("size must be at least 1 in a scroll (it is the size of every page)")
    if req.from_:
        raise BadRequest(f"from cannot be used with scroll (got {req.from_}); a scroll starts at the first record")


def check_follow_up(req: SearchRequest) -> None:
    """A request with ``scroll_id`` continues a scroll: only its lifetime and projection may change."""
    extra = sorted(req.model_fields_set - FOLLOW_UP_KEYS)  # attribute names: from_ for "from"
    if extra:
        names = ", ".join("from" if name == "from_" else name for name in extra)
        raise BadRequest(f"{names} cannot be sent with scroll_id: a scroll's query, sort and size are fixed by "
                         "its first request (only scroll, include and exclude may come with scroll_id)")
    if not req.scroll_id:
        raise BadRequest("scroll_id: must be the scroll_id of the previous response, got an empty one")


def source_filter(includes: list[str], excludes: list[str]) -> dict[str, list[str]] | None:
    """The body's ``_source`` for a projection, None when there is none."""
    source = {k: v for k, v in (("includes", includes), ("excludes", excludes)) if v}
    return source or None


def page_body(first: dict[str, Any], search_after: list[Any] | None,
              source: dict[str, list[str]] | None) -> dict[str, Any]:
    """The body of one scroll page: the first request's body after ``search_after``, with this page's
    projection. ``from`` is 0 (what ``search_after`` requires)."""
    body = {k: v for k, v in first.items() if k != "_source"}
    body["from"] = 0
    if search_after is not None:
        body["search_after"] = list(search_after)
    if source:
        body["_source"] = source
    return body


__all__ = ["FOLLOW_UP_KEYS", "check_first_page", "check_follow_up", "page_body", "parse_duration",
           "scroll_lifetime", "source_filter"]
