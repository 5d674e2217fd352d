"""The 64 figures of DOMAIN.md §3, declared in one place.

Each figure is one SQL query over the relations
  A  (live activities in scope, with y = year of date),
  AV (the same including voided ones),
  S  (live steps of live activities in scope, with sy = year of the step's date and the activity's columns),
returning one row per source activity: (unit, ref, num, den). A count or sum is sum(num);
a rate is 100 * sum(num) / sum(den), null when sum(den) = 0. `{Y}` is the year, `{TZ}` the ledger's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    id: str
    label: str
    unit: str
    sql: str
    rate: bool = False


def count(id: str, label: str, unit: str, kind: str, where: str = "TRUE") -> Figure:
    return Figure(id, label, unit, f"SELECT unit, ref, 1 AS num, 0 AS den FROM A WHERE kind = '{kind}' AND y = {{Y}} AND {where}")


def total(id: str, label: str, unit: str, kind: str, column: str, where: str = "TRUE") -> Figure:
    return Figure(
        id, label, unit,
        f"SELECT unit, ref, coalesce({column}, 0) AS num, 0 AS den FROM A WHERE kind = '{kind}' AND y = {{Y}} AND {where}",
    )


def steps(id: str, label: str, unit: str, kind: str, step: str, where: str = "TRUE") -> Figure:
    return Figure(
        id, label, unit,
        f"SELECT unit, ref, count(*) AS num, 0 AS den FROM S WHERE kind = '{kind}' AND step = '{step}' "
        f"AND sy = {{Y}} AND {where} GROUP BY unit, ref",
    )


def share(id: str, label: str, source: str, hit: str) -> Figure:
    """A rate over rows of `source` (a FROM ... WHERE clause), one per activity; `hit` marks the numerator."""
    return Figure(id, label, "%", f"SELECT unit, ref, CASE WHEN {hit} THEN 1 ELSE 0 END AS num, 1 AS den {source}", rate=True)


def has_step(kind: str, step: str) -> str:
    return f"oid IN (SELECT oid FROM S WHERE kind = '{kind}' AND step = '{step}')"


def decided(case_type: str) -> str:
    return f"FROM S WHERE kind = 'case' AND step = 'decided' AND sy = {{Y}} AND case_type = '{case_type}'"


PROPOSALS_IN_Y = "FROM A WHERE kind = 'proposal' AND y = {Y}"
HANDLED = (
    "kind = 'case' AND date <= make_date({Y}, 12, 31) AND oid NOT IN "
    "(SELECT oid FROM S WHERE kind = 'case' AND step = 'closed' AND date < make_date({Y}, 1, 1))"
)
ADMIN_LOST = "outcome IN ('lost', 'partially_lost')"
RECON_CORRECTED = "outcome IN ('revoked', 'altered', 'confirmed_illegal', 'ordered_to_perform')"


def handled(id: str, label: str, case_type: str | None = None) -> Figure:
    where = HANDLED + (f" AND case_type = '{case_type}'" if case_type else "")
    return Figure(id, label, "起", f"SELECT unit, ref, 1 AS num, 0 AS den FROM A WHERE {where}")


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
    Figure(
        "exam.participation_rate", "参考率", "%",
        "SELECT unit, ref, participants AS num, eligible AS den FROM A WHERE kind = 'exam' AND y = {Y}", rate=True,
    ),
    Figure(
        "exam.pass_rate", "通过率", "%",
        "SELECT unit, ref, passed AS num, participants AS den FROM A WHERE kind = 'exam' AND y = {Y}", rate=True,
    ),
    count("publicity.events", "普法宣传活动", "次", "publicity_event"),
    total("publicity.audience", "普法受众", "人次", "publicity_event", "audience"),
    total("publicity.materials", "发放宣传资料", "份", "publicity_event", "materials"),
    total("publicity.consultations", "解答法律咨询", "人次", "publicity_event", "consultations"),
    count("petition.received", "受理信访", "件", "petition"),
    Figure(
        "petition.visitors", "接待来访", "人次",
        "SELECT unit, ref, sum(n) AS num, 0 AS den FROM ("
        " SELECT unit, ref, persons AS n FROM A WHERE kind = 'petition' AND y = {Y} AND channel = 'visit'"
        " UNION ALL SELECT unit, ref, persons FROM S WHERE kind = 'petition' AND step = 'visit' AND sy = {Y})"
        " GROUP BY unit, ref",
    ),
    share("petition.reply_rate", "信访答复率", "FROM A WHERE kind = 'petition' AND y = {Y}", has_step("petition", "replied")),
    Figure(
        "petition.on_time_rate", "按期办结率", "%",
        "SELECT a.unit, a.ref, CASE WHEN c.date <= a.date + CAST(60 + coalesce(e.days, 0) AS INTEGER) THEN 1 ELSE 0 END AS num, 1 AS den"
        " FROM A a JOIN S c ON c.oid = a.oid AND c.step = 'concluded'"
        " LEFT JOIN S e ON e.oid = a.oid AND e.step = 'extended'"
        " WHERE a.kind = 'petition' AND a.y = {Y} AND a.category = 'claim'",
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
    steps("case.admin_lost", "行政诉讼败诉", "起", "case", "decided", f"case_type = 'admin_litigation' AND {ADMIN_LOST}"),
    share("case.admin_loss_rate", "行政诉讼败诉率", decided("admin_litigation"), ADMIN_LOST),
    Figure(
        "case.head_appearance_rate", "负责人出庭应诉率", "%",
        "SELECT unit, ref, max(CASE WHEN head_appeared THEN 1 ELSE 0 END) AS num, 1 AS den FROM S"
        " WHERE kind = 'case' AND step = 'hearing' AND sy = {Y} AND case_type = 'admin_litigation' GROUP BY unit, ref",
        rate=True,
    ),
    steps("reconsideration.concluded", "行政复议审结", "件", "case", "decided", "case_type = 'reconsideration'"),
    steps(
        "reconsideration.corrected", "行政复议被纠错", "件", "case", "decided",
        f"case_type = 'reconsideration' AND {RECON_CORRECTED}",
    ),
    share("reconsideration.correction_rate", "行政复议纠错率", decided("reconsideration"), RECON_CORRECTED),
    total("normdoc.reviewed", "规范性文件审查", "件", "normative_document", "count", "action = 'reviewed'"),
    total("normdoc.filed", "规范性文件备案", "件", "normative_document", "count", "action = 'filed'"),
    total(
        "normdoc.abolished", "清理废止/失效", "件", "normative_document", "count", "action IN ('abolished', 'invalidated')"
    ),
    total("normdoc.amended", "清理修改", "件", "normative_document", "count", "action = 'amended'"),
    total("disclosure.proactive", "主动公开信息", "条", "disclosure", "items"),
    count("disclosure.requests_received", "依申请公开新收", "件", "disclosure_request"),
    Figure(
        "disclosure.requests_carried_in", "上年结转", "件",
        "SELECT unit, ref, 1 AS num, 0 AS den FROM A WHERE kind = 'disclosure_request' AND date < make_date({Y}, 1, 1)"
        " AND oid NOT IN (SELECT oid FROM S WHERE kind = 'disclosure_request' AND step = 'replied'"
        " AND date < make_date({Y}, 1, 1))",
    ),
    steps("disclosure.requests_replied", "依申请公开办结", "件", "disclosure_request", "replied"),
    Figure(
        "disclosure.requests_carried_out", "结转下年", "件",
        "SELECT unit, ref, 1 AS num, 0 AS den FROM A WHERE kind = 'disclosure_request' AND date <= make_date({Y}, 12, 31)"
        " AND oid NOT IN (SELECT oid FROM S WHERE kind = 'disclosure_request' AND step = 'replied'"
        " AND date <= make_date({Y}, 12, 31))",
    ),
    count("proposal.npc", "承办人大代表建议", "件", "proposal", "source = 'npc'"),
    count("proposal.cppcc", "承办政协委员提案", "件", "proposal", "source = 'cppcc'"),
    share("proposal.meeting_rate", "上会研究率", PROPOSALS_IN_Y, has_step("proposal", "meeting")),
    share("proposal.contact_rate", "联系沟通率", PROPOSALS_IN_Y, has_step("proposal", "contacted")),
    share("proposal.reply_rate", "答复率", PROPOSALS_IN_Y, has_step("proposal", "replied")),
    share(
        "proposal.satisfaction_rate", "满意率(含基本满意)",
        "FROM S WHERE kind = 'proposal' AND step = 'feedback' AND y = {Y}",
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
        "audit.late_entries", "补录活动", "项",
        "SELECT unit, ref, 1 AS num, 0 AS den FROM A WHERE y = {Y}"
        " AND CAST(timezone('{TZ}', first_recorded_at) AS DATE) - date > 30",
    ),
    Figure(
        "audit.corrections", "更正次数", "次",
        "SELECT unit, ref, corrections AS num, 0 AS den FROM AV WHERE y = {Y} AND corrections > 0",
    ),
    Figure("audit.voided", "作废活动", "项", "SELECT unit, ref, 1 AS num, 0 AS den FROM AV WHERE y = {Y} AND voided"),
)

BY_ID: dict[str, Figure] = {f.id: f for f in FIGURES}
assert len(BY_ID) == len(FIGURES) == 64, len(FIGURES)
