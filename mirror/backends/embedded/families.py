"""``collapse`` and the aggregations the family bodies carry, run exactly on tantivy.

What ``mirror.query.families`` compiles: a search collapsed on a numeric family
key with a ``cardinality`` of that key (``group_by``), and a ``terms`` listing of
the key (``expand_by``'s first step). Elasticsearch answers both from every
match; so does this module, reading the key's column for all matches (numeric
fast fields cost next to nothing to read; that is why the key is a number).

Collapsing: the best hit of a family is its first in the full sort order, and the
families rank as their best hits do, so walking the exactly sorted top hits and
keeping each family's first gives the page. The window of top hits grows (×4)
until it holds ``from + size`` families or every match.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable

import tantivy

from .searching import SCORE, Hit, SearchRunner, _sort_value

Column = list[Any]  # a fast field's value for each match, in the order of the matches


def match_addresses(runner: SearchRunner, query: tantivy.Query, min_score: float | None) -> list[Any]:
    """Every match (scoring at least ``min_score`` when given)."""
    if min_score is not None:
        hits, _ = runner._all_scored(query, min_score)
        return [h.address for h in hits]
    count = runner._count(query)
    return [a for _, a in runner.searcher.search(query, count, count=False).hits] if count else []


def column_reader(runner: SearchRunner, query: tantivy.Query, min_score: float | None) -> Callable[[str], Column]:
    """Reads a numeric field's column over every match, the matches found once."""
    addresses: list[Any] | None = None
    cache: dict[str, Column] = {}

    def read(field: str) -> Column:
        nonlocal addresses
        if field not in cache:
            if not runner.specs[field].columnar:  # the compile stage only aggregates family keys
                raise ValueError(f"{field}: the embedded engine aggregates numeric columns only")
            if addresses is None:
                addresses = match_addresses(runner, query, min_score)
            cache[field] = list(runner.searcher.fast_field_values(field, addresses)) if addresses else []
        return cache[field]

    return read


def aggregate(aggs: dict[str, Any], column: Callable[[str], Column]) -> dict[str, Any]:
    """The answers Elasticsearch gives for ``cardinality`` and ``terms`` on one field, computed exactly."""
    out: dict[str, Any] = {}
    for name, spec in aggs.items():
        (kind, opts), = spec.items()
        values = [v for v in column(opts["field"]) if v is not None]
        if kind == "cardinality":
            out[name] = {"value": len(set(values))}
        elif kind == "terms":
            counts = sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))  # ES: count desc, key asc
            size = int(opts.get("size", 10))
            out[name] = {"doc_count_error_upper_bound": 0,
                         "sum_other_doc_count": sum(n for _, n in counts[size:]),
                         "buckets": [{"key": k, "doc_count": n} for k, n in counts[:size]]}
        else:
            raise ValueError(f"aggregation {kind!r} is not one the embedded engine runs")
    return out


def first_per_family(runner: SearchRunner, ranked: list[Hit], field: str, need: int) -> list[Hit]:
    """The first hit of each family in ``ranked`` (already in the full sort order), at most ``need``."""
    keys = runner.searcher.fast_field_values(field, [h.address for h in ranked]) if ranked else []
    seen: set[Any] = set()
    heads: list[Hit] = []
    for hit, key in zip(ranked, keys, strict=True):
        if key not in seen:
            seen.add(key)
            heads.append(hit)
            if len(heads) == need:
                break
    return heads


def sort_keys(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The body's sort as (field, order) pairs (the compile stage always ends it with the tie-breaker)."""
    pairs = [next(iter(s.items())) for s in body.get("sort") or [{SCORE: {"order": "desc"}}]]
    return [(k, (v["order"] if isinstance(v, dict) else v)) for k, v in pairs]


def rank(runner: SearchRunner, hits: list[Hit], keys: list[tuple[str, str]]) -> None:
    """Sort ``hits`` by the full sort, in place (exact for every place the window vouches for)."""
    runner._complete_keys(hits, keys)
    hits.sort(key=lambda h: tuple(_sort_value(h.keys.get(k), o) for k, o in keys))


def run_collapsed(runner: SearchRunner, body: dict[str, Any]) -> dict[str, Any]:
    """A collapsed search: the best hit of each family, families paged by from/size."""
    query = runner.translator.translate(body.get("query") or {"match_all": {}})
    size, offset = int(body.get("size", 10)), int(body.get("from", 0))
    keys = sort_keys(body)
    field = body["collapse"]["field"]
    min_score = float(body["min_score"]) if body.get("min_score") is not None else None
    column = column_reader(runner, query, min_score)
    need = offset + size
    heads: list[Hit] = []
    considered: list[Hit] = []
    if size and min_score is not None:  # every match above the score is at hand: rank them all
        considered, _ = runner._all_scored(query, min_score)
        rank(runner, considered, keys)
        heads = first_per_family(runner, considered, field, need)
    elif size:
        total = runner._count(query)
        window = min(total, max(2 * need, 16))
        trim = len(keys) == 2 and keys[1][0] == runner.tie_breaker
        while total:
            considered, _ = runner._window(query, keys, window, trim)
            rank(runner, considered, keys)
            considered = considered[:window]  # only the first `window` places are exact
            heads = first_per_family(runner, considered, field, need)
            if len(heads) >= need or window >= total:
                break
            window = min(total, window * 4)
    result = runner.answer(body, keys, heads[offset:need], len(column(field)), scored=considered)
    if body.get("aggs"):
        result["aggregations"] = aggregate(body["aggs"], column)
    return result
