"""Year-end documents: the annual report draft (Word), the ledger workbook (Excel), the import template."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.report_settings import DocumentSettings
from projections.breakdown import breakdown
from projections.ledger_rows import ledger_rows
from projections.readmodel import ReadModel
from projections.report_model import Report
from projections.trends import monthly


def write_report(
    model: ReadModel,
    report: Report | dict[str, Any],
    fmt: str,
    path: str | Path,
    as_of: datetime | None,
    approx: bool,
    narratives: dict[str, str] | None = None,
    settings: DocumentSettings | None = None,
    unit_names: dict[str, str] | None = None,
    charts: Path | None = None,
) -> None:
    """Write `report` (from `model.report`) as a .docx draft or an .xlsx ledger; the model must be caught up.
    `settings`: how the unit issues the report (红头, 主送机关, attachments); `unit_names`: unit code → name for
    the workbook (codes are shown where a name is missing); `charts`: the folder of trend charts already drawn
    (charts.trend_png). fonts.FontsMissing when the chart cannot be drawn."""
    if isinstance(report, Report):  # (documents read the report as its JSON, DOMAIN.md §5)
        report = report.to_json()
    rows = breakdown(model.con, report, as_of, model.tz)
    activities = ledger_rows(model.con, report["unit"], report["year"], as_of, model.tz)
    if fmt == "docx":
        from . import docx_report
        from .charts import trend_png
        from .prose import head_led_lectures

        stamp = datetime.fromisoformat(report["as_of"]).astimezone(ZoneInfo(model.tz))
        trends = monthly(model.con, report["units"], report["year"], as_of, model.tz)
        chart = trend_png(report["year"], trends, charts) if any(any(v) for v in trends.values()) else None
        extra = head_led_lectures(activities.get("study_session", []), report["year"], report["unit"])
        document = docx_report.build(report, stamp, rows, approx, narratives, chart, settings, extra)
        document.save(str(path))
    elif fmt == "xlsx":
        from . import xlsx_ledger

        xlsx_ledger.write(path, report, activities, rows, unit_names)
    else:
        raise ValueError(f"format: unknown document format {fmt!r} (docx or xlsx)")
