"""`taizhang filing …`: report a unit's year upward (报送) and follow it — submit, return, approve, reopen,
status (the register), progress (报送进度 of a superior's units), publish, deadline, late (报后更正 and the diff
against the approved seal). Every subcommand calls api/services/filing.py as the command-line user."""

from __future__ import annotations

from typing import Any

import click

from .context import command, run
from .options import FORMAT, YEAR, echo_json

UNIT = click.option("--unit", required=True, help="The unit's code.")


@click.group()
def filing() -> None:
    """报送：向上级报送年度报告、审核、查看各单位报送进度。

    报送: send a unit's annual report upward, review it, follow every unit's progress."""


def _register(status: Any) -> None:
    click.echo(f"{status.name}（{status.unit}）{status.year} 年度法治政府建设年度报告：{status.state_label}")
    click.echo(f"报送期限 {status.due}" + ("  【已逾期】" if status.overdue else ""))
    if status.published_on:
        click.echo(f"已于 {status.published_on} 公开发布：{status.published_url}")
    elif status.publication_overdue:
        click.echo(f"【警告】已过公开期限 {status.publish_due}，尚未登记公开发布")
    from domain.filing import DECIDED_ABOVE  # here, not at the top: `taizhang --help` imports no ledger

    click.echo("序号  时间              事由      经办人        意见/理由")
    for e in status.entries:
        extra = f"（封存 {e.seal}）" if e.seal and e.event in ("Submitted", "Resubmitted") else ""
        if e.event == "LateCorrected":
            extra = f"（{e.refs()}）"
        elif e.event in DECIDED_ABOVE.values() and e.detail:
            extra = f"（{e.detail['superior_name']} {e.detail['reviewer']}，{e.detail['decided_at'][:16]}）"
        click.echo(f"{e.number:>4}  {status.local_time(e)}  {e.label:<8}  {e.by:<12}  {e.text}{extra}")


def _show(status: Any, fmt: str) -> None:
    if fmt == "json":
        echo_json(status.to_json())
    else:
        _register(status)


@filing.command()
@UNIT
@YEAR
@click.option("--comment", help="报送说明.")
@click.option("--seal", "seal_id", help="A seal of that unit and year (default: seal now).")
@FORMAT
@click.pass_context
def submit(ctx: click.Context, unit: str, year: int, comment: str | None, seal_id: str | None, fmt: str) -> None:
    """Submit (or resubmit) the unit's year to its superiors, with a seal of that year."""
    from ..services import filing as service

    _show(run(ctx, lambda c, a: service.submit(c, a, unit, year, comment, seal_id)), fmt)
    command(ctx).caught_up()


@filing.command("return")
@UNIT
@YEAR
@click.option("--reason", required=True, help="退回理由.")
@FORMAT
@click.pass_context
def return_(ctx: click.Context, unit: str, year: int, reason: str, fmt: str) -> None:
    """Return a submitted report to the unit, with a reason (a reviewer of an ancestor unit)."""
    from ..services import filing as service

    _show(run(ctx, lambda c, a: service.return_(c, a, unit, year, reason)), fmt)


@filing.command()
@UNIT
@YEAR
@click.option("--comment", help="审核意见.")
@FORMAT
@click.pass_context
def approve(ctx: click.Context, unit: str, year: int, comment: str | None, fmt: str) -> None:
    """Approve a submitted report: the unit's figures of that year are locked from now on."""
    from ..services import filing as service

    _show(run(ctx, lambda c, a: service.approve(c, a, unit, year, comment)), fmt)


@filing.command()
@UNIT
@YEAR
@click.option("--reason", required=True, help="重新打开理由.")
@FORMAT
@click.pass_context
def reopen(ctx: click.Context, unit: str, year: int, reason: str, fmt: str) -> None:
    """Reopen an approved year (a reviewer, with a reason): the lock is lifted until the next approval."""
    from ..services import filing as service

    _show(run(ctx, lambda c, a: service.reopen(c, a, unit, year, reason)), fmt)


