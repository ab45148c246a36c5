"""Small helpers shared by the CLI modules: product choice, errors, consoles."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

from mirror.settings import Settings


class Product(StrEnum):
    scholarly = "scholarly"
    patent = "patent"


#: Progress bars and messages go to stderr so stdout stays clean for data.
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error (never a traceback) and exit non-zero."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``1G``, ``512M``, ``64K``, ``1GiB`` (powers of 1024, as GNU split), ``1GB`` (powers of 1000), or bytes."""
    match = _SIZE_RE.match(text)
    if not match:
        raise typer.BadParameter(f"{text!r} is not a size like 1G, 512M, 64K or a number of bytes")
    number, unit, suffix = int(match[1]), match[2].lower(), (match[3] or "").lower()
    base = 1000 if suffix == "b" and unit else 1024
    size = number * base ** " kmgt".index(unit or " ")
    if size < 1:
        raise typer.BadParameter("must be at least 1 byte")
    return size


def settings_with(data_dir: Path | None = None, api_url: str | None = None) -> Settings:
    """Settings from the environment, with the command line's overrides on top."""
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if api_url is not None:
        overrides["api_url"] = api_url
    return Settings(**overrides)
