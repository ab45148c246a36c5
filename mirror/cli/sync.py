"""``lens-mirror sync``: latest bulk release → split → index → serve, resumably.

Expected failures (network, 401, 429, checksum, corrupt or mismatching data,
another sync running) end as one ``error: ...`` line on stderr and exit 1
(the app's one failure path, :class:`mirror.cli.MirrorGroup`).
Progress bars and step messages go to stderr; the summary line to stdout.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from mirror.bulk.client import BulkClient
from mirror.sync import sync

from .bulk import ApiUrlOpt, DataDirOpt, ProductOpt, TokenOpt
from .common import BackendOpt, EsUrlOpt, err_console, load_settings, parse_size, setting_option


def register(app: typer.Typer) -> None:
    app.command("sync", help="Bring the served index up to the latest bulk release (resumable).")(sync_command)


def sync_command(
    product: ProductOpt,
    data_dir: DataDirOpt = None,
    keep_download: Annotated[
        bool,
        typer.Option(
            "--keep-download", help="Keep the .gz under DATA_DIR/downloads (default: stream it, keep nothing)."
        ),
    ] = False,
    token: TokenOpt = None,
    api_url: ApiUrlOpt = None,
    chunk_bytes: Annotated[
        str,
        typer.Option(
            "--chunk-bytes",
            help="Split chunk size, uncompressed (e.g. 512M); changing it restarts an unfinished split.",
        ),
    ] = "1G",  # split_stream's DEFAULT_CHUNK_BYTES
    retries: Annotated[
        int, typer.Option(min=0, help="Reconnect attempts without progress before giving up (resume later).")
    ] = 3,
    heap_bytes: Annotated[Optional[int], setting_option("index_heap_bytes", "--heap-bytes")] = None,
    threads: Annotated[Optional[int], setting_option("index_threads", "--threads")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bars on stderr.")] = True,
    backend: BackendOpt = None,
    es_url: EsUrlOpt = None,
) -> None:
    settings = load_settings(data_dir=data_dir, api_url=api_url, lens_api_token=token,
                             index_heap_bytes=heap_bytes, index_threads=threads, backend=backend, es_url=es_url)
    size = parse_size(chunk_bytes)
    with BulkClient(settings.api_url, settings.lens_api_token) as client:
        report = sync(
            client,
            product.value,
            settings,
            keep_download=keep_download,
            progress=progress,
            log=lambda message: err_console.print(message, highlight=False, soft_wrap=True),
            chunk_bytes=size,
            retries=retries,
        )
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    typer.echo(report.summary())
