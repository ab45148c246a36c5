"""Deterministic sample data in the exact shape of Lens.org API records.

``generate_records(product, count, seed)`` yields ``count`` records whose record ``i`` has
the Lens ID ``lens_id_for(product, seed, i)``. Output is a pure function of
(product, count, seed): each record draws from its own random streams keyed by
(seed, product, index), never from one global stream, so record ``i`` is identical in every
sample that contains it. The one exception is cross references, which must point inside
the sample: links to indices at or beyond ``count`` are dropped (and the counts next to
them follow), see ``mirror.sample.graph``. Scholarly and patent samples generated with the
same seed and count reference each other consistently.

``write_sample`` writes JSON Lines (plain, ``.gz`` or ``.zst``) byte-for-byte reproducibly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mirror.sample.ids import PRODUCTS, is_lens_id, lens_id_for
from mirror.sample.writer import write_sample

__all__ = ["PRODUCTS", "generate_records", "is_lens_id", "lens_id_for", "write_sample"]


def generate_records(product: str, count: int, seed: int, *, start: int = 0,
                     stop: int | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``count`` records of ``product`` ("scholarly" or "patent") for ``seed``.

    ``start``/``stop`` yield only records ``start`` to ``stop - 1`` of that same sample,
    identical to the corresponding slice of the full run: parallel workers can each
    generate a range, and any one record can be regenerated cheaply.
    """
    if product not in PRODUCTS:
        raise ValueError(f"unknown product {product!r}; expected one of {PRODUCTS}")
    if count < 0:
        raise ValueError("count must not be negative")
    stop = count if stop is None else min(stop, count)
    if not 0 <= start <= stop:
        raise ValueError(f"bad range [{start}, {stop}) for a sample of {count}")
    return _generate(product, count, seed, start, stop)


def _generate(product: str, count: int, seed: int, start: int, stop: int) -> Iterator[dict[str, object]]:
    # Imported here so that importing the package stays cheap (the CLI imports it early).
    from mirror.sample.patent import patent_record
    from mirror.sample.scholarly import scholarly_record
    from mirror.sample.universe import Universe

    universe = Universe(seed, count)
    build = scholarly_record if product == "scholarly" else patent_record
    for i in range(start, stop):
        yield build(universe, i)
