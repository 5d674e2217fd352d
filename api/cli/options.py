"""Options and output shared by the command families (filing, package, assess, issue …): declared once, so that
a flag reads the same and a result prints the same in every command that has it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click


def format_option(*choices: str) -> Callable[[Any], Any]:
    """`--format` among `choices`, the first by default."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True)


FORMAT = format_option("text", "json")
YEAR = click.option("--year", required=True, type=int)  # its range is checked by the use-case (one home)


def as_of_option(help: str = "ISO-8601 instant.") -> Callable[[Any], Any]:
    """`--as-of`, read by `context.as_of` in the command (in the ledger's zone when it has no offset)."""
    return click.option("--as-of", "as_of", help=help)


def echo_json(data: Any, default: Callable[[Any], Any] | None = None) -> None:
    """A result as JSON: Chinese as is (not \\u escapes), one-space indent."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=default))
