"""The embedded backend's :class:`~mirror.backends.writing.IndexStore`: versions are
directories under ``{data_dir}/index/{product}/``, ``CURRENT`` names the served one."""

from __future__ import annotations

import shutil

from mirror.settings import Settings

from .indexing import EmbeddedVersionWriter
from .store import (
    EmbeddedIndex,
    IndexUnavailable,
    current_version,
    product_dir,
    remove_version,
    set_current_version,
)


class EmbeddedStore:
    """Every product's embedded index versions under ``settings.data_dir``."""

    backend = "embedded"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir

    def serving(self, product: str) -> str | None:
        return current_version(self.data_dir, product)

    def versions(self, product: str) -> list[str]:
        base = product_dir(self.data_dir, product)
        # dot-directories are ours, not versions (.scroll-leases: see leases.py)
        return sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")) \
            if base.is_dir() else []

    def writer(self, product: str, version: str, *, fresh: bool = False) -> EmbeddedVersionWriter:
        if fresh:
            path = EmbeddedIndex.version_path(self.data_dir, product, version)
            if path.exists():
                shutil.rmtree(path)
        return EmbeddedVersionWriter(EmbeddedIndex.create_version(self.data_dir, product, version), self.settings)

    def check(self, product: str, version: str) -> int:
        return EmbeddedIndex.open_version(self.data_dir, product, version).count()

    def switch(self, product: str, version: str) -> None:
        try:
            self.check(product, version)
        except IndexUnavailable as exc:
            raise IndexUnavailable(f"not switching {product} to version {version!r}: {exc.message}") from None
        set_current_version(self.data_dir, product, version)

    def remove(self, product: str, version: str) -> None:
        EmbeddedIndex.version_path(self.data_dir, product, version)  # refuses a name that is no version
        remove_version(self.data_dir, product, version)
