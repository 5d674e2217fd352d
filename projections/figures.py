"""The figures of DOMAIN.md §3 (64) and §7.5 (68: 55 rows, one of them 13 penalty classes), declared in one place.

A figure is one or more parts. Every part is local to one activity: it yields, per activity, what the
activity contributes (num, den) and the years it contributes to (yr_from..yr_to). That lets the read
model precompute every contribution when it folds an activity, and a report is one grouped scan.
A part is either a filter over one relation, or custom SQL selecting
(oid, unit, ref, yr_from, yr_to, num, den). The relations are
  A  live activities, with y = year of their date,
  AV the same including voided activities,
  S  live steps of live activities, with sy = year of the step's date and the activity's
     unit, ref, kind, y, case_type and category.
A count or sum is sum(num); a rate is 100 * sum(num) / sum(den), null when sum(den) = 0.
The sources are the distinct activities behind the rows. `{TZ}` in SQL is the ledger's time zone.

A money figure sums integer cents (exact) and is reported as a string with two decimals; a score figure sums
score × 100 × weight over the weights and is reported as a number. A figure whose rows depend on the day D of
the report (a due-based rate, §7.3: `{D}` in its SQL) is `dated`: it is not precomputed but evaluated when a
report is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.catalogue import PENALIZING, PENALTY_CLASSES, PENALTY_OUTCOMES
from domain.deadlines import LATE_ENTRY_DAYS, LETTER_REPLY_PERIODS, PENALTY_DECISION_DAYS, PETITION_CONCLUDE_DAYS


@dataclass(frozen=True)
class Part:
    over: str  # "A", "AV" or "S"; or "SQL" with `sql` selecting oid, unit, ref, yr_from, yr_to, num, den
    where: str = "TRUE"
    num: str = "1"
    den: str = "0"
    year: str = "y"  # the column that puts a row in a year
    sql: str = ""


@dataclass(frozen=True)
class Figure:
    id: str
    label: str
    unit: str
    parts: tuple[Part, ...]
    rate: bool = False
    money: bool = False  # num is cents; the value a string with 2 decimals (DOMAIN.md §7.1)
    score: bool = False  # num / den / 100, rounded like a rate; null when den is 0 (exam.average_score)
    dated: bool = False  # rows depend on the report's day D (`{D}` in the SQL): evaluated per report


def count(id: str, label: str, unit: str, kind: str, where: str = "TRUE") -> Figure:
    return Figure(id, label, unit, (Part("A", f"kind = '{kind}' AND {where}"),))


def total(id: str, label: str, unit: str, kind: str, column: str, where: str = "TRUE") -> Figure:
    return Figure(id, label, unit, (Part("A", f"kind = '{kind}' AND {where}", f"coalesce({column}, 0)"),))


def steps(id: str, label: str, unit: str, kind: str, step: str, where: str = "TRUE") -> Figure:
    return Figure(id, label, unit, (Part("S", f"kind = '{kind}' AND step = '{step}' AND {where}", year="sy"),))


def share(id: str, label: str, over: str, where: str, hit: str, year: str = "y") -> Figure:
    """A rate over one row per activity in `where`; `hit` marks the numerator."""
    return Figure(id, label, "%", (Part(over, where, f"CASE WHEN {hit} THEN 1 ELSE 0 END", "1", year),), rate=True)


def custom(id: str, label: str, unit: str, sql: str, rate: bool = False, dated: bool = False) -> Figure:
    return Figure(id, label, unit, (Part("SQL", sql=sql),), rate, dated=dated)


def has_step(step: str) -> str:
    return f"oid IN (SELECT oid FROM S WHERE step = '{step}')"


CLOSED = "LEFT JOIN (SELECT oid, date AS closed FROM S WHERE step = 'closed') USING (oid)"
REPLIED = "LEFT JOIN (SELECT oid, date AS replied FROM S WHERE step = 'replied') USING (oid)"
NEVER = "9999"  # the last year of something still open
ADMIN_LOST = "outcome IN ('lost', 'partially_lost')"
RECON_CORRECTED = "outcome IN ('revoked', 'altered', 'confirmed_illegal', 'ordered_to_perform')"
DECIDED = "kind = 'case' AND step = 'decided' AND case_type = "


def cents(column: str) -> str:
    """An exact money column (DECIMAL(15, 2)) as integer cents, 0 when absent."""
    return f"CAST(coalesce({column}, 0) * 100 AS BIGINT)"


def _codes(values: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# ---- DOMAIN.md §7.3: deadlines as SQL over a relation `a` (an activity row), from domain/deadlines.py ----


def penalty_deadline(a: str = "a", extended: str = "e.days") -> str:
    """date + 90 days + the days of every live `extended` (行政处罚法 2021 §60); `extended` is their sum."""
    return f"{a}.date + CAST({PENALTY_DECISION_DAYS} + coalesce({extended}, 0) AS INTEGER)"


def letter_deadline(a: str = "a") -> str:
    """date + reply_days when the letter sets them, else its type's period (N days, or N months clamped to the
    month's last day: DuckDB's date + months does that)."""
    by_type = " ".join(
        f"WHEN {a}.\"type\" = '{t}' THEN CAST({a}.date + to_months({months}) AS DATE) + {days}"
        for t, (days, months) in LETTER_REPLY_PERIODS.items()
    )
    return f"CASE WHEN {a}.reply_days IS NOT NULL THEN {a}.date + CAST({a}.reply_days AS INTEGER) {by_type} END"


# The live extensions of a penalty case, summed, and its closing step (a live decided or withdrawn: at most one).
PENALTY_EXTENSIONS = (
    "SELECT oid, sum(days) AS days FROM S WHERE kind = 'enforcement_case' AND step = 'extended' GROUP BY oid"
)
PENALTY_CLOSING = (
    "SELECT oid, min(date) AS date FROM S WHERE kind = 'enforcement_case' AND step IN ('decided', 'withdrawn')"
    " GROUP BY oid"
)
LETTER_REPLY = (
    "SELECT oid, min(date) AS date FROM S WHERE kind = 'supervision_letter' AND step = 'replied' GROUP BY oid"
)
ORDINARY_PENALTY = "a.kind = 'enforcement_case' AND a.action = 'penalty' AND a.procedure = 'ordinary'"


def on_time(id: str, label: str, items: str, where: str, closing: str, deadline: str) -> Figure:
    """DOMAIN.md §7.3: of the items in Y (`items` as `a`, filtered by `where`) that are due on the report's day D
    (with their closing step, live, of any date; or deadline strictly before D), the share closed on or before
    the deadline (a due item without its closing step is late)."""
    return custom(
        id,
        label,
        "%",
        f"SELECT a.oid, a.unit, a.ref, a.y AS yr_from, a.y AS yr_to,"
        f" CASE WHEN c.date IS NOT NULL AND c.date <= {deadline} THEN 1 ELSE 0 END AS num, 1 AS den"
        f" FROM {items} LEFT JOIN ({closing}) c ON c.oid = a.oid"
        f" WHERE {where} AND (c.date IS NOT NULL OR {deadline} < {{D}})",
        rate=True,
        dated=True,
    )


ENF = "kind = 'enforcement_case'"
PENALTY_CASE = f"{ENF} AND action = 'penalty'"
PENALTY_DECIDED = f"{PENALTY_CASE} AND step = 'decided'"
PENALTY_DECISION = f"{PENALTY_DECIDED} AND outcome IN {_codes(PENALIZING)}"
LAW_EXAM = "\"type\" = 'law_exam'"  # absent = law_exam (the catalogue's default, applied when folding)
SATISFIED = "satisfaction IN ('satisfied', 'basically_satisfied')"
ITEMS_DECIDED = " + ".join(
    f"coalesce({c}, 0)" for c in ("items_major", "items_personnel", "items_projects", "items_funds", "items_other")
)
assert set(PENALTY_OUTCOMES) >= set(PENALIZING)


def _published_by_year_end(step: str) -> str:
    """The activity has a live `step` dated on or before 31 Dec of the year it counts in (catalogue year)."""
    return f"oid IN (SELECT oid FROM S WHERE kind = 'major_decision' AND step = '{step}' AND sy <= y)"


def penalty_steps(id: str, label: str, step: str, where: str = "TRUE") -> Figure:
    return steps(id, label, "件", "enforcement_case", step, f"action = 'penalty' AND {where}")


def enforcement(id: str, label: str, action: str, where: str = "TRUE", unit: str = "件") -> Figure:
    return count(id, label, unit, "enforcement_case", f"action = '{action}' AND {where}")


def licence_steps(id: str, label: str, step: str, where: str = "TRUE") -> Figure:
    return steps(id, label, "件", "enforcement_case", step, f"action = 'licence' AND {where}")


def heard(id: str, label: str, hit: str) -> Figure:
    """Admin-litigation cases with ≥1 live hearing dated in Y (one row per case and year); `hit` marks a hearing."""
    return custom(
        id,
        label,
        "%" if hit != "TRUE" else "件",
        f"SELECT oid, unit, ref, sy AS yr_from, sy AS yr_to, max(CASE WHEN {hit} THEN 1 ELSE 0 END) AS num,"
        f" 1 AS den FROM S WHERE kind = 'case' AND step = 'hearing' AND case_type = 'admin_litigation'"
        f" GROUP BY oid, unit, ref, sy",
        rate=hit != "TRUE",
    )


def handled(id: str, label: str, case_type: str | None = None) -> Figure:
    """Handled in every year from its filing to its (live) closing, or on while it stays open."""
    typed = f" AND case_type = '{case_type}'" if case_type else ""
    return custom(
        id,
        label,
        "起",
        f"SELECT oid, unit, ref, y AS yr_from, coalesce(year(closed), {NEVER}) AS yr_to, 1 AS num, 0 AS den"
        f" FROM A {CLOSED} WHERE kind = 'case'{typed}",
    )


def unreplied_requests(id: str, label: str, after_filing: int, before_reply: int) -> Figure:
    """Requests counted from `after_filing` years after their filing to `before_reply` years before their reply."""
    return custom(
        id,
        label,
        "件",
        f"SELECT oid, unit, ref, y + {after_filing} AS yr_from, coalesce(year(replied) - {before_reply}, {NEVER})"
        f" AS yr_to, 1 AS num, 0 AS den FROM A {REPLIED} WHERE kind = 'disclosure_request'",
    )


PENALIZED = f"outcome IN {_codes(PENALIZING)}"

FIGURES_7: tuple[Figure, ...] = (
    enforcement("enforcement.penalty_cases", "行政处罚立案查处", "penalty"),
    enforcement("enforcement.simple", "其中简易程序", "penalty", "procedure = 'simple'"),
    enforcement("enforcement.ordinary", "其中普通程序", "penalty", "procedure = 'ordinary'"),
    penalty_steps("enforcement.withdrawn", "撤销立案", "withdrawn"),
    # A penalty decision in Y: a live `decided` dated in Y imposing a penalty, whenever the case was filed (the
    # statutory 行政执法数据年报 counts decisions made in Y, those later set aside on review or appeal included).
    penalty_steps("enforcement.penalty_decisions", "作出行政处罚决定", "decided", PENALIZED),
    *(
        penalty_steps(f"enforcement.penalty_class.{c}", label, "decided", f"{PENALIZED} AND penalty_class = '{c}'")
        for c, label in PENALTY_CLASSES.items()
    ),
    penalty_steps("enforcement.no_penalty", "不予行政处罚", "decided", "outcome = 'no_penalty'"),
    penalty_steps(
        "enforcement.lenient", "包容审慎(不予、从轻、减轻处罚)", "decided", "outcome IN ('no_penalty', 'mitigated')"
    ),
    penalty_steps("enforcement.transferred", "涉嫌犯罪移送", "decided", "outcome = 'transferred'"),
    # §8.8: every penalty case whose decision is dated in Y is in the filter, whatever its outcome (adding 0).
    Figure("enforcement.fines", "罚款金额", "元", (Part("S", PENALTY_DECIDED, cents("fine"), year="sy"),), money=True),
    Figure(
        "enforcement.forfeitures",
        "罚没金额",
        "元",
        (Part("S", PENALTY_DECIDED, f"{cents('fine')} + {cents('confiscated')}", year="sy"),),
        money=True,
    ),
    share("enforcement.execution_rate", "执结率", "S", PENALTY_DECISION, has_step("executed"), "sy"),
    share("enforcement.publication_rate", "公示率", "S", PENALTY_DECISION, has_step("published"), "sy"),
    on_time(
        "enforcement.on_time_rate",
        "按期办结率",
        f"A a LEFT JOIN ({PENALTY_EXTENSIONS}) e ON e.oid = a.oid",
        ORDINARY_PENALTY,
        PENALTY_CLOSING,
        penalty_deadline(),
    ),
    # §8.8: live `reviewed` steps of enforcement cases only (penalty and licence alike), never law_report's.
    steps("enforcement.legal_reviews", "法制审核", "件", "enforcement_case", "reviewed"),
    steps("enforcement.legal_review_corrections", "法制审核纠错", "件", "enforcement_case", "reviewed", "corrected"),
    enforcement("enforcement.compulsion_measures", "行政强制措施", "compulsion", "compulsion = 'measure'"),
    enforcement("enforcement.compulsion_executions", "行政强制执行", "compulsion", "compulsion = 'execution'"),
    enforcement("enforcement.court_applications", "申请法院强制执行", "compulsion", "compulsion = 'court_application'"),
    total("enforcement.inspections", "行政检查", "次", "enforcement_case", "count", "action = 'inspection'"),
    total("enforcement.other_acts", "其他行政执法行为", "件", "enforcement_case", "count", "action = 'other'"),
    enforcement("enforcement.licence_applications", "行政许可申请", "licence"),
    licence_steps("enforcement.licence_accepted", "受理", "accepted"),
    licence_steps("enforcement.licence_granted", "准予许可", "decided", "outcome = 'granted'"),
    licence_steps("enforcement.licence_refused", "不予许可", "decided", "outcome = 'refused'"),
    licence_steps("enforcement.licence_revoked", "撤销许可", "revoked"),
    # Major decisions count in their catalogue year (y, see state.activity_year); steps in their own year.
    count("decision.catalogued", "重大行政决策目录事项", "项", "major_decision"),
    count("decision.adopted", "已出台", "项", "major_decision", _published_by_year_end("published")),
    count(
        "decision.pending",
        "按程序推进中",
        "项",
        "major_decision",
        f"NOT {_published_by_year_end('published')} AND NOT {_published_by_year_end('terminated')}",
    ),
    steps("decision.made", "集体讨论决定", "项", "major_decision", "collective_decision"),
    custom(
        "decision.review_rate",
        "重大行政决策合法性审查率",
        "%",
        "SELECT c.oid, c.unit, c.ref, c.sy AS yr_from, c.sy AS yr_to,"
        " CASE WHEN r.first <= c.date THEN 1 ELSE 0 END AS num, 1 AS den FROM S c"
        " LEFT JOIN (SELECT oid, min(date) AS first FROM S WHERE step = 'legality_review' GROUP BY oid) r"
        " ON r.oid = c.oid WHERE c.kind = 'major_decision' AND c.step = 'collective_decision'",
        rate=True,
    ),
    count("letters.received", "收到“三书”", "件", "supervision_letter"),
    count("letters.judicial", "司法建议", "件", "supervision_letter", "\"type\" = 'judicial_suggestion'"),
    count("letters.procuratorial", "检察建议", "件", "supervision_letter", "\"type\" = 'procuratorial_suggestion'"),
    count(
        "letters.reconsideration", "行政复议意见书", "件", "supervision_letter", "\"type\" = 'reconsideration_opinion'"
    ),
    on_time(
        "letters.on_time_rate",
        "“三书”按期办复率",
        "A a",
        "a.kind = 'supervision_letter'",
        LETTER_REPLY,
        letter_deadline(),
    ),
    count("hotline.received", "受理群众诉求", "件", "hotline_ticket"),
    share("hotline.conclusion_rate", "办结率", "A", "kind = 'hotline_ticket'", has_step("concluded")),
    share(
        "hotline.satisfaction_rate",
        "满意率(含基本满意)",
        "S",
        "kind = 'hotline_ticket' AND step = 'feedback'",
        SATISFIED,
    ),
    total("legal_service.receptions", "接待办事群众", "人次", "legal_service", "persons", "service = 'reception'"),
    total(
        "legal_service.consultations", "提供法律咨询", "人次", "legal_service", "persons", "service = 'consultation'"
    ),
    total("legal_service.duty_sessions", "法律顾问值班坐班", "次", "legal_service", "count", "service = 'duty'"),
    total("legal_service.mediations", "人民调解", "件", "legal_service", "count", "service = 'mediation'"),
    count("law_report.reports", "述法", "人次", "law_report"),
    count(
        "law_report.principals_on_site",
        "党政主要负责人现场述法",
        "人次",
        "law_report",
        "role = 'principal' AND form = 'on_site'",
    ),
    total(
        "study.training_attendance", "业务培训参训", "人次", "study_session", "attendees", "form = 'business_training'"
    ),
    total("exam.participants", "参加学法考试", "人", "exam", "participants", LAW_EXAM),
    Figure(
        "exam.excellence_rate",
        "优秀率",
        "%",
        (Part("A", f"kind = 'exam' AND {LAW_EXAM} AND excellent IS NOT NULL", "excellent", "participants"),),
        True,
    ),
    # Σ(average_score × participants) ÷ Σ participants: the score in hundredths, exact, weighted.
    Figure(
        "exam.average_score",
        "平均分",
        "分",
        (
            Part(
                "A",
                f"kind = 'exam' AND {LAW_EXAM} AND average_score IS NOT NULL",
                "CAST(average_score * 100 AS BIGINT) * participants",
                "participants",
            ),
        ),
        score=True,
    ),
    Figure(
        "exam.qualification_participation_rate",
        "执法资格考试参考率",
        "%",
        (Part("A", "kind = 'exam' AND \"type\" = 'qualification'", "participants", "eligible"),),
        True,
    ),
    # §8.8: the same cases as the population of case.head_appearance_rate.
    heard("case.admin_heard", "行政诉讼开庭审理", "TRUE"),
    heard("case.principal_appearance_rate", "主要负责人出庭应诉率", "head_appeared AND head_rank = 'principal'"),
    total("legal.issues_found", "发现整改法律问题", "个", "legal_review", "issues_found"),
    total("normdoc.issued", "制定出台规范性文件", "件", "normative_document", "count", "action = 'issued'"),
    total("governance.file_reviews", "评查案卷", "卷", "inspection", "files_reviewed"),
    Figure("governance.items_decided", "会议研究决定事项", "项", (Part("A", "kind = 'meeting'", ITEMS_DECIDED),)),
)

FIGURES: tuple[Figure, ...] = (
    count("study.sessions", "各类学习活动", "次", "study_session", "form <> 'business_training'"),
    count("study.business_trainings", "业务集体学习", "次", "study_session", "form = 'business_training'"),
    count("study.party_lectures", "专题党课", "次", "study_session", "form = 'party_lecture'"),
    count("study.law_sessions", "法律法规学习", "次", "study_session", "coalesce(len(laws), 0) > 0"),
    total("study.speeches", "交流发言", "次", "study_session", "speeches"),
    total("study.attendance", "参学人次", "人次", "study_session", "attendees"),
    total("study.notes", "学习笔记", "篇", "study_writing", "count", "genre = 'notes'"),
    total("study.reflections", "心得体会", "篇", "study_writing", "count", "genre = 'reflection'"),
    # §7.4: §3's exam figures count exams of type law_exam only (absent = law_exam: old data keep their values).
    count("exam.sessions", "学法考试", "次", "exam", LAW_EXAM),
    Figure(
        "exam.participation_rate",
        "参考率",
        "%",
        (Part("A", f"kind = 'exam' AND {LAW_EXAM}", "participants", "eligible"),),
        True,
    ),
    Figure(
        "exam.pass_rate", "通过率", "%", (Part("A", f"kind = 'exam' AND {LAW_EXAM}", "passed", "participants"),), True
    ),
    count("publicity.events", "普法宣传活动", "次", "publicity_event"),
    total("publicity.audience", "普法受众", "人次", "publicity_event", "audience"),
    total("publicity.materials", "发放宣传资料", "份", "publicity_event", "materials"),
    total("publicity.consultations", "解答法律咨询", "人次", "publicity_event", "consultations"),
    count("petition.received", "受理信访", "件", "petition"),
    Figure(
        "petition.visitors",
        "接待来访",
        "人次",
        (
            Part("A", "kind = 'petition' AND channel = 'visit'", "persons"),
            Part("S", "kind = 'petition' AND step = 'visit'", "persons", year="sy"),
        ),
    ),
    share("petition.reply_rate", "信访答复率", "A", "kind = 'petition'", has_step("replied")),
    custom(
        "petition.on_time_rate",
        "按期办结率",
        "%",
        "SELECT a.oid, a.unit, a.ref, a.y AS yr_from, a.y AS yr_to,"
        f" CASE WHEN c.date <= a.date + CAST({PETITION_CONCLUDE_DAYS} + coalesce(e.days, 0) AS INTEGER)"
        " THEN 1 ELSE 0 END AS num, 1 AS den"
        " FROM A a JOIN S c ON c.oid = a.oid AND c.step = 'concluded'"
        " LEFT JOIN S e ON e.oid = a.oid AND e.step = 'extended'"
        " WHERE a.kind = 'petition' AND a.category = 'claim'",
        rate=True,
    ),
    handled("case.handled", "处理案件"),
    handled("case.admin_litigation", "行政诉讼案件", "admin_litigation"),
    handled("case.civil_litigation", "民事诉讼案件", "civil_litigation"),
    handled("case.enforcement", "执行案件", "enforcement"),
    handled("case.reconsideration", "行政复议案件", "reconsideration"),
    count("case.new", "新收案件", "起", "case"),
    steps("case.hearings", "开庭", "次", "case", "hearing"),
    steps("case.coordinations", "参与法院协调", "次", "case", "coordination"),
    steps("case.mediated", "调解结案", "起", "case", "decided", "outcome = 'mediated'"),
    steps("case.resolved", "实质性化解", "起", "case", "resolved"),
    steps("case.enforcement_resolved", "有效化解执行案件", "起", "case", "resolved", "case_type = 'enforcement'"),
    steps("case.admin_concluded", "行政诉讼审结", "起", "case", "decided", "case_type = 'admin_litigation'"),
    steps(
        "case.admin_lost", "行政诉讼败诉", "起", "case", "decided", f"case_type = 'admin_litigation' AND {ADMIN_LOST}"
    ),
    share("case.admin_loss_rate", "行政诉讼败诉率", "S", DECIDED + "'admin_litigation'", ADMIN_LOST, "sy"),
    heard("case.head_appearance_rate", "负责人出庭应诉率", "head_appeared"),
    steps("reconsideration.concluded", "行政复议审结", "件", "case", "decided", "case_type = 'reconsideration'"),
    steps(
        "reconsideration.corrected",
        "行政复议被纠错",
        "件",
        "case",
        "decided",
        f"case_type = 'reconsideration' AND {RECON_CORRECTED}",
    ),
    share(
        "reconsideration.correction_rate", "行政复议纠错率", "S", DECIDED + "'reconsideration'", RECON_CORRECTED, "sy"
    ),
    total("normdoc.reviewed", "规范性文件审查", "件", "normative_document", "count", "action = 'reviewed'"),
    total("normdoc.filed", "规范性文件备案", "件", "normative_document", "count", "action = 'filed'"),
    total(
        "normdoc.abolished",
        "清理废止/失效",
        "件",
        "normative_document",
        "count",
        "action IN ('abolished', 'invalidated')",
    ),
    total("normdoc.amended", "清理修改", "件", "normative_document", "count", "action = 'amended'"),
    total("disclosure.proactive", "主动公开信息", "条", "disclosure", "items"),
    count("disclosure.requests_received", "依申请公开新收", "件", "disclosure_request"),
    unreplied_requests("disclosure.requests_carried_in", "上年结转", 1, 0),
    steps("disclosure.requests_replied", "依申请公开办结", "件", "disclosure_request", "replied"),
    unreplied_requests("disclosure.requests_carried_out", "结转下年", 0, 1),
    count("proposal.npc", "承办人大代表建议", "件", "proposal", "source = 'npc'"),
    count("proposal.cppcc", "承办政协委员提案", "件", "proposal", "source = 'cppcc'"),
    share("proposal.meeting_rate", "上会研究率", "A", "kind = 'proposal'", has_step("meeting")),
    share("proposal.contact_rate", "联系沟通率", "A", "kind = 'proposal'", has_step("contacted")),
    share("proposal.reply_rate", "答复率", "A", "kind = 'proposal'", has_step("replied")),
    share(
        "proposal.satisfaction_rate",
        "满意率(含基本满意)",
        "S",
        "kind = 'proposal' AND step = 'feedback'",
        "satisfaction IN ('satisfied', 'basically_satisfied')",
    ),
    count("legal.reviews", "合法性审查/法律顾问事项", "件", "legal_review"),
    count("legal.decision_reviews", "重大行政决策合法性审查", "件", "legal_review", "subject = 'major_decision'"),
    count("legal.contract_reviews", "合同合法性审查", "件", "legal_review", "subject = 'contract'"),
    count("legal.advisor_engagements", "法律顾问参与", "件次", "legal_review", "reviewer = 'legal_advisor'"),
    count("governance.meetings", "会议", "次", "meeting"),
    count("governance.rule_of_law_meetings", "研究部署法治工作会议", "次", "meeting", "rule_of_law_agenda"),
    count("governance.inspections", "专项检查", "次", "inspection"),
    total("governance.issues_found", "检查发现问题", "个", "inspection", "findings"),
    total("governance.issues_rectified", "问题整改", "个", "inspection", "rectified"),
    Figure(
        "audit.late_entries",
        "补录活动",
        "项",
        (Part("A", f"CAST(timezone('{{TZ}}', first_recorded_at) AS DATE) - date > {LATE_ENTRY_DAYS}"),),
    ),
    Figure("audit.corrections", "更正次数", "次", (Part("AV", "corrections > 0", "corrections"),)),
    Figure("audit.voided", "作废活动", "项", (Part("AV", "voided"),)),
    # ---- DOMAIN.md §7.5 ----
    *FIGURES_7,
)

BY_ID: dict[str, Figure] = {f.id: f for f in FIGURES}
assert len(BY_ID) == len(FIGURES) == 64 + 68, len(FIGURES)
STORED: tuple[Figure, ...] = tuple(f for f in FIGURES if not f.dated)  # precomputed into `contrib`
DATED: tuple[Figure, ...] = tuple(f for f in FIGURES if f.dated)  # evaluated per report (on its day D)

# ---- Which figures each surface shows, declared here beside the figures themselves ----
# The dashboard's key figures (this year, with a link to each one's activities).
DASHBOARD: tuple[str, ...] = (
    "study.sessions",
    "study.attendance",
    "publicity.events",
    "petition.received",
    "case.handled",
    "normdoc.reviewed",
    "disclosure.proactive",
    "legal.reviews",
    "governance.meetings",
    "audit.late_entries",
)
# The roll-up table of a parent unit: these figures per direct child (the DOCX report and the XLSX ledger).
BREAKDOWN: tuple[str, ...] = (
    "study.sessions",
    "publicity.events",
    "petition.received",
    "case.handled",
    "case.admin_litigation",
    "case.admin_loss_rate",
    "legal.reviews",
    "disclosure.proactive",
    "disclosure.requests_received",
    "governance.inspections",
)
# The monthly trends (the report page's charts and the documents'): each one part over A, read by month.
TRENDS: tuple[str, ...] = (
    "study.sessions",
    "publicity.events",
    "petition.received",
    "case.new",
    "legal.reviews",
    "disclosure.proactive",
)
# The figures a seal's confirmation names, so the admin sees what is about to be frozen (the seal page).
SEAL_SUMMARY: tuple[str, ...] = (
    "study.sessions",
    "publicity.events",
    "petition.received",
    "case.handled",
    "normdoc.reviewed",
)
# Headings of the report page's figure groups, by the figure id's prefix (others: 其他).
GROUP_HEADINGS: dict[str, str] = {
    "study": "学法",
    "exam": "学法考法",
    "publicity": "普法宣传",
    "petition": "信访",
    "case": "案件办理",
    "reconsideration": "行政复议",
    "normdoc": "规范性文件",
    "disclosure": "政务公开",
    "proposal": "建议提案",
    "legal": "合法性审查与法律顾问",
    "governance": "会议与专项检查",
    "audit": "台账审计",
    "enforcement": "行政执法",
    "decision": "重大行政决策",
    "letters": "“三书”办理",
    "hotline": "群众诉求",
    "legal_service": "公共法律服务",
    "law_report": "述法",
    "local": "自定义指标",
}
assert all(fid in BY_ID for fid in DASHBOARD + BREAKDOWN + TRENDS + SEAL_SUMMARY)
assert all(len(BY_ID[f].parts) == 1 and BY_ID[f].parts[0].over == "A" for f in TRENDS)
