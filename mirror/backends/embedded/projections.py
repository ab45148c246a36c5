"""Export projections: each record's small fields kept beside the index, for include-only reads.

A scroll export asks for a few fields of every record (``include: ["lens_id",
"title"]``). Through tantivy's doc store each record costs reading and
decompressing the whole stored record (5 KB: ~40 µs) and parsing it (~35 µs), to
keep 100 bytes of it: 10,000 records a second at best.

So the indexer also writes each record *pruned* to ``projections.bin`` in the
version's directory, and the record's place in that file to its ``_projection``
column. Pruning drops every value whose JSON is longer than
``LENS_MIRROR_EXPORT_FIELD_BYTES`` (objects are pruned inside instead of dropped
whole) and lists the paths it dropped. A projection whose include paths touch no
dropped path is then answered from the pruned copy (~1 KB, no decompression,
decoded only as far as the included fields): the same fields with the same values.
Anything else (an include reaching a dropped path, wildcards, excludes, an index
built with the store switched off) reads the stored record, as before.

Fields answered from the pruned copy come in the records' own order as Lens writes
them (:func:`mirror.catalogue.record_key_order`); JSON objects are unordered, and
Lens's records all follow that order.

The file is only ever appended to. Entries are ``u32 length ‖ msgpack [dropped
paths, lens_id, pruned record]``; the column holds the entry's offset plus one (0: no entry). A
commit flushes and syncs the file before tantivy commits, so every committed
document's entry is on disk; entries of an interrupted run are left unreferenced.
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec
import orjson

from mirror.backends.source import WHOLE, include_tree, included
from mirror.catalogue import record_key_order

FILE = "projections.bin"
_LENGTH = struct.Struct("<I")
_FIELDS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_MSGPACK = msgspec.msgpack.Encoder()


# -- writing -----------------------------------------------------------------------------------


def pruned_entry(line: bytes, limit: int) -> bytes:
    """The entry for one record line: msgpack ``[dropped paths, lens_id, kept]``.

    ``kept`` maps each kept field to its JSON text, exactly as the line has it (nothing is
    re-serialised), or for a pruned object to the same kind of map. The dropped paths are
    one string, newline-separated. ``lens_id`` is always kept: it answers ``_id`` and the
    tie-breaker's sort value. msgpack, because a reader skips the fields it does not want
    by their length instead of scanning their text (3x faster than a JSON entry).
    """
    dropped: list[str] = []
    kept = _prune(line, "", limit, dropped)
    return _MSGPACK.encode(("\n".join(dropped), orjson.loads(kept["lens_id"]), kept))


def _prune(raw: bytes | msgspec.Raw, path: str, limit: int, dropped: list[str]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in _FIELDS.decode(raw).items():
        child = f"{path}.{key}" if path else key
        if len(value) <= limit or child == "lens_id":
            kept[key] = bytes(value)
        elif memoryview(value)[:1] == b"{":  # an object: keep its small parts
            kept[key] = _prune(value, child, limit, dropped)
        else:
            dropped.append(child)
    return kept


class ProjectionLog:
    """The writer's side of one version's ``projections.bin``: appends entries.

    Appends go after whatever the file holds (an interrupted run's unreferenced
    entries included: they only cost space). :meth:`sync` makes everything
    appended durable; :meth:`rollback` cuts the file back to what it held at the
    last commit (after a failed write, so a full disk does not stay full).
    """

    def __init__(self, path: Path, limit: int) -> None:
        self.path, self.limit = path, limit
        self._file = open(path, "ab") if limit > 0 else None  # noqa: SIM115 - held until close()
        self._end = self._committed = self._file.tell() if self._file else 0

    def append(self, line: bytes) -> int:
        """Write the entry of ``line``; its column value (0: the store is switched off)."""
        if self._file is None:
            return 0
        entry = pruned_entry(line, self.limit)
        self._file.write(_LENGTH.pack(len(entry)) + entry)
        offset, self._end = self._end, self._end + _LENGTH.size + len(entry)
        return offset + 1

    def sync(self) -> int:
        """Flush and fsync (before the index commits); the file's length, all of it durable."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
        return self._end

    def committed(self, length: int) -> None:
        """The index committed documents pointing up to ``length``: a rollback keeps that much."""
        self._committed = length

    def rollback(self) -> None:
        if self._file is None:
            return
        try:
            self._file.close()  # unwritten buffered bytes may fail again: dropped with the file object
        except OSError:
            pass
        os.truncate(self.path, self._committed)
        self._file = open(self.path, "ab")  # noqa: SIM115 - held until close()
        self._end = self._committed

    def close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            file.close()


# -- reading -----------------------------------------------------------------------------------


