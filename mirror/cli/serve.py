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

    backend = open_backend(settings)
    counts = backend.check()
    app = create_app(settings, backend)
    served = ", ".join(f"{product} {records:,} records" for product, records in counts.items())
    err_console.print(try_message(settings.host, settings.port, served))
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


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
