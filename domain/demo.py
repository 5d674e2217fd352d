"""A fictional demonstration ledger: 光华区城市更新中心 and a sibling unit.

``demo_lines(today)`` returns interchange lines (DOMAIN.md §4) covering the two
full calendar years before ``today``. The output depends only on ``today.year``
(fixed seed, no step dated after 31 December of the second year), so importing
the demo again within the same year is a no-op.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

DEMO_PARENT = "demo-gh"
DEMO_UNIT = "demo-gh-ur"
DEMO_SIBLING = "demo-gh-zs"

Line = dict[str, Any]
Data = dict[str, Any]

_UNITS = (
    (DEMO_PARENT, "光华区", None),
    (DEMO_UNIT, "光华区城市更新中心", DEMO_PARENT),
    (DEMO_SIBLING, "光华区房屋征收服务中心", DEMO_PARENT),
)
# Who keeps which part of the ledger ("*" = everything else).
_CLERKS: dict[str, dict[str, str]] = {
    DEMO_PARENT: {"*": "张敏"},
    DEMO_UNIT: {
        "*": "周涛",
        "study_session": "王芳",
        "study_writing": "王芳",
        "exam": "王芳",
        "publicity_event": "刘洋",
        "petition": "李强",
        "case": "张敏",
        "legal_review": "张敏",
        "normative_document": "张敏",
        "disclosure": "陈静",
        "disclosure_request": "陈静",
    },
    DEMO_SIBLING: {"*": "赵磊", "petition": "孙丽", "case": "孙丽"},
}

_LAWS = (
    "宪法",
    "民法典",
    "行政诉讼法",
    "行政复议法",
    "行政处罚法",
    "行政许可法",
    "土地管理法",
    "国有土地上房屋征收与补偿条例",
    "信访工作条例",
    "政府信息公开条例",
    "优化营商环境条例",
)
_TOPICS: dict[str, tuple[str, ...]] = {
    "central_group": (
        "习近平法治思想专题学习",
        "学习《习近平法治思想学习纲要》",
        "学习中央八项规定及其实施细则精神",
        "学习法治政府建设实施纲要",
    ),
    "party_group": ("传达学习上级法治建设会议精神", "学习党章党规党纪"),
    "party_group_enlarged": ("传达学习全面依法治区工作会议精神",),
    "party_branch": ("主题党日：学习宪法和党内法规", "“三会一课”集中学习"),
    "all_staff": ("全体干部职工学法会", "警示教育暨法律法规学习"),
    "party_lecture": ("党组书记讲专题党课：用法治思维推进城市更新",),
    "business_training": (
        "《国有土地上房屋征收与补偿条例》业务培训",
        "城市更新项目征收程序规范培训",
        "征收评估与补偿协议签订实务培训",
        "行政应诉实务与证据规范培训",
        "政府信息公开工作业务学习",
    ),
    "lecture": ("法治讲座：行政诉讼败诉案例剖析",),
    "online": ("干部网络学院法治专题网上学习",),
    "other": ("“宪法宣传周”集中学习",),
}
_CENTRE_STUDY = {
    "central_group": 6,
    "party_group": 4,
    "party_group_enlarged": 2,
    "party_branch": 3,
    "all_staff": 3,
    "party_lecture": 1,
    "lecture": 1,
    "online": 1,
    "other": 1,
    "business_training": 10,
}
_LECTURERS = ("中心党组书记", "法律顾问 光华律师事务所律师", "业务科室负责人")

# form -> (theme, month, location, laws); the two years cover every form.
_PUBLICITY: dict[str, tuple[str, int, str, tuple[str, ...]]] = {
    "lecture": ("征收补偿政策集中宣讲", 3, "中心会议室", (_LAWS[7],)),
    "online": ("全民国家安全教育日网络宣传", 4, "中心微信公众号", ()),
    "village": ("城中村改造政策进乡村", 4, "东郊村村委会", (_LAWS[6],)),
    "community": ("民法典宣传月进社区", 5, "锦华社区广场", (_LAWS[1],)),
    "enterprise": ("优化营商环境法治宣传进企业", 6, "光华产业园", (_LAWS[10],)),
    "other": ("《信访工作条例》宣传", 7, "信访接待大厅", (_LAWS[8],)),
    "school": ("青少年法治教育进校园", 9, "光华区实验中学", (_LAWS[0],)),
    "exam": ("法治知识竞赛", 11, "中心会议室", (_LAWS[0], _LAWS[1])),
    "street": ("“12·4”国家宪法日宣传", 12, "光华广场", (_LAWS[0],)),
}
_PUBLICITY_FORMS = (
    ("lecture", "community", "enterprise", "school", "exam", "street"),
    ("lecture", "online", "village", "community", "other", "street"),
)

_PETITION_SUBJECTS: dict[str, tuple[str, ...]] = {
    "claim": (
        "反映房屋征收补偿标准偏低",
        "要求支付过渡安置费",
        "要求尽快分配安置房",
        "反映被征收房屋装修评估漏项",
        "要求补发搬迁奖励",
    ),
    "suggestion": ("建议公开安置房建设进度", "建议增设老旧小区停车位"),
    "complaint": ("检举评估机构评估程序不规范", "反映拆除施工夜间扰民"),
    "other": ("咨询城市更新项目范围", "咨询征收补偿政策"),
}
_REPLIES = (
    "已书面答复，告知补偿政策依据",
    "已当面答复并送达答复意见书",
    "已电话答复，信访人表示理解",
    "已协调相关科室办理并答复",
)

_CASE_OUTCOMES: dict[str, tuple[tuple[str | None, ...], ...]] = {
    "admin_litigation": (
        ("won", "won", "dismissed", "withdrawn", "won", "lost", "dismissed"),
        ("won", "withdrawn", "dismissed", "won", "partially_lost", "won", "won"),
    ),
    "civil_litigation": (("won", "mediated"), ("settled", "mediated")),
    "enforcement": ((None, None), (None, None)),
    "reconsideration": (
        ("upheld", "rejected", "revoked"),
        ("upheld", "terminated", "confirmed_illegal"),
    ),
    "arbitration": (("settled",), ("won",)),
    "other": ((None,), (None,)),
}
_CAUSES: dict[str, tuple[str, ...]] = {
    "admin_litigation": (
        "房屋征收补偿决定",
        "房屋征收决定",
        "政府信息公开答复",
        "行政强制拆除",
    ),
    "civil_litigation": ("房屋征收安置补偿协议纠纷", "建设工程施工合同纠纷"),
    "enforcement": ("申请执行房屋征收补偿决定", "安置补偿协议履行"),
    "reconsideration": ("政府信息公开答复", "房屋征收补偿决定"),
    "arbitration": ("劳动争议",),
    "other": ("安置补偿纠纷人民调解",),
}

_NORMDOCS = (
    ("reviewed", "光华区城市更新项目管理暂行办法", 1),
    ("reviewed", "光华区国有土地上房屋征收与补偿实施细则", 1),
    ("filed", "光华区征收补偿资金管理办法", 1),
    ("amended", "光华区被征收房屋装修评估补偿标准", 1),
    ("abolished", "征收拆迁类规范性文件集中清理（废止）", 3),
    ("invalidated", "旧城改造临时性政策文件（宣布失效）", 2),
    ("retained", "现行有效征收类规范性文件清理（继续有效）", 5),
)
_NORMDOC_PLAN = ((0, 2, 4, 5, 6), (1, 3, 4, 5))  # both years: every action
_DISCLOSURES = (
    "房屋征收决定公告",
    "征收补偿方案征求意见公告",
    "分户评估结果公示",
    "征收补偿资金使用情况",
    "城市更新项目实施进度",
    "安置房分配结果公示",
)
_REQUESTS = (
    ("某项目房屋征收补偿方案及批准文件", "disclosed"),
    ("某地块征收范围内房屋调查登记结果", "partial"),
    ("某户被征收房屋评估报告", "refused"),
    ("某街区城市更新项目立项批复", "not_exist"),
    ("安置房建设资金来源", "other"),
)
_PROPOSALS = (
    ("npc", "lead", "关于加快推进老旧小区改造的建议", False),
    ("cppcc", "lead", "关于完善被征收群众安置保障的提案", True),
    ("cppcc", "assist", "关于在城市更新中保护历史街区风貌的提案", False),
)
_REVIEWS = (
    ("major_decision", "征收补偿方案合法性审查", "legal_advisor"),
    ("major_decision", "城市更新项目实施方案合法性审查", "legal_advisor"),
    ("contract", "房屋征收补偿协议范本审查", "in_house"),
    ("contract", "评估机构委托合同审查", "legal_advisor"),
    ("contract", "拆除工程施工合同审查", "legal_advisor"),
    ("contract", "法律顾问服务合同审查", "in_house"),
    ("normative_document", "规范性文件草案合法性审核", "in_house"),
    ("consultation", "征收程序法律咨询", "legal_advisor"),
    ("consultation", "安置补偿政策适用咨询", "legal_advisor"),
    ("case_analysis", "行政诉讼案件庭前研判", "legal_advisor"),
    ("case_analysis", "信访积案法律研判", "legal_advisor"),
    ("other", "信息公开答复书法律审核", "in_house"),
)
_MEETINGS = (
    ("party_group", "研究部署年度法治政府建设工作", True),
    ("director_office", "研究征收项目推进及补偿安置事项", False),
    ("special", "行政诉讼案件专题研判会", True),
    ("director_office", "研究“三重一大”事项", False),
    ("other", "法治建设工作领导小组会议", True),
)
_INSPECTIONS = ("征收协议签订", "补偿资金拨付", "征收档案管理", "安置房分配")


class _Ledger:
    """Accumulates interchange lines with deterministic ids, numbers and clerks."""

    def __init__(self, seed: int, horizon: dt.date) -> None:
        self.rng = random.Random(seed)
        self.horizon = horizon  # no step after it: output depends on the year only
        self.lines: list[Line] = []
        self._numbers: dict[str, int] = {}
        self._kinds: dict[tuple[str, str], str] = {}

    def emit(self, op: str, unit: str, by: str, **fields: Any) -> str:
        line_id = f"demo-{len(self.lines) + 1:06d}"
        self.lines.append({"id": line_id, "op": op, "unit": unit, **fields, "by": by})
        return line_id

    def number(self, key: str, gap: int = 1) -> int:
        self._numbers[key] = self._numbers.get(key, 0) + self.rng.randint(1, gap)
        return self._numbers[key]

    def ref(self, unit: str, prefix: str, year: int) -> str:
        return f"{prefix}-{year}-{self.number(f'{unit}/{prefix}/{year}'):03d}"

    def clerk(self, unit: str, kind: str) -> str:
        return _CLERKS[unit].get(kind, _CLERKS[unit]["*"])

    def record(self, unit: str, kind: str, ref: str, day: dt.date, data: Data) -> str:
        self._kinds[(unit, ref)] = kind
        by = self.clerk(unit, kind)
        self.emit("record", unit, by, kind=kind, ref=ref, date=day.isoformat(), data=data)
        return ref

    def step(self, unit: str, ref: str, step: str, day: dt.date, data: Data | None = None) -> str | None:
        """Record a step; a step past the horizon is left for the future (None)."""
        if day > self.horizon:
            return None
        fields: Data = {"ref": ref, "step": step, "date": day.isoformat()}
        if data is not None:
            fields["data"] = data
        return self.emit("step", unit, self.clerk(unit, self._kinds[(unit, ref)]), **fields)

    def void(self, unit: str, ref: str, reason: str, target: str | None = None) -> None:
        extra = {"target": target} if target else {}
        self.emit("void", unit, "张敏", ref=ref, reason=reason, **extra)

    def correct(self, unit: str, ref: str, reason: str, **changes: Any) -> None:
        self.emit("correct", unit, "张敏", ref=ref, reason=reason, **changes)

    def after(self, day: dt.date, lo: int, hi: int) -> dt.date:
        return day + dt.timedelta(days=self.rng.randint(lo, hi))

    def dates(self, year: int, n: int, first: int = 1, last: int = 12) -> list[dt.date]:
        """n distinct sorted dates between the 1st of month `first` and the end of `last`."""
        start = dt.date(year, first, 1)
        end = dt.date(year + 1, 1, 1) if last == 12 else dt.date(year, last + 1, 1)
        days = self.rng.sample(range((end - start).days), n)
        return [start + dt.timedelta(days=d) for d in sorted(days)]

    def find(self, unit: str, kind: str, year: int, index: int = 0) -> Line:
        found = [
            line
            for line in self.lines
            if line["op"] == "record"
            and (line["unit"], line["kind"]) == (unit, kind)
            and line["date"].startswith(str(year))
        ]
        return found[index]


def demo_years(today: dt.date) -> tuple[int, int]:
    """The two calendar years the demo covers."""
    return today.year - 2, today.year - 1


def demo_lines(today: dt.date) -> list[Line]:
    """Interchange lines (dicts in the JSON Lines format of DOMAIN.md §4) for a fictional ledger."""
    years = demo_years(today)
    if years[0] < 2000:
        raise ValueError("the demo needs two full years from 2000 on")
    led = _Ledger(seed=7919 * today.year, horizon=dt.date(years[1], 12, 31))
    for code, name, parent in _UNITS:
        data = {"name": name} if parent is None else {"name": name, "parent": parent}
        led.emit("unit", code, "张敏", data=data)
    for idx, year in enumerate(years):
        _centre_year(led, year, idx)
        _sibling_year(led, year, idx)
        _audit_traps(led, year, idx)
    return led.lines


def _centre_year(led: _Ledger, year: int, idx: int) -> None:
    unit = DEMO_UNIT
    _study(led, unit, year, _CENTRE_STUDY)
    _writings(led, unit, year, notes=4, reflections=5)
    _publicity(led, unit, year, _PUBLICITY_FORMS[idx])
    _petitions(led, unit, year, 46)
    _cases(led, unit, year, idx, {k: v[idx] for k, v in _CASE_OUTCOMES.items()})
    _normative_documents(led, unit, year, idx)
    _disclosures(led, unit, year, 12)
    _disclosure_requests(led, unit, year, idx)
    _proposals(led, unit, year)
    _legal_reviews(led, unit, year, _REVIEWS + _REVIEWS[7:11])
    _meetings(led, unit, year, 10)
    _inspections(led, unit, year, _INSPECTIONS[idx * 2 : idx * 2 + 2])
    _exams(led, unit, year, eligible=32)


def _sibling_year(led: _Ledger, year: int, idx: int) -> None:
    unit = DEMO_SIBLING
    plan = {"party_branch": 2, "all_staff": 1, "business_training": 2}
    _study(led, unit, year, plan)
    _writings(led, unit, year, notes=1, reflections=1)
    _publicity(led, unit, year, ("community",))
    _petitions(led, unit, year, 6)
    outcomes = {
        "admin_litigation": (("won",), ("withdrawn",))[idx],
        "reconsideration": (("upheld", "altered"), ("ordered_to_perform", "rejected"))[idx],
        "enforcement": (None,),
    }
    _cases(led, unit, year, idx, outcomes)
    _disclosures(led, unit, year, 2)
    _legal_reviews(led, unit, year, (_REVIEWS[2], _REVIEWS[9]))
    _meetings(led, unit, year, 2)
    _inspections(led, unit, year, (_INSPECTIONS[idx],))
    _exams(led, unit, year, eligible=12)


def _study(led: _Ledger, unit: str, year: int, plan: dict[str, int]) -> None:
    rng = led.rng
    forms = [form for form, n in plan.items() for _ in range(n)]
    rng.shuffle(forms)
    for day, form in zip(led.dates(year, len(forms)), forms, strict=True):
        data: Data = {"form": form, "topic": rng.choice(_TOPICS[form])}
        if form == "business_training" or rng.random() < 0.45:
            data["laws"] = rng.sample(_LAWS, rng.randint(1, 3))
        data["attendees"] = rng.randint(12, 24) if form == "business_training" else rng.randint(16, 34)
        if form in ("central_group", "party_group", "party_group_enlarged") and rng.random() < 0.5:
            data["speeches"] = rng.randint(1, 3)
        if form in ("party_lecture", "lecture", "business_training"):
            data["lecturer"] = _LECTURERS[0] if form == "party_lecture" else rng.choice(_LECTURERS[1:])
        data["led_by_head"] = form in ("central_group", "party_lecture")
        led.record(unit, "study_session", led.ref(unit, "XX", year), day, data)


def _writings(led: _Ledger, unit: str, year: int, notes: int, reflections: int) -> None:
    for quarter, day in enumerate(led.dates(year, notes), start=1):
        data = {"genre": "notes", "title": f"第{quarter}批学习笔记汇总", "count": led.rng.randint(4, 8)}
        led.record(unit, "study_writing", led.ref(unit, "BJ", year), day, data)
    authors = ("王芳", "刘洋", "陈静", "周涛", "李强", "赵磊")
    for day in led.dates(year, reflections, first=3):
        data = {
            "genre": "reflection",
            "author": led.rng.choice(authors),
            "title": "学习习近平法治思想心得体会",
        }
        led.record(unit, "study_writing", led.ref(unit, "XD", year), day, data)


def _publicity(led: _Ledger, unit: str, year: int, forms: tuple[str, ...]) -> None:
    rng = led.rng
    for form in forms:
        theme, month, location, laws = _PUBLICITY[form]
        day = dt.date(year, month, 4) if form == "street" else led.dates(year, 1, month, month)[0]
        data: Data = {"theme": theme, "form": form, "location": location}
        data["audience"] = rng.randint(60, 300)
        data["materials"] = rng.randint(100, 500)
        data["consultations"] = rng.randint(5, 40)
        if laws:
            data["laws"] = list(laws)
        led.record(unit, "publicity_event", led.ref(unit, "PF", year), day, data)


def _petitions(led: _Ledger, unit: str, year: int, n: int) -> None:
    rng = led.rng
    claims = 0
    for day in led.dates(year, n, last=11):
        channel = rng.choices(("visit", "letter", "online", "phone", "transferred"), (40, 12, 22, 14, 12))[0]
        category = rng.choices(("claim", "suggestion", "complaint", "other"), (50, 20, 15, 15))[0]
        data = {
            "channel": channel,
            "persons": rng.randint(1, 5) if channel == "visit" else 1,
            "category": category,
            "subject": rng.choice(_PETITION_SUBJECTS[category]),
        }
        ref = led.record(unit, "petition", led.ref(unit, "XF", year), day, data)
        led.step(unit, ref, "acknowledged", led.after(day, 1, 12))
        if rng.random() < 0.2:
            led.step(unit, ref, "visit", led.after(day, 7, 30), {"persons": rng.randint(1, 3)})
        limit = 60
        claims += category == "claim"
        if category == "claim" and day.month < 10 and claims % 6 == 3:
            days = rng.choice((15, 20, 30))
            led.step(unit, ref, "extended", led.after(day, 40, 55), {"days": days})
            limit += days
        late = category == "claim" and claims in (5, 17) and day.month < 10
        took = rng.randint(limit + 3, limit + 20) if late else rng.randint(15, limit - 2)
        concluded = min(day + dt.timedelta(days=took), led.horizon)
        replied = min(led.after(day, 8, 40), concluded)
        led.step(unit, ref, "replied", replied, {"result": rng.choice(_REPLIES)})
        led.step(unit, ref, "concluded", concluded)


def _cases(led: _Ledger, unit: str, year: int, idx: int, outcomes: dict[str, tuple[str | None, ...]]) -> None:
    rng = led.rng
    code = "某0105" if unit == DEMO_UNIT else "某0106"
    specs = [(case_type, i, outcome) for case_type, results in outcomes.items() for i, outcome in enumerate(results)]
    rng.shuffle(specs)
    for (case_type, i, outcome), day in zip(specs, led.dates(year, len(specs), last=10), strict=True):
        ref, court = _case_number(led, case_type, code, year)
        data: Data = {"case_type": case_type, "role": "defendant", "cause": rng.choice(_CAUSES[case_type])}
        data["court"] = court
        if case_type in ("admin_litigation", "civil_litigation"):
            data["case_no"], data["instance"] = ref, "first"
        if case_type == "enforcement" and i == 0:
            data["role"] = "plaintiff"  # 申请执行人
        led.record(unit, "case", ref, day, data)
        trap = (unit, case_type, i, idx) == (DEMO_UNIT, "admin_litigation", 3, 0)
        _case_steps(led, unit, ref, day, case_type, outcome, misrecord="won" if trap else None)
    if unit != DEMO_UNIT:
        return
    # An appeal at the intermediate court.
    ref = f"({year})某01行终{led.number(f'某01行终/{year}', 9)}号"
    data = {"case_type": "admin_litigation", "role": "defendant", "cause": _CAUSES["admin_litigation"][0]}
    data |= {"court": "某市中级人民法院", "case_no": ref, "instance": "second"}
    day = led.dates(year, 1, first=3, last=6)[0]
    led.record(unit, "case", ref, day, data)
    _case_steps(led, unit, ref, day, "admin_litigation", "won")
    if idx == 0:  # filed late in the first year, hearings in the second, still open
        ref, court = _case_number(led, "admin_litigation", code, year)
        data = {"case_type": "admin_litigation", "role": "defendant", "cause": "行政强制拆除"}
        data |= {"court": court, "case_no": ref, "instance": "first"}
        led.record(unit, "case", ref, dt.date(year, 11, rng.randint(1, 20)), data)
        _case_steps(led, unit, ref, dt.date(year + 1, 1, 5), "admin_litigation", None, still_open=True)


def _case_number(led: _Ledger, case_type: str, code: str, year: int) -> tuple[str, str]:
    court = "光华区人民法院"
    if case_type == "reconsideration":
        return f"光府复〔{year}〕{led.number(f'复/{year}', 6)}号", "光华区人民政府"
    if case_type == "arbitration":
        return f"光劳人仲案字〔{year}〕{led.number(f'仲/{year}', 20)}号", "光华区劳动人事争议仲裁委员会"
    if case_type == "other":
        return f"TJ-{year}-{led.number(f'调/{year}'):03d}", "光华区人民调解委员会"
    mark = {"admin_litigation": "行初", "civil_litigation": "民初", "enforcement": "执"}[case_type]
    return f"({year}){code}{mark}{led.number(f'{code}{mark}/{year}', 9)}号", court


def _case_steps(
    led: _Ledger,
    unit: str,
    ref: str,
    start: dt.date,
    case_type: str,
    outcome: str | None,
    *,
    still_open: bool = False,
    misrecord: str | None = None,
) -> None:
    """Hearings and coordinations, then decided / resolved / closed in date order."""
    rng = led.rng
    steps: list[tuple[str, Data | None]] = []
    if case_type in ("admin_litigation", "civil_litigation", "arbitration"):
        for _ in range(rng.randint(1, 2)):
            head = case_type == "admin_litigation" and rng.random() < 0.7
            steps.append(("hearing", {"head_appeared": head}))
    if case_type != "reconsideration":
        steps += [("coordination", None)] * rng.randint(case_type == "admin_litigation", 2)
    rng.shuffle(steps)
    if not still_open:
        if outcome is not None:
            steps.append(("decided", {"outcome": outcome}))
        if outcome in (None, "mediated", "settled", "withdrawn"):
            steps.append(("resolved", None))
        steps.append(("closed", None))
    day = start
    for name, data in steps:
        day = led.after(day, 7, 40)
        if name == "decided" and misrecord and day <= led.horizon:
            wrong = led.step(unit, ref, "decided", day, {"outcome": misrecord})
            led.void(unit, ref, "裁判结果录入错误，作废后重新录入", target=wrong)
        if led.step(unit, ref, name, day, data) is None:
            return  # not yet happened: the case stays open


def _normative_documents(led: _Ledger, unit: str, year: int, idx: int) -> None:
    docs = [_NORMDOCS[i] for i in _NORMDOC_PLAN[idx]]
    for (action, title, count), day in zip(docs, led.dates(year, len(docs)), strict=True):
        data: Data = {"action": action, "title": title, "count": count}
        if count == 1:
            data["doc_no"] = f"光政办发〔{year - (action != 'reviewed')}〕{led.rng.randint(2, 40)}号"
        led.record(unit, "normative_document", led.ref(unit, "GF", year), day, data)


def _disclosures(led: _Ledger, unit: str, year: int, n: int) -> None:
    channels = ("光华区人民政府网站", "中心微信公众号")
    for i, day in enumerate(led.dates(year, n)):
        data = {"channel": channels[i % 3 == 2], "title": led.rng.choice(_DISCLOSURES)}
        data["items"] = led.rng.randint(1, 6)
        led.record(unit, "disclosure", led.ref(unit, "GK", year), day, data)


def _disclosure_requests(led: _Ledger, unit: str, year: int, idx: int) -> None:
    for i, day in enumerate(led.dates(year, len(_REQUESTS), first=2, last=10)):
        subject, result = _REQUESTS[(i + idx) % len(_REQUESTS)]
        ref = led.record(unit, "disclosure_request", led.ref(unit, "YSQ", year), day, {"subject": subject})
        if i == 2:  # extended once, replied within the extra 20 working days
            led.step(unit, ref, "extended", led.after(day, 20, 26))
            led.step(unit, ref, "replied", led.after(day, 35, 50), {"result": result})
        else:
            led.step(unit, ref, "replied", led.after(day, 7, 25), {"result": result})
    if idx == 0:  # received just before the holidays, answered in January
        day = dt.date(year, 12, led.rng.randint(22, 28))
        ref = led.record(unit, "disclosure_request", led.ref(unit, "YSQ", year), day, {"subject": _REQUESTS[0][0]})
        led.step(unit, ref, "replied", dt.date(year + 1, 1, led.rng.randint(8, 20)), {"result": "disclosed"})


def _proposals(led: _Ledger, unit: str, year: int) -> None:
    rng = led.rng
    for (source, role, title, complex_), day in zip(_PROPOSALS, led.dates(year, 3, 3, 5), strict=True):
        number = f"第{rng.randint(10, 180)}号"
        data = {"source": source, "number": number, "title": title, "role": role, "complex": complex_}
        ref = led.record(unit, "proposal", led.ref(unit, "JY" if source == "npc" else "TA", year), day, data)
        led.step(unit, ref, "contacted", led.after(day, 5, 15), {"form": rng.choice(("face", "phone"))})
        led.step(unit, ref, "meeting", led.after(day, 16, 30))
        replied = led.after(day, 40, 85)
        led.step(unit, ref, "replied", replied, {"grade": "A" if role == "lead" else "B"})
        satisfaction = "basically_satisfied" if complex_ else "satisfied"
        led.step(unit, ref, "feedback", led.after(replied, 5, 20), {"satisfaction": satisfaction})


def _legal_reviews(led: _Ledger, unit: str, year: int, plan: tuple[tuple[str, str, str], ...]) -> None:
    for (subject, title, reviewer), day in zip(plan, led.dates(year, len(plan)), strict=True):
        data = {"subject": subject, "title": title, "reviewer": reviewer}
        led.record(unit, "legal_review", led.ref(unit, "FG", year), day, data)


def _meetings(led: _Ledger, unit: str, year: int, n: int) -> None:
    for i, day in enumerate(led.dates(year, n)):
        form, topic, law = _MEETINGS[i % len(_MEETINGS)]
        data = {"form": form, "topic": topic, "rule_of_law_agenda": law or led.rng.random() < 0.3}
        led.record(unit, "meeting", led.ref(unit, "HY", year), day, data)


def _inspections(led: _Ledger, unit: str, year: int, subjects: tuple[str, ...]) -> None:
    for subject, day in zip(subjects, led.dates(year, len(subjects), first=4), strict=True):
        findings = led.rng.randint(1, 5)
        data = {"subject": subject, "findings": findings, "rectified": findings - (subject == "征收档案管理")}
        led.record(unit, "inspection", led.ref(unit, "JC", year), day, data)


def _exams(led: _Ledger, unit: str, year: int, eligible: int) -> None:
    participants = eligible - led.rng.randint(0, 2)
    data = {
        "title": "年度国家工作人员学法考法考试",
        "eligible": eligible,
        "participants": participants,
        "passed": participants - led.rng.randint(0, 1),
    }
    led.record(unit, "exam", led.ref(unit, "KS", year), led.dates(year, 1, 9, 11)[0], data)


def _audit_traps(led: _Ledger, year: int, idx: int) -> None:
    """Corrections and voids as staff make them, so the audit trail has something to show."""
    unit = DEMO_UNIT
    if idx == 0:
        original = led.find(unit, "study_session", year, 4)
        ref = led.ref(unit, "XX", year)
        duplicate = {"kind": original["kind"], "date": original["date"], "data": dict(original["data"])}
        led.emit("record", unit, "王芳", ref=ref, **duplicate)
        led.void(unit, ref, f"与{original['ref']}重复录入")
        meeting = led.find(unit, "meeting", year, 3)
        moved = dt.date.fromisoformat(meeting["date"]) - dt.timedelta(days=2)
        led.correct(unit, meeting["ref"], "会议日期录入错误，以会议纪要为准", date=moved.isoformat())
    else:
        event = led.find(unit, "publicity_event", year, 1)
        audience = event["data"]["audience"] - 18
        led.correct(unit, event["ref"], "受众人次统计有误，以签到表为准", data={"audience": audience})
        exam = led.find(unit, "exam", year)
        sat = exam["data"]["participants"] - 1
        data = {"participants": sat, "passed": min(sat, exam["data"]["passed"])}
        led.correct(unit, exam["ref"], "一人缺考误计为参考，予以更正", data=data)
