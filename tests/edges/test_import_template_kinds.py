"""The import template for every kind of unit (DOMAIN.md §7–§8): penalty cases and their decisions with fines
typed as text or as numbers, summed to the cent; a `声明指标` sheet of `figure` lines whose errors name the key;
the same workbook imported twice records nothing twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from api.documents.sheets import sheet_name
from api.documents.xlsx_import import FIGURES_SHEET, STEPS_SHEET, read_workbook, template
from domain.catalogue import KINDS

ENFORCEMENT = sheet_name(KINDS["enforcement_case"].label)


def _fill(path: Path, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    template().save(path)
    wb = load_workbook(path)
    for name, rows in sheets.items():
        ws = wb[name]
        header = [c.value for c in ws[1]]
        for row in rows:
            ws.append([row.get(h) for h in header])
    wb.save(path)
    return path


def _book(tmp_path: Path, cases: int = 40) -> Path:
    rows = [
        {
            "unit": "u1",
            "ref": f"P-{i}",
            "date": "2025-03-01",
            "action": "行政处罚",
            "subject": "占道经营",
            "procedure": "普通(一般)程序" if i % 2 else "简易程序",
        }
        for i in range(cases)
    ]
    # Fines as a person types them: text with cents, with a thousands separator and 元, and plain numbers.
    fines: list[Any] = ["1753.79", "136,161.50元", 200, 0.1 + 0.2]
    steps = [
        {
            "unit": "u1",
            "ref": f"P-{i}",
            "step": "处罚决定",
            "date": "2025-04-01",
            "outcome": "给予行政处罚",
            "penalty_class": "罚款",
            "fine": fines[i % len(fines)],
        }
        for i in range(cases)
    ]
    figures = [
        {
            "unit": "u1",
            "code": "local.enf.ordinary",
            "label": "普通程序立案",
            "unit_word": "件",
            "kind": "行政执法案件/行为",
            "where": '[{"field": "procedure", "in": ["ordinary"]}]',
            "measure": "计数",
        },
        {
            "unit": "u1",
            "code": "local.enf.fine_class",
            "label": "罚款类处罚决定",
            "unit_word": "件",
            "kind": "enforcement_case",
            "measure": '{"type": "steps", "step": "decided", "field": "penalty_class", "in": ["fine"]}',
        },
    ]
    return _fill(tmp_path / "book.xlsx", {ENFORCEMENT: rows, STEPS_SHEET: steps, FIGURES_SHEET: figures})


def test_the_template_marks_money_columns_as_text_and_explains_the_figure_sheet() -> None:
    wb = template()
    steps = wb[STEPS_SHEET]
    header = [c.value for c in steps[1]]
    fine = steps.cell(row=1, column=header.index("fine") + 1)
    assert steps.column_dimensions[fine.column_letter].number_format == "@"
    assert "最多两位小数" in steps.cell(row=2, column=fine.column).comment.text
    figures = wb[FIGURES_SHEET]
    assert [c.value for c in figures[1]][:8] == [
        "unit",
        "code",
        "label",
        "unit_word",
        "kind",
        "where",
        "measure",
        "retire",
    ]
    assert "local." in figures.cell(row=2, column=2).comment.text


def test_a_filled_template_imports_cases_fines_to_the_cent_and_declared_figures(env, tmp_path) -> None:
    lines, where = read_workbook(_book(tmp_path), lambda unit, ref: None)
    outcome = env.apply([line for _, line in lines])
    assert outcome.errors == [], [str(e) for e in outcome.errors]
    # 10 × (1753.79 + 136161.50 + 200 + 0.30): exact, as a person adds it up.
    assert env.value("enforcement.fines") == "1381155.90"
    assert env.value("enforcement.penalty_decisions") == 40
    assert env.value("local.enf.ordinary") == 20 == env.value("enforcement.ordinary")
    assert env.value("local.enf.fine_class") == 40
    assert env.figure("local.enf.fine_class")["declared"]["unit"] == "u1"
    again = env.apply([line for _, line in read_workbook(_book(tmp_path), lambda unit, ref: None)[0]])
    assert again.applied == 0 and again.skipped == len(lines)


def test_a_bad_figure_row_names_its_key_and_a_retire_row_retires(env, tmp_path) -> None:
    bad = {
        "unit": "u1",
        "code": "local.x",
        "label": "x",
        "unit_word": "件",
        "kind": "enforcement_case",
        "where": '[{"field": "actions", "in": ["penalty"]}]',
        "measure": "{not json",
    }
    path = _fill(tmp_path / "bad.xlsx", {FIGURES_SHEET: [bad]})
    lines, where = read_workbook(path, lambda unit, ref: None)
    errors = env.apply([line for _, line in lines]).errors
    assert where[1] == f"{FIGURES_SHEET}!3"
    assert {e.field for e in errors} == {"data.where[0].field", "data.measure"}
    good = {**bad, "where": None, "measure": "count"}
    env.ok(*[line for _, line in read_workbook(_fill(tmp_path / "ok.xlsx", {FIGURES_SHEET: [good]}), None)[0]])
    assert env.value("local.x") == 0
    retire = {"unit": "u1", "code": "local.x", "retire": "是"}
    env.ok(*[line for _, line in read_workbook(_fill(tmp_path / "r.xlsx", {FIGURES_SHEET: [retire]}), None)[0]])
    assert "local.x" not in env.report()["figures"]
