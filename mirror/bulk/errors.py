"""Typed failures of the bulk data service and of our downloads.

Every class here is an *expected* failure: the CLI prints ``str(exc)`` as one
line and exits 1, so each message must make sense on its own (what went wrong
and, where we know it, what to do next). Anything else is a bug and may
traceback.
"""

from __future__ import annotations

from typing import Any

from mirror.errors import MirrorError


class BulkError(MirrorError):
    """Base of every expected bulk-service or download failure.

    Upstream's failures, not our client's: were one ever answered over HTTP it
    would be a 502.
    """

    status, title = 502, "Bad Gateway"


class NetworkError(BulkError):
    """The service could not be reached, or the connection broke."""


class DownloadInterrupted(NetworkError):
    """The connection dropped mid-file and the in-process retries ran out.

    The partial file is kept, so running the download again resumes at ``offset``.
    """

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class UpstreamUnauthorized(BulkError):
    """Upstream answered 401/403: no token, a wrong token, or a token without bulk access.

    Not :class:`mirror.errors.Unauthorized`, which is a client of *this* mirror without its token.
    """


class RateLimited(BulkError):
    """429 from an endpoint other than the download (plain request rate limit)."""


class QuotaExceeded(RateLimited):
    """429 from the download endpoint: the subscription's download quota is spent.

    ``usage`` is what ``/subscriptions/{product}_bulk/usage`` said at the time
    (empty if that call failed too), so the message can say when it resets.
    """

    def __init__(self, product: str, usage: list[dict[str, Any]], detail: str = "") -> None:
        self.product = product
        self.usage = usage
        super().__init__(_quota_message(product, usage, detail))


class UpstreamError(BulkError):
    """Any other unexpected HTTP status; keeps upstream's status and a body excerpt.

    Upstream's status is ``upstream_status``: ``status`` stays the 502 this error
    would be answered with (the :class:`~mirror.errors.MirrorError` contract).
    """

    def __init__(self, message: str, status: int | None = None, body: str = "") -> None:
        self.upstream_status = status
        self.body = body
        if body:
            message = f"{message}: {body}"
        super().__init__(message)


class RangeNotSatisfiable(UpstreamError):
    """416: the server will not serve the byte range we asked to resume from."""


class VerificationError(BulkError):
    """The downloaded bytes do not match the release metadata."""

    def __init__(self, message: str, expected: object, actual: object) -> None:
        super().__init__(message)
        self.expected = expected
        self.actual = actual


class SizeMismatch(VerificationError):
    """Byte count differs from the release's ``size``."""


class ChecksumMismatch(VerificationError):
    """MD5 differs from the release's ``md5sum``."""


class DownloadLocked(BulkError):
    """Another process is writing the same partial file right now."""


def _quota_message(product: str, usage: list[dict[str, Any]], detail: str) -> str:
    parts = [f"{product} bulk download quota is spent (HTTP 429)"]
    for entry in usage:
        fields = [
            f"remaining {entry.get('remaining', '?')}",
            f"allowed {entry.get('allowed', '?')}",
        ]
        if entry.get("frequency"):
            fields.append(f"per {str(entry['frequency']).lower()}")
        if entry.get("resetDate"):
            fields.append(f"resets {entry['resetDate']}")
        if entry.get("note"):
            fields.append(f"note: {entry['note']}")
        parts.append(", ".join(fields))
    if not usage:
        parts.append("usage report unavailable" + (f"; server said: {detail}" if detail else ""))
    return "; ".join(parts)
