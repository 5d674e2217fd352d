"""The assessment bulletin (考核结果通报, DOCX) in the official layout of docx_layout.py: the result per category,
ranked, with each unit's score and the issues the assessment raised (the lowest-scoring indicators)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from .docx_layout import TITLE_PT, compact, paragraph, setup

NUMERALS = "一二三四五六七八九十"


def bulletin(table: Any, names: dict[str, str], issuer_name: str, out: Path | str) -> None:
    system = table.system
    doc = Document()
    setup(doc)
    paragraph(doc, f"关于{system.year}年度{system.name}结果的通报", "title", size=TITLE_PT,
              align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)  # fmt: skip
    progress = table.progress()
    paragraph(
        doc,
        f"根据{system.name}，{issuer_name}对 {progress['units']} 家单位进行了考核，"
        f"其中已定分 {progress['final']} 家。现将考核结果通报如下。",
    )
    by_unit = {s.unit: s for s in table.sheets}
    for n, (category, ranked) in enumerate(table.ranking.items()):
        label = system.categories[category]
        paragraph(doc, f"{NUMERALS[n % 10]}、{label}（满分 {system.full_score(category):g} 分）", "heading1")
        grid = doc.add_table(rows=1, cols=4)
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, ("名次", "单位", "得分", "状态"), strict=True):
            cell.text = text
        for r in ranked:
            s = by_unit[r.unit]
            row = grid.add_row().cells
            status = "" if s.status == "final" else "（未定分）"
            for cell, text in zip(row, (str(r.rank), names.get(r.unit, r.unit), f"{s.total:g}", status), strict=True):
                cell.text = text
        for row in grid.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    compact(p, 12)
        weak = _weakest(table, category)
        if weak:
            paragraph(doc, "失分较多的指标：" + "；".join(weak) + "。")
    paragraph(doc, "请各单位对照失分指标抓好整改，整改情况纳入下一年度考核。")
    paragraph(doc, issuer_name, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    doc.save(out)


def _weakest(table: Any, category: str, top: int = 3) -> list[str]:
    """The leaves with the lowest share of their points across the category's units."""
    totals: dict[str, list[float]] = {}
    names: dict[str, str] = {}
    for s in table.sheets:
        if s.category != category:
            continue
        for line in s.lines:
            if line.leaf and line.max:
                got = totals.setdefault(line.code, [0.0, 0.0])
                got[0] += line.final or 0
                got[1] += line.max
                names[line.code] = line.name
    ranked = sorted(((v[0] / v[1], code) for code, v in totals.items() if v[1]), key=lambda x: x[0])
    return [f"{code} {names[code]}（得分率 {share:.0%}）" for share, code in ranked[:top] if share < 1]
