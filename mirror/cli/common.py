"""Small helpers shared by the CLI modules: options declared by the settings object,
the product choice, sizes, the stderr console."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Optional

import typer
from pydantic import AliasChoices, ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from mirror.errors import BadRequest
from mirror.settings import Settings


class Product(StrEnum):
    scholarly = "scholarly"
    patent = "patent"


#: Progress bars and messages go to stderr so stdout stays clean for data.
err_console = Console(stderr=True, soft_wrap=True)


class BadUsage(BadRequest):
    """Options that cannot go together, or a value the command cannot use (exit 2, as every BadRequest)."""


# -- options declared once, by the settings object ---------------------------------------


def setting_env(name: str) -> str:
    """The environment variable that sets the field ``name`` of :class:`Settings`."""
    field = Settings.model_fields[name]
    alias = field.validation_alias
    if isinstance(alias, str):
        return alias.upper()
    if isinstance(alias, AliasChoices):
        return next(str(c).upper() for c in alias.choices if str(c) != name)
    return f"{Settings.model_config.get('env_prefix', '')}{name}".upper()


def setting_option(name: str, *param_decls: str) -> Any:
    """The ``typer.Option`` for the settings field ``name``, to use as
    ``Annotated[Optional[T], setting_option(name)] = None``: the field's
    description is its help, its environment variable and default show in ``--help``.

    The option's value stays None when neither the flag nor the variable is given,
    so that :func:`load_settings` leaves the default (and the validation) to the
    one settings object instead of repeating them here.
    """
    field = Settings.model_fields[name]
    default = field.default
    decls = param_decls or (f"--{name.replace('_', '-')}",)
    return typer.Option(
        *decls,
        envvar=setting_env(name),  # read here too only so that --help shows it; Settings reads it the same
        show_envvar=True,
        help=field.description,
        show_default=str(default) if default is not None else False,
    )


#: ``--backend``, for the commands that write indexes (the value is checked by Settings / open_store).
BackendOpt = Annotated[Optional[str], setting_option("backend")]
#: ``--es-url``: the engine the elasticsearch backend writes to (or serves from).
EsUrlOpt = Annotated[Optional[str], setting_option("es_url")]


class RateColumn(ProgressColumn):
    """Records per second, for the indexing bars (rich's speed column counts bytes)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} records/s" if speed else "- records/s", style="progress.data.speed")


def records_columns(description: str) -> tuple[ProgressColumn, ...]:
    """A records bar: done of total, the rate, elapsed time and the time left."""
    return (TextColumn(description), BarColumn(), MofNCompleteColumn(), TextColumn("records"), RateColumn(),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())


def load_settings(**given: Any) -> Settings:
    """The settings: the environment and defaults, with what the command line gave on top."""
    try:
        return Settings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{setting_env(str(e['loc'][0])) if e['loc'] and e['loc'][0] in Settings.model_fields else 'settings'}: "
            f"{e['msg']}"
            for e in exc.errors()
        )
        raise BadUsage(f"bad setting: {problems}") from None


# -- values -------------------------------------------------------------------------------

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
