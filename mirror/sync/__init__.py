"""``sync``: bring one product's served index up to the latest bulk release.

The pipeline is release → split (streamed, or from a kept download) → index →
switch → cleanup. Every step leaves a durable mark before the next one starts,
and every step is idempotent, so a sync interrupted anywhere (Ctrl-C, a dropped
connection, SIGKILL, a full disk) finishes on the next run without redoing
finished work:

* **split** is marked in the state store only after the streamed bytes passed
  the release's size and MD5 check; until then a rerun streams the file again
  from byte 0 and :func:`split_stream`'s own resume skips the chunks it already
  finished (it re-reads, but does not re-write, the part already split).
* **index** resumes by itself (every commit records the chunks finished before
  it in the version, see :mod:`mirror.backends.loading`; a record indexed twice
  stays one record).
* **switch** is atomic (the embedded backend renames ``CURRENT``, an engine swaps
  its alias); the running server picks it up on its next request. The state is
  marked ``serving`` only after the switch, so a crash in between merely repeats it.
* **cleanup** runs only once the new version serves, and removes files before
  forgetting their state entry, so a crash mid-cleanup is retried next time.

The index is reached only through the backend's write protocol
(:class:`~mirror.backends.writing.IndexStore`), so the same steps build an
embedded index or an engine's. Layout under the data dir:
``chunks/{product}/{version}/`` (split output),
``downloads/{product}/{version}/{fileName}`` (only with ``keep_download``), and
``state/{product}.json`` (plus the embedded backend's ``index/{product}/``).
The Lens ``dataVersion`` is the index version name.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from mirror.backends.loading import load_chunks
from mirror.backends.writing import IndexStore, VersionInUse, open_store
from mirror.bulk.client import BulkClient
from mirror.bulk.state import StateStore
from mirror.errors import ServiceUnavailable
from mirror.ingest.manifest import Manifest
from mirror.ingest.split import DEFAULT_CHUNK_BYTES
from mirror.settings import Settings

from .layout import Log, SyncError, SyncReport, chunks_dir, downloads_dir
from .splitting import split_step

try:  # POSIX only; elsewhere two syncs of one product are not guarded against.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["SyncError", "SyncReport", "chunks_dir", "downloads_dir", "sync"]


def sync(
    client: BulkClient,
    product: str,
    settings: Settings,
    *,
    keep_download: bool = False,
    progress: bool = True,
    log: Log | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    level: int = 5,
    retries: int = 3,
    backoff: float = 1.0,
    store: IndexStore | None = None,
) -> SyncReport:
    """Make the latest ``product`` release the served index of ``settings.data_dir``; see the module doc.

    ``chunk_bytes`` and ``level`` shape the split; a rerun with other values
    starts an unfinished split over; the index writer's budget comes from
    ``settings``, and so does the backend (``store``, default
    :func:`open_store`). Raises the :mod:`mirror.bulk.errors` types (network, quota,
    checksum), :class:`InputError` for a corrupt file or a chunk that does not
    match its manifest, :class:`ReleaseMismatch` when the file disagrees with its
    release metadata, :class:`IndexWriteError` when the index cannot be written
    (a full disk), and :class:`SyncError`. Nothing is switched unless every step
    before passed, and the new version opened whole.
    """
    data_dir = Path(settings.data_dir)
    say = log or (lambda message: None)
    state = StateStore.in_data_dir(data_dir)
    store = store or open_store(settings)
    with _sync_lock(state, product):
        release = client.release(product)
        version = release.version
        report = SyncReport(product, version, previous=store.serving(product))
        entry = state.get(product, version)

        # 1. Already serving this release? Then only leftover cleanup may remain.
        if entry and entry.done("serving") and report.previous == version and _index_ok(store, product, version):
            report.documents = entry.info("indexed").get("documents")
            report.skipped += ["split", "index", "switch"]
            _cleanup(state, store, product, data_dir, version, report, say)
            return report

        # 2 + 3. Build the index, unless an earlier run already did (then the
        # chunks are not even needed: they may have been removed to save space).
        if entry and entry.done("indexed") and _index_ok(store, product, version):
            info = entry.info("indexed")
            report.records, report.documents = info.get("records"), info.get("documents")
            report.skipped += ["split", "index"]
        else:
            manifest = split_step(client, product, release, state, data_dir, report, say, progress=progress,
                                   keep_download=keep_download, chunk_bytes=chunk_bytes, level=level,
                                   retries=retries, backoff=backoff)
            _index_step(store, product, version, state, data_dir, manifest, report, say, progress=progress)

        # 4. Switch: the atomic switch first, the state second (a crash in
        # between only means the next run switches again).
        store.switch(product, version)
        state.mark(product, version, "serving", previous=report.previous)
        report.ran.append("switch")
        say(f"{product}: now serving {version}" + (f" (was {report.previous})" if report.previous else ""))

        # 5. Only now that the new version serves may the old ones go.
        _cleanup(state, store, product, data_dir, version, report, say)
        return report



# -- index ----------------------------------------------------------------------


def _index_step(
    store: IndexStore,
    product: str,
    version: str,
    state: StateStore,
    data_dir: Path,
    manifest: Manifest,
    report: SyncReport,
    say: Log,
    *,
    progress: bool,
) -> None:
    """Index the chunks into ``version`` of the store (resuming) and mark ``indexed``."""
    out = chunks_dir(data_dir, product, version)
    fresh = version in store.versions(product) and not _index_ok(store, product, version)
    if fresh:
        # Resuming would trust the chunks it recorded as done: start this version over.
        say(f"{product} {version}: the {store.backend} index version is damaged; indexing again from the start")
    say(f"{product} {version}: indexing {manifest.records:,} records")
    with closing(store.writer(product, version, fresh=fresh)) as writer, \
            _records_bar(f"indexing {product}", manifest.records, progress) as advance:
        result = load_chunks(writer, [out], on_record=advance)
    # What a server will open: the switch happens only if this reader's checks pass too.
    documents = store.check(product, version)
    report.ran.append("index")
    report.documents = documents
    report.warnings += [f"record not indexed: {p}" for p in result.problems]
    if documents == 0 and manifest.records > 0:
        # Serving an empty index would look like data loss to every client.
        raise SyncError(f"{product} {version}: the new index holds no documents "
                        f"although the split has {manifest.records:,} records; not switching")
    if documents != manifest.records:
        # Reported, not retried: indexing again would give the same answer
        # (bad records, or a lens_id that occurs twice in the release).
        report.warnings.append(
            f"the index holds {documents:,} documents but the split has {manifest.records:,} records"
            + (f" ({result.failed:,} could not be indexed)" if result.failed else " (duplicate lens_ids?)")
        )
    state.mark(product, version, "indexed", backend=store.backend, records=manifest.records,
               documents=documents, failed=result.failed)


def _index_ok(store: IndexStore, product: str, version: str) -> bool:
    """Whether the version opens whole, as a server would open it."""
    try:
        store.check(product, version)
    except ServiceUnavailable:
        return False
    return True


# -- cleanup --------------------------------------------------------------------


def _cleanup(
    state: StateStore, store: IndexStore, product: str, data_dir: Path, serving: str, report: SyncReport, say: Log
) -> None:
    """Remove every other version sync knows of (index, chunks, download, then its
    state entry), and older chunk/download dirs no state remembers."""
    live = store.serving(product)
    keep = {serving, live}  # never what serves (store.remove refuses it too)
    removed: set[str] = set()
    indexed = set(store.versions(product))
    for old in state.versions(product):
        if old.version in keep:
            continue
        if old.version in indexed:
            try:
                store.remove(product, old.version)
            except VersionInUse as exc:  # a scroll started before the switch: the next sync removes it
                say(f"{exc.message}; it is removed by a later sync")
                keep.add(old.version)
                continue
        shutil.rmtree(chunks_dir(data_dir, product, old.version), ignore_errors=True)
        shutil.rmtree(downloads_dir(data_dir) / product / old.version, ignore_errors=True)
        # Files first, state last: a crash in between leaves the entry, so the
        # next run tries again instead of leaving orphans nobody remembers.
        state.forget(product, old.version)
        removed.add(old.version)
    # A streamed split (or a --keep-download) interrupted before anything was
    # marked leaves a directory with no state entry; once a newer release
    # serves, nothing will ever resume it. Only *older* ones go: a newer one may
    # be a `lens-mirror download` in progress.
    for area in (Path(data_dir) / "chunks" / product, downloads_dir(data_dir) / product):
        for path in sorted(area.iterdir()) if area.is_dir() else []:
            if path.is_dir() and path.name not in keep and _older(path.name, serving):
                shutil.rmtree(path, ignore_errors=True)
                removed.add(path.name)
    if removed:
        report.ran.append("cleanup")
        report.removed += sorted(removed, key=_version_key)
        say(f"{product}: removed old version(s) {', '.join(report.removed)}")
    else:
        report.skipped.append("cleanup")


def _older(version: str, than: str) -> bool:
    # Lens versions are YEARWEEK numbers; anything else is not ours to judge.
    return version.isdigit() and than.isdigit() and int(version) < int(than)


def _version_key(version: str) -> tuple[int, int | str]:
    return (0, int(version)) if version.isdigit() else (1, version)


# -- plumbing -------------------------------------------------------------------


@contextmanager
def _sync_lock(state: StateStore, product: str) -> Iterator[None]:
    """One sync per product at a time: a second one could clean up what the first is building."""
    state.path.mkdir(parents=True, exist_ok=True)
    with open(state.path / f".{product}.sync.lock", "a+b") as lock:
        if fcntl is not None:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SyncError(f"another sync of {product} is running on {state.path.parent}") from None
        yield


@contextmanager
def _records_bar(description: str, total: int | None, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A records progress bar on stderr (stdout stays for the result line); a no-op when disabled."""
    if not enabled:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import Progress

    from mirror.cli.common import records_columns

    with Progress(*records_columns(description), console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
