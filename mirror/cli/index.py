"""``lens-mirror index``: build or update a product's embedded index from chunks."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mirror.backends.embedded import (
    DEFAULT_VERSION, EmbeddedIndex, IndexReport, IndexUnavailable, current_version, index_files, product_dir,
    set_current_version,
)
from mirror.ingest.errors import InputError
from mirror.ingest.read import chunk_paths

from .common import Product, err_console, fail


def expected_records(targets: list[Path]) -> int | None:
    """Records the inputs hold, when split manifests say so (for the progress bar)."""
    total = 0
    for target in targets:
        manifest = target / "manifest.json"
        if not manifest.is_file():
            return None
        total += sum(c.get("records", 0) for c in orjson.loads(manifest.read_bytes()).get("chunks", []))
    return total


def split_status(target: Path) -> str | None:
    """The status a split directory's manifest records (None for plain files)."""
    manifest = target / "manifest.json"
    if not target.is_dir() or not manifest.is_file():
        return None
    return orjson.loads(manifest.read_bytes()).get("status")


def build_index(product: str, data_dir: Path, targets: list[Path], version: str | None = None,
                rebuild: bool = False, quiet: bool = False) -> IndexReport:
    """Index ``targets`` into ``version`` (default: the served one) of ``product``; serve it if none is."""
    version = version or current_version(data_dir, product) or DEFAULT_VERSION
    path = product_dir(data_dir, product) / version
    if rebuild and path.exists():
        shutil.rmtree(path)
    index = EmbeddedIndex.open_version(data_dir, product, version)
    columns = (TextColumn(f"indexing {product}"), BarColumn(), MofNCompleteColumn(), TextColumn("records"),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, disable=quiet, transient=False) as bar:
        task = bar.add_task("index", total=expected_records(targets))
        report = index_files(index, targets, on_record=lambda n: bar.advance(task, n))
    if current_version(data_dir, product) is None:
        set_current_version(data_dir, product, version)
    return report


def print_report(product: str, report: IndexReport) -> None:
    err_console.print(
        f"{product}: indexed {report.indexed:,} records in {report.seconds:.1f} s ({report.rate:,.0f}/s); "
        f"{report.chunks_done} chunk(s) done, {report.chunks_skipped} already indexed"
    )
    if report.failed:
        err_console.print(f"[yellow]warning:[/] {report.failed:,} record(s) could not be indexed:")
        for problem in report.problems:
            err_console.print(f"  {problem}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def index(
        inputs: list[Path] = typer.Argument(..., help="Chunk files or split directories (with manifest.json)."),
        product: Product = typer.Option(..., help="Which product the records are."),
        data_dir: Path = typer.Option(Path("data"), envvar="LENS_MIRROR_DATA_DIR", help="Where indexes live."),
        version: Optional[str] = typer.Option(None, help="Index version to write (default: the served one)."),
        rebuild: bool = typer.Option(False, help="Start the index over instead of updating it."),
        allow_partial: bool = typer.Option(False, help="Index the finished chunks of a split that did not complete."),
    ) -> None:
        """Build or update the embedded index of a product (same lens_id twice = one record)."""
        for target in inputs:
            if not target.exists():
                fail(f"{target}: no such file or directory")
            if target.is_dir() and not chunk_paths(target):
                fail(f"{target}: no chunk files (*.jsonl.zst) in this directory")
            status = split_status(target)
            if status not in (None, "complete") and not allow_partial:
                fail(f"{target}: the split is {status}, not complete; finish it (rerun split) "
                     "or index what is there with --allow-partial")
        try:
            report = build_index(product.value, data_dir, inputs, version, rebuild)
        except (InputError, IndexUnavailable, FileNotFoundError, OSError) as exc:
            fail(str(exc))
        print_report(product.value, report)
