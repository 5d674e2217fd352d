"""The unit's 法治政府建设年度报告 draft as a Word document (DOMAIN.md §6 sections, GB/T 9704 layout)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from domain.catalogue import REPORT_SECTIONS
from projections.breakdown import KEY_FIGURES, BreakdownRow

from . import docx_enforcement
from . import docx_layout as layout
from .prose import section_one
from .tables import change, figure_value

SECTIONS = {code: f"{n}、{label}" for n, (code, label) in zip("一二三四五", REPORT_SECTIONS.items(), strict=True)}
PLACEHOLDER = "（待填写）"
TABLE_PT = 10.5  # 五号


def build(
    report: dict[str, Any],
    stamp: datetime,
    rows: list[BreakdownRow],
    approx: bool = False,
    narratives: dict[str, str] | None = None,
    chart: bytes | None = None,
) -> Document:
    """The draft: title, opening, the five sections (figures as prose, then the unit's own text for each
    section), signature; appendices 数据核验表 and the roll-up table."""
    narratives = narratives or {}
    doc = docx.Document()
    layout.setup(doc)
    name, year = report["unit_name"], report["year"]
    title = layout.paragraph(
        doc,
        f"{name}关于{year}年度法治政府建设情况的报告",
        "title",
        size=layout.TITLE_PT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    title.paragraph_format.space_after = layout.Pt(layout.BODY_PT * 2)
    layout.paragraph(
        doc,
        f"{year}年，{name}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
        f"严格依法履行法定职责，扎实推进法治政府建设各项工作。现将{year}年法治政府建设工作有关情况报告如下：",
    )
    layout.paragraph(doc, SECTIONS["measures"], "heading1")
    themes = section_one(report, approx)
    themes += docx_enforcement.themes(report, approx, after=len(themes))  # 执法, 决策, 三书 … (DOMAIN.md §7)
    for heading, text in themes:
        p = layout.paragraph(doc)
        layout.set_font(p.add_run(heading), "heading2", layout.BODY_PT)
        layout.set_font(p.add_run(text), "body", layout.BODY_PT)
    if not themes:
        layout.paragraph(doc, f"（{year}年台账中暂无可汇总的工作数据。）")
    if chart:
        doc.add_picture(io.BytesIO(chart), width=Mm(150))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        layout.paragraph(
            doc, f"图1 {year}年主要工作月度分布", size=TABLE_PT + 1.5, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
        )
    if rows:
        layout.paragraph(doc, f"本报告数据含{len(rows)}个单位（含下级单位）汇总，分单位情况见附件2。")
    for code, heading in SECTIONS.items():
        if code != "measures":
            layout.paragraph(doc, heading, "heading1")
        text = narratives.get(code)
        for para in text.splitlines() if text else [] if code == "measures" else [PLACEHOLDER]:
            if para.strip():
                layout.paragraph(doc, para.strip())
    doc.add_paragraph()
    for text in (name, f"{stamp.year}年{stamp.month}月{stamp.day}日"):
        p = layout.paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        p.paragraph_format.right_indent = layout.Pt(layout.BODY_PT * 4)
    _verification(doc, report, stamp)
    if rows:
        _breakdown(doc, report, rows)
    return doc


def _appendix(doc: Document, number: int, title: str) -> None:
    doc.add_page_break()
    layout.paragraph(doc, f"附件{number}", "heading1", indent=False)
    layout.paragraph(doc, title, "title", size=18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def _table(doc: Document, header: list[str], body: list[list[str]], left: int, widths: list[float]) -> None:
    """A grid table; column `left` (the labels) is left-aligned, the rest centred; widths in mm."""
    table = doc.add_table(rows=1 + len(body), cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    # Row by row: python-docx's table.cell(r, c) and column.cells rebuild the whole cell grid on every call
    # (5.5 s of a 6 s report for the 数据核验表); a row's cells are read from that row alone.
    for r, (row, values) in enumerate(zip(table.rows, [header, *body], strict=True)):
        for c, (cell, text, width) in enumerate(zip(row.cells, values, widths, strict=True)):
            cell.width = Mm(width)
            p = cell.paragraphs[0]
            p.add_run(text).bold = r == 0
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == left and r else WD_ALIGN_PARAGRAPH.CENTER
            layout.compact(p, TABLE_PT)


def _verification(doc: Document, report: dict[str, Any], stamp: datetime) -> None:
    year = report["year"]
    _appendix(doc, 1, "数据核验表")
    log = report["log"]
    sealed = f"本表数据已封存，封存编号 {report['seal']}；" if report.get("seal") else ""
    layout.paragraph(
        doc,
        f"数据截至{stamp.year}年{stamp.month}月{stamp.day}日{stamp:%H:%M}，事件日志{log['size']}条。{sealed}"
        f"日志 Merkle 根 {log['root']}，可用“taizhang verify --root 根 --size 条数”核验。"
        f"每项数字均可用“taizhang explain 编号”追溯到具体活动。",
        size=TABLE_PT + 1.5,
    )
    header = ["序号", "指标", "编号", f"{year}年", f"{year - 1}年", "增减", "来源活动"]
    body = [
        [
            str(i),
            f["label"],
            fid,
            figure_value(f["value"], f["unit"]),
            figure_value(f["previous"], f["unit"]),
            change(f["value"], f["previous"], f["unit"]),
            str(len(f["sources"])),
        ]
        for i, (fid, f) in enumerate(report["figures"].items(), start=1)
    ]
    _table(doc, header, body, left=1, widths=[9, 34, 45, 17, 17, 22, 12])
    layout.paragraph(doc, "核验结果", "heading2", indent=False)
    for c in report["checks"]:
        layout.paragraph(doc, f"{'✓' if c['ok'] else '✗'} {c['message']}", size=TABLE_PT + 1.5)


def _breakdown(doc: Document, report: dict[str, Any], rows: list[BreakdownRow]) -> None:
    """Key figures (rows) per direct child unit and the parent's own activities (columns), with the roll-up total."""
    _appendix(doc, 2, f"{report['year']}年分单位主要数据")
    figures = report["figures"]
    header = ["指标", *(f"{r.name}（本级）" if r.own else r.name for r in rows), "合计"]
    body = [
        [
            f"{figures[fid]['label']}（{figures[fid]['unit']}）",
            *(figure_value(r.values[fid], figures[fid]["unit"], False) for r in rows),
            figure_value(figures[fid]["value"], figures[fid]["unit"], False),
        ]
        for fid in KEY_FIGURES
    ]
    rest = (layout.PAGE_W - layout.LEFT - layout.RIGHT - 40) / (len(header) - 1)
    _table(doc, header, body, left=0, widths=[40, *[rest] * (len(header) - 1)])
