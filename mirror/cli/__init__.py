"""The ``lens-mirror`` command line. Each command group lives in its own module and
registers itself on the one Typer app; this module only wires them together and
holds the one failure path every command shares (:class:`MirrorGroup`)."""

from __future__ import annotations

import errno
import importlib
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperGroup

from mirror.errors import MirrorError

if TYPE_CHECKING:
    # TyperGroup.invoke's parameter type: typer vendors click (typer._click), the context is that one's.
    from typer._click import Context

# Modules under mirror/cli/ that define ``register(app: typer.Typer) -> None``.
COMMAND_MODULES = [
    "mirror.cli.sample",
    "mirror.cli.split",
    "mirror.cli.index",
    "mirror.cli.serve",
    "mirror.cli.mappings",
    "mirror.cli.bulk",
    "mirror.cli.sync",
    "mirror.cli.compile",
]

INTERRUPTED = 130  # the shell's code for a Ctrl-C


def os_error_message(exc: OSError) -> str:
    """``PATH: reason``: the file is what a user can act on (disk full, permissions)."""
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    target = f"{exc.filename} -> {exc.filename2}" if exc.filename2 is not None else str(exc.filename)
    return f"{target}: {reason}"


def exit_with(message: str, code: int) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit ``code``.

    Plain echo, not rich: rich wraps at 80 columns when stderr is not a terminal,
    and these lines (paths, checksums) must stay whole for logs and scripts.
    """
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


class MirrorGroup(TyperGroup):
    """Every command's one failure path.

    An expected failure (:class:`MirrorError`) or an I/O error (disk full,
    permissions, a path that is a file) ends as one ``error: ...`` line and the
    error's exit code; Ctrl-C as a hint to rerun (every long command resumes) and
    130. Anything else is a bug and keeps its traceback.
    """

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except MirrorError as exc:
            exit_with(exc.message, exc.exit_code)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # stdout closed by `| head`: click's own quiet handling
                raise
            exit_with(os_error_message(exc), 1)
        except KeyboardInterrupt:
            typer.echo("interrupted; run the same command again to resume", err=True)
            raise typer.Exit(INTERRUPTED) from None


def build_app() -> typer.Typer:
    """A fresh app with every command registered (tests build their own)."""
    app = typer.Typer(
        name="lens-mirror",
        cls=MirrorGroup,
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
