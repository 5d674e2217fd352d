"""Year-end documents: the annual report draft (Word), the ledger workbook (Excel), the import template."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from projections.breakdown import breakdown
from projections.ledger_rows import ledger_rows
from projections.readmodel import ReadModel
from projections.trends import monthly


def write_report(
    model: ReadModel,
    report: dict[str, Any],
    fmt: str,
    path: str | Path,
    as_of: datetime | None,
    approx: bool,
    narratives: dict[str, str] | None = None,
) -> None:
    """Write `report` (from `model.report`) as a .docx draft or an .xlsx ledger; the model must be caught up."""
    rows = breakdown(model.con, report, as_of, model.tz)
    if fmt == "docx":
        from . import docx_report
        from .charts import trend_png

        stamp = datetime.fromisoformat(report["as_of"]).astimezone(ZoneInfo(model.tz))
        trends = monthly(model.con, report["units"], report["year"], as_of, model.tz)
        chart = trend_png(report["year"], trends) if any(any(v) for v in trends.values()) else None
        docx_report.build(report, stamp, rows, approx, narratives, chart).save(str(path))
    elif fmt == "xlsx":
        from . import xlsx_ledger

        activities = ledger_rows(model.con, report["unit"], report["year"], as_of, model.tz)
        xlsx_ledger.write(path, report, activities, rows)
    else:
        raise ValueError(f"format: unknown document format {fmt!r} (docx or xlsx)")
