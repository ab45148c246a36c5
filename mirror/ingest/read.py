"""Open Lens bulk inputs as plain binary line streams, and read chunks back.

Inputs are JSON Lines, raw or compressed with gzip or zstd. The compression is
detected from the first bytes (magic numbers), not the file name, so a misnamed
file and stdin (``-``) work the same way. Everything here reads in large blocks:
per-line Python work is the expensive part of handling hundreds of GB.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import orjson
import zstandard
from isal import igzip, isal_zlib

from mirror.ingest.errors import CorruptInputError, InputError, TruncatedInputError
from mirror.ingest.manifest import Chunk, Manifest

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# zstd output per raw read is unbounded by the API; smaller raw reads bound memory.
ZSTD_RAW_READ = 256 << 10
# Decompressed block size for line iteration.
LINE_BLOCK = 4 << 20
STDIN = "-"
CHUNK_SUFFIX = ".jsonl.zst"
MANIFEST_NAME = "manifest.json"


class Source(Protocol):
    """A binary input: a file, stdin, any raw or buffered stream (``read`` may return None)."""

    def read(self, size: int = -1, /) -> bytes | None: ...

    def close(self) -> None: ...


class Readable(Protocol):
    """A decompressed stream: CountingReader, ZstdReader and IGzipFile all have these."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class CountingReader(io.RawIOBase):
    """Wraps the raw (compressed) input and counts bytes consumed.

    Pipes cannot ``tell()``, and progress and error reports want the compressed
    offset for stdin too. ``prefix`` re-serves bytes already read for sniffing.
    """

    def __init__(self, raw: Source, prefix: bytes = b"", owns: bool = True) -> None:
        super().__init__()
        self._raw = raw
        self._prefix = prefix
        self._owns = owns  # close raw with us? Not stdin, not a caller's stream
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        view = memoryview(buf).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
        else:
            data = self._raw.read(len(view))
            n = len(data) if data else 0
            view[:n] = data or b""
        self.consumed += n
        return n

    def read(self, size: int = -1) -> bytes:
        # gzip/zstd readers call read(); go straight to the source, no extra copy.
        if self._prefix:
            out = self._prefix if size < 0 else self._prefix[:size]
            self._prefix = self._prefix[len(out) :]
        else:
            out = self._raw.read(size) or b""
        self.consumed += len(out)
        return out

    def close(self) -> None:
        if self._owns:
            self._raw.close()
        super().close()


