"""Record → tantivy document, through the catalogue's record transform."""

from __future__ import annotations

from typing import Any, Callable

import orjson
import tantivy

from mirror.catalogue import Catalogue
from mirror.catalogue.derive import lens_id_key
from mirror.catalogue.transform import search_document

from .dates import to_millis
from .fields import FIELD_NAMES, ID, LENS_KEY, SOURCE, FieldSpec

Adder = Callable[[tantivy.Document, Any], None]


class BadRecord(ValueError):
    """A record that cannot be indexed (no lens_id, not an object)."""


def _adder(spec: FieldSpec) -> Adder:
    name = spec.name
    if spec.type == "text":
        return lambda doc, v: doc.add_text(name, v)
    if spec.type == "keyword":
        normalise = spec.normalise
        return lambda doc, v: doc.add_text(name, normalise(v))
    if spec.type == "long":
        return lambda doc, v: doc.add_integer(name, v)
    if spec.type == "boolean":
        return lambda doc, v: doc.add_boolean(name, v)
    if spec.type == "date":
        def add_date(doc: tantivy.Document, v: str) -> None:
            try:
                doc.add_integer(name, to_millis(v))
            except ValueError:
                pass  # an unparsable date is not searchable, but the record still is

        return add_date
    raise ValueError(spec.type)  # pragma: no cover


class DocumentBuilder:
    """Builds tantivy documents for one product; the per-field plan is made once."""

    def __init__(self, catalogue: Catalogue, specs: dict[str, FieldSpec]) -> None:
        self.catalogue = catalogue
        self.plan: dict[str, tuple[str, list[Adder]]] = {}
        for f in catalogue.fields:
            adders = [_adder(specs[n]) for n in (f.index_name, f"{f.index_name}.unstemmed", f"{f.index_name}.exact")
                      if n in specs]
            self.plan[f.name] = (f.index_name, adders)

    def build(self, record: Any, source: bytes | None = None) -> tantivy.Document:
        if not isinstance(record, dict):
            raise BadRecord("a record must be a JSON object")
        lens_id = record.get("lens_id")
        if not isinstance(lens_id, str) or not lens_id:
            raise BadRecord("record has no lens_id")
        doc = tantivy.Document()
        doc.add_text(ID, lens_id)
        doc.add_integer(LENS_KEY, lens_id_key(lens_id))
        doc.add_bytes(SOURCE, source if source is not None else orjson.dumps(record))
        for name, values in search_document(self.catalogue, record).items():
            index_name, adders = self.plan[name]
            doc.add_text(FIELD_NAMES, index_name)
            for add in adders:
                for v in values:
                    add(doc, v)
        return doc
