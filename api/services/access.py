"""Who may read, write, audit or administer: the checks every use-case makes before it acts."""

from __future__ import annotations

from domain.access import may_declare

from .context import Actor, Context
from .refusals import Refused, no_unit


def require_read(ctx: Context, actor: Actor, unit: str) -> None:
    if ctx.ledger.unit(unit) is None:
        raise no_unit(unit)
    if not ctx.may_read(actor, unit):
        raise Refused("forbidden", f"无权查看单位「{unit}」的台账")


def require_write(ctx: Context, actor: Actor, unit: str) -> None:
    if not ctx.may_write(actor, unit):
        raise Refused("forbidden", f"无权在单位「{unit}」的台账中录入")


def require_declare(ctx: Context, actor: Actor, unit: str) -> None:
    """Declared figures (DOMAIN §8) are defined by the unit's admins (domain/access.py `may_declare`)."""
    if not may_declare(actor, unit, ctx.parent_of):  # type: ignore[arg-type]
        raise Refused("forbidden", DECLARE_FORBIDDEN.format(unit=unit), field="op")


DECLARE_FORBIDDEN = (
    "操作：只有管理员可以定义、修改或停用单位「{unit}」的自定义指标（它适用于本单位及所有下级单位的报告）"
)


def require_admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise Refused("forbidden", "只有管理员可以这样做")


def require_duty(actor: Actor, duty: str) -> None:
    """An administrative duty (domain/access.py DUTIES, 三员分立): refused to every role that does not hold it."""
    from domain.access import DUTIES, DUTY_LABELS, may
    from domain.user import ROLES

    if not may(actor, duty):  # type: ignore[arg-type]
        holders = "、".join(ROLES[r] for r in DUTIES[duty])
        raise Refused("forbidden", f"{DUTY_LABELS[duty]}由{holders}管理，你的角色不能这样做")


def require_any_duty(actor: Actor, *duties: str) -> None:
    """One of the duties (the users list serves both who manage accounts and who grant roles)."""
    from domain.access import may

    if not any(may(actor, d) for d in duties):  # type: ignore[arg-type]
        require_duty(actor, duties[0])


def require_auditor(ctx: Context, actor: Actor) -> None:
    if not ctx.may_audit(actor):
        raise Refused("forbidden", "只有审计人员和管理员可以查看核验结果")
