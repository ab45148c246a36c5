"""Evaluating a compiled query on one record, in Python: ``split --filter``.

The filter is compiled exactly like a search (same parser, same name resolution,
same body), then run here against the record's search document instead of an
index, with the embedded index's own analysers, so ``split --filter QUERY`` keeps
the records that search would find. Relevance plays no part: a record matches or
it does not. A handler per compiled query type of the registry, as the executor.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

from mirror.catalogue import SEARCH_PREFIX, Catalogue
from mirror.catalogue.transform import search_document
from mirror.dates import bound_millis, to_millis
from mirror.query.compile import compile_query
from mirror.query.names import Names
from mirror.query.patterns import to_regex
from mirror.query.registry import QueryDispatch
from mirror.query.should import required_should

from .fields import build_analyzers, field_specs

Doc = dict[str, list[Any]]
Test = Callable[[Doc], bool]


@lru_cache(maxsize=1)
def _analyzers() -> dict[str, Any]:
    return build_analyzers()


class RecordMatcher(QueryDispatch[Test]):
    """Does one record match a compiled query? Built once per query, used per record."""

    def __init__(self, catalogue: Catalogue, query: dict[str, Any]) -> None:
        self.catalogue, self.specs = catalogue, field_specs(catalogue)
        self.test = self.compile(query)

    def matches(self, record: dict[str, Any]) -> bool:
        return self.test(search_document(self.catalogue, record))

    # -- fields ----------------------------------------------------------------------
    def field(self, index_name: str) -> tuple[str, Any, Callable[[Any], Any]]:
        """Search-document key, the index spec, and how values are compared."""
        spec = self.specs[index_name]  # the compile stage resolved every name
        name = spec.base[len(SEARCH_PREFIX) + 1:]
        if spec.type == "text":
            analyzer = _analyzers()[spec.tokenizer]  # the analyzer, or the default the index used
            return name, spec, lambda v: analyzer.analyze(str(v))
        if spec.type == "keyword":
            return name, spec, lambda v: spec.normalise(str(v))
        if spec.type == "date":
            return name, spec, lambda v: to_millis(str(v))
        return name, spec, lambda v: v

    # -- compile the body into a predicate over search documents --------------------
    def compile(self, query: dict[str, Any]) -> Test:
        return self.dispatch(query)

    @staticmethod
    def _one(body: dict[str, Any]) -> tuple[str, Any]:
        (name, spec), = ((k, v) for k, v in body.items() if k != "boost")
        return name, spec

    def on_match_all(self, body: Any) -> Test:
        return lambda doc: True

    def on_exists(self, body: dict[str, Any]) -> Test:
        name = self.field(body["field"])[0]
        return lambda doc: bool(doc.get(name))

    def values_test(self, index_name: str, wanted: list[Any], phrase: bool = False, every: bool = False,
                    minimum_should_match: int | str | None = None) -> Test:
        name, spec, norm = self.field(index_name)
        if spec.type == "text":
            tokens = [t for v in wanted for t in norm(v)]
            if not tokens:
                return lambda doc: False
            if phrase:
                def has_phrase(doc: Doc) -> bool:
                    return any(_contains(norm(v), tokens) for v in doc.get(name, ()))
                return has_phrase

            need = len(tokens) if every else max(1, required_should(minimum_should_match, len(tokens)))

            def has_tokens(doc: Doc) -> bool:
                present = {t for v in doc.get(name, ()) for t in norm(v)}
                return sum(t in present for t in tokens) >= need
            return has_tokens
        if spec.type == "date":
            return self.range_test(index_name, {"gte": wanted[0], "lte": wanted[0]}) if wanted else (lambda d: False)
        targets = {norm(v) for v in wanted}
        return lambda doc: any(norm(v) in targets for v in doc.get(name, ()))

    def on_term(self, body: dict[str, Any]) -> Test:
        name, opts = self._one(body)
        value = opts["value"] if isinstance(opts, dict) else opts
        key, spec, norm = self.field(name)
        if spec.type == "text":  # a term on text is one token, compared unanalysed
            return lambda doc: any(value in norm(v) for v in doc.get(key, ()))
        return self.values_test(name, [value])

    def on_terms(self, body: dict[str, Any]) -> Test:
        name, values = self._one(body)
        return self.values_test(name, list(values))

    def on_match(self, body: dict[str, Any]) -> Test:
        name, opts = self._one(body)
        opts = opts if isinstance(opts, dict) else {"query": opts}
        return self.values_test(name, [opts["query"]], every=str(opts.get("operator", "or")).lower() == "and",
                                minimum_should_match=opts.get("minimum_should_match"))

    def on_match_phrase(self, body: dict[str, Any]) -> Test:
        name, opts = self._one(body)
        opts = opts if isinstance(opts, dict) else {"query": opts}
        return self.values_test(name, [opts["query"]], phrase=not opts.get("slop"), every=True)

    def on_multi_match(self, body: dict[str, Any]) -> Test:
        phrase = body.get("type") == "phrase"
        every = str(body.get("operator", "or")).lower() == "and"
        tests = [self.values_test(f, [body["query"]], phrase=phrase, every=every or phrase) for f in body["fields"]]
        return lambda doc: any(t(doc) for t in tests)

    def range_test(self, index_name: str, bounds: dict[str, Any]) -> Test:
        name, spec, norm = self.field(index_name)
        checks: list[Callable[[Any], bool]] = []
        for key, value in bounds.items():
            if key not in ("gte", "gt", "lte", "lt"):
                continue
            if spec.type == "date":
                limit = bound_millis(str(value), round_up=key in ("gt", "lte"))
            else:
                limit = norm(value)
            checks.append({"gte": lambda v, b=limit: v >= b, "gt": lambda v, b=limit: v > b,
                           "lte": lambda v, b=limit: v <= b, "lt": lambda v, b=limit: v < b}[key])

        def in_range(doc: Doc) -> bool:
            for raw in doc.get(name, ()):
                try:
                    v = norm(raw)
                except ValueError:
                    continue
                if all(check(v) for check in checks):
                    return True
            return False
        return in_range

    def on_range(self, body: dict[str, Any]) -> Test:
        name, bounds = self._one(body)
        return self.range_test(name, bounds)

    def pattern_test(self, kind: str, body: dict[str, Any]) -> Test:
        name, opts = self._one(body)
        opts = opts if isinstance(opts, dict) else {"value": opts}
        regex = re.compile(to_regex(kind, str(opts["value"])), re.IGNORECASE if opts.get("case_insensitive") else 0)
        key, spec, norm = self.field(name)
        if spec.type == "text":
            return lambda doc: any(regex.fullmatch(t) for v in doc.get(key, ()) for t in norm(v))
        return lambda doc: any(regex.fullmatch(str(norm(v))) for v in doc.get(key, ()))

    def on_wildcard(self, body: dict[str, Any]) -> Test:
        return self.pattern_test("wildcard", body)

    def on_regexp(self, body: dict[str, Any]) -> Test:
        return self.pattern_test("regexp", body)

    def on_prefix(self, body: dict[str, Any]) -> Test:
        return self.pattern_test("prefix", body)

    def on_bool(self, body: dict[str, Any]) -> Test:
        must = [self.compile(q) for q in body.get("must", []) + body.get("filter", [])]
        should = [self.compile(q) for q in body.get("should", [])]
        must_not = [self.compile(q) for q in body.get("must_not", [])]
        # as Lucene: a bool of only should clauses needs one of them unless told more
        minimum = required_should(body.get("minimum_should_match"), len(should)) or (0 if must else 1 if should else 0)

        def test(doc: Doc) -> bool:
            if not all(t(doc) for t in must) or any(t(doc) for t in must_not):
                return False
            return sum(1 for t in should if t(doc)) >= minimum if minimum else True
        return test


def _contains(tokens: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(tokens[i:i + n] == phrase for i in range(len(tokens) - n + 1))


def record_filter(
    catalogue: Catalogue, query: str | dict[str, Any], regex: bool = False
) -> Callable[[dict[str, Any]], bool]:
    """A predicate over records for a Lens query string or query object (BadRequest if malformed)."""
    body = compile_query(query, Names(catalogue), regex)
    return RecordMatcher(catalogue, body).matches


__all__ = ["RecordMatcher", "record_filter"]