@filing.command()
@UNIT
@YEAR
@FORMAT
@click.pass_context
def status(ctx: click.Context, unit: str, year: int, fmt: str) -> None:
    """The filing's state and its register (who did what, when, why); waiting for review, what moved since the
    submitted seal."""
    from ..services import filing as service

    found = run(ctx, lambda c, a: service.status(c, a, unit, year))
    _show(found, fmt)
    moved = run(ctx, lambda c, a: service.since_submission(c, a, found))
    if moved is not None and fmt == "text":
        click.echo(
            f"【注意】报送后数据又有变动（{len(moved.changes)} 个事件，{len(moved.moved)} 项指标）："
            "审核通过的是报送时封存的数字"
        )
        for m in moved.moved:
            click.echo(f"  {m.figure} {m.label}: {m.was} → {'已撤销声明' if m.retired else m.now}")


@filing.command()
@click.option("--unit", required=True, help="The superior unit: every unit under it is listed.")
@YEAR
@FORMAT
@click.pass_context
def progress(ctx: click.Context, unit: str, year: int, fmt: str) -> None:
    """报送进度: every unit under UNIT, its state, the date of each step, the overdue ones marked."""
    from domain.filing import STATES

    from ..services import filing as service

    found = run(ctx, lambda c, a: service.progress(c, a, unit, year))
    if fmt == "json":
        echo_json(found.to_json())
        return
    counts = found.counts()
    summary = "，".join(f"{label} {counts[s]}" for s, label in STATES.items())
    click.echo(f"{found.name}（{found.parent}）下级单位 {found.year} 年度报告报送进度（{found.today}）：{summary}")
    click.echo("单位                    状态              期限        报送        退回        通过        公开")
    for r in found.rows:
        s = r.status
        mark = "【逾期】" if s.overdue else ("（逾期报送）" if r.late else "")
        pub = s.published_on or ("【未公开】" if s.publication_overdue else "-")
        name = "  " * (r.depth - 1) + f"{s.name}（{s.unit}）" + ("〔报送包〕" if r.remote else "")
        click.echo(
            f"{name:<22}  {s.state_label:<14}  {s.due}  {r.submitted_on or '-':<10}  "
            f"{r.day('Returned') or '-':<10}  {r.day('Approved') or '-':<10}  {pub}{mark}"
        )
    if found.overdue:
        click.echo(f"逾期未报送 {len(found.overdue)} 个单位：" + "、".join(r.status.name for r in found.overdue))


@filing.command()
@UNIT
@YEAR
@click.option("--url", required=True, help="Where the report was published (the portal's address).")
@click.option("--date", "day", required=True, help="The day it was published (YYYY-MM-DD).")
@FORMAT
@click.pass_context
def publish(ctx: click.Context, unit: str, year: int, url: str, day: str, fmt: str) -> None:
    """Record that and where the year's report was published (by 1 April)."""
    from ..services import filing as service

    _show(run(ctx, lambda c, a: service.publish(c, a, unit, year, url, day)), fmt)


@filing.command()
@UNIT
@YEAR
@click.option("--date", "day", required=True, help="The unit's own deadline (YYYY-MM-DD).")
@click.option("--descendants", is_flag=True, help="Set it for every unit under UNIT you review instead.")
@click.pass_context
def deadline(ctx: click.Context, unit: str, year: int, day: str, descendants: bool) -> None:
    """Set a unit's own submission deadline (a reviewer of an ancestor; default 1 March of the next year)."""
    from ..services import filing as service

    done = run(ctx, lambda c, a: service.set_deadline(c, a, unit, year, service.parse_day(day), descendants))
    for s in done:
        click.echo(f"{s.name}（{s.unit}）{s.year} 年度报告报送期限：{s.due}")


