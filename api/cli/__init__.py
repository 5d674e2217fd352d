"""The `taizhang` command (DOMAIN.md §5): one module per command family, named after what a user types.

Every command calls the use-cases in `api/services/` as the command-line user (see `context.py`) and lets a
refusal rise: the group (`refusals.RefusalsGroup`) turns it into a message and an exit code, once. Modules
import only click at the top: the ledger, the read model, the documents and the web framework are imported by
the commands that use them, so that `taizhang --help` starts quickly (bench/startup.py).
"""

from __future__ import annotations

import click

from . import (
    access_log,
    assessment,
    attach,
    backup,
    chinese,
    deadlines,
    filing,
    imports,
    init,
    key,
    letterhead,
    narrative,
    package,
    personal,
    project,
    rebuild,
    records,
    rectification,
    reference,
    remind,
    report,
    seal,
    security,
    serve,
    sign_in,
    unit,
    user,
)
from .refusals import STALE_EXIT, RefusalsGroup

__all__ = ["COMMANDS", "STALE_EXIT", "main"]

chinese.install()  # click's usage errors and help headings in Chinese (chinese.py)


@click.group(cls=RefusalsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--by",
    envvar="TAIZHANG_USER",
    help=(
        "录入人：有用户后须为台账用户（默认为本机登录名）。"
        "Who is recording: a ledger user once there are users (default: your login name)."
    ),
)
@click.pass_context
def main(ctx: click.Context, by: str | None) -> None:
    """台账 taizhang — 法治建设工作台账。数据保存在 $TAIZHANG_HOME（默认 ./taizhang-data）。

    台账 taizhang — the rule-of-law work ledger. Data lives in $TAIZHANG_HOME (default ./taizhang-data)."""
    ctx.obj = {"by": by}


COMMANDS: list[click.Command] = [
    imports.import_,
    report.report,
    report.explain,
    report.history,
    rebuild.rebuild,
    imports.demo,
    seal.seal,
    seal.verify,
    seal.proof,
    seal.diff,
    attach.attach,
    attach.detach,
    key.key,
    backup.backup,
    backup.restore,
    imports.template_,
    deadlines.deadlines,
    narrative.narrative,
    letterhead.letterhead,
    serve.serve,
    user.user,
    unit.unit,
    records.record,
    records.step,
    records.correct,
    records.void,
    project.project,
    reference.reference,
    filing.filing,
    rectification.issue,
    assessment.assess,
    init.init,
    security.security,
    personal.personal,
    package.package,
    remind.remind,
    access_log.access_log,
    sign_in.sign_in,
]
for _command in COMMANDS:
    main.add_command(_command)
