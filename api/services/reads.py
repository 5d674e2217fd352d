"""What the ledger says: an activity, its history, the year's report and what lies behind a figure, listings,
deadlines, monthly trends, recent entries, the year-end documents. Every read checks the actor may read the unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domain.catalogue import KINDS
from projections.deadlines import Deadline, open_deadlines
from projections.listing import Page, search
from projections.report import UnknownUnit
from projections.report_model import FigureValue, Report

from ..infra import layout
from ..render import EVENT_LABELS, history_rows
from . import access_log
from .access import require_read
from .context import Actor, Context
from .refusals import Refused, field_problem, no_unit


@dataclass(frozen=True)
class Explained:
    figure: str
    value: FigureValue  # the figure as the report has it
    activities: list[dict[str, Any]]
    declaration: dict[str, Any] | None = None  # for a declared code (§8.7): the declaration the report used


@dataclass(frozen=True)
class Deadlines:
    today: date
    items: list[Deadline]


def activity(ctx: Context, actor: Actor, unit: str, ref: str) -> dict[str, Any]:
    require_read(ctx, actor, unit)
    found = ctx.ledger.activity(unit, ref)
    if found is None:
        raise no_activity(unit, ref)
    return {
        "unit": found.unit,
        "ref": found.ref,
        "kind": found.kind,
        "kind_label": KINDS[found.kind].label,
        "date": found.date.isoformat(),
        "data": found.data,
        "voided": found.voided,
        "version": found.version,
        "steps": [
            {"id": s.id, "step": s.name, "date": s.date.isoformat(), "data": s.data, "voided": s.voided}
            for s in found.steps.values()
        ],
        "evidence": [dict(v, sha256=k) for k, v in found.evidence.items()],
    }


def same_step_on_day(found: dict[str, Any], name: str, day: str) -> str | None:
    """The label of a live step of this name (code or label) on this day, as `activity` returns the activity, or
    None. A second 开庭 on one day is usually a double entry, so the edges ask before recording it. The day is read
    as people type it (2025/3/1 is the 2025-03-01 already there); a date the ledger will refuse is left to it."""
    from domain.validation import parse_date_text

    try:
        when = parse_date_text(day).isoformat()
    except ValueError:
        return None
    kind = KINDS[found["kind"]]
    names = {s.name for s in kind.steps if name in (s.name, s.label)}
    same = [s for s in found["steps"] if s["step"] in names and s["date"] == when and not s["voided"]]
    if not same:
        return None
    step = kind.step(same[0]["step"], found["data"]) or kind.step(same[0]["step"])
    return step.label if step is not None else same[0]["step"]


def summaries(ctx: Context, actor: Actor, unit: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The topic or title of each (unit, ref), as the ledger list shows it; only of units the actor may read."""
    from projections.listing import summaries as read_summaries

    require_read(ctx, actor, unit)
    readable = {u for u in {k[0] for k in keys} if ctx.may_read(actor, u)}
    return ctx.read(lambda m: read_summaries(m.con, [k for k in keys if k[0] in readable]))


def no_activity(unit: str, ref: str) -> Refused:
    return Refused("not_found", f"单位「{unit}」没有编号为「{ref}」的活动", field="ref")


def history(ctx: Context, actor: Actor, unit: str, ref: str) -> list[dict[str, Any]]:
    """Every event of one activity: when recorded, by whom, what changed, why."""
    require_read(ctx, actor, unit)
    events = ctx.ledger.history(unit, ref)
    if not events:
        raise no_activity(unit, ref)
    return history_rows(events)


def labelled_history(ctx: Context, actor: Actor, unit: str, ref: str) -> list[dict[str, Any]]:
    """`history` with each event's label and dates as text (the JSON API and the activity page)."""
    rows = history(ctx, actor, unit, ref)
    for row in rows:
        row["event_label"] = EVENT_LABELS.get(row["event"], row["event"])
        if row.get("date") is not None:
            row["date"] = str(row["date"])
    return rows


def unknown_unit(ctx: Context, unit: str, as_of: datetime | None) -> Refused:
    """What is true when the read model does not know a unit as of an instant: it was registered later (say
    when), or it does not exist at all."""
    from domain.ids import unit_id

    from ..render import local_stamp

    first = next(iter(ctx.ledger.events.get(unit_id(unit), limit=1)), None)
    if first is None or as_of is None:
        return no_unit(unit)
    tz = ctx.settings.tz
    return Refused(
        "not_found",
        f"单位「{unit}」在 {local_stamp(as_of, tz)} 时还没有登记（登记于 {local_stamp(first.timestamp, tz)}）",
        field="as_of",
    )


def report(ctx: Context, actor: Actor, unit: str, year: int, as_of: datetime | None) -> Report:
    require_read(ctx, actor, unit)
    access_log.superior_read(ctx, actor, unit, f"{year} 年度报告")
    try:
        return ctx.read(lambda m: m.report(unit, year, as_of))
    except UnknownUnit:
        raise unknown_unit(ctx, unit, as_of) from None


def explain(
    ctx: Context, actor: Actor, figure: str, unit: str, year: int, as_of: datetime | None
) -> list[dict[str, Any]]:
    """The activities behind one figure: a built-in one or a declared `local.` code that applies (§8.7)."""
    return explained(ctx, actor, figure, unit, year, as_of).activities


