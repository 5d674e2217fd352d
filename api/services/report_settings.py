"""How a unit issues its year report (红头, 发文字号, 主送机关, attachments: domain/report_settings.py)."""

from __future__ import annotations

from typing import Any

from domain.errors import DomainError
from domain.report_settings import DocumentSettings

from .access import require_read, require_write
from .context import Actor, Context
from .refusals import invalid


def report_settings(ctx: Context, actor: Actor, unit: str, year: int) -> DocumentSettings:
    require_read(ctx, actor, unit)
    return ctx.ledger.report_settings(unit, year)


def write_report_settings(ctx: Context, actor: Actor, unit: str, year: int, values: dict[str, Any]) -> DocumentSettings:
    """Record the settings (every field at once; the ones not given keep their default)."""
    require_read(ctx, actor, unit)
    require_write(ctx, actor, unit)
    try:
        return ctx.ledger.write_report_settings(unit, year, values, actor.username)
    except DomainError as e:
        raise invalid(e) from None
