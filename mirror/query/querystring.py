"""Lens query strings → Elasticsearch DSL, through luqum's parse tree and its visitors.

The raw string never reaches a backend: every field name is resolved through the
catalogue and every value is checked against its field's kind (practice 3).

Parsing is bounded before it starts: the string's length, then its tokens (one
linear pass of luqum's lexer) are checked against the limits, so the parser,
whose cost grows faster than linearly with the number of terms, only ever sees
small inputs; the tree's depth is checked before it is walked. Each thread
parses with its own lexer (``luqum.thread``), so no request waits for another's.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Iterator

from luqum.exceptions import InconsistentQueryException, ParseError
from luqum.parser import lexer as luqum_lexer
from luqum.thread import parse as luqum_parse
from luqum.tree import (
    Boost,
    From,
    Fuzzy,
    Item,
    Not,
    Phrase,
    Plus,
    Prohibit,
    Proximity,
    Range,
    Regex,
    SearchField,
    To,
    Word,
)
from luqum.visitor import TreeVisitor

from mirror.catalogue import Kind, Resolved
from mirror.errors import BadRequest, NotYetSupported, excerpt

from .limits import Budget, Limits, words
from .names import Names
from .patterns import check_pattern
from .values import case_insensitive, check_boost, check_slop, coerce, coerce_bound

_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_TERMS = {"TERM", "PHRASE", "REGEX"}
_local = threading.local()


def unescape(value: str) -> str:
    return _ESCAPE.sub(r"\1", value)


def has_wildcard(raw: str) -> bool:
    """Does a query-string word hold an unescaped ``*`` or ``?``?"""
    i = 0
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw[i] in "*?":
            return True
        i += 1
    return False


def wildcard_value(raw: str) -> str:
    """A word with wildcards → an Elasticsearch wildcard value: ``\\*`` and ``\\?`` stay escaped."""
    return _ESCAPE.sub(lambda m: m[0] if m[1] in "*?\\" else m[1], raw)


def _tokens(text: str) -> Iterator[Any]:
    if not hasattr(_local, "lexer"):
        _local.lexer = luqum_lexer.clone()
    lexer = _local.lexer
    lexer.input(text)
    return iter(lexer.token, None)


def parse_query_string(text: str, limits: Limits) -> Item:
    if not text.strip():
        raise BadRequest("query: the query string is empty")
    if len(text) > limits.max_query_length:
        raise limits.breach(f"query: the query string is {len(text):,} characters long", limits.max_query_length,
                            "max_query_length")
    try:
        terms = tokens = 0
        for token in _tokens(text):
            tokens += 1
            terms += token.type in _TERMS
            if terms > limits.max_clauses or tokens > 4 * limits.max_clauses:
                raise limits.breach("query: the query string has too many terms", limits.max_clauses, "max_clauses")
        return luqum_parse(text)
    except (ParseError, InconsistentQueryException, ValueError, TypeError) as exc:
        raise BadRequest(f"query: malformed query string {excerpt(text)}: {str(exc)[:120]}") from None


def bound_text(node: Item) -> str:
    """A range bound as written: luqum reads ``-5`` in ``[-5 TO 0]`` as "must not 5"."""
    if isinstance(node, Prohibit) and isinstance(node.a, Word):
        return "-" + node.a.value
    if isinstance(node, (Word, Phrase)):
        return node.value[1:-1] if isinstance(node, Phrase) else node.value
    raise BadRequest(f"query: {excerpt(str(node))} is not a range bound")


def tree_depth(tree: Item) -> int:
    """Levels of operators and groups above the deepest leaf (iterative: any depth is safe)."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        children = node.children
        if children:
            stack.extend((child, depth + 1) for child in children)
        deepest = max(deepest, depth)
    return deepest


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


