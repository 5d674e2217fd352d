"""The 行政执法数据年报 sheet of the 台账 workbook (the statutory table, `enforcement.TABLE`), written only for
a unit that has enforcement in the year or the year before. Amounts are exact decimals (the file keeps their
digits, DOMAIN.md §7.1) formatted with cents; rates with 2 decimals; a rate with no denominator is —."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .enforcement import TABLE, has_enforcement
from .sheets import finish

SHEET = "行政执法数据年报"
BOLD = Font(bold=True)


def add(wb: Workbook, report: dict[str, Any]) -> None:
    """Add the sheet after the checks when the unit has enforcement figures (else nothing)."""
    if not has_enforcement(report):
        return
    ws = wb.create_sheet(SHEET, index=min(2, len(wb.sheetnames)))
    year, figures = report["year"], report["figures"]
    ws.append([f"{report['unit_name']}{year}年行政执法数据年报"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["项目", "单位", f"{year}年", f"{year - 1}年", "编号"])
    for cell in ws[2]:
        cell.font = BOLD
    for block in TABLE:
        ws.append([block.heading])
        ws.cell(row=ws.max_row, column=1).font = BOLD
        for line in block.lines:
            f = figures[line.fid]
            label = line.label or f["label"]
            ws.append([label, f["unit"], _cell(f["value"]), _cell(f["previous"]), line.fid])
            row = ws.max_row
            if line.sub:
                ws.cell(row=row, column=1).alignment = Alignment(indent=2)
            for col in (3, 4):
                c = ws.cell(row=row, column=col)
                if f["unit"] == "元":
                    c.number_format = "#,##0.00"
                elif f["unit"] == "%":
                    c.number_format = "0.00"
                c.alignment = Alignment(horizontal="right")
    finish(ws, header_rows=2, widths=[36, 6, 16, 16, 44])


def _cell(value: Any) -> Any:
    if value is None:
        return "—"
    if isinstance(value, str):  # money: the exact decimal, never a binary float
        return Decimal(value)
    return value
