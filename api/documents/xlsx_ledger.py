"""The 台账 workbook: the year's figures and checks, the auditor's proof, the roll-up breakdown, one sheet per
kind, and every step. Units are shown by name; a voided activity or step says so and why, in grey; no internal
line ids; every sheet prints A4 landscape, fitted to the width, its header row on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from domain.catalogue import KINDS, LINE_LABELS, RECORD_LABELS
from projections.breakdown import KEY_FIGURES, BreakdownRow
from projections.ledger_rows import ActivityRow, StepRow

from . import xlsx_enforcement
from .sheets import cell_text, finish, sheet_name, texts_not_formulas
from .tables import change

BOLD = Font(bold=True)
GREY = Font(color="808080", italic=True)  # a voided row: kept for the record, visibly not counted
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
PROOF_SHEET = "核验凭据"


def build(
    report: dict[str, Any],
    activities: dict[str, list[ActivityRow]],
    rows: list[BreakdownRow],
    unit_names: dict[str, str] | None = None,
) -> Workbook:
    names = unit_names or {}
    wb = Workbook()
    _figures(wb.active, report)
    _checks(wb.create_sheet("核验"), report)
    xlsx_enforcement.add(wb, report)  # 行政执法数据年报, for units with enforcement (DOMAIN.md §7.5)
    _proof(wb.create_sheet(PROOF_SHEET), report)
    if rows:
        _breakdown(wb.create_sheet("分单位"), report, rows)
    for code, kind in KINDS.items():
        _kind(wb.create_sheet(sheet_name(kind.label)), code, activities.get(code, []), names)
    _steps(wb.create_sheet(sheet_name(RECORD_LABELS["steps"])), activities, names)
    texts_not_formulas(wb)
    return wb


def write(
    path: str | Path,
    report: dict[str, Any],
    activities: dict[str, list[ActivityRow]],
    rows: list[BreakdownRow],
    unit_names: dict[str, str] | None = None,
) -> None:
    build(report, activities, rows, unit_names).save(str(path))


def _status(voided: bool, reason: str | None) -> str:
    return RECORD_LABELS["voided" if voided else "live"]


def _grey(ws: Any) -> None:
    for cell in ws[ws.max_row]:
        cell.font = GREY


def _header(ws: Any, header: list[str]) -> None:
    ws.append(header)
    for cell in ws[1]:
        cell.font = BOLD


def _figures(ws: Any, report: dict[str, Any]) -> None:
    year = report["year"]
    ws.title = "指标"
    _header(ws, ["序号", "编号", "指标", "单位", f"{year}年", f"{year - 1}年", "增减", "来源活动数", "来源活动"])
    for i, (fid, f) in enumerate(report["figures"].items(), start=1):
        sources = "、".join(f["sources"])
        ws.append(
            [
                i,
                fid,
                f["label"],
                f["unit"],
                f["value"],
                f["previous"],
                change(f["value"], f["previous"], f["unit"]),
                len(f["sources"]),
                sources,
            ]
        )
        ws.cell(row=ws.max_row, column=9).alignment = WRAP
    finish(ws, widths=[6, 32, 26, 6, 10, 10, 16, 10, 60])


def _checks(ws: Any, report: dict[str, Any]) -> None:
    _header(ws, ["编号", "结果", "说明"])
    for c in report["checks"]:
        ws.append([c["id"], "通过" if c["ok"] else "未通过", c["message"]])
    finish(ws, widths=[26, 10, 100])


def _proof(ws: Any, report: dict[str, Any]) -> None:
    """For auditors: what the year's figures were computed from and how to check it independently."""
    log = report["log"]
    _header(ws, ["项目", "内容"])
    for item in (
        ("单位代码", report["unit"]),
        ("数据截至（UTC）", report["as_of"]),
        ("事件日志条数", log["size"]),
        ("日志 Merkle 根（RFC 9162，SHA-256）", log["root"]),
        ("封存编号", report.get("seal") or "（未封存）"),
        ("核验日志", f"taizhang verify --root {log['root']} --size {log['size']}"),
        ("追溯某项数字", f"taizhang explain 指标编号 --unit {report['unit']} --year {report['year']}"),
        ("指标编号", "见“指标”表第 2 列"),
    ):
        ws.append(list(item))
        ws.cell(row=ws.max_row, column=2).alignment = WRAP
    finish(ws, widths=[34, 100])


