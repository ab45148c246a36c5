"""A small client for the Lens bulk data service.

Three calls: the latest release's metadata, the subscription's download usage,
and the file itself (a 302 to wherever the file lives, resumable with Range).
Every HTTP failure becomes a typed :mod:`mirror.bulk.errors` exception so the
CLI can print one line instead of a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin

import httpx
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator

from mirror import __version__
from mirror.bulk.errors import (
    BulkError,
    NetworkError,
    QuotaExceeded,
    RangeNotSatisfiable,
    RateLimited,
    UpstreamError,
    UpstreamUnauthorized,
)

# Connect fast, but let a read stall for a while: file hosts pause under load,
# and a timeout mid-file only costs a resume, not a restart.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, read=120.0)
MAX_REDIRECTS = 5
# A version and a file name become path components under the download dir, so
# anything that could climb out of it (``..``, ``/``) is refused.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


class Release(BaseModel):
    """Metadata of one bulk release, as ``GET /bulk/{product}/release`` returns it.

    Field names are upstream's (camelCase) so the model round-trips exactly;
    unknown fields are kept (``extra="allow"``) because Lens adds fields
    without notice and ``release.json`` should record them all.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    bulkDataProduct: str | None = None
    dataVersion: int | str
    records: int | str | None = None
    md5sum: str | None = None
    fileName: str
    firstRecordId: str | None = None
    lastRecordId: str | None = None
    dateProcessed: str | int | None = None
    downloadAccessKey: str
    # Documented as the file size; tolerated as a string in case it is ever
    # human-readable ("39.9 GB"), in which case size_bytes is None.
    size: int | str | None = None
    rawSize: int | str | None = None

    # The product we asked for, in case bulkDataProduct is absent.
    _requested_product: str | None = PrivateAttr(default=None)

    @field_validator("dataVersion", "fileName")
    @classmethod
    def _path_safe(cls, value: int | str) -> int | str:
        if not _SAFE_NAME.match(str(value)):
            raise ValueError(f"unsafe as a file name: {value!r}")
        return value

    @field_validator("md5sum")
    @classmethod
    def _normalise_md5(cls, value: str | None) -> str | None:
        return value.strip().lower() if value else None

    @property
    def version(self) -> str:
        """``dataVersion`` as the string used for directories and state keys."""
        return str(self.dataVersion)

    @property
    def product(self) -> str:
        """Lower-case product name (``scholarly`` or ``patent``)."""
        return (self.bulkDataProduct or self._requested_product or "").lower()

    @property
    def size_bytes(self) -> int | None:
        """The compressed file size in bytes, or None when upstream did not give a number."""
        if isinstance(self.size, int):
            return self.size
        if isinstance(self.size, str) and self.size.strip().isdigit():
            return int(self.size)
        return None

    def metadata(self) -> dict[str, Any]:
        """Every field upstream sent, known and unknown, as JSON-ready data."""
        return self.model_dump(mode="json", exclude_unset=True)

    def public_metadata(self) -> dict[str, Any]:
        """The metadata minus ``downloadAccessKey``, which is a credential
        (it buys a download from the quota) and must not land in files on disk."""
        data = self.metadata()
        data.pop("downloadAccessKey", None)
        return data


