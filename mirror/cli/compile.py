"""``lens-mirror compile``: the Elasticsearch body a Lens search (or aggregate) request compiles to.

The same pure stages the API runs before it calls a backend (parse → compile, with
the same limits from the same settings), so what this prints is exactly what a
search sends to the engine: for debugging a query, or for sending it by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import orjson
import typer

from mirror.catalogue import catalogue_for
from mirror.errors import BadRequest
from mirror.query.aggregations import compile_aggregate, parse_aggregate_body
from mirror.query.compile import compile_search
from mirror.query.limits import Limits
from mirror.query.request import parse_search_body

from .common import BadUsage, Product, load_settings, setting_option

STDIN = "-"


class RequestRefused(BadRequest):
    """The request file is not valid JSON (exit 2, as any request the compile stage refuses)."""


def read_request(source: str) -> Any:
    """The JSON request in file ``source`` (``-``: stdin). Empty input is ``{}``, as for the API."""
    name = "<stdin>" if source == STDIN else source
    raw = typer.get_binary_stream("stdin").read() if source == STDIN else Path(source).read_bytes()
    if not raw.strip():
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestRefused(f"{name}: line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}") from None


def compile_request(product: str, request: Any, limits: Limits, endpoint: str = "search") -> dict[str, Any]:
    """The engine body for ``request``; what the API refuses raises its BadRequest (the same message)."""
    if endpoint == "aggregate":
        return compile_aggregate(parse_aggregate_body(request), catalogue_for(product), limits)
    return compile_search(parse_search_body(request), catalogue_for(product), limits)


def endpoint_of(request: Any, endpoint: str | None) -> str:
    """``--endpoint`` as given, else ``aggregate`` for a request that has aggregations."""
    if endpoint:
        return endpoint
    return "aggregate" if isinstance(request, dict) and ("aggregations" in request or "aggs" in request) else "search"


def register(app: typer.Typer) -> None:
    @app.command("compile")
    def compile_command(
        source: Annotated[Optional[str], typer.Argument(
            metavar="FILE|-", help="A Lens search request body (JSON); - reads it from stdin.")] = None,
        product: Annotated[Product, typer.Option(help="The product whose fields the query names.")] = (
            Product.scholarly),
        query: Annotated[Optional[str], typer.Option(
            "--query", "-q", help='A bare Lens query string instead of a file: the body {"query": QUERY}.')] = None,
        max_query_length: Annotated[Optional[int], setting_option("max_query_length")] = None,
        max_pattern_length: Annotated[Optional[int], setting_option("max_pattern_length")] = None,
        max_nesting_depth: Annotated[Optional[int], setting_option("max_nesting_depth")] = None,
        max_clauses: Annotated[Optional[int], setting_option("max_clauses")] = None,
        max_terms: Annotated[Optional[int], setting_option("max_terms")] = None,
        max_source_paths: Annotated[Optional[int], setting_option("max_source_paths")] = None,
        max_slop: Annotated[Optional[int], setting_option("max_slop")] = None,
        endpoint: Annotated[Optional[str], typer.Option(
            help="search or aggregate (POST /{product}/aggregate); default: aggregate when the request "
                 "has aggregations (or aggs), else search.")] = None,
        max_agg_depth: Annotated[Optional[int], setting_option("max_agg_depth")] = None,
        max_buckets: Annotated[Optional[int], setting_option("max_buckets")] = None,
    ) -> None:
        """Print the Elasticsearch body a Lens search request compiles to (what the API sends the engine).

        A request the API would refuse is refused with the API's 400 message, exit code 2.
        """
        if (source is None) == (query is None):
            raise BadUsage("give one request: a FILE, - for stdin, or --query TEXT")
        settings = load_settings(
            max_query_length=max_query_length, max_pattern_length=max_pattern_length,
            max_nesting_depth=max_nesting_depth, max_clauses=max_clauses, max_terms=max_terms,
            max_source_paths=max_source_paths, max_slop=max_slop, max_agg_depth=max_agg_depth,
            max_buckets=max_buckets,
        )
        if endpoint not in (None, "search", "aggregate"):
            raise BadUsage(f"--endpoint must be search or aggregate, got {endpoint!r}")
        request = {"query": query} if query is not None else read_request(str(source))
        body = compile_request(product.value, request, Limits.from_settings(settings), endpoint_of(request, endpoint))
        out = typer.get_binary_stream("stdout")
        out.write(orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n")
        out.flush()
