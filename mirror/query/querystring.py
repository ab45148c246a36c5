"""Lens query strings → Elasticsearch DSL, through luqum's parse tree.

The raw string never reaches a backend: every field name is resolved through the
catalogue and every value is checked against its field's kind (practice 3).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from luqum.exceptions import ParseError
from luqum.parser import parser
from luqum.tree import (
    AndOperation, Boost, FieldGroup, From, Fuzzy, Group, Item, Not, OrOperation, Phrase, Plus, Prohibit,
    Proximity, Range, Regex, SearchField, To, UnknownOperation, Word,
)

from mirror.catalogue import Kind, Resolved
from mirror.errors import BadRequest, NotYetSupported

from .names import Names
from .values import case_insensitive, coerce, coerce_bound

_PARSE_LOCK = threading.Lock()  # luqum's PLY parser keeps state between calls
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_WILDCARD = re.compile(r"(?<!\\)[*?]")


def parse_query_string(text: str) -> Item:
    if not text.strip():
        raise BadRequest("query: the query string is empty")
    with _PARSE_LOCK:
        try:
            return parser.parse(text)
        except (ParseError, ValueError, TypeError) as exc:
            raise BadRequest(f"query: malformed query string {text!r}: {exc}") from None


def unescape(value: str) -> str:
    return _ESCAPE.sub(r"\1", value)


def bool_query(must=(), should=(), must_not=(), minimum_should_match: int | None = None) -> dict[str, Any]:
    """A bool query with empty clauses left out; a lone ``must`` is unwrapped."""
    must, should, must_not = list(must), list(should), list(must_not)
    if len(must) == 1 and not should and not must_not:
        return must[0]
    if len(should) == 1 and not must and not must_not:
        return should[0]
    body: dict[str, Any] = {}
    for key, clauses in (("must", must), ("should", should), ("must_not", must_not)):
        if clauses:
            body[key] = clauses
    if should and minimum_should_match is not None:
        body["minimum_should_match"] = minimum_should_match
    return {"bool": body}


class QueryStringCompiler:
    """Compiles one query string. ``fields`` are searched by bare words."""

    def __init__(self, names: Names, fields: list[Resolved], default_operator: str = "or", regex: bool = False):
        self.names, self.fields, self.regex = names, fields, regex
        self.default_operator = default_operator.lower()
        if self.default_operator not in ("and", "or"):
            raise BadRequest(f"default_operator must be 'and' or 'or', got {default_operator!r}")

    def compile(self, text: str) -> dict[str, Any]:
        return self.node(parse_query_string(text), None)

    # -- tree walk ---------------------------------------------------------------
    def node(self, node: Item, field: Resolved | None) -> dict[str, Any]:
        if isinstance(node, SearchField):
            return self.node(node.expr, self.names.resolve(node.name))
        if isinstance(node, (Group, FieldGroup)):
            return self.node(node.expr, field)
        if isinstance(node, AndOperation):
            return self.combine(node.children, field, "and")
        if isinstance(node, OrOperation):
            return self.combine(node.children, field, "or")
        if isinstance(node, UnknownOperation):
            return self.combine(node.children, field, self.default_operator)
        if isinstance(node, (Not, Prohibit)):
            return bool_query(must_not=[self.node(node.a, field)])
        if isinstance(node, Plus):
            return self.node(node.a, field)
        if isinstance(node, Boost):
            return {"bool": {"must": [self.node(node.expr, field)], "boost": float(node.force)}}
        if isinstance(node, (Word, Phrase, Regex, Range, From, To, Proximity)):
            return self.leaf(node, field)
        if isinstance(node, Fuzzy):
            raise NotYetSupported(f"fuzzy search ({node})")
        raise BadRequest(f"query: unsupported query string syntax {str(node)!r}")

    def combine(self, children: list[Item], field: Resolved | None, operator: str) -> dict[str, Any]:
        must, should, must_not = [], [], []
        for child in children:
            if isinstance(child, (Not, Prohibit)):
                must_not.append(self.node(child.a, field))
            elif isinstance(child, Plus) or operator == "and":
                must.append(self.node(child, field))
            else:
                should.append(self.node(child, field))
        if not must and not should:  # "NOT a NOT b": everything but those
            return bool_query(must=[{"match_all": {}}], must_not=must_not)
        return bool_query(must, should, must_not, minimum_should_match=1 if should and not must else None)

    # -- leaves ------------------------------------------------------------------
    def leaf(self, node: Item, field: Resolved | None) -> dict[str, Any]:
        if field is None:
            if isinstance(node, (Word, Phrase, Proximity)):
                return self.default_fields(node)
            raise BadRequest(f"query: {str(node)!r} needs a field name, e.g. year_published:{node}")
        name = field.index_name
        if isinstance(node, Proximity):
            return self.phrase(field, unescape(node.term.value[1:-1]), slop=int(node.degree or 0))
        if isinstance(node, Phrase):
            return self.phrase(field, unescape(node.value[1:-1]))
        if isinstance(node, Regex):
            if not self.regex:
                raise BadRequest(f'query: regular expression {node.value} needs "regex": true in the request')
            return {"regexp": {name: self.pattern_options(field, node.value[1:-1])}}
        if isinstance(node, Range):
            return self.range(field, node.low.value, node.high.value, node.include_low, node.include_high)
        if isinstance(node, From):
            return self.range(field, node.a.value, "*", node.include, True)
        if isinstance(node, To):
            return self.range(field, "*", node.a.value, True, node.include)
        raw = node.value
        if _WILDCARD.search(raw):
            return {"wildcard": {name: self.pattern_options(field, unescape(raw))}}
        return self.term(field, unescape(raw))

    @staticmethod
    def pattern_options(field: Resolved, value: str) -> dict[str, Any]:
        return {"value": value, "case_insensitive": True} if case_insensitive(field) else {"value": value}

    def term(self, field: Resolved, value: str) -> dict[str, Any]:
        name = field.index_name
        if field.kind is Kind.TEXT:
            return {"match": {name: {"query": value, "operator": self.default_operator}}}
        if field.kind is Kind.DATE:
            date = coerce(field, value)
            return {"range": {name: {"gte": date, "lte": date}}}
        return {"term": {name: {"value": coerce(field, value)}}}

    def phrase(self, field: Resolved, text: str, slop: int = 0) -> dict[str, Any]:
        if field.kind is not Kind.TEXT:
            return self.term(field, text)
        body: dict[str, Any] = {"query": text}
        if slop:
            body["slop"] = slop
        return {"match_phrase": {field.index_name: body}}

    def range(self, field: Resolved, low: str, high: str, include_low: bool, include_high: bool) -> dict[str, Any]:
        bounds: dict[str, Any] = {}
        if low != "*":
            bounds["gte" if include_low else "gt"] = coerce_bound(field, unescape(low))
        if high != "*":
            bounds["lte" if include_high else "lt"] = coerce_bound(field, unescape(high))
        if not bounds:
            return {"exists": {"field": field.index_name}}
        return {"range": {field.index_name: bounds}}

    def default_fields(self, node: Item) -> dict[str, Any]:
        """A bare word or phrase: searched in the default fields, best field wins."""
        if isinstance(node, Word):
            text, kind = unescape(node.value), "best_fields"
            if _WILDCARD.search(node.value):
                return bool_query(should=[self.leaf(node, f) for f in self.fields], minimum_should_match=1)
        else:
            term = node.term if isinstance(node, Proximity) else node
            text, kind = unescape(term.value[1:-1]), "phrase"
        body: dict[str, Any] = {
            "query": text,
            "fields": [f.index_name for f in self.fields],
            "type": kind,
        }
        if kind == "best_fields":
            body["operator"] = self.default_operator
        if isinstance(node, Proximity) and node.degree:
            body["slop"] = int(node.degree)
        return {"multi_match": body}
