"""The catalogue of kinds: every field, code, step and Chinese label, declared once.

Validation, the CLI, forms, spreadsheets and documents all read from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal["str", "int", "bool", "list", "code", "money", "score"]

# DOMAIN.md §7.1: ints up to 1,000,000,000 (R02 公开行政执法数据107万余个 outgrew 1,000,000); money in 元 up to
# 1,000,000,000,000 and scores up to 100, both decimals with at most 2 places.
MAX_INT = 1_000_000_000
MAX_MONEY = 1_000_000_000_000
MAX_SCORE = 100
MAX_STR = 500
MAX_LIST = 50
# DOMAIN.md §2: nothing is dated before 2000-01-01; reports and as-of instants go up to 2100 (beyond, the
# queries' date arithmetic overflows).
FIRST_YEAR, LAST_YEAR = 2000, 2100
YEARS_MESSAGE = f"年度：须在 {FIRST_YEAR}–{LAST_YEAR} 之间"
DECIMAL_TYPES = ("money", "score")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: FieldType = "str"
    required: bool = True
    codes: dict[str, str] = field(default_factory=dict)
    minimum: int = 0
    maximum: int = MAX_INT
    default: object = None
    # Taken only when another field of the same data has one of these values (DOMAIN.md §7.2: `procedure` only
    # with action penalty …): then required if `required`; otherwise rejected.
    when: tuple[str, tuple[object, ...]] | None = None


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    fields: tuple[Field, ...] = ()
    at_most_one: bool = False
    # Allowed only on activities whose fields have these values (an enforcement case's steps depend on its
    # action, `extended` on its procedure too); a kind may list one step name once per such variant.
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    not_beside: tuple[str, ...] = ()  # steps that may not be live at the same time (decided / withdrawn)

    def allowed(self, data: dict[str, object]) -> bool:
        return all(data.get(name) in values for name, values in self.when)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    date_label: str
    fields: tuple[Field, ...]
    steps: tuple[Step, ...] = ()

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def step(self, name: str, data: dict[str, object] | None = None) -> Step | None:
        """The step of this name (with `data`: the variant allowed for an activity with that data, if any)."""
        return next((s for s in self.steps if s.name == name and (data is None or s.allowed(data))), None)

    def steps_for(self, data: dict[str, object]) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.allowed(data))


def _opt(name: str, label: str, type: FieldType = "str", **kw: object) -> Field:
    return Field(name, label, type, required=False, **kw)  # type: ignore[arg-type]


def _code(name: str, label: str, codes: dict[str, str], required: bool = True, **kw: object) -> Field:
    return Field(name, label, "code", required=required, codes=codes, **kw)  # type: ignore[arg-type]


STUDY_FORMS = {
    "central_group": "中心组学习",
    "party_group": "党组(党委、党工委)会",  # relabelled by DOMAIN.md §7.4 (R05 党工委会学法)
    "party_group_enlarged": "党组(扩大)会",
    "party_branch": "党支部会",
    "all_staff": "全体人员会",
    "party_lecture": "专题党课",
    "business_training": "业务培训/集体学习",
    "lecture": "法治讲座",
    "online": "网络学习",
    "executive": "常务会议/办公会议会前学法",  # §7.4 (R15 政府常务会学法, R10/R11 会前学法)
    "leadership": "领导班子集体学法",  # §7.4 (R06, R16)
    "other": "其他",
}

LITIGATION_OUTCOMES = {
    "won": "胜诉",
    "lost": "败诉",
    "partially_lost": "部分败诉",
    "withdrawn": "撤诉",
    "dismissed": "驳回起诉",
    "mediated": "调解",
    "settled": "和解",
}

RECONSIDERATION_OUTCOMES = {
    "upheld": "维持",
    "revoked": "撤销",
    "altered": "变更",
    "confirmed_illegal": "确认违法",
    "ordered_to_perform": "责令履行",
    "rejected": "驳回申请",
    "terminated": "终止",
}


def outcomes_for(case_type: str | None) -> dict[str, str]:
    """A reconsideration takes the reconsideration list; every other case type the litigation list."""
    return RECONSIDERATION_OUTCOMES if case_type == "reconsideration" else LITIGATION_OUTCOMES


_LAWS = _opt("laws", "学习法律法规", "list")

HEAD_RANKS = {"principal": "主要负责人", "deputy": "其他负责人"}
EXAM_TYPES = {"law_exam": "学法用法考试", "qualification": "执法资格考试", "other": "其他"}
INSPECTION_TYPES = {"special": "专项检查", "file_review": "案卷评查", "field_supervision": "实地督察", "other": "其他"}
MEETING_ITEMS = {
    "items_major": "重大事项决策",
    "items_personnel": "干部人事任免",
    "items_projects": "重大项目安排",
    "items_funds": "大额资金使用",
    "items_other": "其他事项",
}
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}

# ---- DOMAIN.md §7.2: the kinds of units with 执法权, county governments and 司法局 ----

ENFORCEMENT_ACTIONS = {
    "penalty": "行政处罚",
    "compulsion": "行政强制",
    "inspection": "行政检查",
    "licence": "行政许可",
    "other": "其他行政执法行为",
}
PROCEDURES = {"simple": "简易程序", "ordinary": "普通(一般)程序"}
COMPULSIONS = {"measure": "行政强制措施", "execution": "行政强制执行", "court_application": "申请法院强制执行"}
PENALTY_OUTCOMES = {
    "penalized": "给予行政处罚",
    "mitigated": "从轻、减轻行政处罚",
    "no_penalty": "不予行政处罚",
    "transferred": "涉嫌犯罪移送司法机关",
}
PENALIZING = ("penalized", "mitigated")  # the outcomes that impose a penalty: they take penalty_class, fine …
LICENCE_OUTCOMES = {"granted": "准予许可", "refused": "不予许可"}
# 行政处罚法 (2021) §9; the user chooses the class the statutory table counts the decision under (the heaviest
# imposed, a named class before `other`): provinces order them differently, so it is never derived.
PENALTY_CLASSES = {
    "warning": "警告",
    "criticism": "通报批评",
    "fine": "罚款",
    "confiscation": "没收违法所得、没收非法财物",
    "licence_suspension": "暂扣许可证件",
    "downgrade": "降低资质等级",
    "licence_revocation": "吊销许可证件",
    "business_restriction": "限制开展生产经营活动",
    "suspension": "责令停产停业",
    "closure": "责令关闭",
    "practice_ban": "限制从业",
    "detention": "行政拘留",
    "other": "其他行政处罚",
}
LETTER_TYPES = {
    "judicial_suggestion": "司法建议",
    "procuratorial_suggestion": "检察建议",
    "reconsideration_opinion": "行政复议意见书/建议书",
}

_PENALTY = (("action", ("penalty",)),)
_LICENCE = (("action", ("licence",)),)
_PENALTY_OR_LICENCE = (("action", ("penalty", "licence")),)

NEW_KINDS = (
    Kind(
        "enforcement_case",
        "行政执法案件/行为",
        "立案/申请/决定/实施日期",
        (
            _code("action", "执法类别", ENFORCEMENT_ACTIONS),
            Field("subject", "案由/事项"),
            _opt("case_no", "案号/文书号"),
            _code("procedure", "办案程序", PROCEDURES, when=("action", ("penalty",))),
            _code("compulsion", "强制类别", COMPULSIONS, when=("action", ("compulsion",))),
            _opt("count", "件数/次数", "int", minimum=1, default=1, when=("action", ("inspection", "other"))),
        ),
        (
            Step(
                "extended",
                "延长办案期限",
                (Field("days", "延长天数", "int", minimum=1, maximum=365),),
                when=(("action", ("penalty",)), ("procedure", ("ordinary",))),
            ),
            Step(
                "reviewed",
                "法制审核",
                (_opt("corrected", "审核纠错", "bool", default=False),),
                when=_PENALTY_OR_LICENCE,
            ),
            Step(
                "decided",
                "处罚决定",
                (
                    _code("outcome", "处罚决定结果", PENALTY_OUTCOMES),
                    _code("penalty_class", "处罚种类", PENALTY_CLASSES, when=("outcome", PENALIZING)),
                    _opt("fine", "罚款金额（元）", "money", maximum=MAX_MONEY, when=("outcome", PENALIZING)),
                    _opt("confiscated", "没收金额（元）", "money", maximum=MAX_MONEY, when=("outcome", PENALIZING)),
                ),
                True,
                when=_PENALTY,
                not_beside=("withdrawn",),
            ),
            Step("withdrawn", "撤销立案", (_opt("reason", "撤销原因"),), True, when=_PENALTY, not_beside=("decided",)),
            Step("executed", "执行完毕", at_most_one=True, when=_PENALTY),
            Step("published", "公示", (_opt("channel", "公示渠道"),), True, when=_PENALTY_OR_LICENCE),
            Step("accepted", "受理", at_most_one=True, when=_LICENCE),
            Step("decided", "许可决定", (_code("outcome", "许可决定结果", LICENCE_OUTCOMES),), True, when=_LICENCE),
            Step("revoked", "撤销许可", at_most_one=True, when=_LICENCE),
        ),
    ),
    Kind(
        "major_decision",
        "重大行政决策(目录事项)",
        "目录公布日期",
        (
            Field("title", "决策事项"),
            # The year of `date` or the next (a catalogue published in December for the coming year).
            _opt("catalogue_year", "目录年度", "int", minimum=FIRST_YEAR, maximum=9999),
            _opt("doc_no", "文号"),
        ),
        (
            Step(
                "public_participation",
                "公众参与",
                (
                    _code(
                        "form",
                        "参与方式",
                        {"consultation": "公开征求意见", "hearing": "听证会", "symposium": "座谈会", "other": "其他"},
                        False,
                    ),
                ),
            ),
            Step("expert_review", "专家论证"),
            Step("risk_assessment", "风险评估"),
            Step("legality_review", "合法性审查"),
            Step("collective_decision", "集体讨论决定", at_most_one=True),
            Step("published", "公布(出台)", at_most_one=True),
            Step("terminated", "调出目录/终止", at_most_one=True),
            Step("evaluation", "决策后评估"),
        ),
    ),
    Kind(
        "supervision_letter",
        "“三书”(司法建议/检察建议/行政复议意见书)",
        "收到日期",
        (
            _code("type", "文书类型", LETTER_TYPES),
            Field("subject", "事项"),
            _opt("issuer", "制发机关"),
            _opt("doc_no", "文号"),
            _opt("reply_days", "回复期限（日）", "int", minimum=1, maximum=365),
        ),
        (
            Step(
                "replied",
                "书面回复(办复)",
                (
                    _code(
                        "result",
                        "办复结果",
                        {"adopted": "采纳落实", "partial": "部分采纳", "explained": "未采纳并说明理由"},
                        False,
                    ),
                ),
                True,
            ),
        ),
    ),
    Kind(
        "hotline_ticket",
        "12345/8890 诉求工单",
        "受理/派单日期",
        (
            _code(
                "channel",
                "诉求渠道",
                {"hotline": "政务服务便民热线", "grid": "基层治理平台", "other": "其他"},
            ),
            _code(
                "category",
                "诉求类别",
                {
                    "consultation": "咨询",
                    "request": "求助",
                    "complaint": "投诉",
                    "report": "举报",
                    "suggestion": "意见建议",
                    "other": "其他",
                },
                False,
            ),
            Field("subject", "诉求事项"),
        ),
        (
            Step("concluded", "办结", at_most_one=True),
            Step("feedback", "回访评价", (_code("satisfaction", "满意度", SATISFACTION),), True),
        ),
    ),
    Kind(
        "legal_service",
        "公共法律服务",
        "服务日期",
        (
            _code(
                "service",
                "服务类别",
                {
                    "reception": "接待办事群众",
                    "consultation": "法律咨询",
                    "duty": "法律顾问值班坐班",
                    "mediation": "人民调解",
                    "legal_aid": "法律援助",
                    "notarization": "公证",
                    "other": "其他",
                },
            ),
            _opt("count", "次数/件数", "int", minimum=1, default=1),
            _opt("persons", "服务人次", "int"),
            _opt("provider", "服务提供者"),
            _opt("location", "地点"),
        ),
    ),
    Kind(
        "law_report",
        "述法",
        "述法日期",
        (
            _code("role", "述法人", {"principal": "党政主要负责人", "other": "其他班子成员"}),
            _code("form", "述法形式", {"on_site": "现场述法", "written": "书面述法"}),
            _opt("speaker", "述法人姓名"),
            _opt("occasion", "场合"),
        ),
        (Step("reviewed", "点评/民主测评", (_opt("score", "测评得分", "int", maximum=100),), True),),
    ),
)

KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            "study_session",
            "学法/学习活动",
            "举办日期",
            (
                _code("form", "学习形式", STUDY_FORMS),
                Field("topic", "学习主题"),
                _LAWS,
                Field("attendees", "参学人数", "int"),
                _opt("speeches", "交流发言次数", "int"),
                _opt("lecturer", "主讲人"),
                _opt("led_by_head", "主要负责人领学", "bool"),
                _opt("first_topic", "“第一议题”学习", "bool", default=False),  # §7.4 (R07)
            ),
        ),
        Kind(
            "study_writing",
            "学习笔记/心得体会",
            "提交日期",
            (
                _code("genre", "体裁", {"notes": "学习笔记", "reflection": "心得体会"}),
                _opt("author", "作者"),
                _opt("title", "标题"),
                _opt("count", "篇数", "int", minimum=1, default=1),
            ),
        ),
        Kind(
            "publicity_event",
            "普法宣传",
            "举办日期",
            (
                Field("theme", "宣传主题"),
                _code(
                    "form",
                    "宣传形式",
                    {
                        "street": "阵地宣传",
                        "community": "进社区",
                        "enterprise": "进企业",
                        "village": "进乡村",
                        "school": "进校园",
                        "lecture": "集中宣讲",
                        "exam": "知识竞赛/考试",
                        "online": "网络宣传",
                        "other": "其他",
                    },
                ),
                _opt("location", "地点"),
                _opt("audience", "受众人次", "int"),
                _opt("materials", "发放资料份数", "int"),
                _opt("consultations", "解答咨询人次", "int"),
                _LAWS,
            ),
        ),
        Kind(
            "petition",
            "信访",
            "收件日期",
            (
                _code(
                    "channel",
                    "信访渠道",
                    {"visit": "来访", "letter": "来信", "online": "网上", "phone": "电话", "transferred": "转交"},
                ),
                Field("persons", "来访人次", "int", minimum=1),
                _code(
                    "category",
                    "信访类别",
                    {"claim": "申诉求决类", "suggestion": "建议意见类", "complaint": "检举控告类", "other": "其他"},
                ),
                Field("subject", "信访事项"),
            ),
            (
                Step("visit", "再次来访接待", (Field("persons", "来访人次", "int", minimum=1),)),
                Step("acknowledged", "受理告知", at_most_one=True),
                Step("extended", "延期", (Field("days", "延期天数", "int", minimum=1, maximum=30),), True),
                Step("replied", "答复", (_opt("result", "答复结果"),), True),
                Step("concluded", "办结", at_most_one=True),
            ),
        ),
        Kind(
            "case",
            "案件",
            "收案日期",
            (
                _code(
                    "case_type",
                    "案件类型",
                    {
                        "admin_litigation": "行政诉讼(应诉)",
                        "civil_litigation": "民事诉讼",
                        "enforcement": "执行案件",
                        "reconsideration": "行政复议",
                        "arbitration": "仲裁",
                        "other": "其他",
                    },
                ),
                _code(
                    "role",
                    "诉讼地位",
                    {"defendant": "被告/被申请人", "plaintiff": "原告/申请人", "third_party": "第三人"},
                ),
                _opt("case_no", "案号"),
                _opt("cause", "案由"),
                _opt("court", "法院/复议机关"),
                _code("instance", "审级", {"first": "一审", "second": "二审", "retrial": "再审"}, required=False),
            ),
            (
                Step(
                    "hearing",
                    "开庭",
                    (
                        _opt("head_appeared", "负责人出庭", "bool", default=False),
                        # §7.4 (R10 主要负责人出庭应诉率): which head appeared, so only when one did.
                        _code("head_rank", "出庭负责人", HEAD_RANKS, False, when=("head_appeared", (True,))),
                    ),
                ),
                Step("coordination", "参与法院协调"),
                Step(
                    "decided",
                    "裁判/复议决定",
                    (_code("outcome", "裁判/决定结果", {**LITIGATION_OUTCOMES, **RECONSIDERATION_OUTCOMES}),),
                    True,
                ),
                Step("resolved", "实质性化解", at_most_one=True),
                Step("closed", "结案", at_most_one=True),
            ),
        ),
        Kind(
            "normative_document",
            "规范性文件",
            "办理日期",
            (
                _code(
                    "action",
                    "办理事项",
                    {
                        "reviewed": "合法性审查",
                        "filed": "备案",
                        "abolished": "废止",
                        "invalidated": "宣布失效",
                        "amended": "修改",
                        "retained": "继续有效",
                        "issued": "制定出台",  # §7.4 (R13)
                    },
                ),
                Field("title", "文件名称"),
                _opt("doc_no", "文号"),
                _opt("count", "件数", "int", minimum=1, default=1),
            ),
        ),
        Kind(
            "disclosure",
            "主动公开",
            "公开日期",
            (
                Field("channel", "公开渠道"),
                Field("title", "公开内容"),
                _opt("items", "条数", "int", minimum=1, default=1),
            ),
        ),
        Kind(
            "disclosure_request",
            "依申请公开",
            "收到申请日期",
            (Field("subject", "申请内容"),),
            (
                Step("extended", "延期", at_most_one=True),
                Step(
                    "replied",
                    "答复",
                    (
                        _code(
                            "result",
                            "答复结果",
                            {
                                "disclosed": "予以公开",
                                "partial": "部分公开",
                                "refused": "不予公开",
                                "not_exist": "信息不存在",
                                "other": "其他处理",
                            },
                        ),
                    ),
                    True,
                ),
            ),
        ),
        Kind(
            "proposal",
            "人大建议/政协提案",
            "交办日期",
            (
                _code("source", "来源", {"npc": "人大代表建议", "cppcc": "政协委员提案"}),
                _opt("number", "建议/提案编号"),
                Field("title", "标题"),
                _code("role", "承办方式", {"lead": "主办", "assist": "会办"}),
                _opt("complex", "复杂事项", "bool"),
            ),
            (
                Step("meeting", "上会研究"),
                Step(
                    "contacted",
                    "联系沟通",
                    (_code("form", "沟通方式", {"face": "面商", "phone": "电话", "other": "其他"}, False),),
                ),
                Step(
                    "replied",
                    "答复",
                    (_code("grade", "答复类别", {"A": "A类", "B": "B类", "C": "C类", "D": "D类"}, False),),
                    True,
                ),
                Step(
                    "feedback",
                    "代表委员反馈",
                    (
                        _code(
                            "satisfaction",
                            "满意度",
                            SATISFACTION,
                        ),
                    ),
                    True,
                ),
            ),
        ),
        Kind(
            "legal_review",
            "合法性审查/法律顾问",
            "审查日期",
            (
                _code(
                    "subject",
                    "审查事项",
                    {
                        "major_decision": "重大行政决策",
                        "contract": "合同",
                        "normative_document": "规范性文件",
                        "consultation": "法律咨询",
                        "case_analysis": "案件研判",
                        "other": "其他",
                    },
                ),
                Field("title", "事项名称"),
                _code("reviewer", "审查主体", {"legal_advisor": "法律顾问", "in_house": "内部法制机构"}),
                _opt("issues_found", "发现并整改法律问题", "int"),  # §7.4 (R03)
            ),
        ),
        Kind(
            "meeting",
            "会议",
            "召开日期",
            (
                _code(
                    "form",
                    "会议形式",
                    {
                        "party_group": "党组会",
                        "director_office": "主任办公会",
                        "special": "专题会议",
                        "executive": "政府常务会议",  # §7.4 (R01)
                        "other": "其他",
                    },
                ),
                Field("topic", "会议议题"),
                Field("rule_of_law_agenda", "研究部署法治工作", "bool"),
                # Matters decided (“三重一大” and the rest), §7.4 (R09, R16).
                *(_opt(name, label, "int") for name, label in MEETING_ITEMS.items()),
            ),
        ),
        Kind(
            "inspection",
            "专项检查",
            "检查日期",
            (
                Field("subject", "检查事项"),
                _opt("findings", "发现问题数", "int"),
                _opt("rectified", "整改问题数", "int"),
                _code("type", "检查类型", INSPECTION_TYPES, False, default="special"),  # §7.4 (R01)
                _opt("files_reviewed", "评查案卷数", "int"),
            ),
        ),
        Kind(
            "exam",
            "学法考法",
            "考试日期",
            (
                Field("title", "考试名称"),
                Field("eligible", "应考人数", "int"),
                Field("participants", "参考人数", "int"),
                Field("passed", "通过人数", "int"),
                # §7.4 (R08, R14): the type (§3's exam figures count law_exam only), 优秀人数 ≤ passed, 平均分.
                _code("type", "考试类型", EXAM_TYPES, False, default="law_exam"),
                _opt("excellent", "优秀人数", "int"),
                _opt("average_score", "平均分", "score", maximum=MAX_SCORE),
            ),
        ),
        *NEW_KINDS,
    )
}

# Labels of the interchange line's own keys (DOMAIN.md §4).
LINE_LABELS: dict[str, str] = {
    "id": "行编号",
    "op": "操作",
    "unit": "单位",
    "by": "录入人",
    "kind": "活动类别",
    "ref": "活动编号",
    "date": "日期",
    "data": "数据",
    "step": "步骤",
    "reason": "原因",
    "target": "作废对象",
    "name": "单位名称",
    "parent": "上级单位",
}

# The sections of the annual report (法治政府建设与责任落实督察工作规定 2019): code -> heading.
REPORT_SECTIONS: dict[str, str] = {
    "measures": "主要举措和成效",
    "shortcomings": "存在的不足和原因",
    "leadership": "党政主要负责人履行推进法治建设第一责任人职责情况",
    "plans": "下一年度主要安排",
    "other": "其他需要报告的情况",
}

# Labels of the ledger's own columns in spreadsheets and documents (beside the kinds' fields).
RECORD_LABELS: dict[str, str] = {
    "steps": "办理步骤",
    "status": "状态",
    "live": "有效",
    "voided": "已作废",
    "void_reason": "作废原因",
    "corrections": "更正次数",
    "recorded_by": "录入人",
    "recorded_at": "录入时间",
    "code": "单位代码",
    "yes": "是",
    "no": "否",
}

OPS: dict[str, str] = {
    "unit": "单位登记",
    "record": "记录活动",
    "step": "记录步骤",
    "correct": "更正",
    "void": "作废",
    "figure": "声明指标",
}


def all_fields(fields_of: str = "activity") -> dict[str, Field]:
    """Every field name used by activities (or by steps) across kinds, with one consistent type."""
    out: dict[str, Field] = {}
    for kind in KINDS.values():
        groups = [kind.fields] if fields_of == "activity" else [s.fields for s in kind.steps]
        for group in groups:
            for f in group:
                seen = out.setdefault(f.name, f)
                if _storage(seen) != _storage(f):
                    raise AssertionError(f"field {f.name} has two types: {seen.type}, {f.type}")
    return out


def _storage(f: Field) -> str:
    return "str" if f.type == "code" else f.type


# ---- personal data (个人信息) ----
# Fields that name or reach a person (个人信息保护法 §4; a 公民身份号码 is sensitive personal information, §28).
# They are not data fields of a line: DOMAIN.md §2 rejects unknown fields and no figure needs them. They are
# recorded apart, encrypted under a key of the unit held outside the event store (domain/personal.py,
# api/services/personal.py), shown in clear only to the roles that handle the matter, each showing logged.


@dataclass(frozen=True)
class PersonalField:
    name: str
    label: str
    check: Literal["name", "id_number", "phone"]  # how a value is checked (domain/personal.py)


PERSONAL_FIELDS: dict[str, tuple[PersonalField, ...]] = {
    "petition": (
        PersonalField("name", "信访人姓名", "name"),
        PersonalField("id_number", "公民身份号码", "id_number"),
        PersonalField("phone", "联系电话", "phone"),
    ),
}
