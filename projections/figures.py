"""The 64 figures of DOMAIN.md §3, declared in one place.

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
"""

from __future__ import annotations

from dataclasses import dataclass


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


def count(id: str, label: str, unit: str, kind: str, where: str = "TRUE") -> Figure:
    return Figure(id, label, unit, (Part("A", f"kind = '{kind}' AND {where}"),))


def total(id: str, label: str, unit: str, kind: str, column: str, where: str = "TRUE") -> Figure:
    return Figure(id, label, unit, (Part("A", f"kind = '{kind}' AND {where}", f"coalesce({column}, 0)"),))


def steps(id: str, label: str, unit: str, kind: str, step: str, where: str = "TRUE") -> Figure:
    return Figure(id, label, unit, (Part("S", f"kind = '{kind}' AND step = '{step}' AND {where}", year="sy"),))


def share(id: str, label: str, over: str, where: str, hit: str, year: str = "y") -> Figure:
    """A rate over one row per activity in `where`; `hit` marks the numerator."""
    return Figure(id, label, "%", (Part(over, where, f"CASE WHEN {hit} THEN 1 ELSE 0 END", "1", year),), rate=True)


def custom(id: str, label: str, unit: str, sql: str, rate: bool = False) -> Figure:
    return Figure(id, label, unit, (Part("SQL", sql=sql),), rate)


def has_step(step: str) -> str:
    return f"oid IN (SELECT oid FROM S WHERE step = '{step}')"


CLOSED = "LEFT JOIN (SELECT oid, date AS closed FROM S WHERE step = 'closed') USING (oid)"
REPLIED = "LEFT JOIN (SELECT oid, date AS replied FROM S WHERE step = 'replied') USING (oid)"
NEVER = "9999"  # the last year of something still open
ADMIN_LOST = "outcome IN ('lost', 'partially_lost')"
RECON_CORRECTED = "outcome IN ('revoked', 'altered', 'confirmed_illegal', 'ordered_to_perform')"
DECIDED = "kind = 'case' AND step = 'decided' AND case_type = "


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


FIGURES: tuple[Figure, ...] = (
    count("study.sessions", "各类学习活动", "次", "study_session", "form <> 'business_training'"),
    count("study.business_trainings", "业务集体学习", "次", "study_session", "form = 'business_training'"),
    count("study.party_lectures", "专题党课", "次", "study_session", "form = 'party_lecture'"),
    count("study.law_sessions", "法律法规学习", "次", "study_session", "coalesce(len(laws), 0) > 0"),
    total("study.speeches", "交流发言", "次", "study_session", "speeches"),
    total("study.attendance", "参学人次", "人次", "study_session", "attendees"),
    total("study.notes", "学习笔记", "篇", "study_writing", "count", "genre = 'notes'"),
    total("study.reflections", "心得体会", "篇", "study_writing", "count", "genre = 'reflection'"),
    count("exam.sessions", "学法考试", "次", "exam"),
    Figure("exam.participation_rate", "参考率", "%", (Part("A", "kind = 'exam'", "participants", "eligible"),), True),
    Figure("exam.pass_rate", "通过率", "%", (Part("A", "kind = 'exam'", "passed", "participants"),), True),
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
        " CASE WHEN c.date <= a.date + CAST(60 + coalesce(e.days, 0) AS INTEGER) THEN 1 ELSE 0 END AS num, 1 AS den"
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
    custom(
        "case.head_appearance_rate",
        "负责人出庭应诉率",
        "%",
        "SELECT oid, unit, ref, sy AS yr_from, sy AS yr_to, max(CASE WHEN head_appeared THEN 1 ELSE 0 END) AS num,"
        " 1 AS den FROM S WHERE kind = 'case' AND step = 'hearing' AND case_type = 'admin_litigation'"
        " GROUP BY oid, unit, ref, sy",
        rate=True,
    ),
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
        (Part("A", "CAST(timezone('{TZ}', first_recorded_at) AS DATE) - date > 30"),),
    ),
    Figure("audit.corrections", "更正次数", "次", (Part("AV", "corrections > 0", "corrections"),)),
    Figure("audit.voided", "作废活动", "项", (Part("AV", "voided"),)),
)

BY_ID: dict[str, Figure] = {f.id: f for f in FIGURES}
assert len(BY_ID) == len(FIGURES) == 64, len(FIGURES)
