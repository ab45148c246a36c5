"""An Elasticsearch 8 stand-in: a loopback HTTP server that answers as Elasticsearch 8.15 would,
over the real OpenSearch node the engine tests run.

No Elasticsearch 8 can be assembled here (its analysis modules are not on Maven
Central), yet the adapter has an Elasticsearch 8 side: the official ``elasticsearch``
client, which refuses any server without Elasticsearch's product header, and the
point-in-time API, whose paths and keys differ from OpenSearch's. This stand-in
speaks that protocol on the wire and serves real answers from the node:

* ``GET /`` is Elasticsearch 8.15's banner; every answer carries
  ``X-Elastic-Product: Elasticsearch`` and the 8.x compatibility content type;
* ``POST /{index}/_pit`` (answers ``{"id": …}``) and ``DELETE /_pit`` (``{"id": …}``)
  are translated to OpenSearch's ``/_search/point_in_time`` calls; a search naming
  ``pit`` in its body is the same on both;
* anything else is forwarded as it is.

Each request (method, path, JSON body) is recorded in ``calls`` for tests to check.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import orjson

ES8_BANNER = {"name": "es8-standin", "cluster_name": "lens-mirror-tests",
              "version": {"number": "8.15.3", "build_flavor": "default", "lucene_version": "9.11.1",
                          "minimum_wire_compatibility_version": "7.17.0"},
              "tagline": "You Know, for Search"}
ES8_JSON = "application/vnd.elasticsearch+json;compatible-with=8"


class _Handler(BaseHTTPRequestHandler):
    server: _StandIn

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("content-type", ES8_JSON)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        raw = self._body()
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query))
        sent = orjson.loads(raw) if raw and raw[:1] == b"{" else None
        self.server.calls.append((self.command, parts.path, params, sent))
        engine = self.server.engine
        if self.command == "GET" and parts.path == "/":
            return self._answer(200, orjson.dumps(ES8_BANNER))
        if self.command == "POST" and parts.path.endswith("/_pit"):
            index = parts.path[: -len("/_pit")]
            answer = engine.post(f"{index}/_search/point_in_time", params=params)
            body = answer.json()
            return self._answer(answer.status_code, orjson.dumps(
                {"id": body["pit_id"]} if answer.status_code == 200 else body))
        if self.command == "DELETE" and parts.path == "/_pit":
            answer = engine.request("DELETE", "/_search/point_in_time", json={"pit_id": [(sent or {}).get("id")]})
            freed = len(answer.json().get("pits", [])) if answer.status_code == 200 else 0
            return self._answer(answer.status_code, orjson.dumps({"succeeded": True, "num_freed": freed}))
        content_type = "application/x-ndjson" if "ndjson" in self.headers.get("content-type", "") else \
            "application/json"
        answer = engine.request(self.command, parts.path, params=params, content=raw or None,
                                headers={"content-type": content_type} if raw else {})
        return self._answer(answer.status_code, answer.content)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


class _StandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, engine_url: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.engine = httpx.Client(base_url=engine_url, timeout=60)
        self.calls: list[tuple[str, str, dict[str, str], Any]] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def es8_standin(engine_url: str) -> Iterator[_StandIn]:
    """An Elasticsearch 8 stand-in over ``engine_url`` on a free loopback port (``.url``)."""
    server = _StandIn(engine_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        server.engine.close()