def explained(ctx: Context, actor: Actor, figure: str, unit: str, year: int, as_of: datetime | None) -> Explained:
    """The figure's value and the activities behind it, read from one state of the read model; a figure is one
    of the built-in ones or a `local.` code the unit or a parent declared (§8), with the declaration used."""
    from projections.figures import BY_ID

    from ..render import declaration_of

    unknown = Refused(
        "not_found",
        f"未知指标「{figure}」，可选：{', '.join(BY_ID)}，或本单位及上级单位声明的 local. 指标",
        field="figure",
    )
    if figure not in BY_ID and not figure.startswith("local."):
        raise unknown
    require_read(ctx, actor, unit)

    def read(m: Any) -> tuple[Any, FigureValue, list[dict[str, Any]]] | None:
        used = None if figure in BY_ID else m.declaration(figure, unit, as_of)
        if figure not in BY_ID and used is None:
            return None
        return used, m.report(unit, year, as_of).figures[figure], m.explain(figure, unit, year, as_of)

    try:
        found = ctx.read(read)
    except UnknownUnit:
        raise unknown_unit(ctx, unit, as_of) from None
    if found is None:
        raise unknown
    used, value, rows = found
    return Explained(figure, value, rows, declaration_of(used) if used is not None else None)


def listing(
    ctx: Context,
    actor: Actor,
    unit: str,
    year: int | None,
    kind: str | None,
    text: str | None,
    page: int,
    size: int,
) -> Page:
    require_read(ctx, actor, unit)
    access_log.superior_read(ctx, actor, unit, "活动列表")
    if kind and kind not in KINDS:
        raise field_problem("kind", "类别：未知", f"类别：没有「{kind}」这一类")
    return ctx.read(lambda m: search(m.con, unit, year, kind, text, page, size))


def deadlines(ctx: Context, actor: Actor, unit: str, as_of: datetime | None = None, within: int = 14) -> Deadlines:
    """Open statutory deadlines of the unit and its descendants, as of `as_of` (default: now)."""
    require_read(ctx, actor, unit)
    try:
        today, found = ctx.read(lambda m: open_deadlines(m.con, unit, as_of, ctx.settings.tz, within))
    except UnknownUnit:
        raise unknown_unit(ctx, unit, as_of) from None
    return Deadlines(today, found)


def trends(ctx: Context, actor: Actor, unit: str, year: int, as_of: datetime | None) -> dict[str, list[int]]:
    """figure id -> its 12 monthly values for the unit and its descendants."""
    from projections.report import scope
    from projections.trends import monthly

    require_read(ctx, actor, unit)
    tz = ctx.settings.tz
    return ctx.read(lambda m: monthly(m.con, scope(m.con, unit, as_of).units, year, as_of, tz))


def recent(ctx: Context, actor: Actor, unit: str, limit: int = 10) -> list[dict[str, Any]]:
    from projections.trail import recent as recent_rows

    require_read(ctx, actor, unit)
    return ctx.read(lambda m: recent_rows(m.con, unit, limit))


def document_json(report: Report, seal: str | None = None) -> dict[str, Any]:
    """The report as the documents (api/documents) read it: its JSON (DOMAIN.md §5), and the seal it was frozen
    in, which they name."""
    return {**report.to_json(), **({"seal": seal} if seal else {})}


def document(
    ctx: Context,
    report: Report | dict[str, Any],
    fmt: str,
    out: Path | str,
    as_of: datetime | None,
    approximate: bool = False,
    seal: str | None = None,
    actor: Actor | None = None,
) -> None:
    """The year-end report draft (.docx) or ledger workbook (.xlsx) of a report already read (or sealed); the
    export is recorded in the access log under `actor` (None: the caller records it)."""
    from ..documents import write_report
    from ..documents.fonts import FontsMissing

    # (a sealed report is its JSON as signed)
    data = document_json(report, seal) if isinstance(report, Report) else {**report, **({"seal": seal} if seal else {})}
    texts = ctx.ledger.narratives(data["unit"], data["year"])
    settings = ctx.ledger.report_settings(data["unit"], data["year"])
    names = unit_names(ctx, data.get("units", [data["unit"]]))
    try:
        charts = layout.charts_dir(ctx.settings.home)
        ctx.read(lambda m: write_report(m, data, fmt, out, as_of, approximate, texts, settings, names, charts))
    except UnknownUnit:
        raise no_unit(data["unit"]) from None
    except FontsMissing as e:  # the machine lacks what the document needs: say what to install, write nothing
        raise Refused("invalid", str(e), field="fonts") from None
    if actor is not None:
        access_log.record(
            ctx,
            actor,
            "export",
            unit=data["unit"],
            target=f"{data['year']} 年度{'报告 DOCX' if fmt == 'docx' else '台账 XLSX'}",
            detail={"format": fmt, "year": data["year"], **({"seal": seal} if seal else {})},
        )


def unit_names(ctx: Context, codes: list[str]) -> dict[str, str]:
    """Unit code → its current name, for pages and documents that list units (a code stays where none is known)."""
    out = {}
    for code in dict.fromkeys(codes):
        found = ctx.ledger.unit(code)
        out[code] = found.name if found is not None else code
    return out


def report_document(
    ctx: Context, actor: Actor, unit: str, year: int, as_of: datetime | None, fmt: str, out: Path
) -> None:
    """The year's report draft (.docx) or ledger workbook (.xlsx), written to `out`."""
    document(ctx, report(ctx, actor, unit, year, as_of), fmt, out, as_of, actor=actor)
