"""The import template workbook, and reading a filled-in one as interchange lines (DOMAIN.md §4).

A template sheet has the field codes in row 1 (what the importer reads), their Chinese labels in row 2
(required ones marked ＊, allowed codes in a comment) and data from row 3. Sheets: 单位 (units), one per
kind (records), 办理步骤 (steps), 声明指标 (`figure` lines, DOMAIN.md §8: `where` and `measure` as JSON).
Cells may hold codes or their Chinese labels, 是/否 for yes/no, lists separated by 、or newlines; money
columns are text cells, read exactly (§7.1). A blank `id` gets a stable one from the row's key, so importing the same
workbook again skips what was applied. The lines go through the same `Ledger.apply` as JSON Lines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from domain.activity import WORKBOOK_ROW_PREFIX
from domain.catalogue import DECIMAL_TYPES, KINDS, LINE_LABELS, OPS, RECORD_LABELS, Field, all_fields
from domain.validation import json_number

from .sheets import KIND_SHEETS, finish, sheet_name

UNITS_SHEET = sheet_name(LINE_LABELS["unit"])
STEPS_SHEET = sheet_name(RECORD_LABELS["steps"])
FIGURES_SHEET = sheet_name(OPS["figure"])
STEP_FIELDS: dict[str, Field] = all_fields("step")
STEP_NAMES: dict[str, str] = {s.label: s.name for k in KINDS.values() for s in k.steps}
TAIL = ("id", "by")  # optional envelope columns at the end of every sheet
FIRST_DATA_ROW = 3
YES = {"是", "true", "yes", "y", "1", "√", "✓"}
NO = {"否", "false", "no", "n", "0", "×", "✗"}

KindOf = Callable[[str, str], str | None]


def _columns(sheet: str) -> list[Field]:
    """The columns of a template sheet, as fields (envelope keys labelled from LINE_LABELS)."""

    def env(name: str, required: bool = True) -> Field:
        return Field(name, LINE_LABELS[name], required=required)

    if sheet == UNITS_SHEET:
        body = [env("unit"), env("name"), env("parent", False)]
    elif sheet == STEPS_SHEET:
        steps = Field("step", LINE_LABELS["step"], "code", codes={s.name: s.label for s in _all_steps()})
        body = [env("unit"), env("ref"), steps, env("date"), *(_optional(f) for f in STEP_FIELDS.values())]
    elif sheet == FIGURES_SHEET:
        body = [env("unit"), *FIGURE_COLUMNS]
    else:
        kind = KIND_SHEETS[sheet]
        date_field = Field("date", kind.date_label)
        body = [env("unit"), env("ref"), date_field, *kind.fields]
    return [*body, env("id", False), env("by", False)]


# The `figure` line's data keys (§8.1), each a column; `where` and `measure` hold JSON text.
FIGURE_COLUMNS = (
    Field("code", "指标编号（local.…）"),
    Field("label", "指标名称", required=False),
    Field("unit_word", "计量单位", required=False),
    Field("kind", LINE_LABELS["kind"], "code", False, codes={k.code: k.label for k in KINDS.values()}),
    Field("where", "条件（JSON）", required=False),
    Field("measure", "统计方式（JSON）", required=False),
    Field("retire", "撤销", "bool", required=False),
)
FIGURE_HINTS = {
    "code": "必填；local. 加小写字母、数字、下划线，如 local.study.party_group_law",
    "where": '可空；JSON 条件列表，如 [{"field": "form", "in": ["party_group"]}]',
    "measure": '统计方式 JSON，如 {"type": "count"}、{"type": "sum", "field": "items_funds"}；填 count 或 计数 即计数',
    "retire": "填“是”撤销本单位对该编号的声明（其他列留空）",
}
SHORT_MEASURES = {"count": {"type": "count"}, "计数": {"type": "count"}}


def _all_steps() -> list[Any]:
    seen: dict[str, Any] = {}
    for k in KINDS.values():
        for s in k.steps:
            seen.setdefault(s.name, s)
    return list(seen.values())


def _optional(f: Field) -> Field:
    return Field(f.name, f.label, f.type, False, f.codes, f.minimum, f.maximum, f.default)


# ---- the template ----

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def template() -> Workbook:
    wb = Workbook()
    wb.active.title = UNITS_SHEET
    for name in [UNITS_SHEET, *KIND_SHEETS, STEPS_SHEET, FIGURES_SHEET]:
        ws = wb[name] if name in wb.sheetnames else wb.create_sheet(name)
        cols = _columns(name)
        ws.append([f.name for f in cols])
        ws.append([("＊" if f.required else "") + f.label for f in cols])
        for i, f in enumerate(cols, start=1):
            code, label = ws.cell(row=1, column=i), ws.cell(row=2, column=i)
            code.font = Font(color="808080")
            label.font, label.fill = Font(bold=True), HEAD_FILL
            hint = FIGURE_HINTS.get(f.name) if name == FIGURES_SHEET else None
            hint = hint or _hint(f)
            if hint:
                label.comment = Comment(hint, "taizhang")
            if f.type in DECIMAL_TYPES:
                # Text cells: the amount is kept as typed (136161.50), never rounded through a binary float.
                ws.column_dimensions[code.column_letter].number_format = "@"
        finish(ws, header_rows=2, widths=[max(12, len(f.label) * 2 + 4) for f in cols])
    return wb


def _hint(f: Field) -> str:
    parts = ["必填" if f.required else "可空"]
    if f.codes:
        parts.append("可填代码或名称：" + "、".join(f"{c}（{label}）" for c, label in f.codes.items()))
    elif f.type == "int":
        parts.append(f"整数 {f.minimum}–{f.maximum:,}")
    elif f.type == "money":
        parts.append("金额（元），最多两位小数，如 136161.50（以文本填写，不会被四舍五入）")
    elif f.type == "score":
        parts.append("分数 0–100，最多两位小数")
    elif f.type == "bool":
        parts.append("是 / 否")
    elif f.type == "list":
        parts.append("多项用、或换行分隔")
    elif f.name == "date":
        parts.append("日期 YYYY-MM-DD")
    elif f.name == "id":
        parts.append("留空则自动生成（同一行再次导入会被跳过）")
    return "；".join(parts)


# ---- reading a filled-in workbook ----


def read_workbook(path: str | Path, kind_of: KindOf) -> tuple[list[tuple[int, dict[str, Any]]], dict[int, str]]:
    """Interchange lines numbered 1.., and where each came from (`sheet!row`). Unknown sheets are ignored."""
    wb = load_workbook(str(path), read_only=True, data_only=True)
    lines: list[tuple[int, dict[str, Any]]] = []
    where: dict[int, str] = {}
    kinds: dict[tuple[str, str], str] = {}
    order = [UNITS_SHEET, *KIND_SHEETS, STEPS_SHEET, FIGURES_SHEET]
    seen_keys: dict[str, int] = {}
    for name in order:
        if name not in wb.sheetnames:
            continue
        rows = list(wb[name].iter_rows(values_only=True))
        if not rows:
            continue
        header = [str(c).strip() if c is not None else "" for c in rows[0]]
        known = {f.name: f for f in _columns(name)}
        for row_number, values in enumerate(rows[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
            cells = {h: v for h, v in zip(header, values, strict=False) if h and not _blank(v)}
            if not cells:
                continue
            n = len(lines) + 1
            where[n] = f"{name}!{row_number}"
            unknown = sorted(set(cells) - set(known))
            line = _line(name, cells, known, kinds, kind_of)
            for col in unknown:  # an unknown column goes into data so that validation names it
                line.setdefault("data", {})[col] = cells[col]
            line.setdefault("id", _default_id(name, line, seen_keys))
            if name in KIND_SHEETS and isinstance(line.get("unit"), str) and isinstance(line.get("ref"), str):
                kinds[(line["unit"], line["ref"])] = line["kind"]
            lines.append((n, line))
    wb.close()
    return lines, where


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _line(sheet: str, cells: dict[str, Any], known: dict[str, Field], kinds: dict, kind_of: KindOf) -> dict[str, Any]:
    envelope = {k: _text(cells[k]) for k in ("id", "by", "unit", "ref") if k in cells}
    if sheet == UNITS_SHEET:
        data = {k: _text(cells[k]) for k in ("name", "parent") if k in cells}
        return {"op": "unit", **envelope, "data": data}
    if sheet == FIGURES_SHEET:
        return {"op": "figure", **envelope, "data": _figure_data(cells, known)}
    day = _date(cells["date"]) if "date" in cells else None
    if sheet == STEPS_SHEET:
        step = _text(cells.get("step"))
        step = STEP_NAMES.get(step, step) if isinstance(step, str) else step
        kind_code = kinds.get((envelope.get("unit"), envelope.get("ref")))
        if kind_code is None and isinstance(envelope.get("unit"), str) and isinstance(envelope.get("ref"), str):
            kind_code = kind_of(envelope["unit"], envelope["ref"])
        spec = KINDS[kind_code].step(step) if kind_code and isinstance(step, str) else None
        fields = {f.name: f for f in spec.fields} if spec else {}
        data = {k: _value(fields.get(k) or _as_text(known[k]), v) for k, v in cells.items() if k in STEP_FIELDS}
        line = {"op": "step", **envelope, "step": step, "date": day}
        return {**line, "data": data} if data else line
    kind = KIND_SHEETS[sheet]
    data = {f.name: _value(f, cells[f.name]) for f in kind.fields if f.name in cells}
    return {"op": "record", **envelope, "kind": kind.code, "date": day, "data": data}


def _figure_data(cells: dict[str, Any], known: dict[str, Field]) -> dict[str, Any]:
    """A `figure` line's data from a row: a retire holds only `code` and `retire` (§8.1); JSON cells are read
    with exact decimals, and a cell that is not JSON is passed on as text for validation to name its key."""
    data: dict[str, Any] = {}
    for f in FIGURE_COLUMNS:
        if f.name not in cells:
            continue
        v = cells[f.name]
        if f.name in ("where", "measure"):
            text = _text(v)
            if f.name == "measure" and text in SHORT_MEASURES:
                data[f.name] = dict(SHORT_MEASURES[text])
                continue
            try:
                data[f.name] = json.loads(text, parse_float=json_number)
            except (TypeError, ValueError):
                data[f.name] = text
        else:
            data[f.name] = _value(f, v)
    if data.get("retire") is False:
        data.pop("retire")  # 否: the row declares
    return data


def _as_text(f: Field) -> Field:
    """A step field of unknown kind: take codes only as typed (no label lookup)."""
    return Field(f.name, f.label, "str" if f.type == "code" else f.type, False)


def _text(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def _date(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return _text(v)


def _value(f: Field, v: Any) -> Any:
    """A cell as the field's JSON value; anything unconvertible is passed on for validation to name."""
    if f.type == "int":
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, str) and v.strip().lstrip("-").isdigit():
            return int(v.strip())
        return v
    if f.type == "bool":
        if isinstance(v, bool):
            return v
        text = str(v).strip().lower()
        return True if text in YES else False if text in NO else v
    if f.type == "list":
        if isinstance(v, str):
            parts = v.replace("，", "、").replace(",", "、").replace("\n", "、").split("、")
            return [p.strip() for p in parts if p.strip()]
        return [_text(v)]
    if f.type in DECIMAL_TYPES:
        return _decimal(v)
    text = _text(v)
    if f.type == "code" and isinstance(text, str):
        by_label = {label: code for code, label in f.codes.items()}
        return by_label.get(text, text)
    return text