class ProjectionStore:
    """The reader's side: entries by column value, from a memory map of the file.

    The file grows while a version is being indexed and read at once; an entry past
    the mapped end maps the file again.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._map: mmap.mmap | None = None
        self._lock = threading.Lock()

    def entries(self, columns: Sequence[int]) -> list[bytes | None]:
        """The entry behind each column value; None where there is none (0, or past the file's end)."""
        view = self._mapped(max(columns, default=0) + _LENGTH.size)
        out: list[bytes | None] = []
        for column in columns:
            entry = _entry(view, column - 1) if column else None
            if entry is None and column:  # written after the map was made: map the file again
                view = self._mapped(os.stat(self.path).st_size if self.path.exists() else 0)
                entry = _entry(view, column - 1)
            out.append(entry)
        return out

    def _mapped(self, needed: int) -> mmap.mmap | None:
        view = self._map
        if view is not None and len(view) >= needed:
            return view
        with self._lock:
            if self._map is None or len(self._map) < needed:
                try:
                    with open(self.path, "rb") as file:
                        size = os.fstat(file.fileno()).st_size
                        # the old map is left to the readers still using it (closed when unreferenced)
                        self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if size else None
                except FileNotFoundError:
                    self._map = None
            return self._map


def _entry(view: mmap.mmap | None, offset: int) -> bytes | None:
    """The entry at ``offset`` of the map; None when the map does not hold all of it."""
    if view is None or offset + _LENGTH.size > len(view):
        return None
    start = offset + _LENGTH.size
    end = start + _LENGTH.unpack_from(view, offset)[0]
    return view[start:end] if end <= len(view) else None


# -- projecting ----------------------------------------------------------------------------------


class Projector:
    """Projects pruned entries for one list of include paths (wildcard-free; no excludes)."""

    def __init__(self, product: str, includes: tuple[str, ...]) -> None:
        tree = include_tree(includes)
        # (field, None: whole | the include tree below it), in the order Lens writes fields
        self._plan = [(k, None if tree[k] is WHOLE else tree[k]) for k in record_key_order(product) if k in tree]
        kept: Any = msgspec.defstruct("Kept", [(k, bytes | dict[str, Any] | None, None) for k, _ in self._plan])
        self._decoder: msgspec.msgpack.Decoder[Any] = msgspec.msgpack.Decoder(tuple[str, str, kept])
        self._includes = includes
        self._servable: dict[str, bool] = {}

    def project(self, entry: bytes) -> tuple[str, dict[str, Any]] | None:
        """The record's Lens ID and projection (orjson fragments); None when an include needs
        a value pruning dropped."""
        dropped, lens_id, kept = self._decoder.decode(entry)
        if dropped:
            servable = self._servable.get(dropped)
            if servable is None:
                if len(self._servable) >= _SERVABLE_CACHE:  # records differ in what was dropped: stay bounded
                    self._servable.clear()
                paths = dropped.split("\n")
                servable = self._servable[dropped] = not any(_touches(p, d) for p in self._includes for d in paths)
            if not servable:
                return None
        record: dict[str, Any] = {}
        for key, sub in self._plan:
            value = getattr(kept, key)
            if value is None:
                continue
            if sub is None:
                record[key] = _FRAGMENT(value) if type(value) is bytes else _fragments(value)
                continue
            plain = _plain(value)
            result = included(plain, sub) if isinstance(plain, (dict, list)) else None
            if result not in (None, {}, []):
                record[key] = result
        return lens_id, record


_FRAGMENT = orjson.Fragment
_SERVABLE_CACHE = 4096  # answers kept per projector, keyed by a record's dropped paths


def _fragments(kept: dict[str, Any]) -> dict[str, Any]:
    """A pruned object's kept map as it serialises: its own JSON texts, in its own order."""
    return {k: _FRAGMENT(v) if type(v) is bytes else _fragments(v) for k, v in kept.items()}


def _plain(kept: bytes | dict[str, Any]) -> Any:
    """A kept value as plain data (for projecting below it)."""
    if isinstance(kept, bytes):
        return orjson.loads(kept)
    return {k: _plain(v) for k, v in kept.items()}


def _touches(include: str, dropped: str) -> bool:
    """Would projecting ``include`` need the pruned value at ``dropped``?"""
    return (dropped == include or dropped.startswith(include + ".")) or include.startswith(dropped + ".")


@lru_cache(maxsize=256)
def projector(product: str, includes: tuple[str, ...]) -> Projector | None:
    """The projector for plain include paths; None when the pruned copies cannot answer them."""
    if not includes or any("*" in p for p in includes):
        return None
    return Projector(product, includes)