class BulkClient:
    """Talks to ``{api_url}/bulk/...``; owns one ``httpx.Client`` (close it, or use ``with``)."""

    def __init__(
        self,
        api_url: str,
        token: str | None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token or None
        # Redirects are followed by hand (see open_download), so the client never does.
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": f"lens-mirror/{__version__}"},
        )

    def __enter__(self) -> BulkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- metadata -----------------------------------------------------------

    def release(self, product: str) -> Release:
        """The latest release of ``product`` (scholarly|patent)."""
        data = self._get_json(f"/bulk/{product}/release")
        try:
            release = Release.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            raise UpstreamError(f"malformed {product} release metadata ({where}: {first['msg']})") from exc
        release._requested_product = product
        return release

    def usage(self, product: str) -> list[dict[str, Any]]:
        """The bulk download quota report: ``[{remaining, allowed, frequency, type, resetDate, note}]``."""
        data = self._get_json(f"/subscriptions/{product}_bulk/usage")
        if isinstance(data, dict):  # be lenient: one entry unwrapped
            data = [data]
        if not isinstance(data, list):
            raise UpstreamError(f"unexpected {product} usage report", body=_excerpt(str(data)))
        return [entry for entry in data if isinstance(entry, dict)]

    # -- the file -------------------------------------------------------------

    @contextmanager
    def open_download(self, release: Release, offset: int = 0) -> Iterator[httpx.Response]:
        """Open the release file as a streaming response, from byte ``offset``.

        Yields a 200 (whole file) or 206 (from ``offset``) response whose body
        has not been read; the caller checks which it got, because servers may
        ignore ``Range``. Raises QuotaExceeded on 429 (with the usage report),
        RangeNotSatisfiable on 416, UpstreamUnauthorized on 401/403.
        """
        url = self._url(f"/bulk/download/{release.downloadAccessKey}")
        headers = {"Range": f"bytes={offset}-"} if offset > 0 else {}
        response = self._send("GET", url, headers=headers, stream=True, auth=True)
        try:
            hops = 0
            while response.is_redirect:  # is_redirect implies a Location header
                if hops == MAX_REDIRECTS:
                    raise UpstreamError("too many redirects for the download", status=response.status_code)
                hops += 1
                response.close()
                url = urljoin(str(response.url), response.headers["Location"])
                # The real file lives elsewhere (object storage behind a signed
                # URL): the Bearer token must not leak there, and signed URLs
                # reject a second credential anyway. Only the API's own origin gets it.
                response = self._send("GET", url, headers=headers, stream=True, auth=self._is_api_origin(url))
            if response.status_code == 429:
                response.read()
                raise QuotaExceeded(release.product, self._usage_or_empty(release.product), _body_excerpt(response))
            if response.status_code == 416:
                served = response.headers.get("Content-Range", "")
                raise RangeNotSatisfiable(f"server refused to resume at byte {offset}", status=416, body=served)
            if response.status_code not in (200, 206):
                response.read()
                self._raise_for_status(response, "download")
                raise UpstreamError("download: unexpected HTTP status", status=response.status_code)
            yield response
        finally:
            response.close()

    # -- plumbing -----------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.api_url}{path}"

    def _is_api_origin(self, url: str) -> bool:
        target, api = httpx.URL(url), httpx.URL(self.api_url)
        return (target.scheme, target.netloc) == (api.scheme, api.netloc)

    def _send(self, method: str, url: str, *, headers: dict[str, str], stream: bool, auth: bool) -> httpx.Response:
        if auth and self._token:
            headers = {**headers, "Authorization": f"Bearer {self._token}"}
        try:
            request = self._http.build_request(method, url, headers=headers)
            return self._http.send(request, stream=stream)
        except httpx.InvalidURL as exc:
            raise BulkError(f"invalid URL {url!r}: {exc}") from exc
        except httpx.UnsupportedProtocol as exc:
            raise BulkError(f"invalid URL {url!r}: expected http:// or https://") from exc
        except httpx.TransportError as exc:
            raise NetworkError(f"cannot reach {httpx.URL(url).host}: {exc or type(exc).__name__}") from exc

    def _get_json(self, path: str) -> Any:
        response = self._send("GET", self._url(path), headers={"Accept": "application/json"}, stream=False, auth=True)
        self._raise_for_status(response, path)
        try:
            return response.json()
        except ValueError as exc:
            status, body = response.status_code, _excerpt(response.text)
            raise UpstreamError(f"{path} did not return JSON", status=status, body=body) from exc

    def _raise_for_status(self, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status < 400:
            return
        if status in (401, 403):
            hint = "no token given: set LENS_API_TOKEN or pass --token" if not self._token else "token rejected"
            raise UpstreamUnauthorized(f"{what}: HTTP {status}, {hint}")
        if status == 429:
            retry = response.headers.get("Retry-After") or response.headers.get("x-rate-limit-retry-after-seconds")
            raise RateLimited(f"{what}: rate limited (HTTP 429)" + (f", retry after {retry}s" if retry else ""))
        raise UpstreamError(f"{what}: HTTP {status}", status=status, body=_body_excerpt(response))

    def _usage_or_empty(self, product: str) -> list[dict[str, Any]]:
        # The 429 is the news; a failing usage call must not hide it.
        try:
            return self.usage(product)
        except Exception:  # noqa: BLE001 - best effort by design
            return []


def _body_excerpt(response: httpx.Response) -> str:
    """The upstream ``message`` if the body is Lens-style JSON, else the start of the text."""
    try:
        data = response.json()
    except ValueError:
        return _excerpt(response.text)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return _excerpt(data["message"])
    return _excerpt(response.text)


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
