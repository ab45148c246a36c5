"""One error hierarchy for the whole mirror.

Every exception lens-mirror raises on purpose derives from :class:`MirrorError`.
The HTTP layer maps each to the one Lens error shape with its ``status``; the
CLI prints its message as one line and exits with its ``exit_code``. Anything
that is not a ``MirrorError`` is a bug.
"""

from __future__ import annotations

from typing import Any

import orjson

EXCERPT_CHARS = 60


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """A short quotation of client input for a message: never the whole of a 10 MB value.

    JSON-encoded (orjson refuses pathological nesting instead of recursing), cut to
    ``limit`` characters with the full length said.
    """
    try:
        text = value if isinstance(value, str) else orjson.dumps(value, default=str).decode()
    except (TypeError, orjson.JSONEncodeError):
        return f"<{type(value).__name__}>"
    quoted = repr(text[:limit]) if isinstance(value, str) else text[:limit]
    if len(text) > limit:
        return f"{quoted}… ({len(text):,} characters)"
    return quoted


class MirrorError(Exception):
    """An expected failure: a client's bad request, bad input files, an unusable index.

    ``message`` stands on its own (what went wrong and, where known, what to do).
    """

    status = 500
    title = "Internal Server Error"
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(MirrorError):
    """Input the compile stage refuses: a 400 over HTTP, exit code 2 (a usage error) on the command line."""

    status, title = 400, "Bad Request"
    exit_code = 2


class LimitExceeded(BadRequest):
    """A request over one of the documented work limits; the message names the limit's setting."""


class Unauthorized(MirrorError):
    status, title = 401, "Unauthorized"


class NotFound(MirrorError):
    status, title = 404, "Not Found"


class UnsupportedMediaType(MirrorError):
    status, title = 415, "Unsupported Media Type"


class ServiceUnavailable(MirrorError):
    """The index or engine cannot answer (missing, broken, unreachable): never the client's fault."""

    status, title = 503, "Service Unavailable"


class NotYetSupported(BadRequest):
    """A Lens feature this mirror does not implement yet: a clear 400, never a wrong answer."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is not supported by lens-mirror yet")


class TooManyRequests(MirrorError):
    """Over a bound that waiting lifts: a rate limit, or too many open scrolls (the message says which)."""

    status, title = 429, "Too Many Requests"
