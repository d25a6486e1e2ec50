"""What every `lotse` command module shares: the --json option and failing with a message."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` on stderr and exit with `code` (1: failed, 2: wrong usage)."""
    typer.echo(message, err=True)
    raise typer.Exit(code)
