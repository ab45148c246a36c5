"""Small helpers shared by the CLI modules: product choice, errors, consoles."""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn

import typer
from rich.console import Console


class Product(StrEnum):
    scholarly = "scholarly"
    patent = "patent"


#: Progress bars and messages go to stderr so stdout stays clean for data.
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error (never a traceback) and exit non-zero."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)
