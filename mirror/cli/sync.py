"""``lens-mirror sync``: latest bulk release → split → index → serve, resumably.

Expected failures (network, 401, 429, checksum, corrupt or mismatching data,
another sync running) end as one ``error: ...`` line on stderr and exit 1.
Progress bars and step messages go to stderr; the summary line to stdout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from mirror.backends.embedded import IndexUnavailable
from mirror.bulk.client import BulkClient
from mirror.bulk.errors import BulkError
from mirror.bulk.sync import sync
from mirror.ingest.errors import InputError, SplitError
from mirror.ingest.release import ReleaseMismatch
from mirror.settings import Settings

from .bulk import ApiUrlOpt, DataDirOpt, ProductOpt, TokenOpt
from .common import err_console

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


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
    settings = _settings(data_dir, api_url)
    size = _parse_size(chunk_bytes)
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


def _parse_size(text: str) -> int:
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    number = value[: len(value) - len(unit)]
    if not number.isdigit() or int(number) < 1:
        _error(f"--chunk-bytes: expected a size like 512M or 1G, got {text!r}")
    return int(number) * _UNITS[unit]


def _settings(data_dir: Path | None, api_url: str | None) -> Settings:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if api_url is not None:
        overrides["api_url"] = api_url
    return Settings(**overrides)

