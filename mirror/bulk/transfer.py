"""Moving the bytes of one release file: the part a download-to-file and a
streamed sync share.

:class:`Transfer` yields the file's raw bytes from some offset, MD5-hashing
everything it yields, and survives dropped connections by reconnecting with
``Range: bytes={position}-``. When a server ignores ``Range`` (200 instead of
206) it does one of two things, chosen by the consumer:

* **restart** (a file on disk): call ``on_restart`` so the consumer truncates,
  reset the hash, and take the file from byte 0;
* **skip** (a pipe into the splitter, which cannot un-read): discard the bytes
  the consumer already has and carry on where it was.

:class:`ReleaseStream` wraps a transfer as a readable binary file, so
``gzip.open(stream)`` or any reader can consume a download without the ``.gz``
ever touching disk; call :meth:`ReleaseStream.verify` at the end.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections.abc import Callable, Generator, Iterator

import httpx

from mirror.bulk.client import BulkClient, Release
from mirror.bulk.errors import (
    ChecksumMismatch,
    DownloadInterrupted,
    NetworkError,
    RangeNotSatisfiable,
    SizeMismatch,
    UpstreamError,
)
from mirror.bulk.progress import ProgressCallback

# Gateway hiccups of the file host are worth another try; other statuses are not.
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


class Transfer:
    """One resumable pass over a release file's bytes, hashing as it goes."""

    def __init__(
        self,
        client: BulkClient,
        release: Release,
        *,
        offset: int = 0,
        md5: hashlib._Hash | None = None,
        on_restart: Callable[[], None] | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        on_progress: ProgressCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # ``offset`` bytes are already with the consumer and already in ``md5``.
        if offset and md5 is None:
            raise ValueError("resuming at an offset needs the md5 of the bytes before it")
        self.client = client
        self.release = release
        self.position = offset
        self.total = release.size_bytes
        self._md5 = md5 or hashlib.md5()
        self._on_restart = on_restart
        self._retries = retries
        self._backoff = backoff
        self._on_progress = on_progress
        self._sleep = sleep
        self._high_water = offset

    @property
    def md5_hex(self) -> str:
        return self._md5.hexdigest()

    def chunks(self) -> Generator[bytes, None, None]:
        """Yield the rest of the file; reconnect on drops, up to ``retries`` times without progress."""
        failures = 0
        while True:
            high_before = self._high_water
            try:
                complete = yield from self._attempt()
                if complete:
                    return
                # The server closed cleanly before the size it never declared: a drop in disguise.
                cause: Exception = NetworkError(f"connection closed at byte {self.position}")
            except RangeNotSatisfiable as exc:
                # Usually a .part that is not a prefix of this file; a file consumer can start over.
                if self._on_restart is None or self.position == 0:
                    raise
                self._restart()
                cause = exc
            except (httpx.TransportError, NetworkError) as exc:
                cause = exc
            except UpstreamError as exc:
                if exc.upstream_status not in TRANSIENT_STATUSES:
                    raise
                cause = exc
            # Only attempts that got further than ever before earn fresh retries; a
            # server that drops at the same place every time must not loop forever.
            failures = 1 if self._high_water > high_before else failures + 1
            if failures > self._retries:
                if self.position == 0 and isinstance(cause, NetworkError):
                    raise cause
                raise DownloadInterrupted(
                    f"download of {self.release.fileName} interrupted at byte {self.position}"
                    f"{_of(self.total)} ({_describe(cause)}); run the command again to resume",
                    offset=self.position,
                ) from cause
            self._sleep(self._backoff * 2 ** (failures - 1))

    def verify(self) -> None:
        """Raise SizeMismatch/ChecksumMismatch unless what passed through matches the metadata."""
        name = self.release.fileName
        if self.total is not None and self.position != self.total:
            raise SizeMismatch(
                f"{name}: received {self.position} bytes but the release says {self.total}", self.total, self.position
            )
        expected = self.release.md5sum
        if expected and self.md5_hex != expected:
            actual = self.md5_hex
            raise ChecksumMismatch(f"{name}: md5 mismatch (got {actual}, release says {expected})", expected, actual)

    # -- one connection -----------------------------------------------------

    def _attempt(self) -> Generator[bytes, None, bool]:
        """Stream one response; return True when the file is complete (as far as we can tell)."""
        with self.client.open_download(self.release, self.position) as response:
            start, declared_total = _response_range(response)
            if declared_total is not None:
                if self.total is not None and declared_total != self.total:
                    # Caught before downloading gigabytes we would then reject.
                    raise SizeMismatch(
                        f"{self.release.fileName}: the server's file is {declared_total} bytes "
                        f"but the release says {self.total}",
                        self.total,
                        declared_total,
                    )
                self.total = declared_total
            skip = 0
            if start > self.position:
                raise UpstreamError(f"asked to resume at byte {self.position}, server sent from byte {start}")
            if start < self.position:  # Range ignored (200, or a 206 from further back)
                if self._on_restart is not None and start == 0:
                    self._restart()
                else:
                    skip = self.position - start
            self._report()
            # iter_raw, never iter_bytes: a .gz served with Content-Encoding: gzip
            # would otherwise be inflated by httpx and fail the md5. And no
            # chunk_size: httpx would hold received bytes back to fill a chunk,
            # and lose them when the connection drops.
            for chunk in response.iter_raw():
                if skip:
                    if len(chunk) <= skip:
                        skip -= len(chunk)
                        continue
                    chunk, skip = chunk[skip:], 0
                self._md5.update(chunk)
                self.position += len(chunk)
                self._high_water = max(self._high_water, self.position)
                if self.total is not None and self.position > self.total:
                    raise SizeMismatch(
                        f"{self.release.fileName}: server sent more than the {self.total} bytes the release says",
                        self.total,
                        self.position,
                    )
                self._report()
                yield chunk
        # A clean end short of the known size is treated as a drop (the caller
        # resumes); an honest short file was already refused from its headers.
        return self.total is None or self.position >= self.total

    def _restart(self) -> None:
        assert self._on_restart is not None
        self._on_restart()
        self.position = 0
        self._md5 = hashlib.md5()
        self._report()

    def _report(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.position, self.total)


class ReleaseStream(io.RawIOBase):
    """A transfer as a read-only binary file (``read``, ``readinto``) plus ``chunks()``."""

    def __init__(self, transfer: Transfer) -> None:
        super().__init__()
        self.transfer = transfer
        self._chunks = transfer.chunks()
        self._buf = memoryview(b"")
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if not self._buf and not self._fill():
            return 0
        n = min(len(buffer), len(self._buf))
        buffer[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def chunks(self) -> Iterator[bytes]:
        """The unread rest of the file as it arrives (no extra copy per chunk)."""
        while self._buf or self._fill():
            whole = len(self._buf) == len(self._buf.obj)  # type: ignore[arg-type]
            chunk = self._buf.obj if whole else bytes(self._buf)
            self._buf = memoryview(b"")
            yield chunk  # type: ignore[misc]

    @property
    def position(self) -> int:
        """Bytes received so far (including any not yet read from the buffer)."""
        return self.transfer.position

    @property
    def md5_hex(self) -> str:
        return self.transfer.md5_hex

    def verify(self, drain: bool = True) -> None:
        """Check size and md5. With ``drain``, first read whatever the consumer
        left unread (a gzip reader may stop before trailing bytes) so the hash
        covers the whole file."""
        if drain:
            for _ in self.chunks():
                pass
        self.transfer.verify()

    def close(self) -> None:
        self._chunks.close()  # closes the HTTP response if still open
        super().close()

    def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            self._buf = memoryview(next(self._chunks))
        except StopIteration:
            self._eof = True
            return False
        return True


def open_release_stream(
    client: BulkClient,
    release: Release,
    *,
    retries: int = 3,
    backoff: float = 1.0,
    on_progress: ProgressCallback | None = None,
) -> ReleaseStream:
    """Stream ``release``'s file (the gzip bytes as served) for piping into the splitter.

    Drops are resumed in-process with Range; a server that ignores Range is
    handled by skipping what was already delivered. Nothing is trusted until
    :meth:`ReleaseStream.verify` passes, so consumers should write their output
    somewhere provisional and publish it only after that.
    """
    return ReleaseStream(Transfer(client, release, retries=retries, backoff=backoff, on_progress=on_progress))


def _response_range(response: httpx.Response) -> tuple[int, int | None]:
    """(first byte offset, full file size if the server declared it)."""
    if response.status_code == 206:
        match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
        if not match:
            raise UpstreamError("206 without a usable Content-Range", status=206)
        total = match.group(3)
        return int(match.group(1)), None if total == "*" else int(total)
    length = response.headers.get("Content-Length")
    return 0, int(length) if length and length.isdigit() else None


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _of(total: int | None) -> str:
    return f" of {total}" if total is not None else ""

