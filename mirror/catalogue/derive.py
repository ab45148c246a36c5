"""Derivations: field values computed from a whole record at index time.

Filters (``has_*``, ``is_*``, ``cites_*``), counts and identifier spellings are
not stored in Lens records; the catalogue names one of these per derived field.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any, Callable

from .model import Derivation
from .paths import RecordView
from .walk import flatten

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_EMPTY: tuple[Any, ...] = ("", [], {})  # what does not count as a value


def reads(*paths: str) -> Callable[[Derivation], Derivation]:
    """Declares the record paths a derivation reads, so the indexer's one walk of a
    record collects them too (see ``paths.PathReader``)."""

    def declare(derive: Derivation) -> Derivation:
        derive.paths = paths  # type: ignore[attr-defined]
        return derive

    return declare


def of_values(*paths: str) -> Callable[[Callable[..., list[Any]]], Derivation]:
    """Declares a derivation computed from its paths' values alone: ``compute`` takes one
    sequence of values per path (empty when the record has none there) and must not keep
    or change them. The compiled transform calls ``compute`` with the values its walk read
    (``derive.compute``), with no view in between."""

    def declare(compute: Callable[..., list[Any]]) -> Derivation:
        def derive(view: RecordView) -> list[Any]:
            return compute(*[view.values(p) for p in paths])

        derive.paths = paths  # type: ignore[attr-defined]
        derive.compute = compute  # type: ignore[attr-defined]
        derive.__qualname__ = compute.__qualname__
        return derive

    return declare


def native(op: str, **args: Any) -> Callable[[Derivation], Derivation]:
    """Names a derivation's counterpart in the native transform (``native/src/spec.rs``,
    ``Op``): its operation and arguments. The paths it reads are those the derivation
    declares (``of_values``, ``reads``). A catalogue with a derivation that names none is
    transformed in Python only."""

    def declare(derive: Derivation) -> Derivation:
        derive.native = {"op": op, **args}  # type: ignore[attr-defined]
        return derive

    return declare


def exists(*paths: str) -> Derivation:
    """True when any path has a non-empty value."""

    @native("exists")
    @of_values(*paths)
    def derive(*values: Sequence[Any]) -> list[Any]:
        for found in values:  # loops, not any() over a generator: a tenth of the transform ran here
            for v in found:
                if v not in _EMPTY:
                    return [True]
        return [False]

    return derive


def positive(path: str) -> Derivation:
    """True when the number at ``path`` is above zero (missing counts as zero)."""

    @native("positive")
    @of_values(path)
    def derive(values: Sequence[Any]) -> list[Any]:
        for v in values:
            if isinstance(v, (int, float)) and v > 0:
                return [True]
        return [False]

    return derive


def equals(path: str, value: str) -> Derivation:
    @native("equals", value=value)
    @of_values(path)
    def derive(values: Sequence[Any]) -> list[Any]:
        return [value in values]

    return derive


def count(path: str) -> Derivation:
    """How many objects or values sit at ``path``."""

    @native("count")
    @of_values(path)
    def derive(values: Sequence[Any]) -> list[Any]:
        return [len(values)]

    return derive


def year_of(path: str) -> Derivation:
    @native("year_of")
    @of_values(path)
    def derive(values: Sequence[Any]) -> list[Any]:
        return [int(v[:4]) for v in values if isinstance(v, str) and v[:4].isdigit()][:1]

    return derive


def _chosen(authors: Sequence[Any], position: str) -> list[dict[str, Any]]:
    """The authors (objects only) at ``position``: "all", "first" or "last"."""
    if position == "all":
        return [a for a in authors if isinstance(a, dict)]
    for a in authors if position == "first" else reversed(authors):
        if isinstance(a, dict):
            return [a]
    return []


def author_names(position: str = "all") -> Derivation:
    """Display names ("First Last", or the collective name) of all, first or last author."""

    @native("author_names", position=position)
    @of_values("authors")
    def derive(authors: Sequence[Any]) -> list[Any]:
        names = []
        for a in _chosen(authors, position):
            first, last = a.get("first_name"), a.get("last_name")
            name: Any
            if isinstance(first, str) and first:
                name = f"{first} {last}" if isinstance(last, str) and last else first
            elif isinstance(last, str) and last:
                name = last
            else:
                name = a.get("collective_name")
            if isinstance(name, str) and name:
                names.append(name)
        return names

    return derive


def author_ids(position: str) -> Derivation:
    """The MAG author ids of the first or last author."""

    @native("author_ids", position=position)
    @of_values("authors")
    def derive(authors: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for a in _chosen(authors, position):  # values_at(a, "ids[type=magid].value")
            ids: list[Any] = []
            flatten(a.get("ids"), ids)
            for i in ids:
                if type(i) is dict and "type" in i and str(i["type"]) == "magid":
                    flatten(i.get("value"), out)
        return out

    return derive


def family_key(path: str) -> Derivation:
    """One number per patent family: that of the smallest Lens ID among its members and the record.

    Lens lists the whole family in every member's record (``{path}.members[].lens_id``),
    so whichever member is read, the same key comes out: grouping and expanding by
    family (``group_by``, ``expand_by``) collapse and look up on it. The record's own
    Lens ID counts too, so a record without a family listing is a family of one. A
    number, not the ID string: the embedded engine reads numeric columns for every
    match at no cost, and strings at a thousand times that (see ``lens_id_number``).
    """
    members = f"{path}.members.lens_id"

    @native("family_key")
    @reads(members)
    def derive(view: RecordView) -> list[Any]:
        ids = [v for v in view.values(members) if isinstance(v, str) and v]
        own = view.record.get("lens_id")
        if isinstance(own, str) and own:
            ids.append(own)
        return [lens_id_number(min(ids))] if ids else []

    return derive


def normalise_identifier(value: str) -> str:
    """The one spelling identifiers are compared in: upper-case letters and digits."""
    if value.isascii() and value.isalnum():  # letters and digits already (most are): no regex
        return value.upper()
    return _NOT_ALNUM.sub("", value).upper()


_ID_PARTS = ("jurisdiction", "doc_number", "kind", "date_published")


@native("patent_identifiers")
def patent_identifiers(view: RecordView) -> list[Any]:
    """Every spelling Lens accepts for a publication in ``ids`` (normalised at query time too).

    ``EP0227762B1``, ``EP 0227762 B1``, ``EP_0227762_B1_19900411``, ``7,654,321``,
    ``US 2021/0191781 A1`` and the Lens ID all normalise to one of these.
    """
    record = view.record
    jur, num, kind, date = [v if isinstance(v := record.get(k), str) else "" for k in _ID_PARTS]  # odd: missing
    date = date.replace("-", "")
    out = {num, jur + num, jur + num + kind, jur + num + kind + date}
    for v in (record.get("lens_id"), record.get("doc_key"), record.get("docdb_id")):
        if v is not None:
            out.add(str(v))
    return sorted({normalise_identifier(v) for v in out if v})


def _standard_key(lens_id: str) -> int | None:
    """A Lens ID of the standard form as an integer below 2**51 that sorts like it; else None.

    Lens IDs are five groups of three digits, the last character a check digit or
    ``X``; mapping ``X`` to 10 keeps the order of the strings.
    """
    digits = lens_id.replace("-", "")
    if len(digits) == 15 and digits[:14].isdigit() and (digits[14].isdigit() or digits[14] in "Xx"):
        check = 10 if digits[14] in "Xx" else int(digits[14])
        return int(digits[:14]) * 11 + check
    return None


def lens_id_key(lens_id: str) -> int:
    """An integer that sorts like the Lens ID string (the tie-breaker sort key).

    Other strings than standard Lens IDs fall back to their first seven bytes,
    big-endian, which also preserves order (but not identity).
    """
    key = _standard_key(lens_id)
    return key if key is not None else int.from_bytes(lens_id.encode()[:7].ljust(7, b"\0"), "big")


_HASHED = 1 << 62


def lens_id_number(lens_id: str) -> int:
    """An integer that identifies a Lens ID: one to one for standard IDs (below 2**51);
    any other string gets a 62-bit hash at or above 2**62, so the two never meet and
    the value still fits a signed 64-bit ``long``."""
    key = _standard_key(lens_id)
    if key is not None:
        return key
    digest = hashlib.blake2b(lens_id.encode(), digest_size=8).digest()
    return _HASHED | (int.from_bytes(digest, "big") & (_HASHED - 1))
