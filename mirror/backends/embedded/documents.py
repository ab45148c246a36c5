"""Record → tantivy document, through the catalogue's record transform.

This is the indexer's hot loop: the per-field plan is made once, each document is
handed to tantivy in one ``Document.from_dict`` call, and only values that need it
(normalised keywords, dates) are converted.
"""

from __future__ import annotations

from typing import Any, Callable

import orjson
import tantivy

from mirror.backends.writing import record_lens_id
from mirror.catalogue import Catalogue
from mirror.catalogue.derive import lens_id_key
from mirror.catalogue.native import NativeTransform
from mirror.catalogue.transform import search_document
from mirror.dates import to_millis

from .fields import FIELD_NAMES, ID, LENS_KEY, NORMALISERS, PROJECTION, SOURCE, FieldSpec

Convert = Callable[[list[Any]], list[Any]] | None


def _dates(values: list[Any]) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(to_millis(v))
        except ValueError:
            pass  # an unparsable date is not searchable, but the record still is
    return out


def _converter(spec: FieldSpec) -> Convert:
    if spec.type == "keyword" and not spec.normalised_by_tantivy and spec.normalizer is not None:
        normalise = NORMALISERS[spec.normalizer]  # spec.normalise, without its lookup per value
        return lambda values: [normalise(v) for v in values]
    if spec.type == "date":
        return _dates
    return None  # text, long and boolean values go in as the transform left them


class DocumentBuilder:
    """Builds tantivy documents for one product."""

    def __init__(self, catalogue: Catalogue, specs: dict[str, FieldSpec], schema: tantivy.Schema | None,
                 native: NativeTransform | None = None) -> None:
        """``native``: the catalogue's native transform, which :meth:`fields_of_line` then uses."""
        self.catalogue, self.schema, self.native = catalogue, schema, native
        # per search field: the name it is listed under in _field_names (None for fields
        # whose column answers ``exists``: a tenth fewer terms to index) and its targets
        self.plan: dict[str, tuple[str | None, list[tuple[str, Convert]]]] = {}
        for f in catalogue.fields:
            targets = [(n, _converter(specs[n])) for n in
                       (f.index_name, f"{f.index_name}.unstemmed", f"{f.index_name}.exact") if n in specs]
            listed = None if f.index_name in specs and specs[f.index_name].columnar else f.index_name
            self.plan[f.name] = (listed, targets)

    def fields_of_line(self, line: bytes) -> dict[str, list[Any]]:
        """:meth:`fields` of the record on ``line``: its search document made by the native
        transform where there is one (the same document, without the record's Python objects),
        else by the Python transform, which also says what is wrong with a line."""
        made = self.native.document(line) if self.native is not None else None
        if made is None:
            return self.fields(orjson.loads(line))
        return self._fields(made[0], orjson.loads(made[1]))

    def fields(self, record: Any) -> dict[str, list[Any]]:
        """Every indexed field's values (plain data, so a worker process can make them)."""
        return self._fields(record_lens_id(record), search_document(self.catalogue, record))

    def _fields(self, lens_id: str, search: dict[str, list[Any]]) -> dict[str, list[Any]]:
        present: list[str] = []
        fields: dict[str, list[Any]] = {ID: [lens_id], LENS_KEY: [lens_id_key(lens_id)], FIELD_NAMES: present}
        for name, values in search.items():
            listed, targets = self.plan[name]
            if listed is not None:
                present.append(listed)
            for target, convert in targets:
                fields[target] = values if convert is None else convert(values)
        return fields

    def document(self, fields: dict[str, list[Any]], source: bytes, projection: int = 0) -> tantivy.Document:
        """The tantivy document for prepared fields plus the stored original record and the
        place of its pruned copy (0: none)."""
        if self.schema is None:
            raise ValueError("this builder prepares fields only (no schema)")
        fields[SOURCE] = [source]
        fields[PROJECTION] = [projection]
        return tantivy.Document.from_dict(fields, self.schema)
