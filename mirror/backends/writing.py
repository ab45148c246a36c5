"""The write side of a search backend: versioned indexes, loaded resumably, switched atomically.

Reading is :class:`mirror.backends.Backend`; writing is the two protocols here,
and ``lens-mirror index``, ``sync`` (:mod:`mirror.sync`) and ``demo`` talk to
nothing else. Each product has *versions* (the Lens ``dataVersion``, or
``local``); one of them is *served*. A version is built beside the served one,
checked the way a server would open it, and only then switched to; old versions
are removed once the new one serves. The embedded backend keeps a directory per
version and a ``CURRENT`` file; an engine keeps an index per product and version
and a read alias (``switch`` is the alias swap, ``remove`` deletes the index).

**Design: one shared loader, a fine-grained writer.** Reading chunk files,
checking them against their split manifest (size and sha256 before, record
count after), deciding what is already done and when to commit is the same for
every backend, so it lives once, in :func:`mirror.backends.loading.load_chunks`.
A backend only writes: it is handed *blocks* of raw record lines (it parses and
transforms them itself, so the embedded writer keeps its blocks of 512 records
and its one replacement check per block), commits when told, and records with
each commit the chunks finished before it (its checkpoints). The driver adds
one method call per block and per commit to the embedded indexer's loop, which
costs nothing measurable next to parsing and indexing 512 records (the 100k
record benchmark is unchanged), so the coarser ``writer.load(targets)`` shape
was not needed. A bulk-request writer fits as it is: a block is a bulk request,
``commit`` refreshes and stores the checkpoints in the index.

Failures: a version that is missing or broken is
:class:`~mirror.errors.ServiceUnavailable` (``IndexUnavailable`` for the
embedded backend); a write that fails (a full disk, an engine refusing the
bulk) is a :class:`~mirror.errors.MirrorError` naming the index, raised after
the writer can still :meth:`~VersionWriter.discard`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from mirror.errors import MirrorError

if TYPE_CHECKING:
    from mirror.settings import Settings

class VersionInUse(MirrorError):
    """A version that is no longer served but that a live scroll still reads: kept until it ends."""


#: The version ``lens-mirror index`` writes when none is named and none is served.
DEFAULT_VERSION = "local"

#: One raw record as read from a chunk: where it is (``path:line``, for messages) and its JSON bytes.
Line = tuple[str, bytes]


class BadRecord(MirrorError, ValueError):
    """A line that is not a record either backend can index (not an object, no lens_id);
    reported with its file and line, never fatal."""


def record_lens_id(record: object) -> str:
    """The Lens ID of a parsed line, which both backends index it under; else :class:`BadRecord`."""
    if not isinstance(record, dict):
        raise BadRecord("a record must be a JSON object")
    lens_id = record.get("lens_id")
    if not isinstance(lens_id, str) or not lens_id:
        raise BadRecord("record has no lens_id")
    return lens_id


class VersionWriter(Protocol):
    """Writes one version of one product's index; made by :meth:`IndexStore.writer`.

    Records added since the last :meth:`commit` are not durable and not
    visible: a killed run loses them and resumes from :meth:`committed`.
    Adding a record whose ``lens_id`` the version already holds replaces it.
    """

    @property
    def block_records(self) -> int:
        """How many records the loader hands to :meth:`add` at once."""

    @property
    def commit_every(self) -> int:
        """Records added after which the loader commits (at the next chunk end, for verified chunks)."""

    def committed(self) -> Collection[str]:
        """The checkpoints of the chunks committed so far (keys given to :meth:`commit`)."""

    def add(self, block: Sequence[Line]) -> list[str]:
        """Write a block of records; return one ``"where: why"`` per record that was not
        written (bad JSON, not a record, refused by the index): those never stop a load.
        A writer that sends in the background may return refusals of earlier blocks' records
        as their answers come; given an empty block (the loader sends one before each
        :meth:`commit`) it returns every refusal still outstanding, so that the loader counts
        them all before the checkpoint.

        Raises a :class:`~mirror.errors.MirrorError` when the writer itself fails.
        """

    def commit(self, chunks: Mapping[str, str]) -> int:
        """Make every record added so far durable and record ``chunks`` (checkpoint key →
        chunk file name) as done, atomically; return the documents the version now holds."""

    def discard(self) -> None:
        """Drop everything added since the last commit (and the files it left). Best effort:
        called after a failure, so it must not raise one of its own."""

    def close(self) -> None:
        """Release the version (wait for background work). Uncommitted records are lost."""


class IndexStore(Protocol):
    """One backend's versions of each product's index, and which one is served."""

    @property
    def backend(self) -> str:
        """The backend's name, as ``LENS_MIRROR_BACKEND`` spells it."""

    def serving(self, product: str) -> str | None:
        """The version served now, or None before the first switch."""

    def versions(self, product: str) -> list[str]:
        """Every version that exists (whole or not), sorted."""

    def writer(self, product: str, version: str, *, fresh: bool = False) -> VersionWriter:
        """A writer of ``version``, created when it does not exist, resumed when it does;
        ``fresh`` throws away whatever the version holds first (even the served one:
        ``index --rebuild``). Raises ``ServiceUnavailable`` when it cannot be written
        (another writer holds it, a different schema)."""

    def check(self, product: str, version: str) -> int:
        """Open ``version`` as a server would and return its document count; raises
        :class:`~mirror.errors.ServiceUnavailable` saying what is wrong when it is missing or broken."""

    def switch(self, product: str, version: str) -> None:
        """Serve ``version`` from now on, atomically (readers see the old or the new one).
        Checks it first (:meth:`check`) and refuses a broken one, leaving the served one served."""

    def remove(self, product: str, version: str) -> None:
        """Delete ``version`` (nothing if it does not exist); refuses the served one
        with :class:`~mirror.errors.ServiceUnavailable`, and one a live scroll still
        reads with :class:`VersionInUse` (``sync`` leaves it for its next run)."""


BACKENDS = ("embedded", "elasticsearch")


def open_store(settings: Settings) -> IndexStore:
    """The write side of ``settings.backend``: where ``index``, ``sync`` and ``demo`` put indexes."""
    if settings.backend == "embedded":
        from .embedded.versions import EmbeddedStore

        return EmbeddedStore(settings)
    if settings.backend == "elasticsearch":
        from .engine.store import EngineStore

        return EngineStore(settings)
    raise MirrorError(f"LENS_MIRROR_BACKEND={settings.backend!r}: unknown backend; use one of {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "DEFAULT_VERSION", "VersionInUse", "IndexStore", "Line", "VersionWriter", "open_store"]
