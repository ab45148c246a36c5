"""compile_search: a validated Lens search request → one Elasticsearch search body."""

from __future__ import annotations

import difflib
from typing import Any

from mirror.catalogue import Catalogue, record_paths
from mirror.errors import BadRequest, NotYetSupported, excerpt

from .dsl import DslCompiler
from .families import check_family_options, family_field, group_body, listing_body
from .limits import Budget, Limits
from .names import Names
from .querystring import QueryStringCompiler
from .request import MAX_WINDOW, SearchRequest
from .scroll import check_first_page, parse_duration

LANGUAGES = ("EN", "DE", "FR", "ES", "PT", "RU", "JA", "KO", "ZH", "AR")
TIE_BREAKER = "lens_id"  # always the last sort key, so pages never skip or repeat


def check_request(req: SearchRequest, catalogue: Catalogue) -> None:
    """Limits and not-yet-supported features, before any compiling."""
    product = catalogue.product
    check_family_options(req, product)  # first: group_by with scroll is refused as such
    if req.scroll_id is not None:
        raise BadRequest("scroll_id continues a scroll: send it to the search endpoint (it compiles to no body)")
    if req.scroll is not None:
        parse_duration(req.scroll)
        check_first_page(req)
    if req.language is not None:
        if product != "patent":
            raise BadRequest("language is only available for patent search")
        if req.language.upper() not in LANGUAGES:
            raise BadRequest(f"language must be one of {', '.join(LANGUAGES)}, got {excerpt(req.language)}")
        if req.language.upper() != "EN":
            raise NotYetSupported(f"language {req.language.upper()}")
    if req.size > catalogue.max_size:
        raise BadRequest(f"size {req.size} is over the {product} maximum of {catalogue.max_size}")
    if req.from_ + req.size > MAX_WINDOW:
        raise BadRequest(f"from + size must not exceed {MAX_WINDOW} (got {req.from_} + {req.size}); "
                         "use scroll for deep paging")


def compile_query(query: str | dict[str, Any] | None, names: Names, regex: bool,
                  limits: Limits | None = None) -> dict[str, Any]:
    limits = limits or Limits()
    budget = Budget(limits)
    if query is None:
        return {"match_all": {}}
    if isinstance(query, str):
        return QueryStringCompiler(names, names.default_fields(), "or", regex, limits, budget).compile(query)
    return DslCompiler(names, regex, limits, budget).compile(query)


def compile_sort(sort: list[dict[str, str]], names: Names) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(sort):
        if len(item) != 1:
            raise BadRequest(f"sort[{i}]: expected {{field: 'asc'|'desc'}}, got {excerpt(item)}")
        (name, order), = item.items()
        order = str(order).lower()
        if order not in ("asc", "desc"):
            raise BadRequest(f"sort[{i}]: order of {excerpt(name)} must be 'asc' or 'desc', got {excerpt(item[name])}")
        if name in ("relevance", "_score"):
            key = "_score"
        else:
            resolved = names.resolve(name)
            if not resolved.sortable:
                raise BadRequest(f"sort[{i}]: field {name!r} cannot be sorted on (it is full text or multi-valued)")
            key = resolved.index_name
        if key not in seen:
            seen.add(key)
            out.append({key: {"order": order}})
    if not out:
        out.append({"_score": {"order": "desc"}})
    tie = names.catalogue.resolve(TIE_BREAKER).index_name
    if tie not in seen:
        out.append({tie: {"order": "asc"}})
    return out


def check_source_paths(paths: list[str] | None, what: str, product: str,
                       limits: Limits | None = None) -> list[str]:
    limits = limits or Limits()
    if len(paths or ()) > limits.max_source_paths:
        raise limits.breach(f"{what}: {len(paths or ()):,} entries", limits.max_source_paths, "max_source_paths")
    known = record_paths(product)
    for path in paths or []:
        if "*" not in path and path not in known:
            # difflib's cost grows with the name's length: only short names get suggestions
            close = difflib.get_close_matches(path, known, n=3, cutoff=0.6) if len(path) <= 100 else []
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise BadRequest(f"{what}: unknown {product} record field {excerpt(path)}{hint}")
    return list(paths or [])


def compile_search(req: SearchRequest, catalogue: Catalogue, limits: Limits | None = None) -> dict[str, Any]:
    """The one Elasticsearch request body for a Lens search request (expand_by: the first of its two)."""
    body = compile_base(req, catalogue, limits)
    if req.group_by is not None:
        return group_body(body, family_field(req.group_by, catalogue))
    if req.expand_by is not None:
        return listing_body(body, family_field(req.expand_by, catalogue))
    return body


def compile_base(req: SearchRequest, catalogue: Catalogue, limits: Limits | None = None) -> dict[str, Any]:
    """The search body without the family options (``mirror.query.families`` adds those)."""
    limits = limits or Limits()
    check_request(req, catalogue)
    names = Names(catalogue, stemming=req.stemming)
    includes = check_source_paths(req.include, "include", catalogue.product, limits)
    excludes = check_source_paths(req.exclude, "exclude", catalogue.product, limits)
    body: dict[str, Any] = {
        "query": compile_query(req.query, names, req.regex, limits),
        "from": req.from_,
        "size": req.size,
        "sort": compile_sort(req.sort, names),
        "track_total_hits": True,
    }
    if any("_score" in s for s in body["sort"]):
        body["track_scores"] = True  # Elasticsearch omits max_score under a custom sort otherwise
    if includes or excludes:
        body["_source"] = {k: v for k, v in (("includes", includes), ("excludes", excludes)) if v}
    if req.min_score is not None:
        body["min_score"] = req.min_score
    return body
