"""One small adapter over the two engine clients: Elasticsearch 8.x and OpenSearch 2.x.

The official ``elasticsearch`` client refuses any server that is not Elasticsearch
(and its 9.x major refuses 8.x servers), so the engine is detected once with a
plain ``GET /`` and the matching client is built: ``opensearch-py`` when
``version.distribution`` says ``opensearch``, else ``elasticsearch``. Callers see
only :class:`EngineClient`; every failure of the engine (unreachable, timed out,
missing index, any error it answers with) comes out as :class:`ServiceUnavailable`
with a message naming the engine and what went wrong, never a client exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from mirror.errors import MirrorError, ServiceUnavailable

#: Seconds a request to the engine may take before it is a 503 (``LENS_MIRROR_ES_TIMEOUT``).
DEFAULT_TIMEOUT = 30.0
#: Server majors each pinned client speaks (pyproject: elasticsearch<9, opensearch-py<3).
SUPPORTED = {"elasticsearch": 8, "opensearch": 2}


class IndexMissing(ServiceUnavailable):
    """The index or alias asked for does not exist on the engine."""


@dataclass(frozen=True)
class EngineInfo:
    url: str
    distribution: str  # "elasticsearch" or "opensearch"
    version: str

    def __str__(self) -> str:
        name = "OpenSearch" if self.distribution == "opensearch" else "Elasticsearch"
        return f"{name} {self.version} at {self.url}"


class EngineClient(Protocol):
    """What the backends need from an engine; the write side adds its calls here."""

    info: EngineInfo

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        """The engine's ``_search`` response to ``body``, sent as it is."""

    def get(self, index: str, doc_id: str) -> dict[str, Any] | None:
        """The ``_source`` of one document, or None when there is none with that id."""

    def count(self, index: str) -> int:
        """How many documents ``index`` (or alias) holds."""


def check_url(url: str | None) -> str:
    if not url:
        raise MirrorError(
            "the elasticsearch backend needs the engine's URL: set LENS_MIRROR_ES_URL "
            "(or --es-url), e.g. http://localhost:9200"
        )
    if not url.startswith(("http://", "https://")):
        raise MirrorError(f"LENS_MIRROR_ES_URL={url!r} is not an http:// or https:// URL")
    return url.rstrip("/")


def detect(url: str, timeout: float = DEFAULT_TIMEOUT) -> EngineInfo:
    """Ask the engine at ``url`` what it is (``GET /``)."""
    try:
        response = httpx.get(url + "/", timeout=timeout)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(f"the search engine at {url} cannot be reached: {exc or type(exc).__name__}") from None
    if response.status_code != 200:
        raise ServiceUnavailable(
            f"the search engine at {url} answered GET / with HTTP {response.status_code}: {response.text[:200]}"
        )
    try:
        version = response.json()["version"]
        number = str(version["number"])
    except (ValueError, KeyError, TypeError):
        raise ServiceUnavailable(f"{url} does not look like Elasticsearch or OpenSearch (GET / said "
                                 f"{response.text[:200]!r})") from None
    distribution = "opensearch" if version.get("distribution") == "opensearch" else "elasticsearch"
    info = EngineInfo(url, distribution, number)
    major = number.split(".")[0]
    if not major.isdigit() or int(major) != SUPPORTED[distribution]:
        raise ServiceUnavailable(f"{info} is not supported; lens-mirror serves from Elasticsearch 8.x "
                                 "or OpenSearch 2.x")
    return info


def connect(url: str, timeout: float = DEFAULT_TIMEOUT) -> EngineClient:
    """The client for whatever engine answers at ``url``."""
    info = detect(url, timeout)
    if info.distribution == "opensearch":
        return _OpenSearch(info, timeout)
    return _Elasticsearch(info, timeout)


# -- the two clients -----------------------------------------------------------------------------