def _breakdown(ws: Any, report: dict[str, Any], rows: list[BreakdownRow]) -> None:
    figures = report["figures"]
    _header(
        ws,
        [
            RECORD_LABELS["code"],
            LINE_LABELS["name"],
            *(f"{figures[fid]['label']}（{figures[fid]['unit']}）" for fid in KEY_FIGURES),
        ],
    )
    for r in rows:
        ws.append([r.unit, f"{r.name}（本级）" if r.own else r.name, *(r.values[fid] for fid in KEY_FIGURES)])
    ws.append([report["unit"], "合计", *(figures[fid]["value"] for fid in KEY_FIGURES)])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    finish(ws, widths=[18, 28])


def _step_text(kind: str, s: StepRow) -> str:
    spec = KINDS[kind].step(s.step)
    label = spec.label if spec else s.step
    detail = "，".join(
        f"{f.label}：{cell_text(f, s.data.get(f.name))}"
        for f in (spec.fields if spec else ())
        if s.data.get(f.name) is not None
    )
    void = ""
    if s.voided:
        void = f"〔{RECORD_LABELS['voided']}" + (f"：{s.void_reason}" if s.void_reason else "") + "〕"
    return f"{s.date.isoformat()} {label}" + (f"（{detail}）" if detail else "") + void


def _kind(ws: Any, code: str, rows: list[ActivityRow], names: dict[str, str]) -> None:
    kind = KINDS[code]
    header = [LINE_LABELS["unit"], LINE_LABELS["ref"], kind.date_label, *(f.label for f in kind.fields)]
    if kind.steps:
        header.append(RECORD_LABELS["steps"])
    header += [RECORD_LABELS[k] for k in ("status", "void_reason", "corrections", "recorded_by", "recorded_at")]
    _header(ws, header)
    for r in rows:
        unit = names.get(r.unit, r.unit)
        values: list[Any] = [unit, r.ref, r.date, *(cell_text(f, r.data.get(f.name)) for f in kind.fields)]
        if kind.steps:
            values.append("\n".join(_step_text(code, s) for s in r.steps))
        values += [_status(r.voided, r.void_reason), r.void_reason, r.corrections, r.recorded_by, r.recorded_at]
        ws.append(values)
        if r.voided:
            _grey(ws)
        ws.cell(row=ws.max_row, column=3).number_format = DATE_FORMAT
        ws.cell(row=ws.max_row, column=len(values)).number_format = TIME_FORMAT
        if kind.steps:
            ws.cell(row=ws.max_row, column=len(header) - 5).alignment = WRAP
    widths = [24, 16, 12, *(14 for _ in kind.fields)] + ([44] if kind.steps else []) + [8, 20, 8, 10, 20]
    finish(ws, widths=widths)


def _steps(ws: Any, activities: dict[str, list[ActivityRow]], names: dict[str, str]) -> None:
    header = [
        LINE_LABELS["unit"],
        LINE_LABELS["ref"],
        LINE_LABELS["kind"],
        LINE_LABELS["step"],
        LINE_LABELS["date"],
        LINE_LABELS["data"],
        RECORD_LABELS["status"],
        RECORD_LABELS["void_reason"],
        RECORD_LABELS["recorded_by"],
        RECORD_LABELS["recorded_at"],
    ]
    _header(ws, header)
    for code, rows in activities.items():
        kind = KINDS[code]
        for r in rows:
            for s in r.steps:
                spec = kind.step(s.step)
                data = "，".join(
                    f"{f.label}：{cell_text(f, s.data.get(f.name))}"
                    for f in (spec.fields if spec else ())
                    if s.data.get(f.name) is not None
                )
                voided = s.voided or r.voided
                # a step of a voided activity is void with it: the activity's reason, said to be the activity's
                reason = s.void_reason if s.voided else (f"（活动已作废）{r.void_reason or ''}" if r.voided else None)
                ws.append(
                    [
                        names.get(r.unit, r.unit),
                        r.ref,
                        kind.label,
                        spec.label if spec else s.step,
                        s.date,
                        data or None,
                        _status(voided, reason),
                        reason,
                        s.recorded_by,
                        s.recorded_at,
                    ]
                )
                if voided:
                    _grey(ws)
                ws.cell(row=ws.max_row, column=5).number_format = DATE_FORMAT
                ws.cell(row=ws.max_row, column=6).alignment = WRAP
                ws.cell(row=ws.max_row, column=10).number_format = TIME_FORMAT
    finish(ws, widths=[24, 16, 18, 14, 12, 30, 8, 20, 10, 20])
