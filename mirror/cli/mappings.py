"""``lens-mirror mappings``: regenerate the Elasticsearch mappings from a record schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

import httpx
import orjson
import typer

from mirror import PRODUCTS
from mirror.catalogue import build_catalogue, packaged_schema
from mirror.catalogue.mapping import index_definition
from mirror.settings import Settings

from .common import Product, err_console, fail


def render_mappings(product: str, schema: dict[str, Any]) -> tuple[bytes, list[str]]:
    """The bytes of ``mappings/{product}.json`` and the source paths the schema lacks."""
    catalogue, missing = build_catalogue(product, schema)
    body = orjson.dumps(index_definition(catalogue), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return body, missing


def _schema_from_api(product: str, token: str | None) -> dict[str, Any]:
    if not token:
        fail("--from-api needs a Lens API token (--token or LENS_API_TOKEN)")
    url = f"{Settings().api_url.rstrip('/')}/schema/{product}"
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    except httpx.HTTPError as exc:
        fail(f"{url}: {exc}")
    if response.status_code != 200:
        fail(f"{url}: HTTP {response.status_code}: {response.text[:200]}")
    return response.json()


def register(app: typer.Typer) -> None:
    @app.command()
    def mappings(
        schema: Optional[Path] = typer.Option(None, help="A record schema JSON file (default: the packaged one)."),
        from_api: bool = typer.Option(False, "--from-api", help="Fetch the schema from the live /schema endpoint."),
        product: Optional[Product] = typer.Option(None, help="Only this product (required with --schema)."),
        out: Path = typer.Option(Path("mappings"), help="Directory to write {product}.json into."),
        token: Optional[str] = typer.Option(None, envvar="LENS_API_TOKEN", help="Lens API token for --from-api."),
    ) -> None:
        """Regenerate the catalogue-driven Elasticsearch mappings from a record schema."""
        if schema and from_api:
            fail("give --schema or --from-api, not both")
        if schema and not product:
            fail("--schema needs --product (a schema file describes one product)")
        products = [product.value] if product else list(PRODUCTS)
        out.mkdir(parents=True, exist_ok=True)
        for name in products:
            if schema:
                try:
                    source = orjson.loads(schema.read_bytes())
                except (OSError, orjson.JSONDecodeError) as exc:
                    fail(f"{schema}: cannot read the schema: {exc}")
            elif from_api:
                source = _schema_from_api(name, token)
            else:
                source = packaged_schema(name)
            body, missing = render_mappings(name, source)
            target = out / f"{name}.json"
            tmp = target.with_suffix(".json.tmp")
            tmp.write_bytes(body)
            os.replace(tmp, target)
            err_console.print(f"wrote {target}")
            for path in missing:
                err_console.print(f"[yellow]warning:[/] {name}: catalogue source {path!r} is not in the schema")
