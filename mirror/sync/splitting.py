"""sync's split step: the release, streamed or from a kept download, into verified chunks."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, TypedDict

from mirror.bulk.client import BulkClient, Release
from mirror.bulk.download import download, is_complete, release_path
from mirror.bulk.errors import VerificationError
from mirror.bulk.progress import progress_bar
from mirror.bulk.state import StateStore
from mirror.bulk.transfer import open_release_stream
from mirror.ingest.errors import InputError, SplitError
from mirror.ingest.manifest import COMPLETE, MANIFEST_NAME, Manifest
from mirror.ingest.release import ReleaseMismatch
from mirror.ingest.split import SplitProgress, split_stream

from .layout import Log, SyncReport, chunks_dir, downloads_dir


class SplitParams(TypedDict):
    """The split settings sync passes on to ``split_stream``."""

    chunk_bytes: int
    level: int


def split_step(
    client: BulkClient,
    product: str,
    release: Release,
    state: StateStore,
    data_dir: Path,
    report: SyncReport,
    say: Log,
    *,
    progress: bool,
    keep_download: bool,
    chunk_bytes: int,
    level: int,
    retries: int,
    backoff: float,
) -> Manifest:
    """Split the release into ``chunks/{product}/{version}`` and mark ``split``; returns the manifest."""
    version = release.version
    out = chunks_dir(data_dir, product, version)
    entry = state.get(product, version)
    if entry and entry.done("split"):
        done = _complete_manifest(out)
        if done is not None:
            report.skipped.append("split")
            report.records = done.records
            return done
        # Marked but the chunks are gone or damaged: forget the mark and redo.
        say(f"{product} {version}: chunks in {out} are missing or incomplete; splitting again")
        state.unmark(product, version, "split")

    file = release_path(downloads_dir(data_dir), product, release)
    have_file = is_complete(state, product, release, file)
    if keep_download or have_file:
        if have_file:
            report.skipped.append("download")
        else:
            say(f"{product} {version}: downloading {release.fileName}")
            file = download(client, product, downloads_dir(data_dir), progress=progress, state=state,
                            release=release, retries=retries, backoff=backoff)
            report.ran.append("download")
    else:
        report.streamed = True

    say(f"{product} {version}: splitting into {out}" + (" (streamed)" if report.streamed else ""))
    expect = release.metadata()
    params: SplitParams = {"chunk_bytes": chunk_bytes, "level": level}
    restart = False
    for attempt in (1, 2):
        try:
            if report.streamed:
                manifest = _split_streamed(client, release, out, expect, params, restart, progress, retries, backoff)
            else:
                manifest = _split_file(file, release, out, expect, params, restart, progress)
            break
        except SplitError as exc:
            # The chunk dir is sync's own and keyed by version, so a split it
            # cannot resume (other chunk size, leftovers without a manifest,
            # input that does not line up) is simply started over, once.
            if attempt == 2:
                raise
            say(f"{product} {version}: cannot resume the earlier split ({exc}); starting it over")
            restart = True
        except (VerificationError, InputError, ReleaseMismatch):
            # These bytes are not a good copy of the release (or the release is
            # broken): nothing derived from them may be resumed from.
            shutil.rmtree(out, ignore_errors=True)
            raise

    state.mark(product, version, "split", path=out, chunks=len(manifest.chunks), records=manifest.records,
               quarantined=manifest.quarantined, streamed=report.streamed, release=release.public_metadata())
    report.ran.append("split")
    report.records = manifest.records
    if manifest.quarantined:
        report.warnings.append(f"{manifest.quarantined} line(s) were not valid records; see {out}/quarantine.jsonl")
    return manifest


def _split_streamed(
    client: BulkClient,
    release: Release,
    out: Path,
    expect: dict[str, Any],
    params: SplitParams,
    restart: bool,
    progress: bool,
    retries: int,
    backoff: float,
) -> Manifest:
    """Network → gunzip → chunks, then the MD5 check. Always from byte 0: the hash
    must cover the whole file, and split_stream skips the chunks it already has."""
    with progress_bar(release.fileName, progress) as report:
        stream = open_release_stream(client, release, retries=retries, backoff=backoff, on_progress=report)
        with stream:
            try:
                manifest = split_stream(stream, out, expect=expect, restart=restart, **params)
            except ReleaseMismatch:
                # A corrupt download explains a mismatch better than the mismatch does.
                stream.verify()
                raise
            # Drains what the gzip reader left (if anything) so the hash covers every byte.
            stream.verify()
    return manifest


def _split_file(
    file: Path,
    release: Release,
    out: Path,
    expect: dict[str, Any],
    params: SplitParams,
    restart: bool,
    progress: bool,
) -> Manifest:
    """Split a downloaded file (already size- and MD5-verified by ``download``)."""
    with progress_bar(f"splitting {release.fileName}", progress) as report:

        def on_split(p: SplitProgress) -> None:
            report(p.compressed_offset, p.compressed_size)

        return split_stream(file, out, expect=expect, restart=restart, progress=on_split, **params)


def _complete_manifest(out: Path) -> Manifest | None:
    """The manifest of a finished split in ``out``, or None (missing, unreadable, unfinished)."""
    path = out / MANIFEST_NAME
    try:
        manifest = Manifest.load(path)
    except (OSError, ValueError, TypeError):
        return None
    if manifest.status != COMPLETE or not all((out / c.file).is_file() for c in manifest.chunks):
        return None
    return manifest


