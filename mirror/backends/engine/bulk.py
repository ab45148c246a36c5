"""The engine backend's :class:`~mirror.backends.writing.VersionWriter`: records into one
versioned index through parallel ``_bulk`` requests.

* **Documents** are what the read side expects: the record as it is plus its
  ``search`` field (:func:`~mirror.catalogue.transform.search_document`, the
  transform the embedded backend indexes; made by the native transform where it is
  installed, :mod:`mirror.catalogue.native`), ``_id`` = ``lens_id``, so a record
  loaded twice replaces itself.
* **Pipelined, bounded.** :meth:`add` parses, transforms and serialises (orjson)
  each record and fills requests of at most ``es_bulk_bytes``, which
  ``es_bulk_workers`` threads send; at most one more request waits queued, so a
  connection never waits for the transform and the engine is never idle between
  blocks, nor between chunks (requests span chunk ends). A refusal is reported
  by the add that collects its answer; the loader adds an empty block before
  each checkpoint, which waits for every request in flight, so every refusal is
  reported, and counted by the loader, before the checkpoint is written.
* **Retries.** A request the engine answers with 429 or 503, or that cannot
  reach it, is sent again after an exponential backoff, at most
  :data:`MAX_TRIES` times; so are the single documents of a bulk answer refused
  with 429. Past that the load fails (the loader keeps what was committed).
* **Nothing dropped silently.** Every record that is not indexed (not JSON, no
  lens_id, refused by the engine) is returned as a ``"where: why"`` problem and
  written with the engine's error to ``{data_dir}/quarantine/{index}.jsonl``
  (the split's quarantine format, plus ``source``: the chunk).
* **Checkpoints** live in the index itself (its mapping's ``_meta``, under
  ``lens_mirror``): the chunks committed, the documents counted then and the
  quarantine's size, so they come and go with the index. A commit flushes the
  index (during the load the translog is synced in the background, not per
  request: the flush makes what was acknowledged durable), refreshes it and then
  records them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson

from mirror.backends.writing import BadRecord, Line, record_lens_id
from mirror.catalogue import catalogue_for
from mirror.catalogue.model import Catalogue
from mirror.catalogue.native import NativeTransform, native_transform
from mirror.catalogue.transform import search_document
from mirror.errors import MirrorError
from mirror.ingest.quarantine import Quarantine
from mirror.settings import Settings

from .client import RETRY_STATUSES, EngineBusy, EngineClient, _reason
from .lock import EngineWriterLock

#: Where a version keeps its load state in the index's ``_meta``.
STATE_KEY = "lens_mirror"
BLOCK = 2048  # records per add(): cut into parts for the workers
MAX_TRIES = 8  # sends of one bulk request (about a minute of backoff in all)
BACKOFF = 0.5  # seconds before the first resend; doubled each time, at most MAX_BACKOFF
MAX_BACKOFF = 30.0

#: One record on its way: where it came from, its line, and its bulk action + source (NDJSON).
_Doc = tuple[str, bytes, bytes]
#: One record not indexed: where, its line, why.
Failure = tuple[str, bytes, str]


def serving_settings(settings: Settings) -> dict[str, Any]:
    """What an index is set to once loaded (refresh back to the engine's default)."""
    return {"index": {"refresh_interval": None, "number_of_replicas": settings.es_replicas,
                      "translog": {"durability": "request"}}}


#: While an index loads: no refresh, no replicas, the translog synced in the background
#: (each commit flushes, so what a checkpoint counts is on disk).
LOAD_SETTINGS: dict[str, Any] = {"index": {"refresh_interval": "-1", "number_of_replicas": 0,
                                           "translog": {"durability": "async"}}}


class EngineVersionWriter:
    """Writes one versioned index; made by :meth:`mirror.backends.engine.store.EngineStore.writer`."""

    def __init__(self, client: EngineClient, index: str, product: str, settings: Settings,
                 meta: dict[str, Any], quarantine: Path, lock: EngineWriterLock | None = None) -> None:
        self.client, self.index, self.settings = client, index, settings
        self.lock = lock  # the version's writer lock, released by close()
        self.catalogue = catalogue_for(product)
        self._native = native_transform(self.catalogue) if settings.native_transform else None
        self._meta = meta  # the index's whole _meta: the generator's, and ours under STATE_KEY
        state = meta.setdefault(STATE_KEY, {})
        self._done: dict[str, str] = dict(state.get("chunks") or {})
        self._quarantined = int(state.get("quarantine_bytes") or 0)  # its bytes at the last commit
        self._quarantine = Quarantine(quarantine, self._quarantined)
        self._cut_back_quarantine()
        self._pool = ThreadPoolExecutor(settings.es_bulk_workers, thread_name_prefix=f"bulk-{index}")
        self._lock = threading.Lock()
        self._failed = False
        self._closed = False
        self._uncommitted = False  # records sent since the last commit
        self._sent: list[str] = []  # their ids (discard takes back the new ones)
        self._batch: list[_Doc] = []  # the next request, being filled
        self._batch_bytes = 0
        self._inflight: list[Future[list[Failure]]] = []  # requests sent or queued, not yet collected
        self.requests = 0  # bulk requests sent, resends included
        self.native_documents = 0  # documents the native transform made (the rest: Python)
        self.retries = 0
        self.sleep: Callable[[float], None] = time.sleep  # tests make backoff instant

    @property
    def block_records(self) -> int:
        return BLOCK

    @property
    def commit_every(self) -> int:
        return self.settings.es_commit_every

    def committed(self) -> set[str]:
        return set(self._done)

    def add(self, block: Sequence[Line]) -> list[str]:
        if self._closed:
            raise MirrorError(f"{self.index}: the writer is closed")
        self._uncommitted = True
        failures: list[Failure] = []
        for where, line in block:
            doc = self._document(where, line, failures)
            if doc is None:
                continue
            if self._batch and self._batch_bytes + len(doc[2]) > self.settings.es_bulk_bytes:
                self._submit(failures)
            self._batch.append(doc)
            self._batch_bytes += len(doc[2])
        if not block:
            self._drain(failures)  # a checkpoint follows: answer everything sent
        else:
            self._harvest(failures, wait=False)  # never wait at a chunk's end: the engine would idle
        for where, line, why in failures:
            source, _, number = where.rpartition(":")
            self._quarantine.add(int(number) if number.isdigit() else 0, why, line, source=source or where)
        return [f"{where}: {why}" for where, _, why in failures]

    def _submit(self, failures: list[Failure]) -> None:
        """Hand the batch to the senders, once fewer than ``es_bulk_workers + 1`` requests are
        in flight (one queued, so that no connection waits for the next request)."""
        while len(self._inflight) > self.settings.es_bulk_workers:
            self._harvest(failures, wait=True)
        self._inflight.append(self._pool.submit(self._send, self._batch))
        self._batch, self._batch_bytes = [], 0

    def _harvest(self, failures: list[Failure], wait: bool) -> None:
        """Collect the answered requests' refusals (waiting for one at least with ``wait``);
        a request that failed fails the writer, once every other one is answered."""
        if wait and self._inflight:
            futures.wait(self._inflight, return_when=futures.FIRST_COMPLETED)
        done = [f for f in self._inflight if f.done()]
        self._inflight = [f for f in self._inflight if not f.done()]
        error: BaseException | None = None
        for future in done:
            try:
                failures += future.result()
            except BaseException as exc:  # noqa: BLE001 - re-raised below, once all requests are done
                error = error or exc
        if error is not None:
            self._failed = True
            futures.wait(self._inflight)  # none is left sending
            self._inflight = []
            raise error

    def _drain(self, failures: list[Failure]) -> None:
        """Send the batch and wait for every request in flight."""
        if self._batch:
            self._submit(failures)
        while self._inflight:
            self._harvest(failures, wait=True)

    def _document(self, where: str, line: bytes, failures: list[Failure]) -> _Doc | None:
        try:
            lens_id, doc, native = engine_document(self.catalogue, self._native, line)
        except BadRecord as exc:
            failures.append((where, line, str(exc)))
            return None
        self.native_documents += native
        self._sent.append(lens_id)  # list.append is atomic: the workers share it
        return where, line, doc

    def _send(self, batch: list[_Doc]) -> list[Failure]:
        """One bulk request, resent (or its busy documents) until answered; the documents refused."""
        failures: list[Failure] = []
        pending, last = batch, ""
        for attempt in range(MAX_TRIES):
            if attempt:
                with self._lock:
                    self.retries += 1
                self.sleep(min(BACKOFF * 2 ** (attempt - 1), MAX_BACKOFF))
            with self._lock:
                self.requests += 1
            try:
                answer = self.client.request("POST", f"/{self.index}/_bulk", b"".join(d[2] for d in pending),
                                             params={"filter_path": "errors,items.*.status,items.*.error"})
            except EngineBusy as exc:
                last = exc.message
                continue
            if not answer.get("errors"):
                return failures
            busy: list[_Doc] = []
            for doc, item in zip(pending, answer.get("items", []), strict=True):
                result: dict[str, Any] = next(iter(item.values()), {})
                status = int(result.get("status", 0))
                if status < 300:
                    continue
                if status in RETRY_STATUSES:
                    busy.append(doc)
                else:
                    failures.append((doc[0], doc[1], f"the engine refused this record: {_refusal(result)}"))
            if not busy:
                return failures
            pending, last = busy, f"{len(busy)} record(s) refused with HTTP 429/503"
        raise MirrorError(f"{self.index}: the engine was still busy after {MAX_TRIES} tries of a bulk request "
                          f"({len(pending)} records): {last}; nothing since the last checkpoint is kept "
                          "(rerun to resume)")

    def commit(self, chunks: Mapping[str, str]) -> int:
        late: list[Failure] = []
        # load_chunks drained already (an empty add at each chunk's end); another caller may
        # not have: what it left is still quarantined, though no add() reports it.
        self._drain(late)
        for where, line, why in late:
            source, _, number = where.rpartition(":")
            self._quarantine.add(int(number) if number.isdigit() else 0, why, line, source=source or where)
        if self.lock is not None:
            self.lock.check()  # another writer took this version over: none of our checkpoints now
        # async translog during the load: the flush makes what this checkpoint counts durable
        self.client.request("POST", f"/{self.index}/_flush")
        self.client.request("POST", f"/{self.index}/_refresh")
        documents = self.client.count(self.index)
        self._quarantine.sync()  # before the checkpoint that counts its bytes
        done = {**self._done, **chunks}
        state = {"chunks": done, "documents": documents, "quarantine_bytes": self._quarantine.size,
                 "mapping": self._meta[STATE_KEY].get("mapping")}
        self.client.request("PUT", f"/{self.index}/_mapping", {"_meta": {**self._meta, STATE_KEY: state}})
        self._meta[STATE_KEY] = state
        self._done, self._quarantined = done, self._quarantine.size
        self._uncommitted = False
        self._sent = []
        return documents

    def discard(self) -> None:
        """Take back the documents sent since the last commit that were not in the index then,
        and the quarantine entries since (resuming writes them again).

        An engine cannot roll back: a sent document that replaced a committed one stays, in its
        new form (the same record). Searches still see the index as of the last commit (no
        refresh since), which is how the new ones are told apart. A killed run cannot do this;
        its resumption resends the same chunks, replacing what it had sent."""
        self._failed = True
        self._batch, self._inflight = [], []
        self._pool.shutdown(wait=True)
        try:
            if self.lock is None or not self.lock.lost:  # never take back another writer's documents
                self._take_back(sorted(set(self._sent)))
        except MirrorError:
            pass  # best effort: the engine may be what failed
        self._sent = []
        try:
            self._quarantine.close()
            self._quarantine.size = self._quarantined
            self._cut_back_quarantine()
        except OSError:
            pass

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._pool.shutdown(wait=True)
            self._quarantine.close()
            # A failed or abandoned load is resumed (with load settings again): leave it as it is, and
            # unrefreshed, so that what it sent since its last commit stays out of sight until then.
            if not self._failed and not self._uncommitted:
                self.client.request("POST", f"/{self.index}/_refresh")
                self.client.request("PUT", f"/{self.index}/_settings", serving_settings(self.settings))
        finally:
            if self.lock is not None:
                self.lock.release()

    def _take_back(self, ids: list[str], batch: int = 10_000) -> None:
        for start in range(0, len(ids), batch):
            values = ids[start:start + batch]
            found = self.client.request("POST", f"/{self.index}/_search", {
                "query": {"ids": {"values": values}}, "size": len(values), "_source": False,
            }, params={"filter_path": "hits.hits._id"})
            committed = {hit["_id"] for hit in found.get("hits", {}).get("hits", [])}
            new = [i for i in values if i not in committed]
            if new:
                body = b"".join(b'{"delete":{"_id":' + orjson.dumps(i) + b"}}\n" for i in new)
                self.client.request("POST", f"/{self.index}/_bulk", body)

    def _cut_back_quarantine(self) -> None:
        path, size = self._quarantine.path, self._quarantined
        if path.exists() and path.stat().st_size > size:
            with open(path, "r+b") as fh:
                fh.truncate(size)


def engine_document(catalogue: Catalogue, native: NativeTransform | None, line: bytes) -> tuple[str, bytes, bool]:
    """One record's line → its Lens ID, its ``_bulk`` action and source, and whether the native
    transform made them (else the Python one, which also has the last word on odd lines);
    :class:`~mirror.backends.writing.BadRecord` for a line that is not a record."""
    if native is not None:
        made = native.document(line)
        if made is not None:
            native_id, search = made
            return native_id, _spliced(_action(native_id), line.rstrip(), search), True
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise BadRecord(f"not JSON: {exc}") from None
    lens_id = record_lens_id(record)
    return lens_id, bulk_document(line, record, search_document(catalogue, record)), False


def bulk_document(line: bytes, record: dict[str, Any], search: dict[str, Any]) -> bytes:
    """One record's ``_bulk`` action and source: the record's own line with its ``search`` field
    spliced in before the closing brace. The record is not serialised again (that cost a tenth of
    the loader's time): what the engine stores, and a search returns, is the line as it was read."""
    action = _action(record["lens_id"])
    body = line.rstrip()
    if "search" in record or not body.endswith(b"}"):  # a field of ours already there: replace it
        return action + orjson.dumps({**record, "search": search}) + b"\n"
    return _spliced(action, body, orjson.dumps(search))


def _action(lens_id: str) -> bytes:
    return b'{"index":{"_id":' + orjson.dumps(lens_id) + b"}}\n"


def _spliced(action: bytes, body: bytes, search: bytes) -> bytes:
    """The action, then the record's line (``}`` ended, no ``search`` key) with ``search`` added."""
    # the line is copied once, into the result (a memoryview slice copies nothing)
    return b"".join((action, memoryview(body)[:-1], b',"search":', search, b"}\n"))


def _refusal(result: dict[str, Any]) -> str:
    """The engine's reason for refusing one document, with its cause (a date it cannot parse)."""
    error = result.get("error")
    reason = _reason(error)
    if isinstance(error, dict) and isinstance(error.get("caused_by"), dict):
        cause = error["caused_by"]
        reason += f" ({cause.get('type', 'error')}: {cause.get('reason', '')})"
    return reason
