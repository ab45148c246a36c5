"""``lens-mirror serve`` and ``lens-mirror demo``."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn

from mirror import PRODUCTS
from mirror.settings import Settings

from .common import err_console, fail


def serve_app(data_dir: Path, host: str, port: int) -> None:
    from mirror.api import create_app

    settings = Settings(data_dir=data_dir, host=host, port=port)
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def try_message(host: str, port: int) -> str:
    base = f"http://{host}:{port}"
    return (
        f"[bold green]lens-mirror is serving on {base}[/]  (API docs: {base}/docs)\n"
        f"Try:\n  curl -s -X POST {base}/scholarly/search -H 'Content-Type: application/json' "
        f"-d '{{\"query\": \"malaria vaccine\", \"size\": 2, \"include\": [\"lens_id\", \"title\"]}}'\n"
        f"  curl -s '{base}/patent/search?query=title:battery&size=2&include=lens_id,biblio.invention_title'\n"
        "Press Ctrl+C to stop."
    )


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        data_dir: Path = typer.Option(Path("data"), envvar="LENS_MIRROR_DATA_DIR", help="Where indexes live."),
        host: str = typer.Option("127.0.0.1", envvar="LENS_MIRROR_HOST", help="Address to bind."),
        port: int = typer.Option(8000, envvar="LENS_MIRROR_PORT", help="Port to listen on."),
    ) -> None:
        """Serve the Lens search API over the embedded indexes in DATA_DIR."""
        if not any((data_dir / "index" / p / "CURRENT").exists() for p in PRODUCTS):
            fail(f"{data_dir}: no index yet; run 'lens-mirror index' (or 'lens-mirror demo') first")
        err_console.print(try_message(host, port))
        serve_app(data_dir, host, port)

    @app.command()
    def demo(
        data_dir: Path = typer.Option(Path("demo-data"), help="Where the demo's files and indexes go."),
        count: int = typer.Option(20_000, min=1, help="Records to generate per product."),
        seed: int = typer.Option(42, help="Random seed of the sample data."),
        host: str = typer.Option("127.0.0.1", help="Address to bind."),
        port: int = typer.Option(8000, help="Port to listen on."),
        no_serve: bool = typer.Option(False, "--no-serve", help="Prepare everything, then exit."),
    ) -> None:
        """Sample data → split → index → serve, all on this machine."""
        from .demo import prepare_demo

        prepare_demo(data_dir, count, seed)
        if no_serve:
            return
        err_console.print(try_message(host, port))
        serve_app(data_dir, host, port)
