"""Figures a unit declares (DOMAIN.md §8), as the figures page and the JSON API use them: which declarations
apply to a unit and what each gives this year, every version of a unit's own declarations, the value of a
definition before it is saved, and declaring, redeclaring and retiring — always as a `figure` interchange line
through `writes.write`, so the rules and messages (§8.4) are those of a line in a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.definition import Definition, Retirement, parse
from domain.errors import DomainError
from projections import declarations
from projections.declarations import DeclarationHistory, Preview
from projections.report import UnknownUnit

from . import writes
from .access import require_read, require_write
from .context import Actor, Context
from .refusals import Refused, invalid, no_unit


@dataclass(frozen=True)
class Applied:
    """A declared figure shown in a unit's report: the declaration used (the unit's own or an ancestor's) and
    the figure's value this year and last, as the report has them."""

    code: str
    label: str
    unit_word: str
    kind: str
    owner: str  # the unit that declared it
    line: str
    recorded_at: datetime
    by: str
    data: dict[str, Any]
    value: int | float | str | None
    previous: int | float | str | None
    sources: int
    inherited: bool  # declared on an ancestor (§8.6): only that unit may change it


@dataclass(frozen=True)
class Figures:
    unit: str
    year: int
    applied: list[Applied]  # every declaration that applies to the unit, by code
    own: list[DeclarationHistory]  # every declaration ever made on the unit (retired ones too), by code


def figures(ctx: Context, actor: Actor, unit: str, year: int) -> Figures:
    """The declared figures of a unit's report for `year` and the unit's own declarations with their versions."""
    require_read(ctx, actor, unit)

    def read(m: Any) -> tuple[dict[str, Any], list[DeclarationHistory], dict[str, Any]]:
        return declarations.applying(m.con, unit), declarations.histories(m.con, unit), m.report(unit, year)

    try:
        used, own, report = ctx.read(read)
    except UnknownUnit:
        raise no_unit(unit) from None
    applied = []
    for code, d in used.items():
        f = report.figures.get(code)
        applied.append(
            Applied(
                code,
                d.definition.label,
                d.definition.unit_word,
                d.definition.kind,
                d.unit,
                d.line,
                d.recorded_at,
                d.by,
                d.data,
                f.value if f else None,
                f.previous if f else None,
                len(f.sources) if f else 0,
                d.unit != unit,
            )
        )
    return Figures(unit, year, applied, own)


def history(ctx: Context, actor: Actor, unit: str, code: str) -> DeclarationHistory:
    """Every version of `code` declared on `unit` (not found: never declared there)."""
    require_read(ctx, actor, unit)
    found = next((h for h in ctx.read(lambda m: declarations.histories(m.con, unit)) if h.code == code), None)
    if found is None:
        raise Refused("not_found", f"单位「{unit}」没有声明过指标「{code}」", field="code")
    return found


def definition_of(data: Any) -> Definition:
    """The definition a `figure` line's data gives, or every problem with it (§8.4's paths and messages)."""
    try:
        parsed = parse(data)
    except DomainError as e:
        raise invalid(e) from None
    if isinstance(parsed, Retirement):
        raise invalid(DomainError.of("data.retire", "a retire has no value to preview"))
    return parsed


def preview(ctx: Context, actor: Actor, unit: str, data: Any, year: int) -> Preview:
    """What `data` would give in `unit`'s report for `year` if it were declared now (nothing is written)."""
    require_read(ctx, actor, unit)
    definition = definition_of(data)
    try:
        return ctx.read(lambda m: declarations.preview(m.con, definition, unit, year, ctx.settings.tz))  # type: ignore[no-any-return]
    except UnknownUnit:
        raise no_unit(unit) from None


async def declare(
    ctx: Context,
    actor: Actor,
    unit: str,
    data: Any,
    idempotency_key: str | None = None,
    line_id: str | None = None,
    *,
    late_reason: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Declare or redeclare a figure on `unit` (a `figure` line; the whole definition replaces the last).
    Returns what was written and whether it was a replay of the same request (same Idempotency-Key).
    Admins only (domain/access.py `may_declare`). `late_reason`: the 报后更正 reason a declaration needs when it
    would change an approved year of the unit or of a descendant (domain/ledger.py `declaration_locks`)."""
    require_write(ctx, actor, unit)
    body = {"unit": unit, "data": data, **({"id": line_id} if line_id else {})}
    return await writes.write(ctx, actor, "figure", body, idempotency_key, None, late_reason)


async def retire(
    ctx: Context,
    actor: Actor,
    unit: str,
    code: str,
    idempotency_key: str | None = None,
    *,
    late_reason: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Withdraw `unit`'s live declaration of `code` (an ancestor's declaration, if any, applies again, §8.6)."""
    return await declare(ctx, actor, unit, {"code": code, "retire": True}, idempotency_key, late_reason=late_reason)
