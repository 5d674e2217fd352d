"""The ledger workbook as its reader sees it (openpyxl reading the file): units by name, voided rows marked
with their reason, no internal line ids, print setup, the auditor's proof on a sheet of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import case, services_context, step, study, unit, void

from api.documents.sheets import sheet_name
from api.documents.xlsx_ledger import PROOF_SHEET
from api.services import reads
from api.services.context import Unrestricted
from domain.catalogue import KINDS, LINE_LABELS, RECORD_LABELS


@pytest.fixture
def book(env: Any, tmp_path: Path) -> Any:
    hearing = step("AJ-1", "hearing", "2025-02-10", head_appeared=True)
    env.ok(
        unit("u2", "光华区房屋征收服务中心", parent="u1"),
        study("S-1", "2025-03-01"),
        study("S-2", "2025-03-02", unit="u2"),
        case("AJ-1", "2025-01-10"),
        hearing,
        step("AJ-1", "coordination", "2025-02-20"),
    )
    env.ok(void("S-1", reason="与S-3重复录入"), void("AJ-1", target=hearing, reason="开庭日期录错"))
    out = tmp_path / "l.xlsx"
    ctx = services_context(env.settings, env.ledger)
    reads.report_document(ctx, Unrestricted("tester"), "u1", 2025, None, "xlsx", out)
    return openpyxl.load_workbook(out), hearing


def _rows(ws: Any) -> tuple[list[str], list[tuple]]:
    return [c.value for c in ws[1]], list(ws.iter_rows(min_row=2, values_only=True))


def test_units_by_name_and_voided_rows_with_their_reason(book: Any) -> None:
    wb, _ = book
    ws = wb[sheet_name(KINDS["study_session"].label)]
    header, rows = _rows(ws)
    by_ref = {r[1]: r for r in rows}
    unit_col = header.index(LINE_LABELS["unit"])
    assert by_ref["S-1"][unit_col] == "测试中心" and by_ref["S-2"][unit_col] == "光华区房屋征收服务中心"
    status, reason = header.index(RECORD_LABELS["status"]), header.index(RECORD_LABELS["void_reason"])
    assert by_ref["S-1"][status] == "已作废" and by_ref["S-1"][reason] == "与S-3重复录入"
    assert by_ref["S-2"][status] == "有效" and by_ref["S-2"][reason] is None
    voided_row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "S-1")
    assert voided_row[0].font.color.rgb.endswith("808080")  # greyed: visibly not counted
    cases = wb[sheet_name(KINDS["case"].label)]
    header, rows = _rows(cases)
    steps_text = rows[0][header.index(RECORD_LABELS["steps"])]
    assert "开庭（负责人出庭：是）〔已作废：开庭日期录错〕" in steps_text


def test_steps_sheet_has_no_internal_ids(book: Any) -> None:
    wb, hearing = book
    header, rows = _rows(wb[sheet_name(RECORD_LABELS["steps"])])
    assert LINE_LABELS["id"] not in header
    cells = [str(v) for r in rows for v in r if v is not None]
    assert not any(hearing["id"] in c for c in cells)
    hearing_row = next(r for r in rows if r[header.index(LINE_LABELS["step"])] == "开庭")
    assert hearing_row[header.index(RECORD_LABELS["void_reason"])] == "开庭日期录错"
    assert hearing_row[header.index(LINE_LABELS["unit"])] == "测试中心"


def test_every_sheet_prints_landscape_fitted_with_its_header(book: Any) -> None:
    wb, _ = book
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.print_title_rows.replace("$", "") == "1:1", ws.title
    figures = wb["指标"]
    header = [c.value for c in figures[1]]
    sources = header.index("来源活动") + 1
    assert all(figures.cell(row=r, column=sources).alignment.wrap_text for r in range(2, figures.max_row + 1))


def test_the_auditors_proof_is_on_its_own_sheet(book: Any) -> None:
    wb, _ = book
    proof = {r[0]: r[1] for r in wb[PROOF_SHEET].iter_rows(min_row=2, values_only=True)}
    root = proof["日志 Merkle 根（RFC 9162，SHA-256）"]
    assert len(root) == 64 and int(proof["事件日志条数"]) > 0
    assert proof["核验日志"] == f"taizhang verify --root {root} --size {proof['事件日志条数']}"
