"""Official document layout (GB/T 9704-2012 党政机关公文格式) for python-docx documents.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; body 3号 (16 pt) 仿宋, 22 lines of 28 characters
(exact line pitch, characters condensed by 0.25 pt); title 2号 (22 pt) 小标宋; first-level headings 黑体,
second-level 楷体; page numbers "— 1 —" in 4号 (14 pt) in the footer, 单页码居右空一字, 双页码居左空一字 (7.5);
the 版头's 发文机关标志 in red 小标宋 and the red 分隔线 under the 发文字号, as wide as the type area (7.2).
The East Asian font is set through w:eastAsia; each official font is declared in the font table with a Linux
alternative (w:altName) for Word;
LibreOffice substitutes a CJK font of its own (Noto CJK where installed).
"""

from __future__ import annotations

import math
from typing import Literal

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

Role = Literal["title", "body", "heading1", "heading2"]

# role -> (official font, Linux fallback)
FONTS: dict[Role, tuple[str, str]] = {
    "title": ("方正小标宋简体", "Noto Serif CJK SC"),
    "body": ("仿宋_GB2312", "Noto Serif CJK SC"),
    "heading1": ("黑体", "Noto Sans CJK SC"),
    "heading2": ("楷体_GB2312", "Noto Serif CJK SC"),
}
TITLE_PT, BODY_PT, PAGE_NUMBER_PT = 22, 16, 14
RED = RGBColor(0xFF, 0x00, 0x00)  # 7.2.3 / 7.2.6: 发文机关标志 and 分隔线 in red
PAGE_W, PAGE_H = 210, 297
TOP, BOTTOM, LEFT, RIGHT = 37, 35, 28, 26
LINES, CHARS = 22, 28
TWIPS_PER_MM = 1440 / 25.4
LINE_PITCH = int((PAGE_H - TOP - BOTTOM) * TWIPS_PER_MM / LINES)  # 579 twips = 28.95 pt


def char_spacing() -> float:
    """Character spacing (pt, negative = condensed) that fits CHARS full-width characters on a line."""
    pitch_pt = (PAGE_W - LEFT - RIGHT) * TWIPS_PER_MM / CHARS / 20  # 15.79 pt
    return math.floor((pitch_pt - BODY_PT) * 20) / 20  # whole twentieths, rounded towards tighter: -0.25 pt


def set_font(run: Run, role: Role, size: float | None = None, bold: bool = False) -> Run:
    name = FONTS[role][0]
    run.font.name = name
    run.font.bold = bold
    if size:
        run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    return run


def setup(doc: Document) -> None:
    """Page, grid, default style and footer page numbers of every section."""
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.font.name = FONTS["body"][0]
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONTS["body"][0])
    rpr.append(parse_xml(f'<w:spacing {nsdecls("w")} w:val="{round(char_spacing() * 20)}"/>'))
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH / 20)
    fmt.space_before = fmt.space_after = Pt(0)
    doc.settings.odd_and_even_pages_header_footer = True  # 7.5: odd page numbers right, even ones left
    for section in doc.sections:
        _page(section)
    _declare_fonts(doc)


def _page(section: object) -> None:
    s = section  # docx.section.Section
    s.page_width, s.page_height = Mm(PAGE_W), Mm(PAGE_H)  # type: ignore[attr-defined]
    s.top_margin, s.bottom_margin = Mm(TOP), Mm(BOTTOM)  # type: ignore[attr-defined]
    s.left_margin, s.right_margin = Mm(LEFT), Mm(RIGHT)  # type: ignore[attr-defined]
    s.header_distance, s.footer_distance = Mm(15), Mm(21)  # type: ignore[attr-defined]
    sect = s._sectPr  # type: ignore[attr-defined]
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = sect.makeelement(qn("w:docGrid"), {})
        sect.append(grid)
    grid.set(qn("w:type"), "lines")  # a character grid spreads CJK text in LibreOffice; spacing does it instead
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    for footer, align in (
        (s.footer, WD_ALIGN_PARAGRAPH.RIGHT),  # type: ignore[attr-defined]
        (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),  # type: ignore[attr-defined]
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        side = "right_indent" if align == WD_ALIGN_PARAGRAPH.RIGHT else "left_indent"
        setattr(p.paragraph_format, side, Pt(PAGE_NUMBER_PT))  # 空一字
        set_font(p.add_run("— "), "body", PAGE_NUMBER_PT)
        _field(p, "PAGE")
        set_font(p.add_run(" —"), "body", PAGE_NUMBER_PT)


def _field(p: Paragraph, instruction: str) -> None:
    for xml in (
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {nsdecls('w')}><w:t>1</w:t></w:r>",
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        run = parse_xml(xml)
        p._p.append(run)
        set_font(Run(run, p), "body", PAGE_NUMBER_PT)


def _declare_fonts(doc: Document) -> None:
    """Font-table entries for the official fonts, each naming its Linux alternative."""
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    for name, fallback in FONTS.values():
        if root.find(f"{qn('w:font')}[@{qn('w:name')}='{name}']") is not None:
            continue
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): fallback})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "modern" if "宋" in name else "auto"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def paragraph(
    doc: Document,
    text: str = "",
    role: Role = "body",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = True,
) -> Paragraph:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    if text:
        set_font(p.add_run(text), role, size, bold)
    return p


def compact(p: Paragraph, size: float) -> None:
    """A table cell's paragraph: single spacing, off the page's line grid."""
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(0)
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'))
    for run in p.runs:
        set_font(run, "body", size)


def red_rule(p: Paragraph) -> None:
    """The 版头's 分隔线: a red line under the paragraph, as wide as the type area."""
    ppr = p._p.get_or_add_pPr()
    line = '<w:bottom w:val="single" w:sz="12" w:space="1" w:color="FF0000"/>'
    ppr.append(parse_xml(f"<w:pBdr {nsdecls('w')}>{line}</w:pBdr>"))


def keep_with_next(p: Paragraph) -> None:
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.keep_together = True


def table_rows(table: object) -> None:
    """The header row repeated on every page; no row split across pages."""
    for i, row in enumerate(table.rows):  # type: ignore[attr-defined]
        trpr = row._tr.get_or_add_trPr()
        trpr.append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
        if i == 0:
            trpr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))


def width(text: str) -> float:
    """A text's width in full-width characters (ASCII letters and digits are half a character)."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in text)