def _reason(error: Any) -> str:
    """The engine's own words from an error body: ``type: reason`` of its root cause."""
    if isinstance(error, dict):
        inner = error.get("error", error)
        if isinstance(inner, dict):
            causes = inner.get("root_cause") or [inner]
            cause = causes[0] if isinstance(causes, list) and causes and isinstance(causes[0], dict) else inner
            return f"{cause.get('type', 'error')}: {cause.get('reason', '')}".strip()
        return str(inner)[:300]
    return str(error)[:300]


def _engine_error(info: EngineInfo, doing: str, status: int | None, body: Any, index: str) -> ServiceUnavailable:
    reason = _reason(body)
    if status == 404 and "index_not_found" in reason:
        return IndexMissing(f"{info} has no index {index!r}; load one with "
                            f"'lens-mirror index --backend elasticsearch' first")
    code = f"HTTP {status}" if status else "an error"
    return ServiceUnavailable(f"{info} answered {doing} on {index!r} with {code}: {reason}")


def _unreachable(info: EngineInfo, doing: str, exc: Exception) -> ServiceUnavailable:
    what = "timed out" if "timeout" in type(exc).__name__.lower() else "failed"
    return ServiceUnavailable(f"{doing} on {info} {what}: {exc or type(exc).__name__}")


class _Elasticsearch:
    def __init__(self, info: EngineInfo, timeout: float) -> None:
        from elasticsearch import Elasticsearch

        self.info = info
        self._client = Elasticsearch(info.url, request_timeout=timeout, max_retries=1, retry_on_timeout=False)

    def _call(self, doing: str, index: str, call: Any) -> Any:
        import elastic_transport
        from elasticsearch import ApiError

        try:
            response = call()
        except ApiError as exc:
            raise _engine_error(self.info, doing, exc.meta.status, exc.body, index) from None
        except (elastic_transport.TransportError, OSError) as exc:
            raise _unreachable(self.info, doing, exc) from None
        return None if response is None else response.body

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("a search", index, lambda: self._client.search(index=index, body=body))
        return result

    def get(self, index: str, doc_id: str) -> dict[str, Any] | None:
        from elasticsearch import NotFoundError

        def fetch() -> Any:
            try:
                return self._client.get(index=index, id=doc_id)
            except NotFoundError as exc:
                if isinstance(exc.body, dict) and exc.body.get("found") is False:
                    return None  # the index is there, the document is not
                raise

        found = self._call("a get", index, fetch)
        if found is None:
            return None
        source: dict[str, Any] = found["_source"]
        return source

    def count(self, index: str) -> int:
        return int(self._call("a count", index, lambda: self._client.count(index=index))["count"])


class _OpenSearch:
    def __init__(self, info: EngineInfo, timeout: float) -> None:
        from opensearchpy import OpenSearch

        self.info = info
        self._client = OpenSearch(info.url, timeout=timeout, max_retries=1, retry_on_timeout=False)

    def _call(self, doing: str, index: str, call: Any) -> Any:
        from opensearchpy import exceptions

        try:
            return call()
        except (exceptions.ConnectionError, exceptions.ConnectionTimeout) as exc:  # subclasses of TransportError
            raise _unreachable(self.info, doing, exc) from None
        except exceptions.TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else None
            raise _engine_error(self.info, doing, status, exc.info, index) from None
        except (exceptions.OpenSearchException, OSError) as exc:
            raise _unreachable(self.info, doing, exc) from None

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("a search", index, lambda: self._client.search(index=index, body=body))
        return result

    def get(self, index: str, doc_id: str) -> dict[str, Any] | None:
        from opensearchpy import NotFoundError

        def fetch() -> Any:
            try:
                return self._client.get(index=index, id=doc_id)
            except NotFoundError as exc:
                if isinstance(exc.info, dict) and exc.info.get("found") is False:
                    return None
                raise

        found = self._call("a get", index, fetch)
        if found is None:
            return None
        source: dict[str, Any] = found["_source"]
        return source

    def count(self, index: str) -> int:
        return int(self._call("a count", index, lambda: self._client.count(index=index))["count"])
