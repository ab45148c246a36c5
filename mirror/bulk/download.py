"""Download the latest bulk release to disk, resumably and verified.

Layout: ``{dest_dir}/{product}/{dataVersion}/{fileName}`` plus ``release.json``
(the metadata without the access key) beside it. Bytes go to
``{fileName}.part`` first; only a file whose size and MD5 match the release is
renamed into place and recorded as ``downloaded`` in the state store, so the
final name always means "complete and verified".

For piping into the splitter without a ``.gz`` on disk, see
:func:`open_release_stream` (same transfer code, re-exported here).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from mirror.bulk.client import BulkClient, Release
from mirror.bulk.errors import DownloadLocked, VerificationError
from mirror.bulk.progress import ProgressCallback, progress_bar
from mirror.bulk.state import StateStore, write_json_atomic
from mirror.bulk.transfer import Transfer, open_release_stream

try:
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX: no cross-process guard
    fcntl = None  # type: ignore[assignment]

__all__ = ["download", "is_complete", "open_release_stream", "release_path"]

CHUNK_SIZE = 1 << 20  # for re-hashing files already on disk


def release_path(dest_dir: Path | str, product: str, release: Release) -> Path:
    """Where ``release``'s file lives once complete."""
    return Path(dest_dir) / product / release.version / release.fileName


def is_complete(state: StateStore, product: str, release: Release, path: Path, *, rehash: bool = False) -> bool:
    """True when the state says this version is downloaded and the file on disk agrees.

    Without ``rehash`` this trusts the md5 recorded at download time (re-hashing
    tens of gigabytes on every run would defeat the point); the size check
    still catches a truncated or replaced file.
    """
    entry = state.get(product, release.version)
    if entry is None or not entry.done("downloaded") or not path.is_file():
        return False
    info = entry.info("downloaded")
    size = path.stat().st_size
    if info.get("bytes") != size or (release.size_bytes is not None and size != release.size_bytes):
        return False
    if release.md5sum and info.get("md5") != release.md5sum:
        return False
    if rehash:
        with open(path, "rb") as fh:
            return _md5_of(fh, None) == (release.md5sum or info.get("md5"))
    return True


def download(
    client: BulkClient,
    product: str,
    dest_dir: Path | str,
    progress: bool = True,
    *,
    state: StateStore | None = None,
    release: Release | None = None,
    retries: int = 3,
    backoff: float = 1.0,
    verify_existing: bool = False,
) -> Path:
    """Download ``product``'s latest release (or ``release``) and return the verified file's path.

    ``state`` defaults to ``StateStore(dest_dir / "state")``; the CLI passes the
    data dir's store. Raises the :mod:`mirror.bulk.errors` types: QuotaExceeded
    (429), UpstreamUnauthorized, DownloadInterrupted (``.part`` kept for the next run),
    SizeMismatch/ChecksumMismatch (``.part`` removed, nothing marked).
    """
    dest_dir = Path(dest_dir)
    release = release or client.release(product)
    state = state or StateStore(dest_dir / "state")
    final = release_path(dest_dir, product, release)
    if is_complete(state, product, release, final, rehash=verify_existing):
        return final

    final.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(final.parent / "release.json", release.public_metadata())
    part = final.with_name(final.name + ".part")
    if final.is_file() and not part.exists():
        # Finished but never recorded (crash between rename and state write):
        # re-check it as if it were a complete .part instead of fetching again.
        os.replace(final, part)

    with _locked(part) as fh:
        with progress_bar(f"checking {part.name}", progress and _size(fh) > 0) as report:
            offset, md5 = _resume_point(fh, release, report)
        with progress_bar(release.fileName, progress) as report:
            transfer = Transfer(
                client,
                release,
                offset=offset,
                md5=md5,
                on_restart=lambda: _truncate(fh),
                retries=retries,
                backoff=backoff,
                on_progress=report,
            )
            try:
                if release.size_bytes is None or offset < release.size_bytes:
                    for chunk in transfer.chunks():
                        fh.write(chunk)
                fh.flush()
                transfer.verify()
            except VerificationError as exc:
                # These bytes disagree with the release: resuming from them could
                # only reproduce the error, so start clean next time.
                fh.close()
                part.unlink(missing_ok=True)
                raise type(exc)(f"{exc}; removed {part}", exc.expected, exc.actual) from None
        os.fsync(fh.fileno())
        os.replace(part, final)

    state.mark(
        product,
        release.version,
        "downloaded",
        path=final,
        file=release.fileName,
        bytes=transfer.position,
        md5=transfer.md5_hex,
        release=release.public_metadata(),
    )
    return final


def _resume_point(fh: BinaryIO, release: Release, report: ProgressCallback) -> tuple[int, hashlib._Hash]:
    """Hash what the .part already holds; keep it only if it can be a prefix of the file."""
    md5 = hashlib.md5()
    size = _size(fh)
    if size:
        fh.seek(0)
        _md5_of(fh, report, md5)
    total = release.size_bytes
    if total is not None and size >= total:
        # Full length counts only if it is exactly right; longer is never right.
        if not (size == total and release.md5sum and md5.hexdigest() == release.md5sum):
            _truncate(fh)
            return 0, hashlib.md5()
    return size, md5


@contextmanager
def _locked(part: Path) -> Iterator[BinaryIO]:
    """Open (creating) the .part for appending, exclusively: two downloads into one file corrupt it."""
    # Append mode: every write lands at the end, which after a truncate is byte 0.
    with open(part, "a+b") as fh:
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise DownloadLocked(f"another process is already downloading into {part}") from None
        try:
            yield fh
        finally:
            # Do not leave an empty .part behind a failure that fetched nothing (401, 429, ...).
            if not fh.closed and _size(fh) == 0:
                part.unlink(missing_ok=True)


def _truncate(fh: BinaryIO) -> None:
    fh.flush()
    fh.seek(0)
    fh.truncate()


def _size(fh: BinaryIO) -> int:
    fh.flush()
    return os.fstat(fh.fileno()).st_size


def _md5_of(fh: BinaryIO, report: ProgressCallback | None, md5: hashlib._Hash | None = None) -> str:
    md5 = md5 or hashlib.md5()
    total, done = os.fstat(fh.fileno()).st_size, 0
    while block := fh.read(CHUNK_SIZE):
        md5.update(block)
        done += len(block)
        if report is not None:
            report(done, total)
    return md5.hexdigest()
