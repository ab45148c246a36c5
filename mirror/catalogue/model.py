"""The field catalogue's vocabulary: what a search field is and how names resolve.

One :class:`Catalogue` per product is the single source of truth for fields. The
Elasticsearch mapping, the embedded schema, the record transform, name resolution
and every whitelist (sort, include/exclude, aggregations) are derived from it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Callable

from mirror.errors import BadRequest, excerpt

#: Index documents keep search fields under this object so that they never collide
#: with the original record, which is what ``_source`` holds and what responses show.
SEARCH_PREFIX = "search"


class Kind(StrEnum):
    TEXT = "text"  # analysed: stemmed English, plus an unstemmed sub-field
    KEYWORD = "keyword"  # one token per value; case-insensitive unless case_sensitive
    IDENTIFIER = "identifier"  # keyword normalised to upper-case alphanumerics (patent ids)
    INTEGER = "integer"
    DATE = "date"
    BOOLEAN = "boolean"


#: A derivation computes a field's values from the whole record (filters, counts...);
#: it reads the record through a ``paths.RecordView``.
Derivation = Callable[[Any], list[Any]]


@dataclass(frozen=True)
class SearchField:
    """One Lens search field: its name, analysis, where its values come from."""

    name: str
    kind: Kind
    sources: tuple[str, ...] = ()  # record paths (see paths.py); empty when derived
    derive: Derivation | None = None
    case_sensitive: bool = False
    exact: bool = False  # also a case-sensitive ``<name>.exact`` keyword sub-field
    aggregatable: bool = False
    # Identifier lists (cited Lens IDs, family IDs...): Lens counts their distinct values
    # (cardinality) but does not offer them as terms buckets.
    count_only: bool = False
    multi_valued: bool = True  # set from the record schema by the catalogue builder
    aliases: tuple[str, ...] = ()
    deprecated: bool = False
    filter: bool = False  # a documented boolean filter (has_*, is_*, cites_*)
    doc: str = ""

    @property
    def index_name(self) -> str:
        """The field's path in an index document (and in the ES mapping)."""
        return f"{SEARCH_PREFIX}.{self.name}"

    @property
    def sortable(self) -> bool:
        # ES cannot sort on analysed text; multi-valued sorts are ambiguous for users,
        # so only single-valued scalar fields (and the .exact keywords of those) sort.
        return not self.multi_valued and self.kind is not Kind.TEXT


@dataclass(frozen=True)
class Resolved:
    """A search name as the query layer needs it: field plus which variant to use."""

    field: SearchField
    variant: str = ""  # "" | "exact" | "unstemmed"

    @property
    def index_name(self) -> str:
        return self.field.index_name + (f".{self.variant}" if self.variant else "")

    @property
    def kind(self) -> Kind:
        return Kind.KEYWORD if self.variant == "exact" else self.field.kind

    @property
    def sortable(self) -> bool:
        return self.field.sortable or (self.variant == "exact" and not self.field.multi_valued)


    @property
    def aggregations(self) -> frozenset[str]:
        """The aggregation types this name may be used with (Lens's aggregation-fields lists).

        Text aggregates only through its ``.exact`` keyword; numbers take every metric and
        ``histogram``; dates ``date_histogram``; keywords ``terms`` and ``cardinality``.
        """
        f = self.field
        if not f.aggregatable or self.variant == "unstemmed":
            return frozenset()
        return AGGREGATIONS_BY_KIND.get((self.kind, f.count_only), frozenset())


#: What each kind of aggregatable field allows, by (kind, count_only).
NUMBER_AGGREGATIONS = frozenset({"cardinality", "avg", "max", "min", "sum", "histogram"})
AGGREGATIONS_BY_KIND: dict[tuple[Kind, bool], frozenset[str]] = {
    (Kind.INTEGER, False): NUMBER_AGGREGATIONS,
    (Kind.INTEGER, True): NUMBER_AGGREGATIONS,
    (Kind.DATE, False): frozenset({"date_histogram"}),
    (Kind.KEYWORD, False): frozenset({"terms", "cardinality"}),
    (Kind.KEYWORD, True): frozenset({"cardinality"}),
}


class UnknownField(BadRequest, LookupError):
    """A search name the catalogue does not know; the message suggests the nearest ones."""

    def __init__(self, name: str, suggestions: list[str], what: str = "field") -> None:
        self.name, self.suggestions, self.what = name, suggestions, what
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {what} {excerpt(name)}{hint}")


@dataclass(eq=False)  # identity: one catalogue object per product, usable as a cache key
class Catalogue:
    product: str
    fields: tuple[SearchField, ...]
    default_fields: tuple[str, ...]  # searched by bare words in query strings
    max_size: int
    _by_name: dict[str, Resolved] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for f in self.fields:
            for name in (f.name, *f.aliases):
                self._add(name, Resolved(f))
                if f.exact:
                    self._add(f"{name}.exact", Resolved(f, "exact"))

    def _add(self, name: str, resolved: Resolved) -> None:
        if name in self._by_name:
            raise ValueError(f"{self.product} catalogue: duplicate search name {name!r}")
        self._by_name[name] = resolved

    @property
    def names(self) -> list[str]:
        """Every accepted search name (canonical names, aliases and .exact variants)."""
        return sorted(self._by_name)

    def resolve(self, name: str) -> Resolved:
        try:
            return self._by_name[name]
        except KeyError:
            # difflib's cost grows with the name's length: a long one gets no suggestions
            close = difflib.get_close_matches(name, self._by_name, n=3, cutoff=0.6) if len(name) <= 100 else []
            raise UnknownField(name, close) from None

    def field(self, name: str) -> SearchField:
        return self.resolve(name).field

    def aggregatable(self, aggregation: str) -> list[str]:
        """Every search name (aliases included) that ``aggregation`` may use, sorted."""
        return [n for n, r in sorted(self._by_name.items()) if aggregation in r.aggregations]