class QueryStringCompiler(TreeVisitor):
    """Compiles one query string. ``fields`` are searched by bare words.

    Each ``visit_*`` method yields the one Elasticsearch query its node compiles
    to; the context carries the field a ``field:`` prefix put in force.
    """

    #: Node type -> visiting function, for every instance: luqum finds a node's method by walking
    #: its class's MRO and name-mangling each class name, and caches that per visitor instance
    #: only, while one is made per query string (a fifth of compiling a two-word query).
    _methods: dict[type, Any] = {}

    def __init__(self, names: Names, fields: list[Resolved], default_operator: str = "or", regex: bool = False,
                 limits: Limits | None = None, budget: Budget | None = None, depth: int = 1) -> None:
        super().__init__()
        self.names, self.fields, self.regex = names, fields, regex
        self.limits = limits or Limits()
        self.budget = budget or Budget(self.limits)
        self.depth = depth
        self.default_operator = default_operator.lower()
        if self.default_operator not in ("and", "or"):
            raise BadRequest(f"default_operator must be 'and' or 'or', got {excerpt(default_operator)}")

    def compile(self, text: str) -> dict[str, Any]:
        tree = parse_query_string(text, self.limits)
        self.budget.check_depth(self.depth + tree_depth(tree))
        return self.one(tree, {"field": None})

    def _get_method(self, node: Item) -> Any:
        function = self._methods.get(type(node))
        if function is None:
            function = self._methods[type(node)] = super()._get_method(node).__func__
        return function.__get__(self)

    def one(self, node: Item, context: dict[str, Any]) -> dict[str, Any]:
        return next(iter(self.visit_iter(node, context)))

    # -- structure ---------------------------------------------------------------
    def visit_search_field(self, node: SearchField, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield self.one(node.expr, {"field": self.names.resolve(node.name)})

    def visit_group(self, node: Item, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield self.one(node.expr, context)

    visit_field_group = visit_group

    def visit_and_operation(self, node: Item, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield self.combine(node.children, context, "and")

    def visit_or_operation(self, node: Item, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield self.combine(node.children, context, "or")

    def visit_unknown_operation(self, node: Item, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield self.combine(node.children, context, self.default_operator)

    def visit_not(self, node: Not | Prohibit, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield bool_query(must_not=[self.one(node.a, context)])

    visit_prohibit = visit_not

    def visit_plus(self, node: Plus, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield self.one(node.a, context)

    def visit_boost(self, node: Boost, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        boost = check_boost(str(node.force), f"query: the boost of {excerpt(str(node.expr))}")
        yield {"bool": {"must": [self.one(node.expr, context)], "boost": boost}}

    def visit_fuzzy(self, node: Fuzzy, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        raise NotYetSupported(f"fuzzy search ({excerpt(str(node))})")

    def generic_visit(self, node: Item, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if isinstance(node, (Word, Phrase, Regex, Range, From, To, Proximity)):
            yield self.leaf(node, context["field"])
            return
        raise BadRequest(f"query: unsupported query string syntax {excerpt(str(node))}")

    def combine(self, children: list[Item], context: dict[str, Any], operator: str) -> dict[str, Any]:
        must, should, must_not = [], [], []
        for child in children:
            if isinstance(child, (Not, Prohibit)):
                must_not.append(self.one(child.a, context))
            elif isinstance(child, Plus) or operator == "and":
                must.append(self.one(child, context))
            else:
                should.append(self.one(child, context))
        if not must and not should:  # "NOT a NOT b": everything but those
            return bool_query(must=[{"match_all": {}}], must_not=must_not)
        return bool_query(must, should, must_not, minimum_should_match=1 if should and not must else None)

    # -- leaves ------------------------------------------------------------------
    def leaf(self, node: Item, field: Resolved | None) -> dict[str, Any]:
        if field is None:
            if isinstance(node, (Word, Phrase, Proximity)):
                return self.default_fields(node)
            raise BadRequest(f"query: {excerpt(str(node))} needs a field name, "
                             f"e.g. year_published:{excerpt(str(node))}")
        name = field.index_name
        # a text term or phrase costs a clause per word (phrases: a posting list per word to align)
        analysed = field.kind is Kind.TEXT and isinstance(node, (Word, Phrase, Proximity)) and not (
            isinstance(node, Word) and has_wildcard(node.value))
        self.budget.spend(words(str(node)) if analysed else 1)
        if isinstance(node, Proximity):
            return self.phrase(field, unescape(node.term.value[1:-1]), self.slop(node))
        if isinstance(node, Phrase):
            return self.phrase(field, unescape(node.value[1:-1]))
        if isinstance(node, Regex):
            if not self.regex:
                raise BadRequest(f'query: regular expression {excerpt(node.value)} needs "regex": true in the request')
            return {"regexp": {name: self.pattern_options(field, "regexp", node.value[1:-1])}}
        if isinstance(node, Range):
            return self.range(field, bound_text(node.low), bound_text(node.high), node.include_low, node.include_high)
        if isinstance(node, From):
            return self.range(field, bound_text(node.a), "*", node.include, True)
        if isinstance(node, To):
            return self.range(field, "*", bound_text(node.a), True, node.include)
        raw = node.value
        if raw.strip("*") == "":  # field:* is "has a value", as in Elasticsearch's query_string
            return {"exists": {"field": name}}
        if has_wildcard(raw):
            return {"wildcard": {name: self.pattern_options(field, "wildcard", wildcard_value(raw))}}
        return self.term(field, unescape(raw))

    def slop(self, node: Proximity) -> int:
        return check_slop(str(node.degree or 0), f"query: the slop of {excerpt(str(node.term))}", self.limits.max_slop)

    def pattern_options(self, field: Resolved, kind: str, value: str) -> dict[str, Any]:
        if field.kind not in (Kind.TEXT, Kind.KEYWORD, Kind.IDENTIFIER):
            raise BadRequest(f"query: {kind} patterns need a text or keyword field, not {field.field.name!r}")
        check_pattern(kind, value, self.limits.max_pattern_length, self.limits.max_nesting_depth)
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
            if has_wildcard(node.value):
                return bool_query(should=[self.leaf(node, f) for f in self.fields], minimum_should_match=1)
            self.budget.spend(words(text) * len(self.fields))
        else:
            term = node.term if isinstance(node, Proximity) else node
            text, kind = unescape(term.value[1:-1]), "phrase"
            self.budget.spend(words(text) * len(self.fields))
        body: dict[str, Any] = {
            "query": text,
            "fields": [f.index_name for f in self.fields],
            "type": kind,
        }
        if kind == "best_fields":
            body["operator"] = self.default_operator
        if isinstance(node, Proximity):
            slop = self.slop(node)
            if slop:
                body["slop"] = slop
        return {"multi_match": body}
