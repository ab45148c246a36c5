"""``search_after`` on a tantivy searcher: the next page after a sort key, as Elasticsearch pages.

A scroll page is its first request's body plus ``search_after``: the full sort
key (primary values, then the Lens ID tie-breaker) of the last record sent.
The page is every match whose key sorts after that one, cut to ``size``.

Two ways to find it, both exact:

* **a range** when the primary key is one tantivy can range over (a number, a
  date, a boolean, the Lens ID itself, or a constant score, as ``match_all``'s):
  the query gets a filter "primary strictly after v, or equal to v with a larger
  Lens ID", and the page is the top ``size`` of what is left. Each page costs
  what a first page costs, however deep the scroll is.
* **a window** otherwise (relevance scores, keyword sorts, several sort keys):
  the top ``position + size`` are fetched (``position``: how many the scroll has
  sent, a hint the snapshot keeps) and the page starts just after the sort key
  (found by bisection, so a wrong hint costs time, never records). Cost grows
  with depth, as deep paging does in any engine.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

import tantivy

from mirror.catalogue.derive import lens_id_key

from .fields import LENS_KEY
from .searching import SCORE, Hit, _sort_value

if TYPE_CHECKING:
    from .searching import SearchRunner

#: ``match_all`` scores every record 1.0 (Elasticsearch and tantivy alike).
CONSTANT_SCORE = 1.0
_RANGEABLE = ("long", "date", "boolean")


def is_constant_score(body: dict[str, Any]) -> bool:
    return body.get("query") in (None, {"match_all": {}}) and body.get("min_score") is None


def after_page(runner: SearchRunner, body: dict[str, Any], position: int) -> dict[str, Any]:
    """The page of ``body`` after ``body["search_after"]`` (from the start when it is absent)."""
    keys = runner.sort_keys(body)
    size = int(body.get("size", 10))
    after = body.get("search_after")
    query = runner.translator.translate(body.get("query") or {"match_all": {}})
    constant = is_constant_score(body) and keys[0][0] == SCORE
    if constant and keys[1:] == [(runner.tie_breaker, "asc")]:
        # Every score is 1.0: the order is the Lens ID's, and that ranges.
        narrowed = query if after is None else _and(query, _lens_after(runner, after[-1], "asc"))
        hits, _ = runner._field_window(narrowed, runner.tie_breaker, "asc", size, False)
        for hit in hits:
            hit.score = CONSTANT_SCORE
        return _answer(runner, body, keys, hits[:size], runner.searcher.num_docs)
    if after is None:
        return runner.run(body)
    if len(after) != len(keys):
        raise ValueError(f"search_after has {len(after)} values for {len(keys)} sort keys")
    condition = None if body.get("min_score") is not None else _after_condition(runner, keys, after)
    if condition is not None:
        hits, _ = runner._window(_and(query, condition), keys, size, len(keys) == 2)
        runner._complete_keys(hits, keys)
        hits.sort(key=lambda h: _full_key(h, keys))
        return _answer(runner, body, keys, hits[:size], runner._count(query))
    return _window_page(runner, body, keys, query, after, size, position)


def _window_page(runner: SearchRunner, body: dict[str, Any], keys: list[tuple[str, str]], query: tantivy.Query,
                 after: list[Any], size: int, position: int) -> dict[str, Any]:
    min_score = body.get("min_score")
    last = tuple(_sort_value(_comparable(runner, k, v), o) for (k, o), v in zip(keys, after, strict=True))
    window = position + size
    while True:
        if min_score is not None:
            hits, total = runner._all_scored(query, float(min_score))
        else:
            hits, total = runner._window(query, keys, window, len(keys) == 2)
        if min_score is not None:
            window = len(hits)  # every match above min_score is here
        runner._complete_keys(hits, keys)
        hits.sort(key=lambda h: _full_key(h, keys))
        ranked = [_full_key(h, keys) for h in hits[:window]]
        start = bisect_right(ranked, last)
        if start + size <= window or window >= total:
            return _answer(runner, body, keys, hits[start: start + size], total)
        window = max(window * 2, start + size)  # the hint was short: look further


def _answer(runner: SearchRunner, body: dict[str, Any], keys: list[tuple[str, str]], page: list[Hit],
            total: int) -> dict[str, Any]:
    return runner.answer(body, keys, page, total)


def _full_key(hit: Hit, keys: list[tuple[str, str]]) -> tuple[Any, ...]:
    return tuple(_sort_value(hit.keys.get(k), o) for k, o in keys)


def _comparable(runner: SearchRunner, key: str, value: Any) -> Any:
    """A ``sort`` value as the runner's keys hold it: the Lens ID as its integer key."""
    return lens_id_key(value) if key == runner.tie_breaker and isinstance(value, str) else value


# -- the range conditions ---------------------------------------------------------------------


def _after_condition(runner: SearchRunner, keys: list[tuple[str, str]], after: list[Any]) -> tantivy.Query | None:
    """Matches sorting strictly after ``after``, as one query; None when tantivy cannot range the key."""
    tie = runner.tie_breaker
    if keys[0][0] == tie:  # sorted by the Lens ID itself: unique, so nothing else counts
        return _lens_after(runner, after[0], keys[0][1])
    key, order = keys[0]
    spec = runner.specs.get(key)
    if len(keys) != 2 or keys[1][0] != tie or spec is None or spec.type not in _RANGEABLE:
        return None
    value, lens_id = after
    tied = _and(_equal(runner, key, spec.type, value), _lens_after(runner, lens_id, keys[1][1]))
    later = _strictly_after(runner, key, spec.type, order, value)
    return tied if later is None else tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, tied), (tantivy.Occur.Should, later)])


def _and(*queries: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _lens_after(runner: SearchRunner, lens_id: str, order: str) -> tantivy.Query:
    key = lens_id_key(lens_id)
    schema, integer = runner.translator.schema, tantivy.FieldType.Integer
    if order == "desc":
        return tantivy.Query.range_query(schema, LENS_KEY, integer, None, key, include_upper=False)
    return tantivy.Query.range_query(schema, LENS_KEY, integer, key, None, include_lower=False)


def _missing(runner: SearchRunner, key: str) -> tantivy.Query:
    exists = runner.translator.translate({"exists": {"field": key}})
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                        (tantivy.Occur.MustNot, exists)])


def _equal(runner: SearchRunner, key: str, kind: str, value: Any) -> tantivy.Query:
    if value is None:
        return _missing(runner, key)
    if kind == "boolean":
        return tantivy.Query.term_query(runner.translator.schema, key, bool(value))
    return tantivy.Query.range_query(runner.translator.schema, key, tantivy.FieldType.Integer, value, value)


def _strictly_after(runner: SearchRunner, key: str, kind: str, order: str, value: Any) -> tantivy.Query | None:
    """Values after ``value`` in ``order``, and (after any value) the records missing one: missing sorts last."""
    if value is None:
        return None
    schema = runner.translator.schema
    if kind == "boolean":  # false < true
        later_values = [] if bool(value) == (order == "asc") else [not bool(value)]
        parts = [tantivy.Query.term_query(schema, key, v) for v in later_values]
    elif order == "asc":
        parts = [tantivy.Query.range_query(schema, key, tantivy.FieldType.Integer, value, None, include_lower=False)]
    else:
        parts = [tantivy.Query.range_query(schema, key, tantivy.FieldType.Integer, None, value, include_upper=False)]
    parts.append(_missing(runner, key))
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in parts])
