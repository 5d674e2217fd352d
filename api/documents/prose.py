"""Section 一 of the annual report as prose generated from the figures, in the style of published reports.

Each theme is a heading and clauses; a clause is a verb and a figure, worded as verb + the figure's own
label + value + unit ("开展" + "各类学习活动" + "19" + "次"). Labels come from the figure declarations; a
clause may give a shorter wording where the label alone does not read as a sentence. Zero (and null) figures
are left out, and so is a theme with nothing left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
        "加强组织领导，压实法治建设责任",
        (
            _c("governance.meetings", "召开"),
            _c("governance.rule_of_law_meetings", "其中", lead="，"),
            _c("governance.inspections", "开展", lead="；"),
            _c("governance.issues_found", "", "发现问题"),
            _c("governance.issues_rectified", "", "整改问题"),
        ),
    ),
    Theme(
        "加强理论学习，提升法治素养",
        (
            _c("study.sessions", "累计开展"),
            _c("study.law_sessions", "其中开展"),
            _c("study.speeches", "组织", lead="；"),
            _c("study.party_lectures", "主要负责人带头讲", lead="；"),
            _c("study.business_trainings", "开展", "业务培训和集体学习", lead="；"),
            _c("study.attendance", "累计参学", "", lead="；"),
            _c("study.notes", "收集", lead="；"),
            _c("study.reflections", "撰写", lead="；"),
            _c("exam.sessions", "组织", lead="；"),
            _c("exam.participation_rate"),
            _c("exam.pass_rate"),
        ),
    ),
    Theme(
        "深化普法宣传，落实普法责任",
        (
            _c("publicity.events", "开展"),
            _c("publicity.audience", "覆盖群众", ""),
            _c("publicity.materials", "", "发放宣传资料"),
            _c("publicity.consultations", "", "解答法律咨询"),
        ),
    ),
    Theme(
        "坚持依法决策，规范行政行为",
        (
            _c("legal.reviews", "办理"),
            _c("legal.decision_reviews", "其中"),
            _c("legal.contract_reviews"),
            _c("legal.advisor_engagements", "", "法律顾问参与"),
            _c("normdoc.reviewed", "完成", lead="；"),
            _c("normdoc.filed", "", "报送备案"),
            _c("normdoc.abolished", "", "清理废止或宣布失效规范性文件"),
            _c("normdoc.amended", "", "清理修改规范性文件"),
        ),
    ),
    Theme(
        "依法化解矛盾纠纷，妥善处理诉讼案件",
        (
            _c("case.handled", "处理案件总数", ""),
            _c("case.admin_litigation", "其中"),
            _c("case.civil_litigation"),
            _c("case.enforcement"),
            _c("case.reconsideration"),
            _c("case.new", "", "新收案件", lead="；"),
            _c("case.hearings", "", "开庭", lead="；"),
            _c("case.coordinations"),
            _c("case.mediated"),
            _c("case.resolved", "", "实质性化解案件"),
            _c("case.enforcement_resolved"),
            _c("case.admin_concluded", "", "行政诉讼案件审结", lead="；"),
            _c("case.admin_lost", "", "败诉"),
            _c("case.admin_loss_rate"),
            _c("case.head_appearance_rate"),
            _c("reconsideration.concluded", "", "行政复议案件审结", lead="；"),
            _c("reconsideration.corrected", "", "被纠错"),
            _c("reconsideration.correction_rate"),
            _c("petition.received", "受理信访", "", lead="；"),
            _c("petition.visitors", "接待来访群众", ""),
            _c("petition.reply_rate"),
            _c("petition.on_time_rate", "", "申诉求决类信访按期办结率"),
        ),
    ),
    Theme(
        "落实政务公开，强化制约监督",
        (
            _c("disclosure.proactive", "", "主动公开政府信息"),
            _c("disclosure.requests_received", "", "收到政府信息公开申请", lead="；"),
            _c("disclosure.requests_carried_in", "", "上年结转"),
            _c("disclosure.requests_replied", "", "办结"),
            _c("disclosure.requests_carried_out", "", "结转下年"),
        ),
    ),
    Theme(
        "自觉接受人大监督和政协民主监督",
        (
            _c("proposal.npc", ""),
            _c("proposal.cppcc", "", lead="、"),
            _c("proposal.meeting_rate", "", lead="，"),
            _c("proposal.contact_rate", lead="、"),
            _c("proposal.reply_rate", lead="、"),
            _c("proposal.satisfaction_rate", "", "代表委员满意率（含基本满意）", lead="、"),
        ),
    ),
)

CHINESE_NUMERALS = "一二三四五六七八九十"


def approximate(value: int) -> str:
    """DOMAIN.md §3: a count ≥ 20 not a multiple of 10 reads as its tens plus 余 (23 → 20余, 143 → 140余)."""
    return f"{value // 10 * 10}余" if value >= 20 and value % 10 else str(value)


def amount(value: int | float, unit: str, approx: bool = False) -> str:
    if unit == "%":
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return f"{text}%"
    return f"{approximate(int(value)) if approx else value}{unit}"


def section_one(report: dict[str, Any], approx: bool = False) -> list[tuple[str, str]]:
    """(heading, paragraph) per theme with something to say; headings numbered （一）（二）… as they appear."""
    figures = report["figures"]
    out: list[tuple[str, str]] = []
    for theme in THEMES:
        text = ""
        for clause in theme.clauses:
            f = figures[clause.fid]
            if not f["value"]:
                continue
            words = f["label"] if clause.words is None else clause.words
            piece = f"{clause.verb}{words}{amount(f['value'], f['unit'], approx and f['unit'] != '%')}"
            text += (clause.lead if text else "") + piece
        if text:
            number = CHINESE_NUMERALS[len(out)] if len(out) < 10 else str(len(out) + 1)
            out.append((f"（{number}）{theme.heading}。", f"{theme.opening}{text}。"))
    return out
