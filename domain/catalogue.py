"""The catalogue of kinds: every field, code, step and Chinese label, declared once.

Validation, the CLI, forms, spreadsheets and documents all read from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal["str", "int", "bool", "list", "code"]

MAX_INT = 1_000_000
MAX_STR = 500
MAX_LIST = 50


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


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    fields: tuple[Field, ...] = ()
    at_most_one: bool = False


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    date_label: str
    fields: tuple[Field, ...]
    steps: tuple[Step, ...] = ()

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)


def _opt(name: str, label: str, type: FieldType = "str", **kw: object) -> Field:
    return Field(name, label, type, required=False, **kw)  # type: ignore[arg-type]


def _code(name: str, label: str, codes: dict[str, str], required: bool = True) -> Field:
    return Field(name, label, "code", required=required, codes=codes)


STUDY_FORMS = {
    "central_group": "中心组学习",
    "party_group": "党组会",
    "party_group_enlarged": "党组(扩大)会",
    "party_branch": "党支部会",
    "all_staff": "全体人员会",
    "party_lecture": "专题党课",
    "business_training": "业务培训/集体学习",
    "lecture": "法治讲座",
    "online": "网络学习",
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
                Step("hearing", "开庭", (_opt("head_appeared", "负责人出庭", "bool", default=False),)),
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
                            {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"},
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
                    {"party_group": "党组会", "director_office": "主任办公会", "special": "专题会议", "other": "其他"},
                ),
                Field("topic", "会议议题"),
                Field("rule_of_law_agenda", "研究部署法治工作", "bool"),
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
            ),
        ),
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
