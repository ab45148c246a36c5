"""The one registry of query types.

Lens query objects may use the types marked ``lens``; compiled Elasticsearch
bodies contain only the types marked ``compiled``. The DSL compiler dispatches
on the first set; everything that runs a compiled body (the embedded backend's
executor, the split filter's evaluator) subclasses :class:`QueryDispatch`, which
refuses at class creation to be missing a handler for any compiled type, so a
new query type cannot reach one executor and not the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar


@dataclass(frozen=True)
class QueryType:
    name: str
    summary: str
    lens: bool = True  # accepted in a Lens query object
    compiled: bool = True  # may appear in a compiled body


QUERY_TYPES: dict[str, QueryType] = {t.name: t for t in (
    QueryType("match", "analysed text (or a value) in one field; operator, minimum_should_match"),
    QueryType("match_phrase", "words in order in one text field; slop"),
    QueryType("multi_match", "analysed text in several fields, best field scores; type phrase"),
    QueryType("term", "one exact value"),
    QueryType("terms", "any of several exact values"),
    QueryType("range", "gte / gt / lte / lt bounds on a number, date or keyword"),
    QueryType("exists", "the field has a value"),
    QueryType("wildcard", "a glob with * and ?"),
    QueryType("prefix", "values starting with a prefix"),
    QueryType("regexp", "a Lucene regular expression (needs \"regex\": true in query strings)"),
    QueryType("bool", "must / should / must_not / filter, minimum_should_match"),
    QueryType("match_all", "every record"),
    QueryType("query_string", "a Lens query string inside a query object", compiled=False),
    QueryType("ids", "records by Lens ID", compiled=False),
)}

LENS_TYPES = tuple(sorted(n for n, t in QUERY_TYPES.items() if t.lens))
COMPILED_TYPES = tuple(sorted(n for n, t in QUERY_TYPES.items() if t.compiled))

R = TypeVar("R")


class QueryDispatch(Generic[R]):
    """Runs a compiled body by calling ``on_<type>(body)`` for each query object.

    Subclasses must define a handler for every compiled type: the check happens
    when the class is created, not when a user first sends that type.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = [t for t in COMPILED_TYPES if not callable(getattr(cls, f"on_{t}", None))]
        if missing:
            raise TypeError(f"{cls.__name__} has no handler for compiled query type(s) {missing}")

    def dispatch(self, query: dict[str, Any]) -> R:
        (kind, body), = query.items()
        handler: Callable[[Any], R] = getattr(self, f"on_{kind}")
        return handler(body)


__all__ = ["COMPILED_TYPES", "LENS_TYPES", "QUERY_TYPES", "QueryDispatch", "QueryType"]
