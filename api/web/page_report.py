"""The year report (`/report`: previous year, as-of picker, trends, drill-down to sources at `/report/figure`),
its narrative text and letterhead, and its documents (`/report/download`: DOCX, XLSX)."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from domain.catalogue import FIRST_YEAR, KINDS, LAST_YEAR, REPORT_SECTIONS
from domain.report_settings import ORDER_LABELS, DocumentSettings
from projections.figures import BY_ID, GROUP_HEADINGS
from projections.trends import THEMES

from ..documents import enforcement
from ..services import narratives, reads, report_settings
from ..services.refusals import Refused
from .auth import Caller
from .context import context
from .page_kit import (
    Units,
    check_year,
    fmt,
    parse_as_of,
    pick_unit,
    posted,
    redirect,
    render,
    server_of,
    texts,
    viewer,
    years,
)
from .refusals import status_of

router = APIRouter()

GROUPS = GROUP_HEADINGS  # headings of the report's figure groups (declared in projections/figures.py)


def figure_url(unit: str, year: int, fid: str, as_of: str) -> str:
    query = {"unit": unit, "year": year, "figure": fid, **({"as_of": as_of} if as_of else {})}
    return "/report/figure?" + urlencode(query)


def chart(year_trends: dict[str, list[int]]) -> list[dict[str, Any]]:
    """One small bar chart per main figure: twelve bars scaled to the largest month."""
    out = []
    for fid in THEMES:
        values = year_trends.get(fid, [0] * 12)
        top = max(values) or 1
        bars = []
        for month, v in enumerate(values, start=1):
            h = round(80 * v / top, 1)
            bars.append({"x": 8 + (month - 1) * 19, "y": round(92 - h, 1), "h": h, "v": v, "m": month})
        out.append({"id": fid, "label": BY_ID[fid].label, "unit": BY_ID[fid].unit, "bars": bars, "total": sum(values)})
    return out


@router.get("/report")
def report(request: Request, unit: str | None = None, year: int | None = None, as_of: str = "") -> Response:
    return _report(request, viewer(request), unit, year, as_of)


def _report(
    request: Request,
    caller: Caller,
    unit: str | None,
    year: int | None,
    as_of: str,
    letterhead: Any = None,
    letterhead_errors: dict[str, str] | None = None,
) -> Response:
    server = server_of(request)
    code, units = pick_unit(server, caller, unit)
    year = year or server.ledger.today().year
    check_year(year)
    instant, problem = parse_as_of(as_of, server.settings.tz)
    if problem:
        as_of = ""
    try:
        data = reads.report(context(server), caller.user, code, year, instant)
    except Refused as e:
        if status_of(e) != 404 or instant is None or server.ledger.unit(code) is None:
            raise
        return _not_yet(request, caller, code, units, year, as_of, instant)
    groups: dict[str, list[dict[str, Any]]] = {}
    for fid, f in data.figures.items():
        row = {
            "id": fid,
            **f.to_json(),
            "shown": fmt(f.value, f.unit),
            "before": fmt(f.previous, f.unit),
            "url": figure_url(code, year, fid, as_of),
            "prev_url": figure_url(code, year - 1, fid, as_of),
        }
        groups.setdefault(GROUPS.get(fid.split(".")[0], "其他"), []).append(row)
    return render(
        request,
        caller,
        "report.html",
        422 if problem or letterhead_errors else 200,
        unit=code,
        units=units,
        year=year,
        years=years(server),
        as_of=as_of,
        problem=problem,
        data=data,
        groups=groups,
        charts=chart(reads.trends(context(server), caller.user, code, year, instant)),
        sections=REPORT_SECTIONS,
        narratives=narratives.narratives(context(server), caller.user, code, year),
        letterhead=letterhead or report_settings.report_settings(context(server), caller.user, code, year),
        letterhead_errors=letterhead_errors or {},
        letterhead_orders=ORDER_LABELS,
        writable=server.may_write(caller.user, code),
        # 行政执法数据年报 (DOMAIN.md §7.5), for units with enforcement
        enforcement=enforcement.table_of(reads.document_json(data)),
        query=urlencode({"unit": code, "year": year, **({"as_of": as_of} if as_of else {})}),
    )


def _not_yet(
    request: Request, caller: Caller, code: str, units: Units, year: int, as_of: str, instant: datetime
) -> Response:
    """The report page for an instant before the unit was registered: say so, keep the picker, offer the first
    instant that has the unit."""
    server = server_of(request)
    found = server.ledger.unit(code)
    assert found is not None
    tz = ZoneInfo(server.settings.tz)
    registered = found.created_on.astimezone(tz)
    first = (registered + timedelta(minutes=1)).replace(second=0, microsecond=0)
    name = found.name
    missing = (
        f"该时点单位尚未登记：{name}在 {instant.astimezone(tz):%Y-%m-%d %H:%M} 时还没有登记到台账"
        f"（{registered:%Y-%m-%d %H:%M} 登记），那时没有数据。请选择此后的时点，或回到当前。"
    )
    first_url = "/report?" + urlencode({"unit": code, "year": year, "as_of": f"{first:%Y-%m-%dT%H:%M}"})
    return render(
        request,
        caller,
        "report.html",
        404,
        unit=code,
        units=units,
        year=year,
        years=years(server),
        as_of=as_of,
        problem="",
        missing=missing,
        first_url=first_url,
        unit_name=name,
        data=None,
    )


@router.get("/report/figure")
def drill_down(request: Request, unit: str, year: int, figure: str, as_of: str = "") -> Response:
    caller = viewer(request)
    server = server_of(request)
    check_year(year)
    instant, problem = parse_as_of(as_of, server.settings.tz)
    if problem:
        raise Refused("invalid", problem)
    rows = reads.explain(context(server), caller.user, figure, unit, year, instant)
    data = reads.report(context(server), caller.user, unit, year, instant)
    f = data.figures[figure]
    topics = reads.summaries(context(server), caller.user, unit, [(r["unit"], r["ref"]) for r in rows])
    for r in rows:
        r["kind_label"] = KINDS[r["kind"]].label
        r["summary"] = topics.get((r["unit"], r["ref"]), "")
        r["url"] = "/activity?" + urlencode({"unit": r["unit"], "ref": r["ref"]})
    back = "/report?" + urlencode({"unit": unit, "year": year, **({"as_of": as_of} if as_of else {})})
    return render(
        request,
        caller,
        "figure.html",
        unit=unit,
        year=year,
        fid=figure,
        f=f,
        shown=fmt(f.value, f.unit),
        rows=rows,
        as_of=as_of,
        back=back,
        unit_name=data.unit_name,
    )


@router.post("/report/narrative")
async def narrative(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    unit, section = values.get("unit", ""), values.get("section", "")
    year = int(values["year"]) if values.get("year", "").isdigit() else 0
    if section not in REPORT_SECTIONS or not FIRST_YEAR <= year <= LAST_YEAR:
        raise Refused("invalid", "报告文字：没有这一部分或年度无效")
    narratives.write_narrative(context(server_of(request)), caller.user, unit, year, section, values.get("text", ""))
    return redirect("/report?" + urlencode({"unit": unit, "year": year, "done": "narrative"}) + f"#s-{section}")


@router.post("/report/letterhead")
async def letterhead(request: Request) -> Response:
    """The report's 红头, 主送机关 and attachments (domain/report_settings.py): every problem shown at once, the
    typed values kept."""
    caller, form = await posted(request)
    values = texts(form)
    unit = values.get("unit", "")
    year = int(values["year"]) if values.get("year", "").isdigit() else 0
    check_year(year)
    given = {
        "issuer": values.get("issuer", ""),
        "number": values.get("number", ""),
        "recipients": values.get("recipients", ""),
        "attachments": values.get("attachments", "").splitlines(),
        "verification": "verification" in values,
        "order": values.get("order", "2019"),
    }
    try:
        report_settings.write_report_settings(context(server_of(request)), caller.user, unit, year, given)
    except Refused as e:
        if e.kind != "invalid":
            raise
        errors = {x["field"]: x["message"] for x in e.errors}
        typed = DocumentSettings(**{**given, "attachments": tuple(given["attachments"])})  # type: ignore[arg-type]
        return _report(request, caller, unit, year, "", typed, errors)
    return redirect("/report?" + urlencode({"unit": unit, "year": year, "done": "letterhead"}) + "#letterhead")


@router.get("/report/download")
def download(request: Request, unit: str, year: int, format: str = "docx", as_of: str = "") -> Response:
    caller = viewer(request)
    server = server_of(request)
    if format not in ("docx", "xlsx"):
        raise Refused("not_found", "只能下载 docx 或 xlsx")
    check_year(year)
    instant, problem = parse_as_of(as_of, server.settings.tz)
    if problem:
        raise Refused("invalid", problem)
    tmp = Path(tempfile.mkdtemp(prefix="taizhang-doc-"))
    out = tmp / f"{unit}-{year}.{format}"
    reads.report_document(context(server), caller.user, unit, year, instant, format, out)
    name = f"{year}年度{'报告' if format == 'docx' else '台账'}-{unit}.{format}"
    return FileResponse(out, filename=name, background=BackgroundTask(_remove, tmp))


def _remove(tmp: Path) -> None:
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
