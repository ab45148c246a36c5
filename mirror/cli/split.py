"""``lens-mirror split``: cut a Lens bulk file into resumable zstd chunks.

Bad input ends with one clear line naming the file on stderr and exit code 1
(the app's one failure path), never a traceback; the output directory keeps
every finished chunk and a manifest saying where the input broke, so rerunning
resumes. A full disk names the file being written; its unfinished chunk is removed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from mirror import PRODUCTS
from mirror.cli.common import BadUsage, parse_size
from mirror.ingest.manifest import Manifest
from mirror.ingest.release import load_release, release_file_beside
from mirror.ingest.split import SplitProgress, split_stream


def _summary(manifest: Manifest, elapsed: float) -> str:
    mb = manifest.bytes / 1e6
    text = (f"{manifest.records:,} records in {len(manifest.chunks)} chunks, "
            f"{mb:,.0f} MB -> {manifest.compressed_bytes / 1e6:,.0f} MB")
    if elapsed > 0:
        text += f" ({manifest.input_bytes / 1e6 / elapsed:,.0f} MB/s)"
    if manifest.dropped:
        text += f"; {manifest.dropped:,} filtered out"
    return text


def _product_from_name(name: str) -> str | None:
    """Lens bulk files are named after their product (``scholarly-202346.jsonl.gz``)."""
    found = [p for p in PRODUCTS if p in Path(name).name.lower()]
    return found[0] if len(found) == 1 else None


def _record_filter(query: str, product: str | None, input: str) -> Callable[[dict], bool]:
    """``--filter``: the query compiled like a search, evaluated on each record."""
    from mirror.backends.embedded.evaluate import record_filter
    from mirror.catalogue import catalogue_for
    from mirror.errors import BadRequest

    product = product or _product_from_name(input)
    if product not in PRODUCTS:
        raise BadUsage("--filter needs --product scholarly|patent (the file name does not say which)")
    try:
        return record_filter(catalogue_for(product), query, regex=True)
    except BadRequest as exc:
        raise BadUsage(f"--filter: {exc.message}") from None


def split_command(
    input: str = typer.Argument(..., help="Lens bulk file: .jsonl, .jsonl.gz, .jsonl.zst, or - for stdin."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory: blk-NNNNNN.jsonl.zst + manifest.json."),
    chunk_bytes: str = typer.Option(
        "1G", "--chunk-bytes", help="Max uncompressed bytes per chunk: 1G, 512M, 64K, or bytes."),
    level: int = typer.Option(5, "--level", min=1, max=22, help="zstd compression level."),
    validate: str = typer.Option("fast", "--validate", help="Line checks: fast, full (parse every line) or off."),
    verify_release: bool = typer.Option(
        False, "--verify-release", help="Check record count and first/last lens_id against release metadata."),
    release_file: Optional[Path] = typer.Option(
        None, "--release-file",
        help="Release metadata JSON (default: release.json beside INPUT); implies --verify-release."),
    restart: bool = typer.Option(False, "--restart", help="Discard an earlier split in --out instead of resuming it."),
    threads: Optional[int] = typer.Option(
        None, "--threads", min=1, help="Compression threads (default: one per core)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary."),
    filter_query: Optional[str] = typer.Option(
        None, "--filter", help="Keep only records matching this Lens query string, e.g. "
        "'year_published:[2015 TO *] AND has_abstract:true'."),
    product: Optional[str] = typer.Option(
        None, "--product", help="scholarly or patent: the field names --filter uses (default: from the file name)."),
) -> None:
    """Split a Lens bulk JSON Lines file into line-aligned zstd chunks (resumable)."""
    console = Console(stderr=True)
    size = parse_size(chunk_bytes)
    if validate not in ("fast", "full", "off"):
        raise typer.BadParameter("must be fast, full or off", param_hint="--validate")
    expect: dict[str, Any] | None = None
    if verify_release or release_file is not None:
        if release_file is None and input == "-":
            raise BadUsage("--verify-release with stdin input needs --release-file")
        expect = load_release(release_file or release_file_beside(input))

    keep, keep_label = None, None
    if filter_query is not None:
        keep = _record_filter(filter_query, product, input)
        keep_label = f"{product or _product_from_name(input)}: {filter_query}"

    progress = Progress(
        TextColumn("[bold]split[/]"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[read]}"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet or not console.is_terminal,  # no bar in logs or pipes
        transient=False,
    )
    started = time.perf_counter()
    task = progress.add_task("split", total=None, read="", rate="", state="")

    def on_progress(p: SplitProgress) -> None:
        if not progress.live.is_started:  # lazily: no empty bar before an early error
            progress.start()
        elapsed = max(time.perf_counter() - started, 1e-9)
        progress.update(
            task,
            total=p.compressed_size,
            completed=p.compressed_offset,
            read=f"{p.input_bytes / 1e6:,.0f} MB read",
            rate=f"{p.input_bytes / 1e6 / elapsed:,.0f} MB/s",
            state="skipping done part" if p.skipping else f"{p.input_records:,} records, {p.chunks} chunks",
        )

    try:
        manifest = split_stream(
            input, out, size, level,
            validate=validate,  # "fast", "full" or "off", checked above
            keep=keep, keep_label=keep_label, expect=expect,
            threads=threads, restart=restart, progress=on_progress,
        )
    finally:
        progress.stop()
    if not quiet:
        console.print(f"{input} -> {out}: {_summary(manifest, time.perf_counter() - started)}",
                      highlight=False, soft_wrap=True)
        if expect is not None:
            console.print("release metadata matches", highlight=False)
    if manifest.quarantined:
        console.print(
            f"[yellow]warning:[/] {input}: {manifest.quarantined:,} bad lines set aside in "
            f"{out / (manifest.quarantine_file or 'quarantine.jsonl')}",
            highlight=False, soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    app.command("split")(split_command)
