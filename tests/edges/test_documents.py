"""Year-end documents: the Word report draft, the ledger workbook, the import template and workbook import."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from cli_kit import Ran, taizhang
from conftest import case, petition, proposal, rec, request, step, study, unit, void
from docx.shared import Mm

from api.documents import write_report
from api.documents.docx_report import PLACEHOLDER, SECTIONS
from api.documents.prose import approximate, section_one
from api.documents.sheets import sheet_name
from domain.catalogue import KINDS, LINE_LABELS, RECORD_LABELS
from projections.figures import FIGURES


def run(home: Path, *args: str) -> Ran:
    return taizhang(home, *args, user="doc-tester")


def story() -> list[dict]:
    """Two units, most kinds, steps with data of every type, a voided activity."""
    lines = [unit("u1", "光华区城市更新中心"), unit("u2", "光华区房屋征收服务中心", parent="u1")]
    lines += [study(f"S-{i:02d}", f"2025-03-{i + 1:02d}", speeches=1, laws=["宪法", "民法典"]) for i in range(23)]
    lines += [
        study("S-T1", "2025-04-01", form="business_training", led_by_head=True),
        rec("study_writing", "W-1", "2025-04-02", genre="notes", count=25),
        rec("publicity_event", "P-1", "2025-05-01", theme="民法典宣传月", form="community", audience=300),
        petition("XF-1", "2025-02-01", persons=3),
        step("XF-1", "extended", "2025-03-01", days=20),
        step("XF-1", "concluded", "2025-03-20"),
        case("AJ-1", "2025-01-10"),
        step("AJ-1", "hearing", "2025-02-10", head_appeared=True),
        step("AJ-1", "decided", "2025-03-10", outcome="won"),
        request("GK-1", "2025-06-01"),
        step("GK-1", "replied", "2025-06-10", result="partial"),
        proposal("JY-1", "2025-03-01", "cppcc", complex=True),
        step("JY-1", "feedback", "2025-05-01", satisfaction="basically_satisfied"),
        study("S-U2", "2025-03-05", unit="u2"),
        rec("inspection", "JC-1", "2025-07-01", subject="征收协议签订", findings=2, rectified=2, unit="u2"),
        rec("meeting", "HY-1", "2025-02-01", form="party_group", topic="法治工作", rule_of_law_agenda=True),
    ]
    return lines


@pytest.fixture
def filled(env) -> Any:
    lines = story()
    env.ok(*lines, void("S-00", reason="重复录入"))  # renames `env`'s u1
    return env


def _document(env: Any, unit_code: str, fmt: str, path: Path, approx: bool = False) -> dict:
    with env.read_model() as model:
        report = model.report(unit_code, 2025).to_json()
        write_report(model, report, fmt, path, None, approx)
    return report


def _text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_docx_report(filled, tmp_path: Path) -> None:
    report = _document(filled, "u1", "docx", tmp_path / "r.docx")
    d = docx.Document(str(tmp_path / "r.docx"))
    text = _text(d)
    assert "光华区城市更新中心关于2025年度法治政府建设情况的报告" in text
    for heading in SECTIONS.values():
        assert heading in [p.text for p in d.paragraphs]
    assert text.count(PLACEHOLDER) == 4
    assert report["figures"]["study.sessions"]["value"] == 23  # 24 recorded + 1 of u2 − 1 voided − 1 training
    assert "累计开展各类学习活动23次" in text and "组织交流发言22次" in text and "收集学习笔记25篇" in text
    assert "专项检查" in text and "受理信访1件" in text
    assert "重大行政决策" not in d.paragraphs[5].text  # zero figures are left out of the prose
    for f in FIGURES:  # the 数据核验表 lists, in words, every figure with something to show; codes are for auditors
        assert f.id not in text
        shown = report["figures"][f.id]
        assert (f.label in text) or not (shown["value"] or shown["previous"]), f.id
    assert "Merkle" not in text and "taizhang" not in text
    assert "光华区房屋征收服务中心" in text  # the roll-up breakdown
    section = d.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    title_run = d.paragraphs[0].runs[0]
    assert title_run.font.size.pt == 22
    fonts = title_run._element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "方正小标宋简体"
    assert d.styles["Normal"].font.size.pt == 16
    assert "PAGE" in section.footer.paragraphs[0]._p.xml
    assert section.footer_distance < Mm(35)


def test_approximate_wording(filled, tmp_path: Path) -> None:
    assert [approximate(n) for n in (7, 20, 23, 143, 150)] == ["7", "20", "20余", "140余", "150"]
    _document(filled, "u1", "docx", tmp_path / "a.docx", approx=True)
    text = _text(docx.Document(str(tmp_path / "a.docx")))
    assert "累计开展各类学习活动20余次" in text and "收集学习笔记20余篇" in text
    assert "| 23次" not in text and "23次" in text  # the appendix stays exact


def test_prose_skips_empty_themes() -> None:
    figures = {f.id: {"label": f.label, "unit": f.unit, "value": None if f.rate else 0} for f in FIGURES}
    assert section_one({"figures": figures}) == []
    figures["publicity.events"]["value"] = 3
    assert section_one({"figures": figures}) == [("（一）深化普法宣传，落实普法责任。", "全年开展普法宣传活动3次。")]


def test_xlsx_ledger(filled, tmp_path: Path) -> None:
    _document(filled, "u1", "xlsx", tmp_path / "l.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "l.xlsx")
    for kind in KINDS.values():
        ws = wb[sheet_name(kind.label)]
        header = [c.value for c in ws[1]]
        assert header[:3] == [LINE_LABELS["unit"], LINE_LABELS["ref"], kind.date_label]
        assert [f.label for f in kind.fields] == header[3 : 3 + len(kind.fields)]
        assert RECORD_LABELS["status"] in header and RECORD_LABELS["recorded_by"] in header
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    ws = wb[sheet_name(KINDS["study_session"].label)]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in ws[1]]
    status, by = header.index(RECORD_LABELS["status"]), header.index(RECORD_LABELS["recorded_by"])
    assert rows["S-00"][status] == RECORD_LABELS["voided"] and rows["S-01"][status] == RECORD_LABELS["live"]
    assert rows["S-01"][by] == "tester" and rows["S-01"][header.index("学习形式")] == "中心组学习"
    assert rows["S-01"][header.index("学习法律法规")] == "宪法、民法典"
    case_sheet = wb[sheet_name(KINDS["case"].label)]
    steps = [c.value for c in case_sheet[1]].index(RECORD_LABELS["steps"])
    assert "开庭（负责人出庭：是）" in next(case_sheet.iter_rows(min_row=2, values_only=True))[steps]
    figures = {r[1]: r for r in wb["指标"].iter_rows(min_row=2, values_only=True)}
    assert len(figures) == 64 + 68 and figures["study.sessions"][4] == 23  # §3 and §7.5
    assert figures["enforcement.fines"][4] == "0.00"
    assert [r[1] for r in wb["分单位"].iter_rows(min_row=2, values_only=True)] == [
        "光华区城市更新中心（本级）",
        "光华区房屋征收服务中心",
        "合计",
    ]


def _fill(book: Path, lines: list[dict]) -> None:
    """Fill the template as a person would: Chinese labels for codes, 是/否, lists joined with 、."""
    wb = openpyxl.load_workbook(book)
    kinds: dict[str, str] = {}
    for line in lines:
        if line["op"] == "unit":
            sheet, values = LINE_LABELS["unit"], {"unit": line["unit"], **line["data"]}
        elif line["op"] == "record":
            kinds[line["ref"]] = line["kind"]
            kind = KINDS[line["kind"]]
            sheet = sheet_name(kind.label)
            values = {k: line[k] for k in ("unit", "ref", "date")}
            for f in kind.fields:
                v = line["data"].get(f.name)
                if v is not None:
                    values[f.name] = f.codes.get(v, v) if f.type == "code" else "、".join(v) if f.type == "list" else v
                if f.type == "bool" and v is not None:
                    values[f.name] = "是" if v else "否"
        else:
            sheet = sheet_name(RECORD_LABELS["steps"])
            values = {k: line[k] for k in ("unit", "ref", "date")}
            spec = KINDS[kinds[line["ref"]]].step(line["step"])
            values["step"] = spec.label
            for f in spec.fields:
                v = (line.get("data") or {}).get(f.name)
                if v is not None:
                    values[f.name] = f.codes.get(v, v) if f.type == "code" else v
        ws = wb[sheet]
        codes = [c.value for c in ws[1]]
        ws.append([values.get(code) for code in codes])
    wb.save(book)


def _figures(home: Path, unit_code: str) -> dict:
    done = run(home, "report", "--unit", unit_code, "--year", "2025")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["figures"]


def test_template_round_trip_and_bad_cell(tmp_path: Path) -> None:
    lines = story()
    book = tmp_path / "book.xlsx"
    done = run(tmp_path / "a", "template", "--output", str(book))
    assert done.returncode == 0, done.stderr
    wb = openpyxl.load_workbook(book)
    assert sheet_name(LINE_LABELS["unit"]) in wb.sheetnames
    ws = wb[sheet_name(KINDS["exam"].label)]
    assert [c.value for c in ws[1]][:4] == ["unit", "ref", "date", "title"]
    assert [c.value for c in ws[2]][3] == "＊考试名称"
    _fill(book, lines)
    (tmp_path / "lines.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    a = run(tmp_path / "a", "import", str(book))
    b = run(tmp_path / "b", "import", str(tmp_path / "lines.jsonl"))
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    assert f"applied {len(lines)}" in a.stdout
    assert _figures(tmp_path / "a", "u1") == _figures(tmp_path / "b", "u1")
    again = run(tmp_path / "a", "import", str(book))
    assert again.returncode == 0 and f"skipped {len(lines)}" in again.stdout

    bad = tmp_path / "bad.xlsx"
    run(tmp_path / "c", "template", "--output", str(bad))
    _fill(bad, lines)
    wb = openpyxl.load_workbook(bad)
    ws = wb[sheet_name(KINDS["study_session"].label)]
    column = [c.value for c in ws[1]].index("attendees") + 1
    ws.cell(row=4, column=column, value=-3)
    wb.save(bad)
    done = run(tmp_path / "c", "import", str(bad))
    assert done.returncode == 2
    assert f"{sheet_name(KINDS['study_session'].label)}!4: data.attendees: 参学人数" in done.stderr
    assert "nothing applied" in done.stderr
    assert "unit: " in run(tmp_path / "c", "report", "--unit", "u1", "--year", "2025").stderr  # nothing applied


@pytest.mark.skipif(
    not shutil.which("libreoffice"), reason="libreoffice is not installed (apt-get install libreoffice-writer)"
)
def test_docx_renders_in_libreoffice(filled, tmp_path: Path) -> None:
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")
    _document(filled, "u1", "docx", tmp_path / "r.docx")
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "r.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "r.pdf"
    assert pdf.exists()
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3 and all(p.stat().st_size > 2000 for p in pages)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "主要举措和成效" in text and "光华区城市更新中心" in text and "数据核验表" in text
