"""Assessment workbooks (openpyxl): an indicator system read from the layout superiors circulate (一级/二级/三级
columns, merged or repeated cells), its blank template, and the workbook of every unit's scores.

Sheet 指标体系, one row per leaf (a row may also name just a 一级 or 二级 indicator), columns by their heading:
  一级指标 | 二级指标 | 三级指标 | 分值 | 分类分值 | 适用类别 | 计分方式 | 数据指标 | 计分参数 | 佐证材料
  分类分值   "town=2; department=3" (codes or names of the categories)
  适用类别   "department, town" (empty: all)
  计分方式   评审打分 | 分档计分 | 按比例计分 | 达标计分 (or judgement, threshold, proportional, pass_fail)
  计分参数   分档 ">=100:3; >=90:2; else:0" (或 "<=5:3")；按比例 "50~100" (0 分 ~ 满分)；达标 ">=100" / "=100"
Sheet 单位类别: 类别编号 | 类别名称. The system's name is cell B1 of sheet 说明 (else the file name).
A cell left empty under a 一级/二级 heading continues the one above (merged cells read that way too).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from domain.assessment import RULES
from domain.errors import DomainError, FieldError

from .sheets import texts_not_formulas

HEADINGS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "分值",
    "分类分值",
    "适用类别",
    "计分方式",
    "数据指标",
    "计分参数",
    "佐证材料",
)
SHEET, CATEGORIES, ABOUT = "指标体系", "单位类别", "说明"
RULE_NAMES = {label: code for code, label in RULES.items()} | {code: code for code in RULES}
STEP = re.compile(r"^\s*(>=|<=|≥|≤)\s*(-?\d+(?:\.\d+)?)\s*[:：]\s*(\d+(?:\.\d+)?)\s*$")
ELSE = re.compile(r"^\s*(else|其他|其余)\s*[:：]\s*(\d+(?:\.\d+)?)\s*$")
RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[~～\-至]\s*(-?\d+(?:\.\d+)?)\s*$")
COMPARE = re.compile(r"^\s*(>=|<=|=|>|<|≥|≤)\s*(-?\d+(?:\.\d+)?)\s*$")
SYMBOLS = {"≥": ">=", "≤": "<="}


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def read_system(path: Path) -> dict[str, Any]:
    """The definition (as `domain.assessment.parse_system` takes it), or every cell at fault at once."""
    try:
        book = load_workbook(path, read_only=False, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise DomainError.of("file", "文件：不是有效的 xlsx 工作簿") from None
    errors: list[FieldError] = []
    if SHEET not in book.sheetnames or CATEGORIES not in book.sheetnames:
        raise DomainError.of("file", f"文件：须有「{SHEET}」和「{CATEGORIES}」两张表（见 taizhang assess template）")
    categories: dict[str, str] = {}
    for n, row in enumerate(book[CATEGORIES].iter_rows(min_row=2, values_only=True), 2):
        code, name = (_text(row[0]) if row else ""), (_text(row[1]) if len(row) > 1 else "")
        if code or name:
            if not code or not name:
                errors.append(FieldError(f"{CATEGORIES}!行{n}", "单位类别：编号和名称都要填"))
            categories[code] = name
    by_name = {name: code for code, name in categories.items()} | {c: c for c in categories}
    name = _text(book[ABOUT]["B1"].value) if ABOUT in book.sheetnames else ""
    sheet = book[SHEET]
    header = [_text(c.value) for c in sheet[1]]
    missing = [h for h in HEADINGS[:1] + ("分值",) if h not in header]
    if missing:
        raise DomainError.of(f"{SHEET}!行1", f"表头：缺少「{'」「'.join(missing)}」列")
    col = {h: header.index(h) for h in HEADINGS if h in header}
    indicators: list[dict[str, Any]] = []
    codes: dict[tuple[str, ...], str] = {}
    counters: dict[str, int] = {}
    above = ["", "", ""]
    for n, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), 2):
        cell = {h: (row[i] if i < len(row) else None) for h, i in col.items()}
        names = [_text(cell.get(h)) for h in HEADINGS[:3]]
        if not any(names) and not _text(cell.get("分值")):
            continue
        # An empty 一级/二级 cell continues the one above; a new 一级 starts a new branch.
        for level in range(3):
            if names[level]:
                above[level] = names[level]
                for deeper in range(level + 1, 3):
                    if not names[deeper]:
                        above[deeper] = ""
            elif level < 2 and any(names[level + 1 :]):
                names[level] = above[level]
        path = tuple(x for x in names if x)
        where = f"{SHEET}!行{n}"
        if not path:
            errors.append(FieldError(where, "指标：没有指标名称"))
            continue
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key in codes:
                continue
            parent = codes.get(key[:-1])
            counters[parent or ""] = counters.get(parent or "", 0) + 1
            code = f"{parent}.{counters[parent or '']}" if parent else str(counters[""])
            codes[key] = code
            indicators.append({"code": code, "name": key[-1], **({"parent": parent} if parent else {})})
        leaf = indicators[[i["code"] for i in indicators].index(codes[path])]
        try:
            _leaf_cells(leaf, cell, by_name, where)
        except DomainError as e:
            errors += e.errors
    if errors:
        raise DomainError(*errors)
    # A row naming only an upper indicator (no points) is a heading, not a leaf.
    return {"name": name or path_stem(path), "categories": categories, "indicators": indicators}


def path_stem(path: Path) -> str:
    return Path(path).stem


def _category_list(text: str, by_name: dict[str, str], where: str, label: str) -> list[str]:
    out = []
    for part in re.split(r"[,，、;；\s]+", text):
        if part:
            if part not in by_name:
                raise DomainError.of(where, f"{label}：未知类别「{part}」（见「{CATEGORIES}」表）")
            out.append(by_name[part])
    return out


def _leaf_cells(leaf: dict[str, Any], cell: dict[str, Any], by_name: dict[str, str], where: str) -> None:
    points = cell.get("分值")
    if _text(points):
        try:
            leaf["points"] = float(points)  # type: ignore[arg-type]
        except ValueError:
            raise DomainError.of(where, f"分值：须为数值，收到「{points}」") from None
    if by_cat := _text(cell.get("分类分值")):
        out = {}
        for part in re.split(r"[;；,，]+", by_cat):
            if part.strip():
                cat, _, value = part.partition("=")
                try:
                    out[_category_list(cat, by_name, where, "分类分值")[0]] = float(value)
                except (ValueError, IndexError):
                    raise DomainError.of(where, f"分类分值：须如「town=2; department=3」，收到「{by_cat}」") from None
        leaf["points_by_category"] = out
    if applies := _text(cell.get("适用类别")):
        leaf["applies_to"] = _category_list(applies, by_name, where, "适用类别")
    if evidence := _text(cell.get("佐证材料")):
        leaf["evidence"] = evidence
    how = _text(cell.get("计分方式")) or "评审打分"
    if how not in RULE_NAMES:
        raise DomainError.of(where, f"计分方式：须为{'、'.join(RULES.values())}之一，收到「{how}」")
    kind = RULE_NAMES[how]
    if kind == "judgement":
        leaf["rule"] = {"type": "judgement"}
        return
    rule: dict[str, Any] = {"type": kind, "figure": _text(cell.get("数据指标"))}
    params = _text(cell.get("计分参数"))
    if kind == "threshold":
        steps = []
        for part in re.split(r"[;；\n]+", params):
            if not part.strip():
                continue
            if m := STEP.match(part):
                op, bound, got = SYMBOLS.get(m[1], m[1]), float(m[2]), float(m[3])
                steps.append({"min" if op == ">=" else "max": bound, "points": got})
            elif m := ELSE.match(part):
                rule["otherwise"] = float(m[2])
            else:
                raise DomainError.of(where, f"计分参数：分档须如「>=100:3; >=90:2; else:0」，收到「{part.strip()}」")
        rule["steps"] = steps
    elif kind == "proportional":
        if not (m := RANGE.match(params)):
            raise DomainError.of(where, f"计分参数：按比例须如「50~100」（0 分的值~满分的值），收到「{params}」")
        rule["zero_at"], rule["full_at"] = float(m[1]), float(m[2])
    else:
        if not (m := COMPARE.match(params)):
            raise DomainError.of(where, f"计分参数：达标须如「>=100」或「=100」，收到「{params}」")
        rule["op"], rule["value"] = SYMBOLS.get(m[1], m[1]), float(m[2])
    leaf["rule"] = rule


def template(categories: dict[str, str] | None = None) -> Workbook:
    """A blank system workbook with its headings, two example rows and the categories."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(HEADINGS))
    sheet.append(["依法全面履行政府职能", "行政应诉", "负责人出庭应诉", 3, "", "", "达标计分",
                  "case.head_appearance_rate", ">=100", "出庭通知书、庭审笔录"])  # fmt: skip
    sheet.append(["", "", "年度述法", 5, "town=3", "", "评审打分", "", "", "述法报告"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for letter, width in zip("ABCDEFGHIJ", (22, 22, 26, 8, 18, 18, 12, 30, 24, 28), strict=True):
        sheet.column_dimensions[letter].width = width
    cats = book.create_sheet(CATEGORIES)
    cats.append(["类别编号", "类别名称"])
    for code, name in (categories or {"department": "区级部门", "town": "街镇"}).items():
        cats.append([code, name])
    about = book.create_sheet(ABOUT)
    about.append(["体系名称", "年度法治政府建设考核指标体系"])
    about.append(["说明", __doc__.split("\n\n", 1)[1] if __doc__ else ""])
    texts_not_formulas(book)
    return book


def scores_workbook(table: Any, names: dict[str, str], out: Path | str) -> None:
    """Every unit's scores: a summary sheet (total, rank, status per unit) and one sheet per category with the
    units × leaf indicators (final score; the assessor's comment as a cell note would hide it: a column each)."""
    book = Workbook()
    summary = book.active
    summary.title = "总表"
    system = table.system
    summary.append([f"{system.name}（{system.year} 年度）", "", "", "", "", ""])
    summary.append(["类别", "排名", "单位", "单位名称", "得分", "满分", "状态", "已评指标"])
    by_unit = {s.unit: s for s in table.sheets}
    for category, ranked in table.ranking.items():
        for r in ranked:
            s = by_unit[r.unit]
            summary.append([system.categories[category], r.rank, r.unit, names.get(r.unit, r.unit), s.total,
                            s.max_total, s.to_json()["status_label"], f"{s.scored}/{s.leaves}"])  # fmt: skip
    for cell in summary[2]:
        cell.font = Font(bold=True)
    summary["A1"].font = Font(bold=True, size=14)
    for category, label in system.categories.items():
        mine = [by_unit[r.unit] for r in table.ranking.get(category, [])]
        if not mine:
            continue
        ws = book.create_sheet(label[:31])
        leaves = [i for i in system.indicators if i.leaf and i.applies(category)]
        ws.append(["单位", "单位名称", "总分"] + [f"{i.code} {i.name}（{i.max_for(category):g}）" for i in leaves])
        for s in mine:
            finals = {line.code: line.final for line in s.lines}
            ws.append([s.unit, names.get(s.unit, s.unit), s.total] + [finals.get(i.code) for i in leaves])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "D2"
    texts_not_formulas(book)
    book.save(out)
