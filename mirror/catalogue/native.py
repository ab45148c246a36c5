"""The record transform in native code, where it is installed: a record's line → its search
document as JSON, without making the record's Python objects.

The engine feeder spends most of its CPU turning lines into documents (``orjson.loads``,
then :func:`~mirror.catalogue.transform.search_document`, then ``orjson.dumps``), and on
shared cores that CPU is the engine's loss. The optional module ``lens_mirror_native``
(``native/``, Rust: built by ``scripts/test`` where ``cargo`` is installed, or
``pip install ./native``) computes the same documents from the line itself, given the
catalogue as the spec :func:`transform_spec` writes. Where Python's answer needs more
than it knows (a line that is not a plain record, Python's own reading of odd text or
identifiers: see ``native/src/lib.rs``), it declines and the Python transform runs: the
documents are the same either way (``tests/test_native.py`` holds the two to it).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any, Protocol

import orjson

from .model import Catalogue
from .paths import steps
from .transform import transformed

MODULE = "lens_mirror_native"


class NativeTransform(Protocol):
    def document(self, line: bytes) -> tuple[str, bytes] | None:
        """``(lens_id, search document as JSON)``, or None: run the Python transform."""


def transform_spec(catalogue: Catalogue) -> dict[str, Any] | None:
    """The catalogue as the native transform reads it (``Spec`` in ``native/src/spec.rs``),
    or None when a derivation has no native counterpart (``derive.native``)."""
    fields, paths = transformed(catalogue)
    index = {p: i for i, p in enumerate(paths)}
    by_path = steps(paths)
    entries: list[dict[str, Any]] = []
    for f in fields:
        entry: dict[str, Any] = {"name": f.name, "kind": str(f.kind), "sources": [index[p] for p in f.sources]}
        if f.derive is not None:
            native = getattr(f.derive, "native", None)
            if native is None:
                return None
            entry["derive"] = {**native, "paths": [index[p] for p in getattr(f.derive, "paths", ())]}
        entries.append(entry)
    return {"paths": [[list(step) for step in by_path[p]] for p in paths], "fields": entries}


@lru_cache(maxsize=8)
def native_transform(catalogue: Catalogue) -> NativeTransform | None:
    """The native transform of ``catalogue``; None where the module is not installed."""
    try:
        module = importlib.import_module(MODULE)
    except ImportError:
        return None
    spec = transform_spec(catalogue)
    if spec is None:
        return None
    made: NativeTransform = module.Transform(orjson.dumps(spec).decode())
    return made

