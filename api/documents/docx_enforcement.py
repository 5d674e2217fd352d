"""Section 一 of the annual report for the kinds of DOMAIN.md §7: 行政执法, 重大行政决策, “三书”, 12345 诉求,
公共法律服务 and 述法, as prose in the style of published reports (R01–R16), each theme written only when the
unit has such activities in the year. `themes` continues the numbering of the themes before it, and
`docx_report` writes them with the others.

A clause is a verb, the figure's wording and its value; zero and null values are left out, and a theme with
nothing left out entirely. Amounts (元) are written exactly, with their cents (§7.1); counts may be
approximated (23 → 20余) like every other count of the report; rates never are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .prose import CHINESE_NUMERALS, approximate


@dataclass(frozen=True)
class Clause:
    fid: str
    verb: str = ""
    words: str | None = None  # replaces the figure's label in the sentence
    lead: str = "，"  # joins this clause to the previous one


@dataclass(frozen=True)
class Theme:
    heading: str
    clauses: tuple[Clause, ...]
    opening: str = "全年"


def _c(fid: str, verb: str = "", words: str | None = None, lead: str = "，") -> Clause:
    return Clause(fid, verb, words, lead)


THEMES: tuple[Theme, ...] = (
    Theme(
        "严格规范公正文明执法",
        (
            _c("enforcement.penalty_cases", "立案查处", "行政处罚案件"),
            _c("enforcement.simple", "其中", "简易程序"),
            _c("enforcement.ordinary", "", "普通程序", lead="、"),
            _c("enforcement.penalty_decisions", "作出", "行政处罚决定", lead="；"),
            _c("enforcement.forfeitures", "", "罚没金额"),
            _c("enforcement.fines", "其中", "罚款", lead="（"),
            _c("enforcement.lenient", "", "包容审慎（不予、从轻、减轻处罚）", lead="；"),
            _c("enforcement.transferred", "", "涉嫌犯罪移送司法机关", lead="；"),
            _c("enforcement.withdrawn", "", "撤销立案", lead="；"),
            _c("enforcement.compulsion_measures", "实施", "行政强制措施", lead="；"),
            _c("enforcement.compulsion_executions", "", "行政强制执行", lead="、"),
            _c("enforcement.court_applications", "", "申请法院强制执行", lead="、"),
            _c("enforcement.inspections", "开展", "行政检查", lead="；"),
            _c("enforcement.licence_applications", "受理", "行政许可申请", lead="；"),
            _c("enforcement.licence_granted", "", "准予许可"),
            _c("enforcement.licence_refused", "", "不予许可", lead="、"),
            _c("enforcement.other_acts", "实施", "其他行政执法行为", lead="；"),
            _c("enforcement.legal_reviews", "开展", "法制审核", lead="；"),
            _c("enforcement.legal_review_corrections", "", "审核纠错"),
            _c("enforcement.execution_rate", "", "行政处罚决定执结率", lead="；"),
            _c("enforcement.publication_rate", "", "公示率", lead="、"),
            _c("enforcement.on_time_rate", "", "普通程序案件按期办结率", lead="、"),
        ),
    ),
    Theme(
        "推进重大行政决策科学化、民主化、法治化",
        (
            _c("decision.catalogued", "将", "事项纳入重大行政决策目录"),
            _c("decision.adopted", "其中", "已出台"),
            _c("decision.pending", "", "按程序推进", lead="、"),
            _c("decision.made", "经集体讨论决定", "重大行政决策", lead="；"),
            _c("decision.review_rate", "", "合法性审查率"),
        ),
    ),
    Theme(
        "自觉接受司法监督，认真办理“三书”",
        (
            _c("letters.received", "收到", "司法建议、检察建议和行政复议意见书（“三书”）"),
            _c("letters.judicial", "其中", "司法建议"),
            _c("letters.procuratorial", "", "检察建议", lead="、"),
            _c("letters.reconsideration", "", "行政复议意见书", lead="、"),
            _c("letters.on_time_rate", "", "按期办复率", lead="；"),
        ),
    ),
    Theme(
        "畅通诉求渠道，回应群众关切",
        (
            _c("hotline.received", "受理", "12345热线等群众诉求"),
            _c("hotline.conclusion_rate", "", "办结率"),
            _c("hotline.satisfaction_rate", "", "满意率（含基本满意）"),
        ),
    ),
    Theme(
        "完善公共法律服务",
        (
            _c("legal_service.receptions", "接待办事群众", ""),
            _c("legal_service.consultations", "提供法律咨询", ""),
            _c("legal_service.duty_sessions", "法律顾问值班坐班", ""),
            _c("legal_service.mediations", "开展人民调解", ""),
        ),
    ),
    Theme(
        "落实述法制度",
        (
            _c("law_report.reports", "组织述法", ""),
            _c("law_report.principals_on_site", "其中党政主要负责人现场述法", ""),
        ),
    ),
)


def amount(value: Any, unit: str, approx: bool) -> str:
    if unit == "%":
        return f"{value:.2f}".rstrip("0").rstrip(".") + "%"
    if isinstance(value, str):  # money: exact, with cents and thousands separators
        whole, _, cents = value.partition(".")
        return f"{int(whole):,}.{cents}{unit}"
    return f"{approximate(int(value)) if approx else value}{unit}"


def themes(report: dict[str, Any], approx: bool = False, after: int = 0) -> list[tuple[str, str]]:
    """(heading, paragraph) per theme with something to say, numbered on from the `after` themes before."""
    figures = report["figures"]
    out: list[tuple[str, str]] = []
    for theme in THEMES:
        text, open_paren, pending = "", False, None
        for clause in theme.clauses:
            f = figures[clause.fid]
            if clause.lead != "、":
                pending = None  # a 其中 group ends where a clause is not joined with 、
            if f["value"] in (None, 0, "0.00"):
                if clause.verb == "其中":
                    pending = clause  # the next item of the group carries 其中 (and its lead) instead
                continue
            verb, lead = clause.verb, clause.lead
            if pending is not None:
                verb, lead, pending = pending.verb + verb, pending.lead, None
            words = f["label"] if clause.words is None else clause.words
            piece = f"{verb}{words}{amount(f['value'], f['unit'], approx)}"
            lead = lead if text else ""
            if open_paren and lead != "（":
                text, open_paren = text + "）", False
            open_paren = open_paren or lead == "（"
            text += lead + piece
        if open_paren:
            text += "）"
        if text:
            n = after + len(out)
            number = CHINESE_NUMERALS[n] if n < len(CHINESE_NUMERALS) else str(n + 1)
            out.append((f"（{number}）{theme.heading}。", f"{theme.opening}{text}。"))
    return out