class ZstdReader(io.RawIOBase):
    """Streaming zstd decompression that notices a truncated stream.

    ``zstandard``'s ``stream_reader`` reports a stream cut mid-frame as a clean
    end of file, which would make a half-downloaded file look complete. Driving
    ``decompressobj`` ourselves lets us check that the last frame really ended.
    Concatenated frames (``zstd`` output of several runs, ``cat a.zst b.zst``)
    are read as one stream.
    """

    def __init__(self, raw: Readable) -> None:
        super().__init__()
        self._raw = raw
        self._dctx = zstandard.ZstdDecompressor()
        self._dobj = self._dctx.decompressobj()
        self._pending = b""
        self._in_frame = False  # input fed to the current frame that has not ended
        self._eof = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        while not self._pending and not self._eof:
            data = self._raw.read(ZSTD_RAW_READ)
            if not data:
                self._eof = True
                if self._in_frame:
                    raise EOFError("zstd stream ends in the middle of a frame")
                return
            while data:
                self._in_frame = True
                out = self._dobj.decompress(data)
                if out:
                    self._pending = out if not self._pending else self._pending + out
                if not self._dobj.eof:
                    break
                # Frame finished; anything after it starts the next frame.
                data = self._dobj.unused_data
                self._dobj = self._dctx.decompressobj()
                self._in_frame = False

    def read(self, size: int = -1) -> bytes:
        self._fill()
        if size < 0 or size >= len(self._pending):
            out, self._pending = self._pending, b""
        else:
            out, self._pending = self._pending[:size], self._pending[size:]
        return out

    def readinto(self, buf) -> int:
        data = self.read(len(buf))
        memoryview(buf).cast("B")[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class InputStream:
    """A decompressed binary stream plus what progress/error reports need."""

    def __init__(
        self, name: str, compression: str, stream: Readable, counter: CountingReader, size: int | None
    ) -> None:
        self.name = name  # as the user gave it, for messages
        self.compression = compression  # "gzip" | "zstd" | "none"
        self.size = size  # compressed size in bytes when known (files), else None
        self._stream = stream
        self._counter = counter
        self.decompressed = 0  # uncompressed bytes handed out so far

    @property
    def compressed_offset(self) -> int:
        """Compressed (raw) bytes consumed so far."""
        return self._counter.consumed

    def read(self, size: int) -> bytes:
        """Up to ``size`` decompressed bytes; b"" at end. Decoder errors become InputError."""
        try:
            data = self._stream.read(size)
        except EOFError as exc:
            raise TruncatedInputError(self.name, str(exc)) from exc
        except (OSError, isal_zlib.error, zstandard.ZstdError) as exc:  # type: ignore[misc]
            # (the ignore: isal's stub declares ``error: Exception``, an instance; it is the class at run time)
            # BadGzipFile is an OSError; so are real I/O errors, which we also
            # want reported with the file name rather than as a traceback.
            raise CorruptInputError(self.name, str(exc)) from exc
        self.decompressed += len(data)
        return data

    def close(self) -> None:
        # GzipFile leaves a passed-in fileobj open, so close the raw side explicitly.
        self._stream.close()
        self._counter.close()

    def __enter__(self) -> InputStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sniff(raw: Source) -> bytes:
    """First bytes of ``raw`` (fewer only at end of input); pipes may return short reads."""
    head = b""
    while len(head) < 4:
        more = raw.read(4 - len(head))
        if not more:
            break
        head += more
    return head


def open_input(source: str | os.PathLike[str] | Source) -> InputStream:
    """Open ``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst`` or ``-`` (stdin) as decompressed bytes.

    A binary file object is accepted too (it is not seeked; the caller owns it).
    """
    size: int | None = None
    owns = False
    if isinstance(source, (str, os.PathLike)) and os.fspath(source) == STDIN:
        name, raw = "<stdin>", sys.stdin.buffer
    elif isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            raw = open(name, "rb")  # noqa: SIM115 - closed by InputStream.close
            owns = True
            size = os.fstat(raw.fileno()).st_size
        except OSError as exc:
            raise InputError(name, exc.strerror or str(exc)) from exc
    else:
        raw = source
        name = getattr(source, "name", None) or "<stream>"
        name = name if isinstance(name, str) else "<stream>"
    head = _sniff(raw)
    counter = CountingReader(raw, prefix=head, owns=owns)
    stream: Readable
    if head.startswith(GZIP_MAGIC):
        # IGzipFile handles multi-member files (pigz, bgzip, concatenated .gz).
        compression, stream = "gzip", igzip.IGzipFile(fileobj=counter, mode="rb")
    elif head.startswith(ZSTD_MAGIC):
        compression, stream = "zstd", ZstdReader(counter)
    else:
        compression, stream = "none", counter
    return InputStream(name, compression, stream, counter, size)


def iter_blocks(stream: InputStream, block_size: int = LINE_BLOCK) -> Iterator[bytes]:
    """Line-aligned blocks of about ``block_size`` bytes.

    Every block but possibly the last ends with a newline; the last holds a final
    line without one, if the input has it. Lines longer than ``block_size`` are
    kept whole (the block grows; pieces are joined once, not re-copied per read).
    """
    parts: list[bytes | memoryview] = []  # the start of the current, unfinished line
    while True:
        data = stream.read(block_size)
        if not data:
            if parts:
                yield b"".join(parts)
            return
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            parts.append(data)
            continue
        if parts:
            parts.append(memoryview(data)[:cut])
            yield b"".join(parts)  # the one copy of this block
        else:
            yield data if cut == len(data) else data[:cut]
        parts = [data[cut:]] if cut < len(data) else []


def iter_chunk_lines(path: str | os.PathLike[str]) -> Iterator[bytes]:
    """Raw lines of one chunk (or any supported input), without the trailing newline.

    Empty lines are skipped (split never writes them).
    """
    with open_input(path) as stream:
        for block in iter_blocks(stream):
            lines = block.split(b"\n")
            if lines[-1] == b"":
                lines.pop()
            for line in lines:
                if line:
                    yield line


def chunk_paths(target: str | os.PathLike[str]) -> list[Path]:
    """Input files named by ``target``: a file, or a directory of chunks.

    For a split output directory the manifest's chunk list is authoritative (a
    leftover file from an interrupted run is never read); otherwise every
    ``*.jsonl``, ``*.jsonl.gz`` and ``*.jsonl.zst`` file, sorted by name.
    """
    path = Path(target)
    if not path.is_dir():
        return [path]
    manifest = path / MANIFEST_NAME
    if manifest.is_file():
        data = orjson.loads(manifest.read_bytes())
        return [path / c["file"] for c in data.get("chunks", [])]
    found = [
        p for p in path.iterdir() if p.is_file() and p.name.endswith((".jsonl", ".jsonl.gz", CHUNK_SUFFIX))
    ]
    return sorted(found, key=lambda p: p.name)


def chunk_entries(target: str | os.PathLike[str]) -> list[tuple[Path, Chunk | None]]:
    """:func:`chunk_paths` with the manifest entry each file must match (None: no manifest lists it).

    A single chunk file is looked up in the manifest beside it, so naming one chunk
    of a split is verified like naming its directory.
    """
    path = Path(target)
    manifest_path = path / MANIFEST_NAME if path.is_dir() else path.parent / MANIFEST_NAME
    if not manifest_path.is_file():
        return [(p, None) for p in chunk_paths(path)]
    try:
        manifest = Manifest.load(manifest_path)
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(str(manifest_path), f"unreadable split manifest ({exc})") from exc
    if path.is_dir():
        return [(path / c.file, c) for c in manifest.chunks]
    listed = {c.file: c for c in manifest.chunks}
    return [(path, listed.get(path.name))]


def iter_records(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> Iterator[dict]:
    """Parsed records from chunk files and/or directories of chunks, in order.

    This is what the indexer consumes. A line that does not parse as a JSON
    object raises InputError naming the file and line (split output never has one).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for target in paths:
        for path in chunk_paths(target):
            for lineno, line in enumerate(iter_chunk_lines(path), 1):
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise InputError(str(path), f"line {lineno}: not JSON ({exc})") from exc
                if not isinstance(record, dict):
                    raise InputError(str(path), f"line {lineno}: not a JSON object")
                yield record
