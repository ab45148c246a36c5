"""Elasticsearch query DSL → tantivy queries: how the embedded backend runs a body.

Covers what ``mirror.query`` emits. tantivy panics (a ``BaseException``, not an
``Exception``) on a one-word phrase and on some empty inputs, so those cases are
rewritten before tantivy sees them.
"""

from __future__ import annotations

import re
from typing import Any

import tantivy

from mirror.dates import bound_millis, to_millis
from mirror.errors import BadRequest

from .fields import FIELD_NAMES, FieldSpec

Q = tantivy.Query
_GLOB = re.compile(r"\\(.)|([*?])|([^\\*?]+)", re.DOTALL)


def glob_to_regex(pattern: str) -> str:
    out = []
    for escaped, wild, literal in _GLOB.findall(pattern):
        if wild:
            out.append(".*" if wild == "*" else ".")
        else:
            out.append(re.escape(escaped or literal))
    return "".join(out)


class QueryTranslator:
    def __init__(self, schema: tantivy.Schema, specs: dict[str, FieldSpec], analyzers: dict[str, Any]) -> None:
        self.schema, self.specs, self.analyzers = schema, specs, analyzers

    def spec(self, name: str) -> FieldSpec:
        try:
            return self.specs[name]
        except KeyError:
            raise BadRequest(f"no such index field {name!r}") from None

    def translate(self, query: dict[str, Any]) -> tantivy.Query:
        (kind, body), = query.items()
        method = getattr(self, f"q_{kind}", None)
        if method is None:
            raise BadRequest(f"the embedded backend cannot run {kind!r} queries")
        result = method(body)
        boost = self._boost(body)
        return Q.boost_query(result, boost) if boost not in (None, 1, 1.0) else result

    @staticmethod
    def _boost(body: Any) -> float | None:
        if isinstance(body, dict):
            if "boost" in body:
                return float(body["boost"])
            for v in body.values():
                if isinstance(v, dict) and "boost" in v:
                    return float(v["boost"])
        return None

    @staticmethod
    def _field(body: dict[str, Any]) -> tuple[str, Any]:
        (name, spec), = ((k, v) for k, v in body.items() if k != "boost")
        return name, spec

    # -- values ------------------------------------------------------------------
    def tokens(self, spec: FieldSpec, text: str) -> list[str]:
        return self.analyzers[spec.analyzer].analyze(str(text))

    def value(self, spec: FieldSpec, value: Any) -> Any:
        """A query value in the form the field's terms are stored in."""
        if spec.type == "keyword":
            return spec.normalise(str(value))
        if spec.type == "date":
            return to_millis(str(value))
        return value

    def term(self, spec: FieldSpec, value: Any) -> tantivy.Query:
        if spec.type == "date":
            return self.range_query(spec, {"gte": value, "lte": value})
        return Q.term_query(self.schema, spec.name, self.value(spec, value))

    # -- leaf queries ----------------------------------------------------------------
    def q_match_all(self, body: Any) -> tantivy.Query:
        return Q.all_query()

    def q_term(self, body: dict[str, Any]) -> tantivy.Query:
        name, opts = self._field(body)
        value = opts["value"] if isinstance(opts, dict) else opts
        return self.term(self.spec(name), value)

    def q_terms(self, body: dict[str, Any]) -> tantivy.Query:
        name, values = self._field(body)
        spec = self.spec(name)
        if not values:
            return Q.empty_query()
        if spec.type == "date":
            return Q.boolean_query([(tantivy.Occur.Should, self.term(spec, v)) for v in values])
        return Q.const_score_query(Q.term_set_query(self.schema, name, [self.value(spec, v) for v in values]), 1.0)

    def match_text(self, spec: FieldSpec, text: Any, operator: str = "or", minimum: int | None = None) -> tantivy.Query:
        if spec.type != "text":
            return self.term(spec, text)
        terms = [Q.term_query(self.schema, spec.name, t) for t in self.tokens(spec, text)]
        if not terms:
            return Q.empty_query()
        if len(terms) == 1:
            return terms[0]
        occur = tantivy.Occur.Must if operator == "and" else tantivy.Occur.Should
        return Q.boolean_query([(occur, t) for t in terms], minimum if operator != "and" else None)

    def q_match(self, body: dict[str, Any]) -> tantivy.Query:
        name, opts = self._field(body)
        if not isinstance(opts, dict):
            opts = {"query": opts}
        return self.match_text(self.spec(name), opts["query"], str(opts.get("operator", "or")).lower(),
                               opts.get("minimum_should_match"))

    def phrase(self, spec: FieldSpec, text: Any, slop: int = 0) -> tantivy.Query:
        if spec.type != "text":
            return self.term(spec, text)
        words = self.tokens(spec, text)
        if not words:
            return Q.empty_query()
        if len(words) == 1:  # tantivy panics on a one-word phrase
            return Q.term_query(self.schema, spec.name, words[0])
        return Q.phrase_query(self.schema, spec.name, words, slop)

    def q_match_phrase(self, body: dict[str, Any]) -> tantivy.Query:
        name, opts = self._field(body)
        if not isinstance(opts, dict):
            opts = {"query": opts}
        return self.phrase(self.spec(name), opts["query"], int(opts.get("slop", 0)))

    def q_multi_match(self, body: dict[str, Any]) -> tantivy.Query:
        specs = [self.spec(n) for n in body["fields"]]
        if body.get("type") == "phrase":
            parts = [self.phrase(s, body["query"], int(body.get("slop", 0))) for s in specs]
        else:
            parts = [self.match_text(s, body["query"], str(body.get("operator", "or")).lower()) for s in specs]
        return Q.disjunction_max_query(parts) if len(parts) > 1 else parts[0]

    def range_query(self, spec: FieldSpec, bounds: dict[str, Any]) -> tantivy.Query:
        low = high = None
        inc_low = inc_high = True
        for key in ("gte", "gt"):
            if key in bounds:
                low, inc_low = self.bound(spec, bounds[key], key == "gt"), key == "gte"
        for key in ("lte", "lt"):
            if key in bounds:
                high, inc_high = self.bound(spec, bounds[key], key == "lte"), key == "lte"
        if spec.type == "date":
            # rounding already made the bounds inclusive/exclusive as ES would
            inc_low, inc_high = True, True
            if "gt" in bounds:
                low += 1
            if "lt" in bounds:
                high -= 1
        field_type = {"long": tantivy.FieldType.Integer, "date": tantivy.FieldType.Integer,
                      "keyword": tantivy.FieldType.Text}.get(spec.type)
        if field_type is None:
            raise BadRequest(f"range queries are not possible on {spec.name!r}")
        return Q.range_query(self.schema, spec.name, field_type, low, high, inc_low, inc_high)

    def bound(self, spec: FieldSpec, value: Any, round_up: bool) -> Any:
        if spec.type == "date":
            return bound_millis(str(value), round_up)
        if spec.type == "long":
            return int(value)
        return self.value(spec, value)

    def q_range(self, body: dict[str, Any]) -> tantivy.Query:
        name, bounds = self._field(body)
        return self.range_query(self.spec(name), bounds)

    def regex(self, spec: FieldSpec, pattern: str, case_insensitive: bool = False) -> tantivy.Query:
        if case_insensitive:
            pattern = "(?i)" + pattern
        if spec.type not in ("text", "keyword"):
            raise BadRequest(f"pattern queries are only possible on text and keyword fields, not {spec.name!r}")
        try:
            return Q.regex_query(self.schema, spec.name, pattern)
        except ValueError as exc:
            raise BadRequest(f"invalid regular expression {pattern!r}: {exc}") from None

    def _pattern_value(self, body: dict[str, Any]) -> tuple[FieldSpec, str, bool]:
        name, opts = self._field(body)
        if not isinstance(opts, dict):
            opts = {"value": opts}
        return self.spec(name), str(opts["value"]), bool(opts.get("case_insensitive"))

    def q_wildcard(self, body: dict[str, Any]) -> tantivy.Query:
        spec, value, ci = self._pattern_value(body)
        return self.regex(spec, glob_to_regex(value), ci)

    def q_prefix(self, body: dict[str, Any]) -> tantivy.Query:
        spec, value, ci = self._pattern_value(body)
        return self.regex(spec, re.escape(value) + ".*", ci)

    def q_regexp(self, body: dict[str, Any]) -> tantivy.Query:
        spec, value, ci = self._pattern_value(body)
        return self.regex(spec, value, ci)

    def q_exists(self, body: dict[str, Any]) -> tantivy.Query:
        spec = self.spec(body["field"])
        if spec.columnar:
            return Q.exists_query(spec.name)
        return Q.term_query(self.schema, FIELD_NAMES, spec.base)

    # -- compound ------------------------------------------------------------------
    def q_bool(self, body: dict[str, Any]) -> tantivy.Query:
        Occur = tantivy.Occur
        clauses: list[tuple[Any, tantivy.Query]] = []
        for q in body.get("must", []):
            clauses.append((Occur.Must, self.translate(q)))
        for q in body.get("filter", []):
            clauses.append((Occur.Must, Q.const_score_query(self.translate(q), 0.0)))
        for q in body.get("should", []):
            clauses.append((Occur.Should, self.translate(q)))
        for q in body.get("must_not", []):
            clauses.append((Occur.MustNot, self.translate(q)))
        if not clauses:
            return Q.all_query()
        if all(occur == Occur.MustNot for occur, _ in clauses):
            clauses.append((Occur.Must, Q.all_query()))  # ES: a purely negative bool matches the rest
        minimum = body.get("minimum_should_match")
        return Q.boolean_query(clauses, int(minimum) if minimum is not None else None)
