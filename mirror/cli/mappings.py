"""``lens-mirror mappings``: regenerate the Elasticsearch mappings from a record schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Optional

import httpx
import orjson
import typer

from mirror import PRODUCTS
from mirror.bulk.errors import NetworkError, UpstreamError, UpstreamUnauthorized
from mirror.catalogue import build_catalogue, packaged_schema
from mirror.catalogue.mapping import index_definition
from mirror.ingest.errors import InputError
from mirror.settings import Settings

from .common import BadUsage, Product, err_console, load_settings, setting_option


def render_mappings(product: str, schema: dict[str, Any]) -> tuple[bytes, list[str]]:
    """The bytes of ``mappings/{product}.json`` and the source paths the schema lacks."""
    catalogue, missing = build_catalogue(product, schema)
    body = orjson.dumps(index_definition(catalogue), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return body, missing


def _schema_from_api(settings: Settings, product: str) -> dict[str, Any]:
    if not settings.lens_api_token:
        raise BadUsage("--from-api needs a Lens API token (--token or LENS_API_TOKEN)")
    url = f"{settings.api_url.rstrip('/')}/schema/{product}"
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {settings.lens_api_token}"}, timeout=30)
    except httpx.HTTPError as exc:
        raise NetworkError(f"{url}: {exc}") from None
    if response.status_code in (401, 403):
        raise UpstreamUnauthorized(f"{url}: HTTP {response.status_code}, token rejected")
    if response.status_code != 200:
        raise UpstreamError(f"{url}: HTTP {response.status_code}", status=response.status_code,
                            body=" ".join(response.text[:200].split()))
    try:
        return response.json()
    except ValueError:
        raise UpstreamError(f"{url} did not return JSON", status=response.status_code) from None


def _schema_file(path: Path) -> dict[str, Any]:
    data = path.read_bytes()  # a missing file is the CLI's one OSError line, naming it
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(str(path), f"not a JSON schema ({exc})") from None


def register(app: typer.Typer) -> None:
    @app.command()
    def mappings(
        schema: Annotated[
            Optional[Path], typer.Option(help="A record schema JSON file (default: the packaged one).")] = None,
        from_api: Annotated[
            bool, typer.Option("--from-api", help="Fetch the schema from the live /schema endpoint.")] = False,
        product: Annotated[
            Optional[Product], typer.Option(help="Only this product (required with --schema).")] = None,
        out: Annotated[Path, typer.Option(help="Directory to write {product}.json into.")] = Path("mappings"),
        token: Annotated[Optional[str], setting_option("lens_api_token", "--token")] = None,
        api_url: Annotated[Optional[str], setting_option("api_url")] = None,
    ) -> None:
        """Regenerate the catalogue-driven Elasticsearch mappings from a record schema."""
        if schema and from_api:
            raise BadUsage("give --schema or --from-api, not both")
        if schema and not product:
            raise BadUsage("--schema needs --product (a schema file describes one product)")
        settings = load_settings(lens_api_token=token, api_url=api_url)
        products = [product.value] if product else list(PRODUCTS)
        out.mkdir(parents=True, exist_ok=True)
        for name in products:
            if schema:
                source = _schema_file(schema)
            elif from_api:
                source = _schema_from_api(settings, name)
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
