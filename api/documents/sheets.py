"""Sheet names and cell texts shared by the ledger workbook, the import template and the importer."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain.catalogue import KINDS, RECORD_LABELS, Field, Kind

_FORBIDDEN = str.maketrans({c: "、" for c in "\\/?*[]:"})


def sheet_name(label: str) -> str:
    """An Excel sheet name for a label (no \\ / ? * [ ] :, at most 31 characters)."""
    return label.translate(_FORBIDDEN)[:31]


def texts_not_formulas(book: Any) -> None:
    """Store every cell of `book` that openpyxl took for a formula as text. openpyxl makes a formula of any string
    that begins with "=", so a recorded topic "=cmd|' /C calc'!A0" or a unit named "=HYPERLINK(…)" would be
    evaluated in the reader's spreadsheet (formula injection). No workbook of this project writes a formula of
    its own: every cell is a value the ledger holds. Call it on a finished workbook, before saving."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


KIND_SHEETS: dict[str, Kind] = {sheet_name(k.label): k for k in KINDS.values()}
assert len(KIND_SHEETS) == len(KINDS), "two kinds share a sheet name"


def cell_text(f: Field, value: Any) -> Any:
    """A stored field value as a person reads it: codes as their labels, booleans 是/否, lists joined."""
    if value is None:
        return None
    if f.type == "code":
        return f.codes.get(value, value)
    if f.type == "bool":
        return RECORD_LABELS["yes"] if value else RECORD_LABELS["no"]
    if f.type == "list":
        return "、".join(value)
    return value


def finish(ws: Worksheet, header_rows: int = 1, widths: list[int] | None = None) -> None:
    """Freeze the header rows, filter on the last header row, size the columns, and set up printing: A4
    landscape, the header rows on every page, all columns fitted to the page's width."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_rows}"
    ws.print_options.gridLines = True
    ws.freeze_panes = ws.cell(row=header_rows + 1, column=1)
    if ws.max_column:
        last = get_column_letter(ws.max_column)
        ws.auto_filter.ref = f"A{header_rows}:{last}{max(ws.max_row, header_rows)}"
    for i in range(1, ws.max_column + 1):
        header = str(ws.cell(row=header_rows, column=i).value or "")
        width = widths[i - 1] if widths and i <= len(widths) else max(10, min(40, len(header) * 2 + 4))
        ws.column_dimensions[get_column_letter(i)].width = width
