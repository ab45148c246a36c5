"""The demo's preparation: deterministic sample → split → index, for both products.

Every step is skipped when its output is already complete, so running the demo
again (or after an interruption) starts serving quickly.
"""

from __future__ import annotations

import time
from pathlib import Path

import orjson
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mirror import PRODUCTS
from mirror.backends.writing import open_store
from mirror.ingest.split import split_stream
from mirror.settings import Settings

from .common import err_console
from .index import build_index, print_report


def _sample(product: str, count: int, seed: int, path: Path) -> None:
    from mirror.sample import write_sample

    stamp = path.with_suffix(".done")
    wanted = orjson.dumps({"count": count, "seed": seed})
    if path.exists() and stamp.exists() and stamp.read_bytes() == wanted:
        return
    columns = (TextColumn(f"generating {product}"), BarColumn(), MofNCompleteColumn(), TextColumn("records"),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console) as bar:
        task = bar.add_task("sample", total=count)
        write_sample(product, count, seed, path, progress=lambda n: bar.advance(task, n))
    stamp.write_bytes(wanted)


def _split(source: Path, out: Path) -> None:
    columns = (TextColumn(f"splitting {source.name}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console) as bar:
        task = bar.add_task("split", total=source.stat().st_size)
        split_stream(source, out, chunk_bytes=16 << 20,
                     progress=lambda p: bar.update(task, completed=p.compressed_offset))


def prepare_demo(settings: Settings, count: int, seed: int) -> None:
    """Sample, split and index both products under ``settings.data_dir`` (into ``settings.backend``)."""
    open_store(settings)  # a backend that cannot be written is refused before anything is generated
    started = time.monotonic()
    data_dir = settings.data_dir
    for product in PRODUCTS:
        sample = data_dir / "samples" / f"{product}-{count}-{seed}.jsonl.gz"
        sample.parent.mkdir(parents=True, exist_ok=True)
        _sample(product, count, seed, sample)
        chunks = data_dir / "chunks" / f"{product}-{count}-{seed}"
        _split(sample, chunks)
        print_report(product, build_index(settings, product, [chunks]))
    err_console.print(f"demo data ready in {time.monotonic() - started:.1f} s under {data_dir}")
