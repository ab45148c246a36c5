"""A local stand-in for the Lens bulk data service, for tests.

A real HTTP/1.1 server on 127.0.0.1 (ephemeral port) in a background thread,
so the client's redirect, Range and broken-connection handling run against
real sockets. Behaviour is switched per test through attributes:

* ``token``: the Bearer token required on ``/bulk/*`` and ``/subscriptions/*``
* ``honour_range``: False answers every Range request with the whole file (200)
* ``drop_after`` + ``drops``: the next ``drops`` file responses stop after
  ``drop_after`` body bytes and close the connection (Content-Length promised more)
* ``truncate_to``: serve only the first N bytes, honestly (Content-Length N)
* ``unavailable``: the next N file requests answer 503
* ``quota_spent``: ``/bulk/download/{key}`` answers 429; usage reports ``remaining: 0``
* ``redirect_host``: host name in the 302 (default ``localhost``: cross-origin;
  the file endpoint, like a signed URL, refuses requests carrying Authorization)

``requests`` logs every request (method, path, headers) for assertions.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

RESET_DATE = "2031-01-01T00:00:00Z"


def make_bulk_file(records: int = 2000, seed: int = 7) -> bytes:
    """A deterministic gzip'd JSON Lines file, poorly compressible so it spans many chunks."""
    rng = random.Random(seed)
    lines = []
    for i in range(records):
        lens_id = "-".join(f"{rng.randrange(1000):03d}" for _ in range(4)) + f"-{rng.randrange(100):02d}X"
        noise = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(300))
        lines.append(json.dumps({"lens_id": lens_id, "n": i, "abstract": noise}))
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


@dataclass
class StubFile:
    product: str
    version: int
    content: bytes
    name: str
    key: str
    meta: dict[str, Any] = field(default_factory=dict)  # overrides/extra metadata fields

    def release_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "bulkDataProduct": self.product.upper(),
            "dataVersion": self.version,
            "records": 2000,
            "md5sum": hashlib.md5(self.content).hexdigest(),
            "fileName": self.name,
            "firstRecordId": "000-000-000-000-00X",
            "lastRecordId": "999-999-999-999-99X",
            "dateProcessed": "2030-06-01T12:00:00Z",
            "downloadAccessKey": self.key,
            "size": len(self.content),
            "rawSize": len(gzip.decompress(self.content)),
        }
        doc.update(self.meta)
        return doc


@dataclass
class Request:
    method: str
    path: str
    headers: Message  # case-insensitive, as received


class BulkStub:
    """The server and its switches; start()/stop(), or use the ``bulk_stub`` fixture."""

    def __init__(self, token: str = "stub-token") -> None:
        self.token = token
        self.files: dict[str, StubFile] = {}
        self.honour_range = True
        self.drop_after: int | None = None
        self.drops = 0
        self.truncate_to: int | None = None
        self.unavailable = 0
        self.quota_spent = False
        # Another origin than the API's (as upstream, where files sit on object
        # storage), so the client must drop its token when following the 302.
        self.redirect_host = "localhost"
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- setup --------------------------------------------------------------

    def publish(self, product: str, content: bytes, version: int = 203024, **meta: Any) -> StubFile:
        """Make ``content`` the latest ``product`` release; ``meta`` overrides metadata fields."""
        name = f"{product}-{version}-0bd17e86.jsonl.gz"
        stub = StubFile(product, version, content, name, key=f"key-{product}-{version}", meta=meta)
        self.files[product] = stub
        return stub

    def usage(self) -> list[dict[str, Any]]:
        remaining = 0 if self.quota_spent else 4
        return [
            {
                "remaining": remaining,
                "allowed": 5,
                "frequency": "MONTHLY",
                "type": "DOWNLOAD",
                "resetDate": RESET_DATE,
                "note": "stub quota",
            }
        ]

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def file_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.startswith("/files/")]

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"stub": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="bulkstub", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _take_drop(self) -> int | None:
        with self._lock:
            if self.drop_after is None or self.drops <= 0:
                return None
            self.drops -= 1
            return self.drop_after


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    stub: BulkStub
    server: ThreadingHTTPServer  # the stub's own (start() builds it)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        stub = self.stub
        path = self.path.split("?", 1)[0]
        stub.requests.append(Request("GET", path, self.headers))
        if m := re.fullmatch(r"/bulk/(\w+)/release", path):
            if self._authorised():
                release = stub.files.get(m.group(1))
                if release is None:
                    self._json(404, {"message": f"no release for {m.group(1)}"})
                else:
                    self._json(200, release.release_doc())
        elif re.fullmatch(r"/subscriptions/(\w+)_bulk/usage", path):
            if self._authorised():
                self._json(200, stub.usage())
        elif m := re.fullmatch(r"/bulk/download/([\w-]+)", path):
            if self._authorised():
                found = next((f for f in stub.files.values() if f.key == m.group(1)), None)
                if found is None:
                    self._json(404, {"message": "unknown download key"})
                elif stub.quota_spent:
                    self._json(429, {"message": "Download quota exceeded"})
                else:
                    port = self.server.server_port
                    self.send_response(302)
                    self.send_header("Location", f"http://{stub.redirect_host}:{port}/files/{found.name}?sig=abc")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
        elif m := re.fullmatch(r"/files/([\w.-]+)", path):
            self._file(m.group(1))
        else:
            self._json(404, {"message": "not found"})

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {self.stub.token}":
            return True
        self._json(401, {"message": "Invalid or missing access token"})
        return False

    def _file(self, name: str) -> None:
        stub = self.stub
        found = next((f for f in stub.files.values() if f.name == name), None)
        if found is None:
            self._json(404, {"message": "no such file"})
            return
        if self.headers.get("Authorization"):
            # Like a signed object-store URL: a second credential is an error.
            self._json(400, {"message": "Only one auth mechanism allowed"})
            return
        with stub._lock:
            busy, stub.unavailable = stub.unavailable > 0, max(0, stub.unavailable - 1)
        if busy:
            self._json(503, {"message": "Slow Down"})
            return
        data = found.content if stub.truncate_to is None else found.content[: stub.truncate_to]
        start, status = 0, 200
        wanted = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if wanted and stub.honour_range:
            start, status = int(wanted.group(1)), 206
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        body = data[start:]
        self.send_response(status)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        cut = stub._take_drop()
        if cut is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[:cut])
        self.wfile.flush()
        self.close_connection = True  # hang up with the promised length unsent

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing from the developer's shell may steer these tests (or reach the internet):
    no LENS_MIRROR_* setting, no Lens token, no proxy. Autouse where imported."""
    for name in list(os.environ):
        if name.startswith("LENS_MIRROR_") or name == "LENS_API_TOKEN" or name in _PROXIES:
            monkeypatch.delenv(name)


@pytest.fixture
def bulk_stub() -> Iterator[BulkStub]:
    """A running stub with no releases published yet; stopped after the test."""
    stub = BulkStub()
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()
