"""Scroll leases: a server tells ``sync`` (another process) which old versions a scroll still reads.

A scroll on the embedded backend keeps the version it started on open, even
after ``CURRENT`` switches away from it. Its files must then stay on disk until
the scroll ends, but the cleanup that removes old versions runs in ``lens-mirror
sync``, not in the server. So the server keeps one small file per version it is
scrolling, ``{data_dir}/index/{product}/.scroll-leases/{version}.{pid}``, holding
the wall-clock time its last scroll there expires; :func:`leased` says whether
any live lease remains. A server that dies leaves a lease that simply expires.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from .store import product_dir

LEASES = ".scroll-leases"
#: Seconds a lease file outlasts its scrolls, so that a renewal rewrites it at most every few seconds.
RENEW_SLACK = 5.0


def lease_dir(data_dir: Path, product: str) -> Path:
    return product_dir(data_dir, product) / LEASES


def leased(data_dir: Path, product: str, version: str, now: float | None = None) -> bool:
    """Whether a live scroll (of any server process) still reads ``version``."""
    now = time.time() if now is None else now
    for path in lease_dir(data_dir, product).glob(f"{version}.*"):
        if path.name.rsplit(".", 1)[0] != version:  # "2023.1.77" is no lease on "2023"
            continue
        try:
            if float(path.read_text().strip() or 0) > now:
                return True
        except (OSError, ValueError):
            continue  # removed meanwhile, or half-written: a live one is rewritten whole
    return False


class Leases:
    """This process's leases: per (product, version), its open scrolls and the latest expiry."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._held: dict[tuple[str, str], dict[int, float]] = {}  # → {snapshot id: wall-clock expiry}
        self._written: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def _path(self, product: str, version: str) -> Path:
        return lease_dir(self.data_dir, product) / f"{version}.{os.getpid()}"

    def hold(self, product: str, version: str, holder: int, seconds: float) -> None:
        """Take or renew ``holder``'s lease on ``version`` for ``seconds`` from now."""
        with self._lock:
            held = self._held.setdefault((product, version), {})
            held[holder] = time.time() + seconds
            until = max(held.values())
            if until > self._written.get((product, version), 0.0):
                # written with slack, so most renewals skip the write
                self._write(product, version, until + RENEW_SLACK)

    def release(self, product: str, version: str, holder: int) -> None:
        with self._lock:
            held = self._held.get((product, version), {})
            held.pop(holder, None)
            if held:
                return
            self._held.pop((product, version), None)
            self._written.pop((product, version), None)
            self._path(product, version).unlink(missing_ok=True)

    def _write(self, product: str, version: str, until: float) -> None:
        path = self._path(product, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(f"{until:.3f}\n")
        os.replace(tmp, path)
        self._written[(product, version)] = until
