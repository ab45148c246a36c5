"""``lens-mirror serve`` and ``lens-mirror demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
import uvicorn

from mirror.backends import open_backend
from mirror.settings import Settings

from .common import BackendOpt, err_console, load_settings, setting_option

HostOpt = Annotated[Optional[str], setting_option("host")]
PortOpt = Annotated[Optional[int], setting_option("port")]


def serve_app(settings: Settings) -> None:
    """Serve the API as ``settings`` say, once every served index opened whole.

    A missing, damaged or short index is refused here (one line, exit 1) rather
    than served as an empty index or a run of 500s.
    """
    from mirror.api import create_app
    from mirror.api.middleware import ReleaseMemoryWhenIdle

    cap_malloc_arenas()
    backend = open_backend(settings)
    counts = backend.check()
    app = create_app(settings, backend)
    served = ", ".join(f"{product} {records:,} records" for product, records in counts.items())
    err_console.print(try_message(settings.host, settings.port, served))
    tune_for_latency()
    uvicorn.run(ReleaseMemoryWhenIdle(app), host=settings.host, port=settings.port, log_level="warning")


def tune_for_latency() -> None:
    """Keep a small request's wait short while other threads hold the GIL (once the app is built).

    - The ~75,000 objects built at start (app, models, catalogues, indexes) live as
      long as the process: frozen, the collector stops walking them again. Under
      scripts/fuzz the full collections took 4.7 s of GIL time in all, up to 217 ms
      each (every thread stopped meanwhile); frozen, 0.4 s and 42 ms at most.
    - A thread that gives the GIL up for I/O or a tantivy call waits up to the
      switch interval (5 ms) to get it back from a thread running Python, and a
      request does so a dozen times (event loop, worker, event loop). At 1 ms the
      probe's time inside its worker thread fell from p99 82 to 53 ms and its way
      back to the event loop from p99 46 to 27 ms.
    """
    import gc
    import sys

    gc.collect()
    gc.freeze()
    sys.setswitchinterval(0.001)


#: glibc's malloc arenas for the server (MALLOC_ARENA_MAX, when set, wins).
MALLOC_ARENAS = 2


def cap_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """Let every thread of the server share ``arenas`` malloc arenas, before any thread starts.

    glibc gives each thread that allocates under contention an arena of its own (up to
    8 per core) and keeps what is freed there for that arena's reuse, so memory left
    free by the worker threads piles up in many places: 13 arenas after a fuzz run
    (scripts/fuzz), 227 MB free in them, still 55 MB more than before the run even
    after ``malloc_trim(0)`` (pages half used in every arena). With 2 arenas the same
    run ends, once trimmed, 12 MB above where it started. The threads that share an
    arena mostly allocate while holding the GIL, so there is little lock contention.
    """
    import os

    from mirror.api.middleware import glibc

    libc = glibc()
    if libc is not None and "MALLOC_ARENA_MAX" not in os.environ:
        libc.mallopt(-8, arenas)  # -8: M_ARENA_MAX in malloc.h


def try_message(host: str, port: int, served: str = "") -> str:
    base = f"http://{host}:{port}"
    return (
        f"[bold green]lens-mirror is serving on {base}[/]" + (f" ({served})" if served else "")
        + f"  (API docs: {base}/docs)\n"
        f"Try:\n  curl -s -X POST {base}/scholarly/search -H 'Content-Type: application/json' "
        f"-d '{{\"query\": \"malaria vaccine\", \"size\": 2, \"include\": [\"lens_id\", \"title\"]}}'\n"
        f"  curl -s '{base}/patent/search?query=title:battery&size=2&include=lens_id,biblio.invention_title'\n"
        "Press Ctrl+C to stop."
    )


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        data_dir: Annotated[Optional[Path], setting_option("data_dir")] = None,
        host: HostOpt = None,
        port: PortOpt = None,
        backend: BackendOpt = None,
        es_url: Annotated[Optional[str], setting_option("es_url")] = None,
    ) -> None:
        """Serve the Lens search API: the embedded indexes in DATA_DIR, or an engine's (--backend elasticsearch)."""
        serve_app(load_settings(data_dir=data_dir, host=host, port=port, backend=backend, es_url=es_url))

    @app.command()
    def demo(
        data_dir: Annotated[Path, typer.Option(help="Where the demo's files and indexes go.")] = Path("demo-data"),
        count: Annotated[int, typer.Option(min=1, help="Records to generate per product.")] = 20_000,
        seed: Annotated[int, typer.Option(help="Random seed of the sample data.")] = 42,
        host: HostOpt = None,
        port: PortOpt = None,
        no_serve: Annotated[bool, typer.Option("--no-serve", help="Prepare everything, then exit.")] = False,
        backend: BackendOpt = None,
    ) -> None:
        """Sample data → split → index → serve, all on this machine."""
        from .demo import prepare_demo

        # The demo's data dir is its own (not LENS_MIRROR_DATA_DIR): it never touches a real mirror's.
        settings = load_settings(data_dir=data_dir, host=host, port=port, backend=backend)
        prepare_demo(settings, count, seed)
        if not no_serve:
            serve_app(settings)
