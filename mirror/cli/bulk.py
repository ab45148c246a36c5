"""``lens-mirror release`` and ``lens-mirror download``: the upstream bulk service.

Expected failures (network down, 401, 429, a checksum that does not match) are
:class:`mirror.bulk.errors.BulkError`: the app's one failure path prints them as
one ``error: ...`` line with exit status 1, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from mirror.bulk.client import BulkClient, Release
from mirror.bulk.download import download, is_complete, release_path
from mirror.bulk.state import STEPS, StateStore, VersionState

from .common import Product, load_settings, setting_option

ProductOpt = Annotated[Product, typer.Option("--product", "-p", case_sensitive=False, help="Which bulk product.")]
TokenOpt = Annotated[Optional[str], setting_option("lens_api_token", "--token")]
DataDirOpt = Annotated[Optional[Path], setting_option("data_dir")]
ApiUrlOpt = Annotated[Optional[str], setting_option("api_url")]


def register(app: typer.Typer) -> None:
    app.command("release", help="Show the latest upstream bulk release and how far it got locally.")(release_command)
    app.command("download", help="Download the latest bulk release file, resuming and verifying it.")(download_command)


def release_command(
    product: ProductOpt,
    data_dir: DataDirOpt = None,
    token: TokenOpt = None,
    api_url: ApiUrlOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of lines.")] = False,
) -> None:
    settings = load_settings(data_dir=data_dir, api_url=api_url, lens_api_token=token)
    with BulkClient(settings.api_url, settings.lens_api_token) as client:
        release = client.release(product.value)
    state = StateStore.in_data_dir(settings.data_dir)
    entry = state.get(product.value, release.version)
    others = [v for v in state.versions(product.value) if v.version != release.version]
    shown = _shown_metadata(release)
    if as_json:
        local = {"status": entry.status if entry else "new", "steps": entry.steps if entry else {}}
        local["other_versions"] = {v.version: v.status for v in others}
        typer.echo(json.dumps({"release": shown, "local": local}, indent=2, sort_keys=True))
        return
    width = max(len(k) for k in [*shown, "local status"])
    for key, value in shown.items():
        typer.echo(f"{key:<{width}}  {value}")
    typer.echo(f"{'local status':<{width}}  {_status_line(entry)}")
    if others:
        listing = ", ".join(f"{v.version} ({v.status})" for v in others)
        typer.echo(f"{'other versions':<{width}}  {listing}")


def download_command(
    product: ProductOpt,
    dest: Annotated[
        Path | None,
        typer.Option("--dir", show_default=False, help="Download dir (default: DATA_DIR/downloads)."),
    ] = None,
    data_dir: DataDirOpt = None,
    token: TokenOpt = None,
    api_url: ApiUrlOpt = None,
    retries: Annotated[
        int, typer.Option(min=0, help="Reconnect attempts without progress before giving up (resume later).")
    ] = 3,
    verify: Annotated[
        bool, typer.Option("--verify", help="Re-hash an already complete file instead of trusting the state.")
    ] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")] = True,
) -> None:
    settings = load_settings(data_dir=data_dir, api_url=api_url, lens_api_token=token)
    dest_dir = dest if dest is not None else settings.data_dir / "downloads"
    state = StateStore.in_data_dir(settings.data_dir)
    with BulkClient(settings.api_url, settings.lens_api_token) as client:
        release = client.release(product.value)
        final = release_path(dest_dir, product.value, release)
        if is_complete(state, product.value, release, final, rehash=verify):
            typer.echo(f"already downloaded: {final}")
            return
        path = download(
            client,
            product.value,
            dest_dir,
            progress=progress,
            state=state,
            release=release,
            retries=retries,
            verify_existing=verify,
        )
    typer.echo(f"downloaded {path} ({path.stat().st_size} bytes, size and md5 verified)")


def _shown_metadata(release: Release) -> dict[str, Any]:
    """Every field upstream sent, with the access key shortened: it is a
    credential that spends download quota and ends up in terminal scrollback."""
    shown = release.metadata()
    key = shown.get("downloadAccessKey")
    if isinstance(key, str) and key:
        shown["downloadAccessKey"] = f"{key[:4]}… (hidden)"
    return shown


def _status_line(entry: VersionState | None) -> str:
    if entry is None:
        return "new (not downloaded)"
    done = ", ".join(f"{step} {info.get('at', '')}".strip() for step, info in _ordered(entry))
    return f"{entry.status} ({done})"


def _ordered(entry: VersionState) -> list[tuple[str, dict[str, Any]]]:
    return [(step, entry.steps[step]) for step in STEPS if step in entry.steps]
