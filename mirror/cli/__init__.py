"""The ``lens-mirror`` command line. Each command group lives in its own module and
registers itself on the one Typer app; this module only wires them together."""

from __future__ import annotations

import importlib

import typer

# Modules under mirror/cli/ that define ``register(app: typer.Typer) -> None``.
COMMAND_MODULES = [
    "mirror.cli.sample",
    "mirror.cli.split",
    "mirror.cli.index",
    "mirror.cli.serve",
    "mirror.cli.mappings",
    "mirror.cli.bulk",
    "mirror.cli.sync",
]


def build_app() -> typer.Typer:
    """A fresh app with every command registered (tests build their own)."""
    app = typer.Typer(
        name="lens-mirror",
        help="An offline, local mirror of the Lens.org scholarly and patent search API.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


def main() -> None:
    build_app()()