@filing.command()
@UNIT
@YEAR
@click.pass_context
def late(ctx: click.Context, unit: str, year: int) -> None:
    """报后更正: the writes made to an approved year with a reason, and the figures moved since its seal."""
    from ..render import ETYPE_LABELS
    from ..services import filing as service

    found = run(ctx, lambda c, a: service.late_corrections(c, a, unit, year))
    click.echo(
        f"{found.status.name}（{unit}）{year} 年度报告：{found.status.state_label}，报后更正 {len(found.entries)} 项"
    )
    for e in found.entries:
        click.echo(f"  {found.status.local_time(e)} {e.by}：{e.text}（{len(e.lines)} 行：{e.refs()}）")
    if found.diff is None:
        return
    sealed = found.diff.seal
    click.echo(f"与审核通过的封存 {sealed.id}（截至 {sealed.as_of}）相比：")
    for c in found.diff.changes:
        what = ETYPE_LABELS.get(c.etype, c.etype)
        click.echo(
            f"  #{c.pos} {c.recorded_at} {c.recorded_by} {what} {c.unit}/{c.ref}"
            + (f"：{c.reason}" if c.reason else "")
        )
    for m in found.diff.moved:
        now = "已撤销声明" if m.retired else m.now
        click.echo(f"  {m.figure} {m.label}: {m.was} → {now}")


@filing.command()
@UNIT
@YEAR
@click.option(
    "-o", "--output", "out", type=click.Path(dir_okay=False), help="The file (default UNIT-YEAR-KIND.tznotice)."
)
@click.pass_context
def notice(ctx: click.Context, unit: str, year: int, out: str | None) -> None:
    """回执: the signed notice of your decision on a unit on its own server, to send down to it."""
    from pathlib import Path

    from ..services import filing_notices

    found = run(ctx, lambda c, a: filing_notices.notice(c, a, unit, year))
    path = Path(out or found.filename)
    path.write_bytes(found.data)
    click.echo(f"{path}（{unit} {year} 年度：{filing_notices.KIND_LABELS[found.kind]}）")


@filing.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", help="The superior's public key (hex), as learnt from it otherwise: the notice must carry it.")
@FORMAT
@click.pass_context
def receive(ctx: click.Context, file: str, key: str | None, fmt: str) -> None:
    """Import a notice from your superior's taizhang (approved, or returned with a reason), verified."""
    from pathlib import Path

    from ..services import filing_notices

    got = run(ctx, lambda c, a: filing_notices.import_notice(c, a, Path(file).read_bytes(), key))
    if fmt == "json":
        echo_json(got.to_json())
        return
    if got.again:
        click.echo("该回执此前已导入，未重复记录。")
    elif got.first:
        click.echo(f"已登记上级「{got.superior_name}」（{got.superior}）的签名密钥 {got.public_key}，请与上级核对。")
    _register(got.status)


@filing.command("approve-key")
@UNIT
@click.option("--key", "public_key", required=True, help="The superior's new public key (hex), as the refusal named.")
@click.option("--reason", required=True, help="Why the new key is trusted (checked with the superior how).")
@click.pass_context
def approve_key(ctx: click.Context, unit: str, public_key: str, reason: str) -> None:
    """Approve your superior's new signing key (the unit's admins), with the reason; then import its notice again."""
    from ..services import filing_notices

    got = run(ctx, lambda c, a: filing_notices.approve_key(c, a, unit, public_key, reason))
    click.echo(f"已批准上级「{got.name}」（{got.superior}）的新签名密钥 {got.public_key}；请重新导入其回执。")


@filing.command("superior")
@UNIT
@FORMAT
@click.pass_context
def superior(ctx: click.Context, unit: str, fmt: str) -> None:
    """Your superior on another server: its pinned key, notices held for a new key, key changes."""
    from ..services import filing_notices

    got = run(ctx, lambda c, a: filing_notices.superior_of(c, a, unit))
    if fmt == "json":
        echo_json(got.to_json() if got is not None else None)
        return
    if got is None:
        click.echo(f"「{unit}」尚未导入过上级回执。")
        return
    click.echo(f"上级「{got.name}」（{got.superior}）签名密钥 {got.public_key}，已导入回执 {len(got.notices)} 份")
    for h in got.held:
        click.echo(
            f"  ⚠ 暂存待确认：{h['year']} 年度回执（{filing_notices.KIND_LABELS.get(h['kind'], h['kind'])}）"
            f"由「{h['name']}」（{h['superior']}）的新密钥 {h['public_key']} 签发"
        )
    for k in got.key_changes:
        click.echo(f"  更换密钥 {k['was'][:16]}… → {k['now'][:16]}…（{k['by']}：{k['reason']}）")
