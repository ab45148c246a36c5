"""One error hierarchy for the whole mirror; the API turns each into one JSON shape."""

from __future__ import annotations


class LensError(Exception):
    """An error a client caused or should see; ``status`` is its HTTP status."""

    status = 500
    title = "Internal Server Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(LensError):
    status, title = 400, "Bad Request"


class Unauthorized(LensError):
    status, title = 401, "Unauthorized"


class NotFound(LensError):
    status, title = 404, "Not Found"


class UnsupportedMediaType(LensError):
    status, title = 415, "Unsupported Media Type"


class NotYetSupported(BadRequest):
    """A Lens feature this mirror does not implement yet: a clear 400, never a wrong answer."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is not supported by lens-mirror yet")
