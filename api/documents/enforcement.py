"""The statutory 行政执法数据年报 table (DOMAIN.md §7.5; the tables of 庆元县 2024, 广州, 杭州, 大同, 永川):
which figures, in which order and under which headings — penalties by class, fines and forfeitures,
compulsion, inspection, licences, other acts. Declared once here and read by the XLSX sheet
(`xlsx_enforcement`) and the report page, from the report JSON as `projections.report` gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.figures import FIGURES

from .tables import change

PENALTY_CLASSES = tuple(f.id for f in FIGURES if f.id.startswith("enforcement.penalty_class."))


@dataclass(frozen=True)
class Line:
    fid: str
    label: str | None = None  # the table's wording, where it differs from the figure's label
    sub: bool = False  # a 其中 line: indented under the line above


@dataclass(frozen=True)
class Block:
    heading: str
    lines: tuple[Line, ...]


TABLE: tuple[Block, ...] = (
    Block(
        "一、行政处罚",
        (
            Line("enforcement.penalty_cases", "立案查处"),
            Line("enforcement.simple", "其中：简易程序", sub=True),
            Line("enforcement.ordinary", "其中：普通程序", sub=True),
            Line("enforcement.withdrawn"),
            Line("enforcement.penalty_decisions"),
            *(Line(fid, sub=True) for fid in PENALTY_CLASSES),
            Line("enforcement.no_penalty"),
            Line("enforcement.lenient"),
            Line("enforcement.transferred"),
            Line("enforcement.fines"),
            Line("enforcement.forfeitures", "罚没金额（罚款及没收）"),
            Line("enforcement.execution_rate"),
            Line("enforcement.publication_rate"),
            Line("enforcement.on_time_rate", "普通程序按期办结率"),
            Line("enforcement.legal_reviews"),
            Line("enforcement.legal_review_corrections", "其中：审核纠错", sub=True),
        ),
    ),
    Block(
        "二、行政强制",
        (
            Line("enforcement.compulsion_measures"),
            Line("enforcement.compulsion_executions"),
            Line("enforcement.court_applications"),
        ),
    ),
    Block("三、行政检查", (Line("enforcement.inspections"),)),
    Block(
        "四、行政许可",
        (
            Line("enforcement.licence_applications", "申请"),
            Line("enforcement.licence_accepted"),
            Line("enforcement.licence_granted"),
            Line("enforcement.licence_refused"),
            Line("enforcement.licence_revoked"),
        ),
    ),
    Block("五、其他行政执法行为", (Line("enforcement.other_acts", "其他行政执法行为"),)),
)


@dataclass(frozen=True)
class TableRow:
    """One line of the table as a person reads it (values as texts, without the unit)."""

    block: str
    fid: str
    label: str
    unit: str
    value: str
    previous: str
    change: str
    sub: bool


def _given(value: Any) -> bool:
    """A count or amount that says something happened (rates say nothing on their own)."""
    return value not in (None, 0, "0.00")


def has_enforcement(report: dict[str, Any]) -> bool:
    """Whether the unit (with its descendants) has any enforcement in the year or the year before: only then
    do the documents and the page carry the table."""
    shown = [report["figures"][line.fid] for block in TABLE for line in block.lines]
    return any(f["unit"] != "%" and (_given(f["value"]) or _given(f["previous"])) for f in shown)


def shown(value: Any) -> str:
    """A value as the table prints it: thousands separated, amounts with their cents, rates with 2 decimals."""
    if value is None:
        return "—"
    if isinstance(value, str):  # money (§7.1): the exact 2-decimal string
        whole, _, cents = value.partition(".")
        return f"{int(whole):,}.{cents}"
    return f"{value:.2f}" if isinstance(value, float) else f"{value:,}"


def rows(report: dict[str, Any]) -> list[TableRow]:
    """Every line of the table, in order."""
    figures = report["figures"]
    out = []
    for block in TABLE:
        for line in block.lines:
            f = figures[line.fid]
            out.append(
                TableRow(
                    block.heading,
                    line.fid,
                    line.label or f["label"],
                    f["unit"],
                    shown(f["value"]),
                    shown(f["previous"]),
                    change(f["value"], f["previous"], f["unit"]),
                    line.sub,
                )
            )
    return out


def table_of(report: dict[str, Any]) -> list[TableRow]:
    """The table's rows for a unit that has enforcement, else none (the page and the sheet show nothing)."""
    return rows(report) if has_enforcement(report) else []
