"""``lens-mirror index``: build or update a product's index from chunks (through the backend's write side)."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Annotated, Optional

import orjson
import typer
from rich.progress import Progress

from mirror.backends.loading import IndexReport, load_chunks
from mirror.backends.writing import DEFAULT_VERSION, open_store
from mirror.ingest.errors import InputError
from mirror.ingest.read import chunk_paths
from mirror.settings import Settings

from .common import BackendOpt, EsUrlOpt, Product, err_console, load_settings, records_columns, setting_option


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
    try:
        return orjson.loads(manifest.read_bytes()).get("status")
    except (orjson.JSONDecodeError, AttributeError) as exc:
        raise InputError(str(manifest), f"unreadable split manifest ({exc})") from None


def check_inputs(targets: list[Path], allow_partial: bool) -> None:
    """Refuse, before anything is written, inputs that are missing, empty or an unfinished split."""
    for target in targets:
        if not target.exists():
            raise InputError(str(target), "no such file or directory")
        if target.is_dir() and not chunk_paths(target):
            raise InputError(str(target), "no chunk files (*.jsonl.zst) in this directory")
        status = split_status(target)
        if status not in (None, "complete") and not allow_partial:
            raise InputError(str(target), f"the split is {status}, not complete; finish it (rerun split) "
                                          "or index what is there with --allow-partial")


def build_index(settings: Settings, product: str, targets: list[Path], version: str | None = None,
                rebuild: bool = False, quiet: bool = False) -> IndexReport:
    """Index ``targets`` into ``version`` (default: the served one) of ``product`` in
    ``settings.backend``; serve it if none is."""
    store = open_store(settings)
    version = version or store.serving(product) or DEFAULT_VERSION
    with closing(store.writer(product, version, fresh=rebuild)) as writer, \
            Progress(*records_columns(f"indexing {product}"), console=err_console, disable=quiet,
                     transient=False) as bar:
        task = bar.add_task("index", total=expected_records(targets))
        report = load_chunks(writer, targets, on_record=lambda n: bar.advance(task, n))
    if store.serving(product) is None:
        store.switch(product, version)
    return report


def print_report(product: str, report: IndexReport) -> None:
    err_console.print(
        f"{product}: indexed {report.indexed:,} records in {report.seconds:.1f} s ({report.rate:,.0f}/s); "
        f"{report.chunks_done} chunk(s) done, {report.chunks_skipped} already indexed"
    )
    if report.unverified:
        shown = ", ".join(report.unverified[:3]) + (f" and {len(report.unverified) - 3} more"
                                                    if len(report.unverified) > 3 else "")
        err_console.print(f"[yellow]warning:[/] no split manifest lists {shown}: indexed as read, "
                          "not checked for truncation (index a split directory to have its chunks verified)",
                          highlight=False)
    if report.failed:
        err_console.print(f"[yellow]warning:[/] {report.failed:,} record(s) could not be indexed:")
        for problem in report.problems:
            err_console.print(f"  {problem}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def index(
        inputs: Annotated[list[Path], typer.Argument(help="Chunk files or split directories (with manifest.json).")],
        product: Annotated[Product, typer.Option(help="Which product the records are.")],
        data_dir: Annotated[Optional[Path], setting_option("data_dir")] = None,
        version: Annotated[
            Optional[str], typer.Option(help="Index version to write (default: the served one).")
        ] = None,
        rebuild: Annotated[bool, typer.Option(help="Start the index over instead of updating it.")] = False,
        allow_partial: Annotated[
            bool, typer.Option(help="Index the finished chunks of a split that did not complete.")] = False,
        heap_bytes: Annotated[Optional[int], setting_option("index_heap_bytes", "--heap-bytes")] = None,
        threads: Annotated[Optional[int], setting_option("index_threads", "--threads")] = None,
        backend: BackendOpt = None,
        es_url: EsUrlOpt = None,
    ) -> None:
        """Build or update the index of a product (same lens_id twice = one record).

        Chunks of a split are checked against its manifest (size, sha256, record count) and refused on a mismatch.
        """
        settings = load_settings(data_dir=data_dir, index_heap_bytes=heap_bytes, index_threads=threads,
                                 backend=backend, es_url=es_url)
        check_inputs(inputs, allow_partial)
        print_report(product.value, build_index(settings, product.value, inputs, version, rebuild))
