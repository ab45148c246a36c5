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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import orjson

from mirror.errors import LimitExceeded, MirrorError, ServiceUnavailable

from .serial import elasticsearch_serializers, opensearch_serializer

#: Seconds a request to the engine may take before it is a 503 (``LENS_MIRROR_ES_TIMEOUT``).
DEFAULT_TIMEOUT = 30.0
#: Server majors each pinned client speaks (pyproject: elasticsearch<9, opensearch-py<3).
SUPPORTED = {"elasticsearch": 8, "opensearch": 2}


class EngineError(ServiceUnavailable):
    """The engine answered with an error (``engine_status``: its HTTP status; None when it never
    answered). Still a 503 to API clients: ``status`` is ours, not the engine's."""

    def __init__(self, message: str, engine_status: int | None = None) -> None:
        super().__init__(message)
        self.engine_status = engine_status


class IndexMissing(EngineError):
    """The index or alias asked for does not exist on the engine."""


class EngineBusy(EngineError):
    """The engine could not take the request now (HTTP 429 or 503, or it could not be reached):
    the same request may succeed later (the bulk writer retries it with backoff)."""


class TooManyBuckets(LimitExceeded, EngineError):
    """The engine refused to make that many aggregation buckets (its ``search.max_buckets``):
    the request's size, not the engine's health, so a 400 as the embedded backend answers it."""


def _error_types(error: Any) -> set[str]:
    """Every ``type`` in an engine error body: the error, its root causes and its caused_by chain."""
    found: set[str] = set()
    stack = [error.get("error", error)] if isinstance(error, dict) else []
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.add(str(node.get("type", "")))
            stack.extend(node.get("root_cause") or [])
            stack.append(node.get("caused_by"))
    return found


