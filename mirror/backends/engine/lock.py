"""One writer at a time per engine index version: a lock document on the engine itself.

Two ``index``/``sync`` runs loading the same product version at once would interleave
their checkpoints and take back each other's documents on a failure, so a writer
first takes the version's lock: a document in ``{prefix}-writers`` (one small
index per prefix) whose id is the versioned index's name, holding who writes it
(host, pid, the process's start time) and when it was last heard from.

* **Taking it** is ``_create``: the engine answers a second create of the same id
  with 409, so of two writers starting together exactly one wins. The other is
  refused with :class:`WriterBusy`, which names the holder.
* **A stale lock is taken over**: its holder is a process of this host that no
  longer runs (a killed ``index``: the rerun must not wait), or it has not renewed
  the lock for :data:`STALE_SECONDS` (a holder on another host that died; clocks
  of the hosts are assumed within a minute of each other). The takeover is a
  conditional write (``if_seq_no``/``if_primary_term``), so two writers that find
  the same stale lock cannot both take it.
* **The holder renews it** every :data:`RENEW_SECONDS` from a daemon thread, by
  the same conditional write. A renewal answered 409 means another writer took
  the lock over (this one was silent too long): the writer then refuses to
  commit (:meth:`EngineWriterLock.check`) instead of mixing its checkpoints in.
* **Released** when the writer closes (a conditional delete of our own version
  of the document only).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mirror.errors import MirrorError, ServiceUnavailable

from .client import EngineClient, EngineError, IndexMissing

#: Seconds without a renewal after which another host's lock is taken over.
STALE_SECONDS = 120.0
#: Seconds between renewals (a few renewals may fail before the lock goes stale).
RENEW_SECONDS = 20.0


class WriterBusy(ServiceUnavailable):
    """Another writer holds the version's lock."""


@dataclass(frozen=True)
class Owner:
    """Who holds a lock, as stored in the lock document."""

    host: str
    pid: int
    started: float  # the process's start (seconds since boot, from /proc), 0 when unknown
    since: float  # when the lock was taken (epoch seconds)
    heartbeat: float  # the last renewal (epoch seconds)

    @classmethod
    def this_process(cls) -> Owner:
        now = time.time()
        return cls(socket.gethostname(), os.getpid(), process_started(os.getpid()), now, now)

    @classmethod
    def from_source(cls, source: dict[str, Any]) -> Owner:
        return cls(str(source.get("host", "?")), int(source.get("pid", 0)), float(source.get("started", 0)),
                   float(source.get("since", 0)), float(source.get("heartbeat", 0)))

    def gone(self, now: float) -> str | None:
        """Why this holder is no longer writing, or None while it may be."""
        if self.host == socket.gethostname() and not process_runs(self.pid, self.started):
            return f"process {self.pid} no longer runs"
        if now - self.heartbeat > STALE_SECONDS:
            return f"not heard from for {now - self.heartbeat:,.0f} s"
        return None

    def __str__(self) -> str:
        taken = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.since))
        heard = time.time() - self.heartbeat
        return f"pid {self.pid} on {self.host} (since {taken}, last heard from {heard:,.0f} s ago)"


def process_started(pid: int) -> float:
    """When process ``pid`` started, in clock ticks since boot (0 when unknown): with the pid, it tells
    a process from a later one that was given the same pid."""
    try:
        return float(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return 0.0


def process_runs(pid: int, started: float) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, as another user
    now_started = process_started(pid)
    return not (started and now_started and now_started != started)


def locks_index(prefix: str) -> str:
    return f"{prefix}-writers"


class EngineWriterLock:
    """The lock of one versioned index, held from :meth:`acquire` to :meth:`release`."""

    def __init__(self, client: EngineClient, prefix: str, index: str, owner: Owner | None = None) -> None:
        self.client, self.index = client, index
        self.path = f"/{locks_index(prefix)}/_doc/{index}"
        self._locks = locks_index(prefix)
        self._version: dict[str, str] | None = None  # if_seq_no / if_primary_term of our document
        self._owner = owner or Owner.this_process()
        self._lost: str | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self) -> None:
        """Take the lock (or a stale one over) and start renewing it; :class:`WriterBusy` when held."""
        self._create_locks_index()
        try:
            self._store(self.client.request("PUT", f"/{self._locks}/_create/{self.index}", asdict(self._owner)))
        except EngineError as exc:
            if exc.engine_status != 409:
                raise
            self._take_over()
        self._renewer = threading.Thread(target=self._renew, name=f"lock-{self.index}", daemon=True)
        self._renewer.start()

    def check(self) -> None:
        """Raise when another writer has taken the lock over since (this one must stop writing)."""
        if self._lost:
            raise MirrorError(f"{self.index}: {self._lost}; stopping this load (rerun it once the other "
                              "one has finished)")

    @property
    def lost(self) -> bool:
        return self._lost is not None

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        if self._version is None or self._lost:
            return
        try:
            self.client.request("DELETE", self.path, params=self._version)
        except MirrorError:
            pass  # best effort: a lock left behind goes stale (this process ends, or its heartbeat does)
        self._version = None

    # -- helpers ------------------------------------------------------------------------------------

    def _create_locks_index(self) -> None:
        try:
            self.client.request("PUT", f"/{self._locks}", {
                "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
                "mappings": {"dynamic": False, "properties": {}},
            })
        except EngineError as exc:
            if not (exc.engine_status == 400 and "resource_already_exists" in exc.message):
                raise

    def _take_over(self) -> None:
        found = self._read()
        if found is None:  # released between our create and this read: try once more
            self._store(self.client.request("PUT", f"/{self._locks}/_create/{self.index}", asdict(self._owner)))
            return
        holder, version = found
        why = holder.gone(time.time())
        if why is None:
            raise WriterBusy(f"{self.index} is being written by {holder}; wait for that load to finish "
                             f"(or stop it: a lock unheard from for {STALE_SECONDS:,.0f} s is taken over)")
        try:
            self._store(self.client.request("PUT", self.path, asdict(self._owner), params=version))
        except EngineError as exc:
            if exc.engine_status != 409:
                raise
            raise WriterBusy(f"{self.index}: another writer took over the stale lock of {holder} "
                             "at the same time; wait for that load to finish") from None

    def _read(self) -> tuple[Owner, dict[str, str]] | None:
        try:
            found = self.client.request("GET", self.path)
        except IndexMissing:
            return None
        except EngineError as exc:
            if exc.engine_status == 404:
                return None
            raise
        return Owner.from_source(found["_source"]), _version_of(found)

    def _store(self, answer: dict[str, Any]) -> None:
        self._version = _version_of(answer)

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_SECONDS) and self.renew():
            pass

    def renew(self) -> bool:
        """Tell the engine this writer is alive; False once the lock is no longer ours."""
        version = self._version
        if version is None or self._lost:
            return False
        beat = Owner(**{**asdict(self._owner), "heartbeat": time.time()})
        try:
            self._store(self.client.request("PUT", self.path, asdict(beat), params=version))
        except EngineError as exc:
            if exc.engine_status == 409:
                found = self._read()
                holder = f" by {found[0]}" if found else ""
                self._lost = f"the writer lock was taken over{holder} (this load was silent too long)"
                return False
        except MirrorError:
            pass  # the engine is unreachable now: the load itself will say so; try again later
        return True


def _version_of(answer: dict[str, Any]) -> dict[str, str]:
    return {"if_seq_no": str(answer["_seq_no"]), "if_primary_term": str(answer["_primary_term"])}


__all__ = ["EngineWriterLock", "Owner", "WriterBusy", "locks_index"]
