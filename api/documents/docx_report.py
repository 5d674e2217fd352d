"""The unit's 法治政府建设年度报告 draft as a Word document (DOMAIN.md §6 sections, GB/T 9704 layout).

The parts in GB/T 9704-2012 order: 版头 (发文机关标志, 发文字号, red 分隔线; only when the unit set them),
标题, 主送机关, 正文, 附件说明, 发文机关署名 and 成文日期 (7.3.5.2: kept together, on the page of the text's
end), then each attachment on a page of its own: the 数据核验表 in plain words for a superior (optional) and
the roll-up table. The technical proof (log size, Merkle root, figure codes) is for auditors: the ledger
workbook's 核验凭据 sheet (xlsx_ledger.py) and the audit page, not this document.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from domain.catalogue import REPORT_SECTIONS
from domain.report_settings import ORDERS, SUPERVISION, SUPERVISION_LABEL, DocumentSettings
from projections.breakdown import KEY_FIGURES, BreakdownRow

from . import docx_enforcement
from . import docx_layout as layout
from .prose import SUPERVISION_THEME, THEMES, Theme, section_one
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
    settings: DocumentSettings | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
    generated: datetime | None = None,
) -> Document:
    """The draft: 版头, title, 主送机关, opening, the five sections (figures as prose, then the unit's own text
    for each section), 附件说明, signature and date; the attachments. `extra`: prose figures the report does not
    hold (prose.HEAD_LED_LECTURES); `generated`: the file's creation time (now)."""
    narratives = narratives or {}
    settings = settings or DocumentSettings()
    doc = docx.Document()
    layout.setup(doc)
    name, year = report["unit_name"], report["year"]
    title_text = f"{name}关于{year}年度法治政府建设情况的报告"
    _properties(doc, name, title_text, generated or datetime.now(UTC))
    attachments = (["数据核验表"] if settings.verification else []) + ([f"{year}年分单位主要数据"] if rows else [])
    _masthead(doc, settings)
    title = layout.paragraph(
        doc, title_text, "title", size=layout.TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    title.paragraph_format.space_after = layout.Pt(layout.BODY_PT * 2)
    if settings.recipients:  # 7.3.3: under the title, flush left, ending with a full-width colon
        layout.paragraph(doc, settings.recipients.rstrip("：:") + "：", indent=False)
    layout.paragraph(
        doc,
        f"{year}年，{name}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
        f"严格依法履行法定职责，扎实推进法治政府建设各项工作。现将{year}年法治政府建设工作有关情况报告如下：",
    )
    order = ORDERS[settings.order]
    labels = {**REPORT_SECTIONS, SUPERVISION: SUPERVISION_LABEL}
    for n, code in zip("一二三四五六七八", order, strict=False):
        layout.paragraph(doc, f"{n}、{labels[code]}", "heading1")
        if code == "measures":
            shown = [t for t in THEMES if t is not SUPERVISION_THEME or SUPERVISION not in order]
            shown += docx_enforcement.THEMES  # 执法, 决策, 三书 … (DOMAIN.md §7), numbered on
            _measures(doc, report, approx, extra, chart, rows, attachments, shown)
        elif code == SUPERVISION:
            found = section_one(report, approx, extra, [SUPERVISION_THEME])
            layout.paragraph(doc, found[0][1] if found else f"（{year}年台账中暂无承办建议提案的数据。）")
            continue
        text = narratives.get(code)
        for para in text.splitlines() if text else [] if code == "measures" else [PLACEHOLDER]:
            if para.strip():
                layout.paragraph(doc, para.strip())
    layout.keep_with_next(doc.paragraphs[-1])  # the text's last lines go with the 落款: it never starts a page
    _attachment_note(doc, [*attachments, *settings.attachments])
    _signature(doc, name, f"{stamp.year}年{stamp.month}月{stamp.day}日")
    n = 0
    if settings.verification:
        n += 1
        _verification(doc, report, stamp, n)
    if rows:
        n += 1
        _breakdown(doc, report, rows, n)
    return doc


def _measures(
    doc: Document,
    report: dict[str, Any],
    approx: bool,
    extra: dict[str, dict[str, Any]] | None,
    chart: bytes | None,
    rows: list[BreakdownRow],
    attachments: list[str],
    themes: list[Theme],
) -> None:
    """Section 主要举措和成效 from the figures: a paragraph per theme, the trend chart, the roll-up note."""
    year = report["year"]
    found = section_one(report, approx, extra, themes)
    for heading, text in found:
        p = layout.paragraph(doc)
        layout.set_font(p.add_run(heading), "heading2", layout.BODY_PT)
        layout.set_font(p.add_run(text), "body", layout.BODY_PT)
    if not found:
        layout.paragraph(doc, f"（{year}年台账中暂无可汇总的工作数据。）")
    if chart:
        doc.add_picture(io.BytesIO(chart), width=Mm(150))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        layout.paragraph(
            doc, f"图1 {year}年主要工作月度分布", size=TABLE_PT + 1.5, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
        )
    if rows:
        number = attachments.index(f"{year}年分单位主要数据") + 1
        layout.paragraph(doc, f"本报告数据含{len(rows)}个单位（含下级单位）汇总，分单位情况见附件{number}。")


def _properties(doc: Document, unit_name: str, title: str, generated: datetime) -> None:
    """The file's metadata: written by the unit, created when generated (not python-docx's template values)."""
    props = doc.core_properties
    when = generated.astimezone(UTC).replace(tzinfo=None, microsecond=0)  # OOXML: UTC, W3CDTF
    props.author = props.last_modified_by = unit_name
    props.title = title
    props.created = props.modified = when
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""


def _masthead(doc: Document, settings: DocumentSettings) -> None:
    """7.2: 发文机关标志 centred in red 小标宋, 发文字号 two lines under it, the red 分隔线 under the 字号."""
    if not settings.issuer and not settings.number:
        return
    if settings.issuer:
        area = (layout.PAGE_W - layout.LEFT - layout.RIGHT) / 25.4 * 72  # type area width in pt
        size = min(42, int(area / max(layout.width(settings.issuer), 1)))
        p = layout.paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        run = layout.set_font(p.add_run(settings.issuer), "title", size)
        run.font.color.rgb = layout.RED
        p.paragraph_format.line_spacing = layout.Pt(size * 1.2)
        layout.paragraph(doc, indent=False)
        layout.paragraph(doc, indent=False)
    last = layout.paragraph(doc, settings.number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    layout.red_rule(last)
    layout.paragraph(doc, indent=False)


def _attachment_note(doc: Document, names: list[str]) -> None:
    """7.3.4: a line under the text, 左空二字 "附件：" and the names, numbered when more than one, no final
    punctuation; further names aligned under the first."""
    if not names:
        return
    layout.keep_with_next(layout.paragraph(doc, indent=False))
    for i, title in enumerate(names, start=1):
        text = title.rstrip("。；;，,.")
        head = "附件：" if i == 1 else ""
        label = f"{i}. " if len(names) > 1 else ""
        p = layout.paragraph(doc, f"{head}{label}{text}", indent=False)
        p.paragraph_format.left_indent = layout.Pt(layout.BODY_PT * 5)  # 二字 + 附件：
        p.paragraph_format.first_line_indent = layout.Pt(-layout.BODY_PT * 3 if i == 1 else 0)
        layout.keep_with_next(p)


def _signature(doc: Document, name: str, date_text: str) -> None:
    """7.3.5.2 (no seal): a line under the text, the unit 右空二字, the date on the next line, its first character
    two to the right of the unit's; a date longer than that moves the unit left. Kept together, and with the text
    before it, so the date never stands alone on a page."""
    sig, day = layout.width(name), layout.width(date_text)
    sig_right, date_right = 2.0, sig - day
    if date_right < 2:
        date_right, sig_right = 2.0, day + 4 - sig
    layout.keep_with_next(layout.paragraph(doc, indent=False))
    for text, right, last in ((name, sig_right, False), (date_text, date_right, True)):
        p = layout.paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        p.paragraph_format.right_indent = layout.Pt(layout.BODY_PT * right)
        if not last:
            layout.keep_with_next(p)


def _appendix(doc: Document, number: int, title: str) -> None:  # 7.3.4/8: 附件 on new pages, 黑体 top left
    doc.add_page_break()
    layout.paragraph(doc, f"附件{number}", "heading1", indent=False)
    layout.paragraph(doc, title, "title", size=18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def _table(doc: Document, header: list[str], body: list[list[str]], left: int, widths: list[float]) -> None:
    """A grid table; column `left` (the labels) is left-aligned, the rest centred; widths in mm."""
    table = doc.add_table(rows=1 + len(body), cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):  # the grid LibreOffice lays the table out by
        column.width = Mm(width)
    # Row by row: python-docx's table.cell(r, c) and column.cells rebuild the whole cell grid on every call
    # (5.5 s of a 6 s report for the 数据核验表); a row's cells are read from that row alone.
    for r, (row, values) in enumerate(zip(table.rows, [header, *body], strict=True)):
        for c, (cell, text, width) in enumerate(zip(row.cells, values, widths, strict=True)):
            cell.width = Mm(width)
            p = cell.paragraphs[0]
            p.add_run(text).bold = r == 0
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == left and r else WD_ALIGN_PARAGRAPH.CENTER
            layout.compact(p, TABLE_PT)
    layout.table_rows(table)


def _verification(doc: Document, report: dict[str, Any], stamp: datetime, number: int) -> None:
    """The 数据核验表 for a superior: each figure with something to show, this year against last, in words."""
    year = report["year"]
    _appendix(doc, number, "数据核验表")
    sealed = f"，已封存（封存编号 {report['seal']}），封存后不可更改" if report.get("seal") else ""
    layout.paragraph(
        doc,
        f"本表列出本报告所用的各项数据及上年数据。数据截至{stamp.year}年{stamp.month}月{stamp.day}日"
        f"{stamp:%H:%M}{sealed}，由本单位工作台账逐项登记的活动自动汇总，每项数据都能查到具体是哪些活动。"
        "审计核验所需的凭据见台账工作簿的“核验凭据”表。",
        size=TABLE_PT + 1.5,
    )
    header = ["序号", "数据项", f"{year}年", f"{year - 1}年", "比上年", "涉及活动（项）"]
    shown = [f for f in report["figures"].values() if f["value"] or f["previous"]]
    body = [
        [
            str(i),
            f["label"],
            figure_value(f["value"], f["unit"]),
            figure_value(f["previous"], f["unit"]),
            change(f["value"], f["previous"], f["unit"]),
            str(len(f["sources"])),
        ]
        for i, f in enumerate(shown, start=1)
    ]
    if body:
        _table(doc, header, body, left=1, widths=[12, 51, 21, 21, 30, 21])
    else:
        layout.paragraph(doc, f"{year}年及上年台账中均暂无数据。", size=TABLE_PT + 1.5)
    layout.paragraph(doc, "数据自查", "heading2", indent=False)
    for c in report["checks"]:
        layout.paragraph(doc, f"{'相符' if c['ok'] else '需核实'}：{c['message']}", size=TABLE_PT + 1.5)


def _breakdown(doc: Document, report: dict[str, Any], rows: list[BreakdownRow], number: int) -> None:
    """Key figures (rows) per direct child unit and the parent's own activities (columns), with the roll-up total."""
    _appendix(doc, number, f"{report['year']}年分单位主要数据")
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
