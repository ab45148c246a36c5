"""Elasticsearch query DSL → tantivy queries: how the embedded backend runs a body.

Runs what ``mirror.query`` compiles, which has already judged every value: a
handler per compiled query type of the registry (checked when the class is
made), patterns translated by ``mirror.query.patterns``, ``minimum_should_match``
computed by ``mirror.query.should``. tantivy panics (a ``BaseException``, not an
``Exception``) on a one-word phrase and on some empty inputs, so those cases are
rewritten before tantivy sees them.
"""

from __future__ import annotations

from typing import Any

import tantivy

from mirror.dates import bound_millis, to_millis
from mirror.errors import LimitExceeded, excerpt
from mirror.query.patterns import to_regex
from mirror.query.registry import QueryDispatch
from mirror.query.should import required_should

from .fields import FIELD_NAMES, FieldSpec

Q = tantivy.Query


class QueryTranslator(QueryDispatch[tantivy.Query]):
    def __init__(self, schema: tantivy.Schema, specs: dict[str, FieldSpec], analyzers: dict[str, Any]) -> None:
        self.schema, self.specs, self.analyzers = schema, specs, analyzers

    def spec(self, name: str) -> FieldSpec:
        return self.specs[name]  # the compile stage resolved every name: a miss is a bug

    def translate(self, query: dict[str, Any]) -> tantivy.Query:
        result = self.dispatch(query)
        (body,) = query.values()
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
        return self.analyzers[spec.tokenizer].analyze(str(text))

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
    def on_match_all(self, body: Any) -> tantivy.Query:
        return Q.all_query()

    def on_term(self, body: dict[str, Any]) -> tantivy.Query:
        name, opts = self._field(body)
        value = opts["value"] if isinstance(opts, dict) else opts
        return self.term(self.spec(name), value)

    def on_terms(self, body: dict[str, Any]) -> tantivy.Query:
        name, values = self._field(body)
        spec = self.spec(name)
        if not values:
            return Q.empty_query()
        if spec.type == "date":
            return Q.boolean_query([(tantivy.Occur.Should, self.term(spec, v)) for v in values])
        return Q.const_score_query(Q.term_set_query(self.schema, name, [self.value(spec, v) for v in values]), 1.0)

    def match_text(self, spec: FieldSpec, text: Any, operator: str = "or",
                   minimum_should_match: int | str | None = None) -> tantivy.Query:
        if spec.type != "text":
            return self.term(spec, text)
        terms = [Q.term_query(self.schema, spec.name, t) for t in self.tokens(spec, text)]
        if not terms:
            return Q.empty_query()
        if operator == "and":
            return terms[0] if len(terms) == 1 else Q.boolean_query([(tantivy.Occur.Must, t) for t in terms])
        return self.should(terms, minimum_should_match)

    @staticmethod
    def should(clauses: list[tantivy.Query], spec: int | str | None,
               required: list[tuple[Any, tantivy.Query]] | None = None) -> tantivy.Query:
        """Optional clauses of which ``spec`` (Elasticsearch's minimum_should_match) must match."""
        minimum = required_should(spec, len(clauses))
        if minimum > len(clauses):
            return Q.empty_query()  # as Lucene: more required than there are
        if not required and len(clauses) == 1:
            return clauses[0]
        parts = [*(required or []), *((tantivy.Occur.Should, c) for c in clauses)]
        return Q.boolean_query(parts, minimum or None)

    def on_match(self, body: dict[str, Any]) -> tantivy.Query:
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
        terms: list[str | tuple[int, str]] = list(words)
        return Q.phrase_query(self.schema, spec.name, terms, slop)

    def on_match_phrase(self, body: dict[str, Any]) -> tantivy.Query:
        name, opts = self._field(body)
        if not isinstance(opts, dict):
            opts = {"query": opts}
        return self.phrase(self.spec(name), opts["query"], int(opts.get("slop", 0)))

    def on_multi_match(self, body: dict[str, Any]) -> tantivy.Query:
        specs = [self.spec(n) for n in body["fields"]]
        if body.get("type") == "phrase":
            parts = [self.phrase(s, body["query"], int(body.get("slop", 0))) for s in specs]
        else:
            parts = [self.match_text(s, body["query"], str(body.get("operator", "or")).lower(),
                                     body.get("minimum_should_match")) for s in specs]
        return Q.disjunction_max_query(parts) if len(parts) > 1 else parts[0]

    def range_query(self, spec: FieldSpec, bounds: dict[str, Any]) -> tantivy.Query:
        low: Any = None
        high: Any = None
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
        # the compile stage allows ranges on numbers and dates only
        return Q.range_query(self.schema, spec.name, tantivy.FieldType.Integer, low, high, inc_low, inc_high)

    def bound(self, spec: FieldSpec, value: Any, round_up: bool) -> Any:
        if spec.type == "date":
            return bound_millis(str(value), round_up)
        if spec.type == "long":
            return int(value)
        return self.value(spec, value)

    def on_range(self, body: dict[str, Any]) -> tantivy.Query:
        name, bounds = self._field(body)
        return self.range_query(self.spec(name), bounds)

    def pattern(self, kind: str, body: dict[str, Any]) -> tantivy.Query:
        name, opts = self._field(body)
        if not isinstance(opts, dict):
            opts = {"value": opts}
        regex = to_regex(kind, str(opts["value"]))
        if opts.get("case_insensitive"):
            regex = "(?i)" + regex
        try:
            return Q.regex_query(self.schema, self.spec(name).name, regex)
        except ValueError as exc:
            # The engine's own capacity, as Elasticsearch's too_complex_to_determinize (a 400 there too):
            # tantivy's term automaton stops at 1,000 states, a bound only building it can tell.
            raise LimitExceeded(f"the {kind} pattern {excerpt(opts['value'])} is too complex for the embedded "
                                f"engine ({str(exc)[:100]})") from None

    def on_wildcard(self, body: dict[str, Any]) -> tantivy.Query:
        return self.pattern("wildcard", body)

    def on_prefix(self, body: dict[str, Any]) -> tantivy.Query:
        return self.pattern("prefix", body)

    def on_regexp(self, body: dict[str, Any]) -> tantivy.Query:
        return self.pattern("regexp", body)

    def on_exists(self, body: dict[str, Any]) -> tantivy.Query:
        spec = self.spec(body["field"])
        if spec.columnar:
            return Q.exists_query(spec.name)
        return Q.term_query(self.schema, FIELD_NAMES, spec.base)

    # -- compound ------------------------------------------------------------------
    def on_bool(self, body: dict[str, Any]) -> tantivy.Query:
        Occur = tantivy.Occur
        required: list[tuple[Any, tantivy.Query]] = []
        for q in body.get("must", []):
            required.append((Occur.Must, self.translate(q)))
        for q in body.get("filter", []):
            required.append((Occur.Must, Q.const_score_query(self.translate(q), 0.0)))
        for q in body.get("must_not", []):
            required.append((Occur.MustNot, self.translate(q)))
        should = [self.translate(q) for q in body.get("should", [])]
        if not required and not should:
            return Q.all_query()
        if should:
            return self.should(should, body.get("minimum_should_match"), required)
        if all(occur == Occur.MustNot for occur, _ in required):
            required.append((Occur.Must, Q.all_query()))  # ES: a purely negative bool matches the rest
        return Q.boolean_query(required)