def _decimal(v: Any) -> Any:
    """A money or score cell as the text the domain reads exactly (§7.1). A text cell as typed, without the
    thousands separators, 元 or ¥ staff add; a number cell (Excel keeps a binary double) by its shortest repr,
    or its cents when it is within rounding noise of them (a sum computed in Excel: 0.1 + 0.2); anything else
    is passed on for validation to name."""
    if isinstance(v, float) and not v.is_integer():
        text = repr(v)
        cents = Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if abs(Decimal(text) - cents) <= Decimal("1e-9") * max(1, abs(cents)):
            return f"{cents:f}"
        return text
    text = _text(v)
    if isinstance(text, str):
        for noise in (",", "，", " ", "\u3000", "元", "¥", "￥"):
            text = text.replace(noise, "")
    return text


def _default_id(sheet: str, line: dict[str, Any], seen: dict[str, int]) -> str:
    """A stable id from the row's key: units by their content, records by unit/ref, steps by unit/ref/step/date."""
    if sheet == UNITS_SHEET:
        key = f"unit|{line.get('unit')}|{line['data'].get('name')}|{line['data'].get('parent')}"
    elif sheet == STEPS_SHEET:
        key = f"step|{line.get('unit')}|{line.get('ref')}|{line.get('step')}|{line.get('date')}"
    elif sheet == FIGURES_SHEET:  # a changed definition is a new line (a redeclaration); the same row is skipped
        body = json.dumps(line.get("data"), ensure_ascii=False, sort_keys=True, default=str)
        key = f"figure|{line.get('unit')}|{body}"
    else:
        key = f"record|{line.get('unit')}|{line.get('ref')}"
    seen[key] = seen.get(key, 0) + 1
    key = f"{key}#{seen[key]}" if seen[key] > 1 else key
    return WORKBOOK_ROW_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:24]
