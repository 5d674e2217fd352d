"""The year-end documents of a unit with 执法权 (DOMAIN.md §7): the Word draft says what the unit enforced,
decided and replied to in section 一, the workbook carries the statutory 行政执法数据年报, both exact to the
cent; a unit without enforcement gets neither."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import openpyxl
from conftest import rec, step, study, unit

from api.documents import docx_enforcement, write_report
from api.documents.prose import THEMES, parts, section_one
from api.documents.xlsx_enforcement import SHEET
from projections.figures import FIGURES


def _street() -> list[dict]:
    lines = [unit("jd", "锦华街道办事处"), unit("zf", "锦华街道综合行政执法队", parent="jd")]
    for i in range(23):
        lines.append(
            rec(
                "enforcement_case",
                f"P-{i}",
                "2025-03-01",
                unit="zf",
                action="penalty",
                subject="占道经营",
                procedure="ordinary" if i < 3 else "simple",
            )
        )
        lines.append(
            step(
                f"P-{i}",
                "decided",
                "2025-03-20",
                unit="zf",
                outcome="penalized",
                penalty_class="fine",
                fine="1753.79" if i % 2 else 200,
            )
        )
    lines += [
        step("P-0", "executed", "2025-04-01", unit="zf"),
        rec("enforcement_case", "J-1", "2025-05-01", unit="zf", action="inspection", subject="燃气安全", count=12),
        rec(
            "enforcement_case",
            "Q-1",
            "2025-05-02",
            unit="zf",
            action="compulsion",
            subject="查封",
            compulsion="measure",
        ),
        rec("major_decision", "D-1", "2025-01-10", unit="jd", title="老旧小区改造实施方案"),
        rec("major_decision", "D-2", "2025-01-10", unit="jd", title="背街小巷整治方案"),
        step("D-1", "published", "2025-06-01", unit="jd"),
        rec(
            "supervision_letter",
            "L-1",
            "2025-02-01",
            unit="jd",
            type="procuratorial_suggestion",
            subject="占道经营监管",
        ),
        step("L-1", "replied", "2025-03-01", unit="jd", result="adopted"),
        rec("hotline_ticket", "T-1", "2025-02-01", unit="jd", channel="hotline", subject="噪音"),
        step("T-1", "concluded", "2025-02-03", unit="jd"),
    ]
    return lines


def _document(env: Any, code: str, fmt: str, path: Path, approx: bool = False) -> dict:
    with env.read_model() as model:
        report = model.report(code, 2025).to_json()
        write_report(model, report, fmt, path, None, approx)
    return report


def test_the_word_draft_reports_enforcement_decisions_and_letters_in_section_one(env, tmp_path: Path) -> None:
    env.ok(*_street())
    _document(env, "jd", "docx", tmp_path / "r.docx")
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs]
    one = paragraphs[: paragraphs.index("二、存在的不足和原因")]
    enforcement = next(p for p in one if "严格规范公正文明执法" in p)
    # 11 × 1753.79 + 12 × 200 = 21,691.69: exact, with its cents.
    assert "立案查处行政处罚案件23件，其中简易程序20件、普通程序3件" in enforcement
    assert "作出行政处罚决定23件，罚没金额21,691.69元（其中罚款21,691.69元）" in enforcement
    assert "实施行政强制措施1件" in enforcement and "开展行政检查12次" in enforcement
    assert "行政处罚决定执结率4.35%" in enforcement
    decisions = next(p for p in one if "重大行政决策科学化" in p)
    assert "将事项纳入重大行政决策目录2项，其中已出台1项、按程序推进1项" in decisions
    letters = next(p for p in one if "三书" in p)
    assert "其中检察建议1件" in letters and "按期办复率100%" in letters
    assert any("受理12345热线等群众诉求1件，办结率100%" in p for p in one)
    # Numbered on after the themes before them, in the order they are written.
    headings = [p.split("。")[0] for p in one if p.startswith("（")]
    assert [h[1] for h in headings] == list("一二三四五六七八九十"[: len(headings)])


def test_every_qizhong_of_the_enforcement_themes_is_a_true_part(env) -> None:
    env.ok(*_street())
    with env.read_model() as model:
        figures = model.report("jd", 2025).to_json()["figures"]
    declared = parts(docx_enforcement.THEMES)
    assert declared and all(figures[w]["value"] not in (0, "0.00") for w in declared.values())  # all shown
    for part, whole in declared.items():
        assert set(figures[part]["sources"]) <= set(figures[whole]["sources"]), (part, whole)
        assert float(figures[part]["value"]) <= float(figures[whole]["value"]), (part, whole)


def test_counts_are_approximated_like_the_rest_but_amounts_and_rates_never(env, tmp_path: Path) -> None:
    env.ok(*_street())
    _document(env, "jd", "docx", tmp_path / "a.docx", approx=True)
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "a.docx")).paragraphs)
    assert "立案查处行政处罚案件20余件" in text and "21,691.69元" in text and "执结率4.35%" in text


def test_the_workbook_has_the_statutory_table_with_exact_amounts(env, tmp_path: Path) -> None:
    env.ok(*_street())
    report = _document(env, "jd", "xlsx", tmp_path / "l.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "l.xlsx")
    assert wb.sheetnames[2] == SHEET
    ws = wb[SHEET]
    assert ws["A1"].value == "锦华街道办事处2025年行政执法数据年报"
    rows = {r[4]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[4]}
    assert rows["enforcement.penalty_cases"][:3] == ("立案查处", "件", 23)
    assert rows["enforcement.penalty_class.fine"][2] == 23 and rows["enforcement.penalty_class.warning"][2] == 0
    assert str(rows["enforcement.fines"][2]) == "21691.69" == report["figures"]["enforcement.fines"]["value"]
    assert rows["enforcement.inspections"][2] == 12 and rows["enforcement.on_time_rate"][2] == 100.0
    headings = [r[0] for r in ws.iter_rows(min_row=3, values_only=True) if r[0] and not r[1]]
    assert headings == ["一、行政处罚", "二、行政强制", "三、行政检查", "四、行政许可", "五、其他行政执法行为"]


def test_a_unit_without_enforcement_gets_no_table_and_no_such_prose(env, tmp_path: Path) -> None:
    env.ok(study("S-1", "2025-03-01"))
    _document(env, "u1", "xlsx", tmp_path / "l.xlsx")
    assert SHEET not in openpyxl.load_workbook(tmp_path / "l.xlsx").sheetnames
    _document(env, "u1", "docx", tmp_path / "r.docx")
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)
    assert "执法" not in text.split("二、存在的不足和原因")[0]
    figures = _nothing()
    assert section_one({"figures": figures}, themes=docx_enforcement.THEMES) == []
    figures["law_report.reports"]["value"] = 3
    figures["publicity.events"]["value"] = 2
    found = section_one({"figures": figures}, themes=[*THEMES, *docx_enforcement.THEMES])
    assert found == [
        ("（一）深化普法宣传，落实普法责任。", "全年开展普法宣传活动2次。"),
        ("（二）落实述法制度。", "全年组织述法3人次。"),
    ]


def _nothing() -> dict[str, dict[str, Any]]:
    return {
        f.id: {"label": f.label, "unit": f.unit, "value": None if f.rate else "0.00" if f.money else 0} for f in FIGURES
    }


def _enforcement(**values: Any) -> str:
    figures = _nothing()
    for name, value in values.items():
        figures[f"enforcement.{name}"]["value"] = value
    found = section_one({"figures": figures}, themes=docx_enforcement.THEMES)
    return found[0][1] if found else ""


def test_a_part_list_opens_with_qizhong_whichever_part_is_shown_and_brackets_close_where_it_ends() -> None:
    assert (
        _enforcement(penalty_cases=5, simple=2, ordinary=3)
        == "全年立案查处行政处罚案件5件，其中简易程序2件、普通程序3件。"
    )
    assert _enforcement(penalty_cases=5, ordinary=3) == "全年立案查处行政处罚案件5件，其中普通程序3件。"
    assert _enforcement(penalty_decisions=2, forfeitures="1200.50", fines="1000.00", lenient=1) == (
        "全年作出行政处罚决定2件，罚没金额1,200.50元（其中罚款1,000.00元）；包容审慎（不予、从轻、减轻处罚）1件。"
    )
    # a zero amount is left out like a zero count; amounts are never approximated, counts are when asked
    assert _enforcement(penalty_decisions=2, forfeitures="0.00", fines="0.00") == "全年作出行政处罚决定2件。"
    figures = _nothing()
    figures["enforcement.penalty_decisions"]["value"] = 23
    figures["enforcement.forfeitures"]["value"] = figures["enforcement.fines"]["value"] = "21691.69"
    text = section_one({"figures": figures}, approx=True, themes=docx_enforcement.THEMES)[0][1]
    assert text == "全年作出行政处罚决定20余件，罚没金额21,691.69元（其中罚款21,691.69元）。"
