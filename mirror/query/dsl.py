"""Lens query objects (a subset of the Elasticsearch DSL) → Elasticsearch DSL.

Structure is checked strictly, field names are resolved through the catalogue and
every value and option is checked here, against its field's kind and the request
limits: this is the only judge of a request, so the backends never meet bad input.
Error messages give the location of the offending part, e.g. ``query.bool.must[1].range``.
"""

from __future__ import annotations

from typing import Any, Callable

from mirror.catalogue import Kind, Resolved
from mirror.errors import BadRequest, excerpt

from .limits import Budget, Limits, words
from .names import Names
from .patterns import check_pattern
from .querystring import QueryStringCompiler
from .registry import LENS_TYPES
from .should import check_minimum_should_match
from .values import case_insensitive, check_boost, check_flag, check_rangeable, check_slop, coerce, coerce_bound

UI_DEFAULT = "ui_default"  # Lens's name for "the fields the web UI searches by default"
RANGE_KEYS = ("gte", "gt", "lte", "lt")


class DslCompiler:
    def __init__(self, names: Names, regex: bool = False, limits: Limits | None = None,
                 budget: Budget | None = None) -> None:
        self.names, self.regex = names, regex
        self.limits = limits or Limits()
        self.budget = budget or Budget(self.limits)
        # one handler per Lens query type of the registry, named after it
        self.handlers: dict[str, Callable[[Any, str, int], dict[str, Any]]] = {
            name: getattr(self, f"q_{name}") for name in LENS_TYPES
        }

    def compile(self, query: Any, where: str = "query", depth: int = 1) -> dict[str, Any]:
        self.budget.check_depth(depth)
        if not isinstance(query, dict) or len(query) != 1:
            raise BadRequest(f"{where}: a query object must have exactly one query type, got {excerpt(query)}")
        (kind, body), = query.items()
        handler = self.handlers.get(kind)
        if handler is None:
            raise BadRequest(f"{where}: unknown query type {excerpt(kind)}; supported: {', '.join(LENS_TYPES)}")
        return handler(body, f"{where}.{kind}", depth)

    # -- helpers -----------------------------------------------------------------
    def single_field(self, body: Any, where: str) -> tuple[str, Resolved, Any, dict[str, Any]]:
        """``{field: spec}`` (plus an optional top-level boost) → name, resolved, spec, extra options."""
        if not isinstance(body, dict):
            raise BadRequest(f"{where}: expected {{field: value}}, got {excerpt(body)}")
        fields = {k: v for k, v in body.items() if k != "boost"}
        if len(fields) != 1:
            got = excerpt(sorted(fields)) if fields else "none"
            raise BadRequest(f"{where}: expected exactly one field, got {got}")
        (name, spec), = fields.items()
        extra = {"boost": check_boost(body["boost"], where)} if "boost" in body else {}
        self.budget.spend()
        return name, self.names.resolve(name), spec, extra

    def options(self, spec: Any, value_key: str, allowed: tuple[str, ...], where: str) -> tuple[Any, dict[str, Any]]:
        """Split ``{value_key: v, opt: ...}`` or a bare value into (value, checked options)."""
        if not isinstance(spec, dict):
            return spec, {}
        unknown = set(spec) - {value_key, *allowed}
        if unknown or value_key not in spec:
            raise BadRequest(f"{where}: expected {value_key!r} with optional {list(allowed)}, "
                             f"got {excerpt(sorted(spec))}")
        return spec[value_key], {k: self.option(k, spec[k], where) for k in allowed if k in spec}

    def option(self, key: str, value: Any, where: str) -> Any:
        if key == "boost":
            return check_boost(value, where)
        if key == "slop":
            return check_slop(value, where, self.limits.max_slop)
        if key == "minimum_should_match":
            return check_minimum_should_match(value, where)
        if key == "case_insensitive":
            return check_flag(value, where, key)
        if key == "operator":
            op = str(value).lower() if isinstance(value, str) else None
            if op not in ("and", "or"):
                raise BadRequest(f"{where}: operator must be 'and' or 'or', got {excerpt(value)}")
            return op
        if key == "flags":
            if not isinstance(value, str) or value.upper() != "ALL":
                raise BadRequest(f"{where}: only the default regexp flags (ALL) are supported, got {excerpt(value)}")
            return "ALL"
        raise BadRequest(f"{where}: unknown option {key!r}")

    # -- leaf queries ------------------------------------------------------------
    def q_match(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        name, field, spec, extra = self.single_field(body, where)
        value, opts = self.options(spec, "query", ("operator", "boost", "minimum_should_match"), where)
        opts = {**extra, **opts}
        if field.kind is Kind.DATE:
            date = coerce(field, value, name)
            bounds = {"gte": date, "lte": date}
            if "boost" in opts:
                bounds["boost"] = opts["boost"]
            return {"range": {field.index_name: bounds}}
        if field.kind is Kind.TEXT and not isinstance(value, (dict, list)) and value is not None:
            value = str(value)
            self.check_text(value, where)
            self.budget.spend(words(value) - 1)  # a clause per term, one already counted
        else:
            value = coerce(field, value, name)
            opts.pop("operator", None)
            opts.pop("minimum_should_match", None)
        return {"match": {field.index_name: {"query": value, **opts}}}

    def check_text(self, text: str, where: str) -> None:
        if len(text) > self.limits.max_query_length:
            raise self.limits.breach(f"{where}: the text is {len(text):,} characters long",
                                     self.limits.max_query_length, "max_query_length")

    def q_match_phrase(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        name, field, spec, extra = self.single_field(body, where)
        value, opts = self.options(spec, "query", ("slop", "boost"), where)
        opts = {**extra, **opts}
        if field.kind is not Kind.TEXT:
            opts.pop("slop", None)
            return self.q_match({name: {"query": value, **opts}} if opts else {name: value}, where, depth)
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise BadRequest(f"{where}.{name}: a phrase must be text, got {excerpt(value)}")
        self.check_text(str(value), where)
        self.budget.spend(words(str(value)) - 1)  # a posting list per word, one already counted
        return {"match_phrase": {field.index_name: {"query": str(value), **opts}}}

    def q_term(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        name, field, spec, extra = self.single_field(body, where)
        value, opts = self.options(spec, "value", ("boost", "case_insensitive"), where)
        return {"term": {field.index_name: {"value": coerce(field, value, name), **extra, **opts}}}

    def q_terms(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        name, field, values, extra = self.single_field(body, where)
        if not isinstance(values, list):
            raise BadRequest(f"{where}.{name}: expected a list of values, got {excerpt(values)}")
        if len(values) > self.limits.max_terms:
            raise self.limits.breach(f"{where}.{name}: {len(values):,} values", self.limits.max_terms, "max_terms")
        return {"terms": {field.index_name: [coerce(field, v, name) for v in values], **extra}}

    def q_range(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        name, field, spec, extra = self.single_field(body, where)
        if not isinstance(spec, dict) or not spec:
            raise BadRequest(f"{where}.{name}: expected bounds like {{\"gte\": ...}}, got {excerpt(spec)}")
        unknown = set(spec) - {*RANGE_KEYS, "boost", "format"}
        if unknown:
            raise BadRequest(
                f"{where}.{name}: unknown range option(s) {excerpt(sorted(unknown))}; use gte, gt, lte, lt"
            )
        bounds: dict[str, Any] = {k: coerce_bound(field, spec[k], name) for k in RANGE_KEYS
                                  if k in spec and spec[k] is not None}
        if not bounds:  # no bound given (or only nulls): Elasticsearch's unbounded range, "has a value"
            check_rangeable(field, name)
            return {"exists": {"field": field.index_name}}
        if "boost" in spec:
            bounds["boost"] = check_boost(spec["boost"], where)
        bounds.update(extra)
        return {"range": {field.index_name: bounds}}

    def pattern(self, kind: str, body: Any, where: str) -> dict[str, Any]:
        name, field, spec, extra = self.single_field(body, where)
        value, opts = self.options(spec, "value", ("boost", "case_insensitive", "flags"), where)
        if not isinstance(value, str) or not value:
            raise BadRequest(f"{where}.{name}: expected a non-empty pattern, got {excerpt(value)}")
        if field.kind not in (Kind.TEXT, Kind.KEYWORD, Kind.IDENTIFIER):
            raise BadRequest(f"{where}.{name}: {kind} queries need a text or keyword field")
        check_pattern(kind, value, self.limits.max_pattern_length, self.limits.max_nesting_depth)
        opts.pop("flags", None)
        if case_insensitive(field):
            opts["case_insensitive"] = True  # these fields hold normalised terms
        return {kind: {field.index_name: {"value": value, **extra, **opts}}}

    def q_wildcard(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        return self.pattern("wildcard", body, where)

    def q_regexp(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        return self.pattern("regexp", body, where)

    def q_prefix(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        return self.pattern("prefix", body, where)

    def q_exists(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        if not isinstance(body, dict) or set(body) != {"field"} or not isinstance(body["field"], str):
            raise BadRequest(f"{where}: expected {{\"field\": name}}, got {excerpt(body)}")
        self.budget.spend()
        return {"exists": {"field": self.names.index_name(body["field"])}}

    def q_match_all(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        if body not in ({}, None):
            if not isinstance(body, dict) or set(body) != {"boost"}:
                raise BadRequest(f"{where}: expected {{}} or {{\"boost\": n}}, got {excerpt(body)}")
            return {"match_all": {"boost": check_boost(body["boost"], where)}}
        return {"match_all": {}}

    def q_ids(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        if not isinstance(body, dict) or set(body) != {"values"} or not isinstance(body["values"], list):
            raise BadRequest(f"{where}: expected {{\"values\": [lens ids]}}, got {excerpt(body)}")
        values = body["values"]
        if len(values) > self.limits.max_terms:
            raise self.limits.breach(f"{where}: {len(values):,} ids", self.limits.max_terms, "max_terms")
        if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
            raise BadRequest(f"{where}: every Lens ID must be a string, got {excerpt(values)}")
        self.budget.spend()
        return {"terms": {self.names.index_name("lens_id"): [str(v) for v in values]}}

    # -- compound queries ----------------------------------------------------------
    def q_bool(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise BadRequest(f"{where}: expected an object, got {excerpt(body)}")
        unknown = set(body) - {"must", "should", "must_not", "filter", "minimum_should_match", "boost"}
        if unknown:
            raise BadRequest(f"{where}: unknown bool option(s) {excerpt(sorted(unknown))}")
        out: dict[str, Any] = {}
        for key in ("must", "should", "must_not", "filter"):
            if key in body:
                clauses = body[key] if isinstance(body[key], list) else [body[key]]
                self.budget.spend(len(clauses))  # before compiling: a huge list stops here
                out[key] = [self.compile(c, f"{where}.{key}[{i}]", depth + 1) for i, c in enumerate(clauses)]
        if "minimum_should_match" in body:
            out["minimum_should_match"] = check_minimum_should_match(
                body["minimum_should_match"], f"{where}.minimum_should_match")
        if "boost" in body:
            out["boost"] = check_boost(body["boost"], where)
        return {"bool": out}

    def resolve_fields(self, fields: Any, where: str) -> list[Resolved]:
        if fields is None:
            return self.names.default_fields()
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields) or not fields:
            raise BadRequest(f"{where}.fields: expected a list of field names, got {excerpt(fields)}")
        self.budget.spend(len(fields))
        out: list[Resolved] = []
        for name in fields:
            out += self.names.default_fields() if name == UI_DEFAULT else [self.names.resolve(name.split("^")[0])]
        return out

    def q_query_string(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            raise BadRequest(f"{where}: expected {{\"query\": \"...\"}}, got {excerpt(body)}")
        unknown = set(body) - {"query", "fields", "default_field", "default_operator"}
        if unknown:
            raise BadRequest(f"{where}: unknown query_string option(s) {excerpt(sorted(unknown))}")
        default_field = body.get("default_field")
        if "default_field" in body and not isinstance(default_field, str):
            raise BadRequest(f"{where}.default_field: expected a field name, got {excerpt(default_field)}")
        fields = body.get("fields", [default_field] if "default_field" in body else None)
        operator = body.get("default_operator", "or")
        if not isinstance(operator, str):
            raise BadRequest(f"{where}: default_operator must be 'and' or 'or', got {excerpt(operator)}")
        compiler = QueryStringCompiler(self.names, self.resolve_fields(fields, where), operator, self.regex,
                                       self.limits, self.budget, depth)
        return compiler.compile(body["query"])

    def q_multi_match(self, body: Any, where: str, depth: int) -> dict[str, Any]:
        if not isinstance(body, dict) or "query" not in body:
            raise BadRequest(f"{where}: expected {{\"query\": ..., \"fields\": [...]}}, got {excerpt(body)}")
        unknown = set(body) - {"query", "fields", "operator", "type", "boost", "slop", "minimum_should_match"}
        if unknown:
            raise BadRequest(f"{where}: unknown multi_match option(s) {excerpt(sorted(unknown))}")
        query = body["query"]
        if isinstance(query, (dict, list)) or query is None:
            raise BadRequest(f"{where}.query: expected text, got {excerpt(query)}")
        out: dict[str, Any] = {"query": str(query)}
        self.check_text(out["query"], where)
        kind = body.get("type", "best_fields")
        if kind not in ("best_fields", "phrase"):
            raise BadRequest(f"{where}.type: expected 'best_fields' or 'phrase', got {excerpt(kind)}")
        if "type" in body:
            out["type"] = kind
        for key in ("operator", "boost", "slop", "minimum_should_match"):
            if key in body:
                out[key] = self.option(key, body[key], where)
        out["fields"] = [f.index_name for f in self.resolve_fields(body.get("fields"), where)]
        self.budget.spend(len(out["fields"]) * words(out["query"]))
        return {"multi_match": out}
