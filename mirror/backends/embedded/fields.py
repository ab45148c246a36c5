"""The embedded (tantivy) schema, built from the same index definition as the ES mapping.

Each leaf of the mapping (sub-fields included) becomes one explicit tantivy field
named exactly like its Elasticsearch path, so the query translator can take field
names from an ES body unchanged. Keyword normalisers run in Python (the same
functions at index and query time); analysers are tantivy text analysers that are
re-registered every time an index is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import tantivy

from mirror.catalogue import Catalogue
from mirror.catalogue.derive import normalise_identifier
from mirror.catalogue.mapping import flatten_mapping, index_definition

# Internal fields: not in the ES mapping (Elasticsearch has them built in).
ID = "_id"  # the raw Lens ID: key for updates and GET by id
LENS_KEY = "_lens_key"  # integer that sorts like the Lens ID: the tie-breaker
SOURCE = "_source"  # the original record, orjson bytes
FIELD_NAMES = "_field_names"  # which text/keyword fields a document has values for (exists queries)
PROJECTION = "_projection"  # where the record's pruned copy is in projections.bin (see projections.py)

KEYWORD_MAX_BYTES = 32766  # Elasticsearch's keyword limit; tantivy's term limit is ~64 KB


def keyword_analyzer(lowercase: bool) -> tantivy.TextAnalyzer:
    """One token per value; the lower-casing one is the ``lens_lowercase`` normaliser.

    Keyword normalisation runs inside tantivy's indexing threads, not in Python, and
    queries normalise their values with the very same analyser.
    """
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.remove_long(KEYWORD_MAX_BYTES))
    if lowercase:
        builder = builder.filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold())
    return builder.build()


@lru_cache(maxsize=None)
def _query_analyzer(lowercase: bool) -> tantivy.TextAnalyzer:
    return keyword_analyzer(lowercase)


def _lowercase(value: str) -> str:
    return "".join(_query_analyzer(True).analyze(value))


#: Normalisers applied in Python: to query values (all) and to indexed values (those
#: with no analyser doing it in tantivy; see KEYWORD_TOKENIZERS).
NORMALISERS: dict[str | None, Callable[[str], str]] = {
    None: lambda v: v,
    "lens_lowercase": _lowercase,
    "lens_identifier": normalise_identifier,
}

#: The tantivy tokenizer each keyword normaliser indexes with.
KEYWORD_TOKENIZERS = {None: "lens_keyword", "lens_lowercase": "lens_lowercase", "lens_identifier": "lens_keyword"}


def build_analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """The tantivy counterparts of the mapping's analysers."""

    def analyzer(stem: bool) -> tantivy.TextAnalyzer:
        builder = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(255))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
        )
        if stem:
            builder = builder.filter(tantivy.Filter.stemmer("english"))
        return builder.build()

    return {"lens_english": analyzer(True), "lens_plain": analyzer(False),
            "lens_keyword": keyword_analyzer(False), "lens_lowercase": keyword_analyzer(True)}


@dataclass(frozen=True)
class FieldSpec:
    """One indexed field: its ES path (= tantivy name), ES type and analysis."""

    name: str
    type: str  # text | keyword | long | date | boolean
    analyzer: str | None = None
    normalizer: str | None = None
    stored: bool = False  # sortable keywords keep their value for multi-key sorts
    fast: bool = False  # keyword columns only where sorting or aggregating needs them

    @property
    def base(self) -> str:
        """The search field a sub-field belongs to (``search.title`` for ``.unstemmed``)."""
        for suffix in (".unstemmed", ".exact"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name

    def normalise(self, value: str) -> str:
        """A value as this field's terms hold it (what queries compare with)."""
        return NORMALISERS[self.normalizer](value)

    @property
    def columnar(self) -> bool:
        """Numbers, dates and booleans: always fast fields, so ``exists`` asks the column."""
        return self.type in ("long", "date", "boolean")

    @property
    def normalised_by_tantivy(self) -> bool:
        return KEYWORD_TOKENIZERS[self.normalizer] == self.normalizer

    @property
    def tokenizer(self) -> str:
        return KEYWORD_TOKENIZERS[self.normalizer] if self.type == "keyword" else (self.analyzer or "lens_plain")


def field_specs(catalogue: Catalogue) -> dict[str, FieldSpec]:
    definition = index_definition(catalogue)
    resolved = [catalogue.resolve(n) for n in catalogue.names]
    sortable = {r.index_name for r in resolved if r.sortable}
    # Columnar (fast) keyword storage costs indexing time for every value of long lists
    # (references, affiliations): only sorting and terms buckets get it. The identifier
    # lists Lens only counts (cardinality) are counted from the term dictionary instead.
    columnar = sortable | {r.index_name for r in resolved if "terms" in r.aggregations}
    specs: dict[str, FieldSpec] = {}
    for path, body in flatten_mapping(definition["mappings"]["properties"]).items():
        keyword = body["type"] == "keyword"
        specs[path] = FieldSpec(
            path, body["type"], body.get("analyzer"), body.get("normalizer"),
            stored=keyword and path in sortable, fast=keyword and path in columnar,
        )
    return specs


def build_schema(specs: dict[str, FieldSpec]) -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for spec in specs.values():
        if spec.type == "text":
            sb.add_text_field(spec.name, tokenizer_name=spec.analyzer or "lens_plain", index_option="position")
        elif spec.type == "keyword":
            sb.add_text_field(spec.name, stored=spec.stored, fast=spec.fast, tokenizer_name=spec.tokenizer,
                              index_option="basic")
        elif spec.type in ("long", "date"):  # fast: sorting, and exists (see FieldSpec.columnar)
            sb.add_integer_field(spec.name, indexed=True, fast=True)
        elif spec.type == "boolean":
            sb.add_boolean_field(spec.name, indexed=True, fast=True)
        else:  # pragma: no cover - the mapping generator emits only the types above
            raise ValueError(f"{spec.name}: unsupported mapping type {spec.type!r}")
    sb.add_text_field(ID, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field(LENS_KEY, indexed=False, fast=True)
    sb.add_text_field(FIELD_NAMES, tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field(SOURCE, stored=True)
    sb.add_integer_field(PROJECTION, indexed=False, fast=True)
    return sb.build()


def schema_signature(specs: dict[str, FieldSpec]) -> list[list[Any]]:
    """What an index on disk was built with; a change means the index must be rebuilt."""
    fields = [[s.name, s.type, s.tokenizer, s.normalizer, s.stored, s.fast] for s in specs.values()]
    return [*fields, [PROJECTION, "long", None, None, False, True]]  # the internal fields that came later
