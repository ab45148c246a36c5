"""``lens-mirror sync``: latest bulk release → split → index → serve, resumably.

Expected failures (network, 401, 429, checksum, corrupt or mismatching data,
another sync running) end as one ``error: ...`` line on stderr and exit 1.
Progress bars and step messages go to stderr; the summary line to stdout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer

from mirror.backends.embedded import IndexUnavailable
from mirror.bulk.client import BulkClient
from mirror.bulk.errors import BulkError
from mirror.bulk.sync import sync
from mirror.ingest.errors import InputError, SplitError
from mirror.ingest.release import ReleaseMismatch
from .common import parse_size, settings_with

from .bulk import ApiUrlOpt, DataDirOpt, ProductOpt, TokenOpt
from .common import err_console



def register(app: typer.Typer) -> None:
    app.command("sync", help="Bring the served index up to the latest bulk release (resumable).")(sync_command)


def sync_command(
    product: ProductOpt,
    data_dir: DataDirOpt = None,
    keep_download: Annotated[
        bool,
        typer.Option("--keep-download", help="Keep the .gz under DATA_DIR/downloads (default: stream it, keep nothing)."),
    ] = False,
    token: TokenOpt = None,
    api_url: ApiUrlOpt = None,
    chunk_bytes: Annotated[
        str,
        typer.Option("--chunk-bytes", help="Split chunk size, uncompressed (e.g. 512M); changing it restarts an unfinished split."),
    ] = "1G",  # split_stream's DEFAULT_CHUNK_BYTES
    retries: Annotated[
        int, typer.Option(min=0, help="Reconnect attempts without progress before giving up (resume later).")
    ] = 3,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bars on stderr.")] = True,
) -> None:
    settings = settings_with(data_dir, api_url)
    size = parse_size(chunk_bytes)
    with _expected_failures():
        with BulkClient(settings.api_url, token) as client:
            report = sync(
                client,
                product.value,
                settings.data_dir,
                keep_download=keep_download,
                progress=progress,
                log=lambda message: err_console.print(message, highlight=False, soft_wrap=True),
                chunk_bytes=size,
                heap_bytes=settings.index_heap_bytes,
                retries=retries,
            )
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    typer.echo(report.summary())


@contextmanager
def _expected_failures() -> Iterator[None]:
    """The failures a user can meet become one line and exit 1 (Ctrl-C: 130)."""
    try:
        yield
    except ReleaseMismatch as exc:  # its str() is several lines
        mismatches = "; ".join(str(m) for m in exc.report.mismatches)
        _error(f"the release file does not match its metadata ({mismatches})")
    except (BulkError, InputError, SplitError, IndexUnavailable, OSError) as exc:
        _error(str(exc))
    except KeyboardInterrupt:
        err_console.print("interrupted; run the same command again to continue", highlight=False)
        raise typer.Exit(130) from None


def _error(message: str) -> NoReturn:
    # Plain echo, not common.fail(): rich wraps at 80 columns when stderr is not
    # a terminal, and these messages (paths, md5s) must stay one line for logs.
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)





