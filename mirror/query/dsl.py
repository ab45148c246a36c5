"""Lens query objects (a subset of the Elasticsearch DSL) → Elasticsearch DSL.

Structure is checked strictly, field names are resolved through the catalogue and
values are checked against their field's kind. Error messages give the location
of the offending part, e.g. ``query.bool.must[1].range``.
"""

from __future__ import annotations

from typing import Any, Callable

from mirror.catalogue import Kind, Resolved
from mirror.errors import BadRequest

from .names import Names
from .querystring import QueryStringCompiler
from .values import case_insensitive, coerce, coerce_bound

UI_DEFAULT = "ui_default"  # Lens's name for "the fields the web UI searches by default"
RANGE_KEYS = ("gte", "gt", "lte", "lt")


class DslCompiler:
    def __init__(self, names: Names, regex: bool = False) -> None:
        self.names, self.regex = names, regex
        self.handlers: dict[str, Callable[[Any, str], dict[str, Any]]] = {
            "match": self.match, "match_phrase": self.match_phrase, "term": self.term, "terms": self.terms,
            "range": self.range, "bool": self.bool, "query_string": self.query_string,
            "multi_match": self.multi_match, "wildcard": self.pattern("wildcard"),
            "regexp": self.pattern("regexp"), "prefix": self.pattern("prefix"), "exists": self.exists,
            "match_all": self.match_all, "ids": self.ids,
        }

    def compile(self, query: Any, where: str = "query") -> dict[str, Any]:
        if not isinstance(query, dict) or len(query) != 1:
            raise BadRequest(f"{where}: a query object must have exactly one query type, got {query!r}")
        (kind, body), = query.items()
        handler = self.handlers.get(kind)
        if handler is None:
            raise BadRequest(f"{where}: unknown query type {kind!r}; supported: {', '.join(sorted(self.handlers))}")
        return handler(body, f"{where}.{kind}")

    # -- helpers -----------------------------------------------------------------
    def single_field(self, body: Any, where: str) -> tuple[str, Resolved, Any]:
        """``{field: spec}`` (plus an optional top-level boost) → name, resolved, spec."""
        if not isinstance(body, dict):
            raise BadRequest(f"{where}: expected {{field: value}}, got {body!r}")
        fields = {k: v for k, v in body.items() if k != "boost"}
        if len(fields) != 1:
            raise BadRequest(f"{where}: expected exactly one field, got {sorted(fields) or 'none'}")
        (name, spec), = fields.items()
        return name, self.names.resolve(name), spec

    @staticmethod
    def options(spec: Any, value_key: str, allowed: tuple[str, ...], where: str) -> tuple[Any, dict[str, Any]]:
        """Split ``{value_key: v, opt: ...}`` or a bare value into (value, options)."""
        if not isinstance(spec, dict):
            return spec, {}
        unknown = set(spec) - {value_key, *allowed}
        if unknown or value_key not in spec:
            raise BadRequest(f"{where}: expected {value_key!r} with optional {list(allowed)}, got {sorted(spec)}")
        return spec[value_key], {k: spec[k] for k in allowed if k in spec}

    # -- leaf queries ------------------------------------------------------------
    def match(self, body: Any, where: str) -> dict[str, Any]:
        name, field, spec = self.single_field(body, where)
        value, opts = self.options(spec, "query", ("operator", "boost", "minimum_should_match"), where)
        if "operator" in opts:
            op = str(opts["operator"]).lower()
            if op not in ("and", "or"):
                raise BadRequest(f"{where}.{name}.operator must be 'and' or 'or', got {opts['operator']!r}")
            opts["operator"] = op
        if field.kind is Kind.DATE:
            date = coerce(field, value, name)
            return {"range": {field.index_name: {"gte": date, "lte": date}}}
        value = str(value) if field.kind is Kind.TEXT and not isinstance(value, (dict, list)) else coerce(field, value, name)
        return {"match": {field.index_name: {"query": value, **opts}}}

    def match_phrase(self, body: Any, where: str) -> dict[str, Any]:
        name, field, spec = self.single_field(body, where)
        value, opts = self.options(spec, "query", ("slop", "boost"), where)
        if field.kind is not Kind.TEXT:
            return self.match({name: value}, where)
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise BadRequest(f"{where}.{name}: a phrase must be text, got {value!r}")
        return {"match_phrase": {field.index_name: {"query": str(value), **opts}}}

    def term(self, body: Any, where: str) -> dict[str, Any]:
        name, field, spec = self.single_field(body, where)
        value, opts = self.options(spec, "value", ("boost", "case_insensitive"), where)
        return {"term": {field.index_name: {"value": coerce(field, value, name), **opts}}}

    def terms(self, body: Any, where: str) -> dict[str, Any]:
        name, field, values = self.single_field(body, where)
        if not isinstance(values, list):
            raise BadRequest(f"{where}.{name}: expected a list of values, got {values!r}")
        out: dict[str, Any] = {field.index_name: [coerce(field, v, name) for v in values]}
        if isinstance(body, dict) and "boost" in body:
            out["boost"] = body["boost"]
        return {"terms": out}

    def range(self, body: Any, where: str) -> dict[str, Any]:
        name, field, spec = self.single_field(body, where)
        if not isinstance(spec, dict) or not spec:
            raise BadRequest(f"{where}.{name}: expected bounds like {{\"gte\": ...}}, got {spec!r}")
        unknown = set(spec) - {*RANGE_KEYS, "boost", "format"}
        if unknown:
            raise BadRequest(f"{where}.{name}: unknown range option(s) {sorted(unknown)}; use gte, gt, lte, lt")
        bounds = {k: coerce_bound(field, spec[k], name) for k in RANGE_KEYS if k in spec and spec[k] is not None}
        if "boost" in spec:
            bounds["boost"] = spec["boost"]
        return {"range": {field.index_name: bounds}}

    def pattern(self, kind: str) -> Callable[[Any, str], dict[str, Any]]:
        def compile_pattern(body: Any, where: str) -> dict[str, Any]:
            name, field, spec = self.single_field(body, where)
            value, opts = self.options(spec, "value", ("boost", "case_insensitive", "flags"), where)
            if not isinstance(value, str) or not value:
                raise BadRequest(f"{where}.{name}: expected a non-empty pattern, got {value!r}")
            if case_insensitive(field):
                opts["case_insensitive"] = True  # these fields hold normalised terms
            return {kind: {field.index_name: {"value": value, **opts}}}

        return compile_pattern

    def exists(self, body: Any, where: str) -> dict[str, Any]:
        if not isinstance(body, dict) or set(body) != {"field"}:
            raise BadRequest(f"{where}: expected {{\"field\": name}}, got {body!r}")
        return {"exists": {"field": self.names.index_name(str(body["field"]))}}

    def match_all(self, body: Any, where: str) -> dict[str, Any]:
        return {"match_all": {}}

    def ids(self, body: Any, where: str) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("values"), list):
            raise BadRequest(f"{where}: expected {{\"values\": [lens ids]}}, got {body!r}")
        return {"terms": {self.names.index_name("lens_id"): [str(v) for v in body["values"]]}}

    # -- compound queries ----------------------------------------------------------
    def bool(self, body: Any, where: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise BadRequest(f"{where}: expected an object, got {body!r}")
        unknown = set(body) - {"must", "should", "must_not", "filter", "minimum_should_match", "boost"}
        if unknown:
            raise BadRequest(f"{where}: unknown bool option(s) {sorted(unknown)}")
        out: dict[str, Any] = {}
        for key in ("must", "should", "must_not", "filter"):
            if key in body:
                clauses = body[key] if isinstance(body[key], list) else [body[key]]
                out[key] = [self.compile(c, f"{where}.{key}[{i}]") for i, c in enumerate(clauses)]
        if "minimum_should_match" in body:
            msm = body["minimum_should_match"]
            if isinstance(msm, bool) or not (isinstance(msm, int) or (isinstance(msm, str) and msm.lstrip("-").isdigit())):
                raise BadRequest(f"{where}.minimum_should_match must be an integer, got {msm!r}")
            out["minimum_should_match"] = int(msm)
        if "boost" in body:
            out["boost"] = body["boost"]
        return {"bool": out}

    def resolve_fields(self, fields: Any, where: str) -> list[Resolved]:
        if fields is None:
            return self.names.default_fields()
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise BadRequest(f"{where}.fields: expected a list of field names, got {fields!r}")
        out: list[Resolved] = []
        for name in fields:
            out += self.names.default_fields() if name == UI_DEFAULT else [self.names.resolve(name.split("^")[0])]
        return out

    def query_string(self, body: Any, where: str) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            raise BadRequest(f"{where}: expected {{\"query\": \"...\"}}, got {body!r}")
        unknown = set(body) - {"query", "fields", "default_field", "default_operator"}
        if unknown:
            raise BadRequest(f"{where}: unknown query_string option(s) {sorted(unknown)}")
        fields = body.get("fields", [body["default_field"]] if "default_field" in body else None)
        compiler = QueryStringCompiler(
            self.names, self.resolve_fields(fields, where), str(body.get("default_operator", "or")), self.regex
        )
        return compiler.compile(body["query"])

    def multi_match(self, body: Any, where: str) -> dict[str, Any]:
        if not isinstance(body, dict) or "query" not in body:
            raise BadRequest(f"{where}: expected {{\"query\": ..., \"fields\": [...]}}, got {body!r}")
        unknown = set(body) - {"query", "fields", "operator", "type", "boost"}
        if unknown:
            raise BadRequest(f"{where}: unknown multi_match option(s) {sorted(unknown)}")
        out = {k: v for k, v in body.items() if k != "fields"}
        out["query"] = str(body["query"])
        out["fields"] = [f.index_name for f in self.resolve_fields(body.get("fields"), where)]
        return {"multi_match": out}
