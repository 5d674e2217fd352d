"""Section 一 of the annual report as prose generated from the figures, in the style of published reports.

Each theme is a heading and clauses; a clause is a verb and a figure, worded as verb + the figure's own
label + value + unit ("开展" + "各类学习活动" + "19" + "次"). Labels come from the figure declarations; a
clause may give a shorter wording where the label alone does not read as a sentence. Zero (and null) figures
are left out, and so is a theme with nothing left.

"其中" is never written as fixed text: a clause declares the figure it is a part of (`part_of`, a figure whose
activities include all of its own), and "其中" is written before the first part shown after its whole, joined
by "，" (or in brackets, "（其中…）", when the part's lead is "（"); the parts after it keep their own lead ("，"
or "、"). A clause that needs a subject when the clause before it was left out (报送备案 after 审查 of 0) says so
in `alone`. Facts the report's figures do not hold (主要负责人带头讲专题党课: `led_by_head` of the sessions) are
passed in as extra figures of the same shape (see `head_led_lectures`).

The themes of the kinds of DOMAIN.md §7 (执法, 决策, 三书 …) are declared in docx_enforcement.py with the same
clauses and written by the same `section_one`. Amounts (元) are exact text with their cents (§7.1): written
with thousands separators, never approximated; zero amounts ("0.00") are left out like zero counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .tables import rate_text


@dataclass(frozen=True)
class Clause:
    fid: str
    verb: str = ""
    words: str | None = None  # replaces the figure's label in the sentence
    lead: str = "，"  # joins this clause to the previous one; "；" opens a new sentence group, "（" brackets a part
    part_of: str | None = None  # the figure whose activities include all of this one's: written after "其中"
    alone: str | None = None  # the wording when it opens its group (the clause before it was left out)


@dataclass(frozen=True)
class Theme:
    heading: str
    clauses: tuple[Clause, ...]
    opening: str = "全年"


def _c(
    fid: str,
    verb: str = "",
    words: str | None = None,
    lead: str = "，",
    part_of: str | None = None,
    alone: str | None = None,
) -> Clause:
    return Clause(fid, verb, words, lead, part_of, alone)


# Not a figure of the report (DOMAIN.md §5 is fixed): the party lectures whose `led_by_head` is true, counted
# from the year's ledger rows by `head_led_lectures` and passed to `section_one` as an extra figure.
HEAD_LED_LECTURES = "study.party_lectures.led_by_head"


THEMES: tuple[Theme, ...] = (
    Theme(
        "加强组织领导，压实法治建设责任",
        (
            _c("governance.meetings", "召开"),
            _c("governance.rule_of_law_meetings", part_of="governance.meetings"),
            _c("governance.inspections", "开展", lead="；"),
            _c("governance.issues_found", "", "发现问题", alone="检查发现问题"),
            _c("governance.issues_rectified", "", "整改问题"),
        ),
    ),
    Theme(
        "加强理论学习，提升法治素养",
        (
            _c("study.sessions", "累计开展"),
            _c("study.law_sessions", "开展", lead="；"),  # every form, trainings too: not a part of the above
            _c("study.speeches", "组织", lead="；"),
            _c("study.party_lectures", "开展", lead="；"),
            _c(HEAD_LED_LECTURES, "", "主要负责人带头讲", part_of="study.party_lectures"),
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
            _c("legal.decision_reviews", part_of="legal.reviews"),
            _c("legal.contract_reviews", part_of="legal.reviews"),
            _c("legal.advisor_engagements", "", "法律顾问参与", part_of="legal.reviews"),
            _c("normdoc.reviewed", "完成", lead="；"),
            _c("normdoc.filed", "", "报送备案", alone="规范性文件报送备案"),
            _c("normdoc.abolished", "", "清理废止或宣布失效规范性文件"),
            _c("normdoc.amended", "", "清理修改规范性文件"),
        ),
    ),
    Theme(
        "依法化解矛盾纠纷，妥善处理诉讼案件",
        (
            _c("case.handled", "处理案件总数", ""),
            _c("case.admin_litigation", part_of="case.handled"),
            _c("case.civil_litigation", part_of="case.handled"),
            _c("case.enforcement", part_of="case.handled"),
            _c("case.reconsideration", part_of="case.handled"),
            _c("case.new", "", "新收案件", lead="；"),
            _c("case.hearings", "", "开庭", lead="；"),
            _c("case.coordinations"),
            _c("case.mediated"),
            _c("case.resolved", "", "实质性化解案件"),
            _c("case.enforcement_resolved"),
            _c("case.admin_concluded", "", "行政诉讼案件审结", lead="；"),
            _c("case.admin_lost", "", "败诉", alone="行政诉讼败诉"),
            _c("case.admin_loss_rate"),
            _c("case.head_appearance_rate"),
            _c("reconsideration.concluded", "", "行政复议案件审结", lead="；"),
            _c("reconsideration.corrected", "", "被纠错", alone="行政复议被纠错"),
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
            _c("disclosure.requests_carried_in", "", "上年结转", alone="依申请公开上年结转"),
            _c("disclosure.requests_replied", "", "办结", alone="依申请公开办结"),
            _c("disclosure.requests_carried_out", "", "结转下年", alone="依申请公开结转下年"),
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


def amount(value: int | float | str, unit: str, approx: bool = False) -> str:
    """A value as the prose writes it: rates as `rate_text`, money exact with its cents and thousands separators,
    counts approximated when asked."""
    if unit == "%":
        return rate_text(value)  # type: ignore[arg-type]
    if isinstance(value, str):  # money (§7.1): exact text, never approximated
        whole, _, cents = value.partition(".")
        return f"{int(whole):,}.{cents}{unit}"
    return f"{approximate(int(value)) if approx else value}{unit}"


NOTHING = (None, 0, "0.00")  # values left out of the prose: null, zero, a zero amount


def parts(themes: Iterable[Theme]) -> dict[str, str]:
    """part → whole for every clause that is written after "其中"."""
    return {c.fid: c.part_of for t in themes for c in t.clauses if c.part_of}


PARTS: dict[str, str] = parts(THEMES)


def head_led_lectures(rows: Iterable[Any], year: int, own_unit: str) -> dict[str, dict[str, Any]]:
    """The extra figure HEAD_LED_LECTURES from the year's ledger rows (projections.ledger_rows.ActivityRow of
    study sessions): live party lectures dated in `year` whose `led_by_head` is true; sources as in a report."""
    sources = sorted(
        r.ref if r.unit == own_unit else f"{r.unit}/{r.ref}"
        for r in rows
        if not r.voided and r.date.year == year and r.data.get("form") == "party_lecture" and r.data.get("led_by_head")
    )
    label = "主要负责人带头讲专题党课"
    return {HEAD_LED_LECTURES: {"label": label, "unit": "次", "value": len(sources), "sources": sources}}


SUPERVISION_THEME = THEMES[-1]  # 接受人大监督和政协民主监督: a section of its own in the 2025 order


def section_one(
    report: dict[str, Any],
    approx: bool = False,
    extra: Mapping[str, dict[str, Any]] | None = None,
    themes: Iterable[Theme] = THEMES,
) -> list[tuple[str, str]]:
    """(heading, paragraph) per theme with something to say; headings numbered （一）（二）… as they appear.
    `extra`: figures the report does not hold (HEAD_LED_LECTURES); a clause whose figure is absent is left out."""
    figures = {**report["figures"], **(extra or {})}
    out: list[tuple[str, str]] = []
    for theme in themes:
        text = _theme_text(theme, figures, approx)
        if text:
            number = CHINESE_NUMERALS[len(out)] if len(out) < 10 else str(len(out) + 1)
            out.append((f"（{number}）{theme.heading}。", f"{theme.opening}{text}。"))
    return out


def _theme_text(theme: Theme, figures: Mapping[str, dict[str, Any]], approx: bool) -> str:
    text = ""
    shown: set[str] = set()
    group_open = False  # a clause of the current sentence group (since the last "；") has been written
    listing: str | None = None  # the whole whose parts are being listed after "其中"
    bracket = False  # that list was opened with "（": closed where the list ends
    for clause in theme.clauses:
        if clause.lead == "；":
            group_open = False
        f = figures.get(clause.fid)
        if f is None or f["value"] in NOTHING:
            continue
        lead, verb = clause.lead, clause.verb
        words = f["label"] if clause.words is None else clause.words
        whole = clause.part_of if clause.part_of in shown else None
        if whole != listing and bracket:
            text, bracket = text + "）", False
        if whole is not None:
            if listing != whole:  # the first part shown opens the list, whichever part of it that is
                verb = "其中" + verb
                lead = "（" if clause.lead == "（" else "，"
                bracket = lead == "（"
                listing = whole
        else:
            if lead == "（" or (listing is not None and lead == "，"):  # not a part: it must not read as one
                lead = "；" if listing is not None else "，"
            listing = None
            if not group_open or lead == "；":
                words = clause.alone or words
        piece = f"{verb}{words}{amount(f['value'], f['unit'], approx)}"
        text += (lead if text else "") + piece
        shown.add(clause.fid)
        group_open = True
    return text + ("）" if bracket else "")