#: Statuses that mean "too busy now, try again": the bulk writer backs off and resends.
RETRY_STATUSES = frozenset({429, 503})


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

    def open_pit(self, index: str, keep_alive: str) -> str:
        """A point in time on ``index`` (or alias) kept ``keep_alive`` (``"90s"``); its id."""

    def search_pit(self, pit_id: str, body: dict[str, Any], keep_alive: str) -> dict[str, Any]:
        """``_search`` of ``body`` in the point in time, renewing it; the answer's ``pit_id`` replaces the id."""

    def close_pit(self, pit_id: str) -> None:
        """Release a point in time."""

    def request(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        """Any other REST call, the same on both engines (index management, ``_bulk``): ``body``
        is a dict (sent as JSON) or ready bytes (``_bulk``'s NDJSON); returns the parsed answer.
        A 429/503 or an unreachable engine is :class:`EngineBusy`; any other error status is
        :class:`ServiceUnavailable` (:class:`IndexMissing` for an index that is not there)."""


class PointInTime:
    """Point-in-time calls (a scroll's snapshot), where the two engines differ only in paths and keys.

    Elasticsearch 8: ``POST /{index}/_pit`` answers ``id``, ``DELETE /_pit`` takes ``{"id": …}``;
    OpenSearch 2: ``POST /{index}/_search/point_in_time`` answers ``pit_id``, ``DELETE
    /_search/point_in_time`` takes ``{"pit_id": [...]}``. A search names the point in time in its
    body (``pit: {id, keep_alive}``, no index in the path) on both, and may answer a new id.
    """

    _open_path = "/{index}/_pit"
    _open_key = "id"
    #: The engine client's REST call (see EngineClient.request); each client class defines it.
    request: Callable[..., Any]

    def open_pit(self, index: str, keep_alive: str) -> str:
        answer = self.request("POST", self._open_path.format(index=index), params={"keep_alive": keep_alive})
        return str(answer[self._open_key])

    def search_pit(self, pit_id: str, body: dict[str, Any], keep_alive: str) -> dict[str, Any]:
        pinned = {**body, "pit": {"id": pit_id, "keep_alive": keep_alive}}
        result: dict[str, Any] = self.request("POST", "/_search", pinned)
        return result

    def close_pit(self, pit_id: str) -> None:
        self.request("DELETE", "/_pit", {"id": pit_id})


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


def connect(url: str, timeout: float = DEFAULT_TIMEOUT, retries: int = 1, connections: int = 10) -> EngineClient:
    """The client for whatever engine answers at ``url``; ``retries``: the client's own resends
    (the bulk writer passes 0 and retries itself, with backoff); ``connections``: kept open at once."""
    info = detect(url, timeout)
    if info.distribution == "opensearch":
        return _OpenSearch(info, timeout, retries, connections)
    return _Elasticsearch(info, timeout, retries, connections)


def _request_body(body: Any) -> tuple[Any, dict[str, str]]:
    """The body as bytes with its content type: NDJSON when it is already bytes (``_bulk``)."""
    if body is None:
        return None, {"accept": "application/json"}
    if isinstance(body, bytes):
        return body, {"content-type": "application/x-ndjson", "accept": "application/json"}
    return orjson.dumps(body), {"content-type": "application/json", "accept": "application/json"}


def _path_index(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0] or "/"


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


def _engine_error(info: EngineInfo, doing: str, status: int | None, body: Any, index: str) -> EngineError:
    reason = _reason(body)
    if status == 404 and "index_not_found" in reason:
        return IndexMissing(f"{info} has no index {index!r}; load one with "
                            f"'lens-mirror index --backend elasticsearch' first", status)
    if "too_many_buckets_exception" in _error_types(body):
        return TooManyBuckets(f"an aggregation would make too many buckets ({info} refused: {reason}); "
                              "narrow the query or widen the interval", status)
    code = f"HTTP {status}" if status else "an error"
    if status in RETRY_STATUSES:
        return EngineBusy(f"{info} answered {doing} on {index!r} with {code}: {reason}", status)
    return EngineError(f"{info} answered {doing} on {index!r} with {code}: {reason}", status)


def _unreachable(info: EngineInfo, doing: str, exc: Exception) -> ServiceUnavailable:
    what = "timed out" if "timeout" in type(exc).__name__.lower() else "failed"
    return ServiceUnavailable(f"{doing} on {info} {what}: {exc or type(exc).__name__}")


class _Elasticsearch(PointInTime):
    def __init__(self, info: EngineInfo, timeout: float, retries: int = 1, connections: int = 10) -> None:
        from elasticsearch import Elasticsearch

        self.info = info
        self._client = Elasticsearch(info.url, request_timeout=timeout, max_retries=retries, retry_on_timeout=False,
                                     retry_on_status=(), connections_per_node=connections,
                                     serializers=elasticsearch_serializers())

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

    def request(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        import elastic_transport
        from elasticsearch import ApiError

        data, headers = _request_body(body)
        doing, index = f"{method} {path.split('?')[0]}", _path_index(path)
        try:
            response = self._client.perform_request(method, path, params=params, headers=headers, body=data)
        except ApiError as exc:
            raise _engine_error(self.info, doing, exc.meta.status, exc.body, index) from None
        except (elastic_transport.TransportError, OSError) as exc:
            raise _busy(_unreachable(self.info, doing, exc)) from None
        return response.body


class _OpenSearch(PointInTime):
    _open_path = "/{index}/_search/point_in_time"
    _open_key = "pit_id"

    def close_pit(self, pit_id: str) -> None:
        self.request("DELETE", "/_search/point_in_time", {"pit_id": [pit_id]})

    def __init__(self, info: EngineInfo, timeout: float, retries: int = 1, connections: int = 10) -> None:
        from opensearchpy import OpenSearch

        self.info = info
        self._client = OpenSearch(info.url, timeout=timeout, max_retries=retries, retry_on_timeout=False,
                                  retry_on_status=(), pool_maxsize=connections, serializer=opensearch_serializer())

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

    def request(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        from opensearchpy import exceptions

        data, headers = _request_body(body)
        doing, index = f"{method} {path.split('?')[0]}", _path_index(path)
        try:
            return self._client.transport.perform_request(method, path, params=params, body=data, headers=headers)
        except (exceptions.ConnectionError, exceptions.ConnectionTimeout) as exc:
            raise _busy(_unreachable(self.info, doing, exc)) from None
        except exceptions.TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else None
            raise _engine_error(self.info, doing, status, exc.info, index) from None
        except (exceptions.OpenSearchException, OSError) as exc:
            raise _busy(_unreachable(self.info, doing, exc)) from None


def _busy(error: ServiceUnavailable) -> EngineBusy:
    return EngineBusy(error.message)
