"""The unit's own text for each section of the year's report (REPORT_SECTIONS in domain/catalogue.py)."""

from __future__ import annotations

from domain.errors import DomainError

from .access import require_read, require_write
from .context import Actor, Context
from .refusals import invalid


def narratives(ctx: Context, actor: Actor, unit: str, year: int) -> dict[str, str]:
    require_read(ctx, actor, unit)
    return ctx.ledger.narratives(unit, year)


def write_narrative(ctx: Context, actor: Actor, unit: str, year: int, section: str, text: str) -> None:
    """Record (or rewrite, keeping the old text in its history) one section of the year's report text."""
    require_read(ctx, actor, unit)
    require_write(ctx, actor, unit)
    try:
        ctx.ledger.write_narrative(unit, year, section, text, actor.username)
    except DomainError as e:
        raise invalid(e) from None
