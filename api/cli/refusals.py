"""The one place the command line turns a service's refusal into messages on stderr and an exit code."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from ..services.refusals import Kind, Refused  # light: domain.errors only

# 1 is `taizhang verify`'s "tampering found"; click's own usage errors exit 2 as well.
EXIT: dict[Kind, int] = {
    "invalid": 2,
    "not_found": 2,
    "conflict": 2,
    "forbidden": 4,
    "unauthenticated": 4,
    "throttled": 5,
}
# Exit status when what was asked was done or nothing needed writing, but the figures could not be brought up to
# date with the event log (an import's lines are committed; a report is refused rather than shown out of date).
STALE_EXIT = 3
COMMITTED = "the import is committed, but the figures could not be updated / 导入已保存，但"


def message_lines(e: Refused) -> list[str]:
    """A rejected file: one line per error (`line N:` or the workbook's `sheet!row:`) and a summary; otherwise
    `field: message` as the ledger's own errors read."""
    if any(isinstance(x.get("line"), int) for x in e.errors):
        out = [f"{x.get('where') or 'line ' + str(x['line'])}: {x['field']}: {x['message']}" for x in e.errors]
        n = len(e.errors)
        return [*out, f"rejected: {n} error(s), nothing applied / 共 {n} 处错误，未导入任何内容"]
    if e.errors:
        return ["; ".join(f"{x['field']}: {x['message']}" for x in e.errors)]
    return [f"{e.field}: {e.detail}" if e.field else e.detail]


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def refused(e: Refused) -> NoReturn:
    for line in message_lines(e):
        click.echo(line, err=True)
    sys.exit(EXIT[e.kind])


class RefusalsGroup(click.Group):
    """The `taizhang` group: a refusal raised anywhere in a command (or in a subgroup's command) becomes its
    messages and exit code here, once, after click has closed the command's resources."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Refused as e:
            refused(e)
