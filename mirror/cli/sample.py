"""``lens-mirror sample``: write a deterministic sample of Lens-shaped records."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from .common import Product


def sample(
    product: Product = typer.Option(..., "--product", "-p", help="Which product's records to generate."),
    count: int = typer.Option(1000, "--count", "-n", min=0, help="How many records."),
    seed: int = typer.Option(42, "--seed", "-s", help="Random seed: same seed and count, same bytes."),
    output: Path = typer.Option(
        ..., "--output", "-o", dir_okay=False, writable=True,
        help="Output file: JSON Lines; .gz -> gzip, .zst -> zstandard, anything else plain.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Generate COUNT records of PRODUCT, deterministic in SEED, and write them to OUTPUT.

    Same seed and count give the same bytes. Citations and families point only at records inside the sample; a scholarly and a patent sample made with the same seed and count also point at each other.
    """  # noqa: E501 (one line per paragraph: the help renderer keeps line breaks)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from mirror.sample import write_sample

    console = Console(stderr=True)
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, disable=quiet, transient=False,
    ) as progress:
        task = progress.add_task(f"{product.value} sample", total=count)
        written = write_sample(product.value, count, seed, output,
                               progress=lambda n: progress.advance(task, n))
    elapsed = time.perf_counter() - started
    if not quiet:
        rate = written / elapsed if elapsed > 0 else float("inf")
        console.print(f"wrote {written} {product.value} records to {output} "
                      f"({output.stat().st_size / 1e6:.1f} MB, {rate:,.0f} records/s)")


def register(app: typer.Typer) -> None:
    """Add the ``sample`` command to the lens-mirror app."""
    app.command("sample")(sample)
