"""A fictional demonstration ledger: 光华区, two centres, a 街道办事处 with its 综合行政执法队.

``demo_lines(today)`` returns interchange lines (DOMAIN.md §4). The story is the one every unit lives when it takes
the ledger into use: its history was entered in one go (建账), and since then staff have recorded what happens as it
happens. Recorded today, that is honest only for the last 30 days, so:

- the *reported year* P (``demo_years(today)[1]``, the year of ``today`` − 14 days) holds only activities of the
  last 30 days up to ``today`` (15 to 30 days of it): entered within 30 days of their date, they are no late entries
  (``audit.late_entries`` compares the first event's recorded date with ``date``; we never fake ``recorded_at``);
- the years before P are the history entered at 建账 (the centres two full years, the street one): their reports
  rightly count those activities as 补录, which is what the check is for.

Every check of the reported year's reports passes; open items are recent, so their deadlines (relative to today) have
not passed. Steps of the history stop at 31 December of P−1 except the few that deliberately cross into P (a penalty
decided in P on a case filed in P−1, a major decision of P−1's catalogue decided and published in P, a hearing).
The output depends only on ``today``; the history only on P.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from .catalogue import FIRST_YEAR
from .deadlines import LATE_ENTRY_DAYS

DEMO_PARENT = "demo-gh"
DEMO_CENTRE = "demo-gh-ur"
DEMO_SIBLING = "demo-gh-zs"
DEMO_STREET = "demo-gh-jh"
DEMO_TEAM = "demo-gh-jh-zf"
# The unit whose report `taizhang demo` prints: the district, whose roll-up shows every kind and its declared figure.
DEMO_UNIT = DEMO_PARENT
# The kept stretch starts a day inside the late-entry period before today: recorded today, still on time past midnight.
KEPT_DAYS = LATE_ENTRY_DAYS - 1

Line = dict[str, Any]
Data = dict[str, Any]

_UNITS = (
    (DEMO_PARENT, "光华区", None),
    (DEMO_CENTRE, "光华区城市更新中心", DEMO_PARENT),
    (DEMO_SIBLING, "光华区房屋征收服务中心", DEMO_PARENT),
    # A real street keeps one ledger in its own name; its 综合行政执法队 (执法 in the street's name since the 2019
    # reform) keeps the enforcement part as a child unit, so the street's report rolls both up.
    (DEMO_STREET, "光华区锦华街道办事处", DEMO_PARENT),
    (DEMO_TEAM, "光华区锦华街道综合行政执法队", DEMO_STREET),
)
DEMO_CODES = tuple(code for code, _, _ in _UNITS)  # every unit the demo registers
DEMO_FIRST_LINE = "demo-000001"  # its first line's id (`_Ledger.emit`): on the ledger once the demo was loaded

# Who keeps which part of the ledger ("*" = everything else).
_CLERKS: dict[str, dict[str, str]] = {
    DEMO_PARENT: {"*": "张敏"},
    DEMO_CENTRE: {
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
    DEMO_STREET: {
        "*": "何静",
        "hotline_ticket": "马丽",
        "legal_service": "马丽",
        "supervision_letter": "吴昊",
        "major_decision": "吴昊",
        "case": "吴昊",
    },
    DEMO_TEAM: {"*": "郑伟", "exam": "何静"},
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

    def between(self, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
        """n sorted dates from start to end (both included), distinct while the span allows."""
        days = (end - start).days + 1
        picks = self.rng.sample(range(days), n) if n <= days else [self.rng.randrange(days) for _ in range(n)]
        return [start + dt.timedelta(days=d) for d in sorted(picks)]

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
    """(P − 1, P): the year before the reported one, and the reported year P, the year of today − 14 days (so the
    kept stretch of P, recorded on time, is at least 15 days long: from 14 to 31 January it is still December's)."""
    reported = (today - dt.timedelta(days=14)).year
    return reported - 1, reported


def kept_span(today: dt.date) -> tuple[dt.date, dt.date]:
    """The stretch of the reported year kept as it happened: the last KEPT_DAYS + 1 days up to today, within P."""
    year = demo_years(today)[1]
    return max(today - dt.timedelta(days=KEPT_DAYS), dt.date(year, 1, 1)), min(today, dt.date(year, 12, 31))


def demo_note(today: dt.date) -> str:
    """What `taizhang demo` says beside the report, so that nobody reads the short reported year as a neglected one."""
    previous, reported = demo_years(today)
    start, end = kept_span(today)
    return (
        f"演示台账（虚构单位）：{previous}年及以前为建账时一次性录入的历史数据，其报告如实计为补录；"
        f"{reported}年为 {start:%m-%d} 至 {end:%m-%d} 按时录入的活动，各项核验均应通过。"
    )


def demo_lines(today: dt.date) -> list[Line]:
    """Interchange lines (dicts in the JSON Lines format of DOMAIN.md §4) for a fictional ledger."""
    previous, reported = demo_years(today)
    history = (previous - 1, previous)  # the centres' two years entered at 建账
    if history[0] < FIRST_YEAR:
        raise ValueError(f"the demo needs two full years from {FIRST_YEAR} on")
    led = _Ledger(seed=7919 * reported, horizon=dt.date(previous, 12, 31))
    for code, name, parent in _UNITS:
        data = {"name": name} if parent is None else {"name": name, "parent": parent}
        led.emit("unit", code, "张敏", data=data)
    _declarations(led)
    for idx, year in enumerate(history):
        _centre_year(led, year, idx)
        _sibling_year(led, year, idx)
        _audit_traps(led, year, idx)
    crossing = _street_year(led, previous)
    _district_year(led, previous)
    # From here on: what staff recorded as it happened. A new generator, so that the history above stays the same
    # whatever the day within P; no step after today.
    led.rng = random.Random(today.toordinal())
    led.horizon = today
    start, end = kept_span(today)
    for cross in crossing:
        cross(start, end)
    _centre_kept(led, start, end)
    _street_kept(led, start, end)
    _district_kept(led, start, end)
    return led.lines


def _centre_year(led: _Ledger, year: int, idx: int) -> None:
    unit = DEMO_CENTRE
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
    code = "某0105" if unit == DEMO_CENTRE else "某0106"
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
        trap = (unit, case_type, i, idx) == (DEMO_CENTRE, "admin_litigation", 3, 0)
        _case_steps(led, unit, ref, day, case_type, outcome, misrecord="won" if trap else None)
    if unit != DEMO_CENTRE:
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
    unit = DEMO_CENTRE
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


# ---- §8: figures the district and the street declare ----

_PARTY_GROUP_LAW: Data = {
    "unit_word": "次",
    "kind": "study_session",
    "where": [{"field": "form", "in": ["party_group"]}, {"field": "laws", "nonempty": True}],
    "measure": {"type": "count"},
}


def _declarations(led: _Ledger) -> None:
    """The district declares 党组会学法 for all its units; the street relabels it (its 党组 is a 党工委) and declares
    the statutory table's 罚款类 decisions for itself and its 执法队."""
    code = "local.study.party_group_law"
    led.emit("figure", DEMO_PARENT, "张敏", data={"code": code, "label": "党组会学法", **_PARTY_GROUP_LAW})
    led.emit("figure", DEMO_STREET, "何静", data={"code": code, "label": "党工委会学法", **_PARTY_GROUP_LAW})
    fines = {"type": "steps", "step": "decided", "field": "penalty_class", "in": ["fine"]}
    data = {"code": "local.enforcement.fine_decisions", "label": "罚款类处罚决定", "unit_word": "件"}
    led.emit("figure", DEMO_STREET, "何静", data=data | {"kind": "enforcement_case", "measure": fines})


# ---- the street (§7 kinds) ----

_SIMPLE_SUBJECTS = (
    "占道经营",
    "店外经营",
    "乱张贴、乱涂写小广告",
    "未按规定分类投放生活垃圾",
    "在人行道违规设置地桩地锁",
    "沿街晾晒衣物影响市容",
)
# subject, outcome, penalty_class, fine, confiscated; every outcome and the classes a street imposes.
_ORDINARY: tuple[tuple[str, str, str | None, str | None, str | None], ...] = (
    ("建设工程施工未采取扬尘污染防治措施", "penalized", "fine", "20000.00", None),
    ("餐饮服务单位未安装油烟净化设施", "mitigated", "fine", "5000.00", None),
    ("未取得建设工程规划许可证进行建设", "penalized", "fine", "15800.00", None),
    ("擅自设置大型户外广告", "penalized", "warning", None, None),
    ("未按规定处置建筑垃圾", "penalized", "fine", "8000.00", None),
    ("占道经营经责令改正拒不改正", "penalized", "confiscation", "500.00", "1386.50"),
    ("临街商户门前责任区不符合市容标准（首次违法）", "no_penalty", None, None, None),
    ("非法倾倒建筑垃圾数量较大", "transferred", None, None, None),
    ("擅自占用城市道路堆放物料", "withdrawn", None, None, None),
    ("运输渣土车辆未密闭撒漏", "penalized", "fine", "3000.00", None),
    ("擅自拆除、迁移环境卫生设施", "penalized", "other", None, None),
    ("未经批准擅自挖掘城市道路", "mitigated", "fine", "2500.00", "753.79"),
)
_LICENCES = (
    "临时占用城市道路审批",
    "户外广告设施设置审批",
    "城市建筑垃圾处置核准",
    "在城市建筑物、设施上张挂宣传品审批",
)
_COMPULSIONS = (
    ("measure", "扣押占道经营物品"),
    ("execution", "强制拆除违法建设"),
    ("court_application", "申请人民法院强制执行罚款决定"),
)
_HOTLINE = (
    ("complaint", "反映夜间施工噪音扰民"),
    ("complaint", "投诉餐饮店油烟扰民"),
    ("report", "举报占道经营"),
    ("report", "举报违法搭建"),
    ("request", "求助清理楼道堆物"),
    ("request", "反映路灯损坏"),
    ("consultation", "咨询老旧小区加装电梯政策"),
    ("suggestion", "建议增设非机动车停放点"),
    ("other", "反映垃圾清运不及时"),
)
_LETTERS = (
    ("judicial_suggestion", "光华区人民法院", "违法建设拆除程序中告知送达不规范", 30),
    ("procuratorial_suggestion", "光华区人民检察院", "辖区燃气经营场所安全监管不到位", None),
    ("procuratorial_suggestion", "光华区人民检察院", "建筑垃圾违规倾倒整治", None),
    ("procuratorial_suggestion", "光华区人民检察院", "人行道违规停车影响无障碍通行", None),
    ("reconsideration_opinion", "光华区人民政府", "行政处罚事先告知程序不完整", None),
)
_DECISIONS = (
    "锦华街道老旧小区加装电梯实施方案",
    "锦华街道背街小巷综合整治三年行动方案",
    "锦华农贸市场提升改造方案",
)
_STREET_STUDY = {"party_group": 12, "executive": 10, "leadership": 4, "central_group": 6, "business_training": 4}
_STREET_TOPICS = {
    "party_group": ("党工委会“第一议题”：学习习近平法治思想", "党工委会集中学习新修订的法律法规"),
    "executive": (
        "主任办公会会前学法：《中华人民共和国行政处罚法》",
        "主任办公会会前学法：《城市市容和环境卫生管理条例》",
    ),
    "leadership": ("领导班子集体学法：《中华人民共和国行政复议法》",),
    "central_group": ("党工委理论学习中心组学习法治政府建设实施纲要",),
    "business_training": ("综合行政执法程序规范培训", "行政执法“三项制度”业务培训"),
}
_STREET_LAWS = (
    "行政处罚法",
    "行政强制法",
    "行政复议法",
    "城市市容和环境卫生管理条例",
    "城乡规划法",
    "大气污染防治法",
)


def _day(start: dt.date, days: int, end: dt.date) -> dt.date:
    return min(start + dt.timedelta(days=days), end)


def _money_fine(rng: random.Random) -> str:
    return f"{rng.choice((50, 100, 200))}.00"  # 简易程序: 对公民处200元以下


def _street_study(led: _Ledger, unit: str, days: list[dt.date], forms: list[str]) -> None:
    rng = led.rng
    for day, form in zip(days, forms, strict=True):
        data: Data = {"form": form, "topic": rng.choice(_STREET_TOPICS[form])}
        if form != "central_group" or rng.random() < 0.5:
            data["laws"] = rng.sample(_STREET_LAWS, rng.randint(1, 2))
        data["attendees"] = rng.randint(35, 60) if form == "business_training" else rng.randint(9, 15)
        data["led_by_head"] = form in ("central_group", "leadership")
        data["first_topic"] = form == "party_group"
        led.record(unit, "study_session", led.ref(unit, "XX", day.year), day, data)


def _street_meetings(led: _Ledger, day: dt.date, form: str) -> None:
    rng = led.rng
    topic = {"party_group": "党工委会研究“三重一大”事项", "director_office": "主任办公会研究街道重点工作"}[form]
    data: Data = {"form": form, "topic": topic, "rule_of_law_agenda": rng.random() < 0.4}
    data |= {"items_major": rng.randint(0, 2), "items_funds": rng.randint(1, 4), "items_other": rng.randint(1, 3)}
    if form == "party_group":
        data |= {"items_personnel": rng.randint(0, 1), "items_projects": rng.randint(0, 2)}
    led.record(DEMO_STREET, "meeting", led.ref(DEMO_STREET, "HY", day.year), day, data)


def _hotline(led: _Ledger, days: list[dt.date]) -> None:
    rng, unit = led.rng, DEMO_STREET
    for day in days:
        category, subject = rng.choice(_HOTLINE)
        data = {"channel": rng.choices(("hotline", "grid", "other"), (80, 17, 3))[0], "category": category}
        ref = led.record(
            unit, "hotline_ticket", f"GD-{day:%Y%m%d}-{led.number(f'GD/{day}'):02d}", day, data | {"subject": subject}
        )
        concluded = led.after(day, 1, 7)
        if led.step(unit, ref, "concluded", concluded) and rng.random() < 0.7:
            satisfaction = rng.choices(("satisfied", "basically_satisfied", "unsatisfied"), (85, 12, 3))[0]
            led.step(unit, ref, "feedback", led.after(concluded, 1, 3), {"satisfaction": satisfaction})


def _legal_services(led: _Ledger, day: dt.date, share: float) -> None:
    """One batch per service for the period ending on `day` (a month, or `share` of one)."""
    rng, unit = led.rng, DEMO_STREET
    where = {"provider": "锦华街道法律顾问（光华某律师事务所）", "location": "锦华街道公共法律服务工作站"}
    batches = (
        ("reception", {"persons": max(1, round(rng.randint(220, 300) * share))}),
        ("consultation", {"persons": max(1, round(rng.randint(180, 260) * share))}),
        ("duty", {"count": max(1, round(rng.randint(8, 10) * share))}),
        ("mediation", {"count": max(1, round(rng.randint(2, 6) * share)), "persons": rng.randint(2, 12)}),
    )
    # The rarer services once a quarter (and in the kept stretch): 法律援助 referred to the district centre,
    # 公证 handled for residents (代办), and the 法治体检 the station runs for small businesses.
    if day.month % 3 == 0 or share < 1:
        batches += (
            ("legal_aid", {"count": rng.randint(1, 2), "persons": rng.randint(1, 3), "provider": "光华区法律援助中心"}),
            ("notarization", {"count": 1, "persons": rng.randint(1, 2), "provider": "光华区公证处"}),
            ("other", {"count": rng.randint(1, 2), "persons": rng.randint(10, 30)}),
        )
    for service, numbers in batches:
        data = {"service": service, **where, **numbers}
        led.record(unit, "legal_service", led.ref(unit, "FW", day.year), day, data)


def _penalty(
    led: _Ledger,
    day: dt.date,
    spec: tuple[str, str, str | None, str | None, str | None],
    *,
    extended: int = 0,
    corrected: bool = False,
    span_end: dt.date | None = None,
    decide: bool = True,
) -> str:
    """An ordinary-procedure penalty case: 立案, 法制审核, then decided (or withdrawn), executed, published."""
    unit, rng = DEMO_TEAM, led.rng
    subject, outcome, penalty_class, fine, confiscated = spec
    year = day.year
    ref = led.record(
        unit,
        "enforcement_case",
        led.ref(unit, "LA", year),
        day,
        {
            "action": "penalty",
            "procedure": "ordinary",
            "subject": subject,
            "case_no": f"光锦综执立字〔{year}〕第{led.number(f'立/{year}', 3)}号",
        },
    )
    end = span_end or led.horizon
    if not decide:
        return ref
    if outcome == "withdrawn":
        led.step(unit, ref, "withdrawn", _day(day, rng.randint(5, 12), end), {"reason": "经调查违法事实不能成立"})
        return ref
    took = rng.randint(25, 60) if span_end is None else rng.randint(6, max(6, (end - day).days))
    if extended:
        led.step(unit, ref, "extended", led.after(day, 80, 88), {"days": extended})
        took = 90 + rng.randint(5, extended - 5)
    decided = _day(day, took, end)
    led.step(unit, ref, "reviewed", _day(day, took - 3, decided), {"corrected": corrected})
    data: Data = {"outcome": outcome}
    if penalty_class:
        data["penalty_class"] = penalty_class
    if fine:
        data["fine"] = fine
    if confiscated:
        data["confiscated"] = confiscated
    if led.step(unit, ref, "decided", decided, data) and penalty_class:
        led.step(unit, ref, "published", _day(decided, rng.randint(1, 7), end), {"channel": "光华区人民政府网站"})
        led.step(unit, ref, "executed", _day(decided, rng.randint(3, 15), end))
    return ref


def _simple_penalties(led: _Ledger, days: list[dt.date]) -> None:
    unit, rng = DEMO_TEAM, led.rng
    for i, day in enumerate(days):
        ref = led.record(
            unit,
            "enforcement_case",
            led.ref(unit, "JY", day.year),
            day,
            {
                "action": "penalty",
                "procedure": "simple",
                "subject": rng.choice(_SIMPLE_SUBJECTS),
                "case_no": f"光锦综执简字〔{day.year}〕第{led.number(f'简/{day.year}', 2)}号",
            },
        )
        data: Data = {"outcome": "penalized", "penalty_class": "warning"}
        if i > 0 and rng.random() < 0.6:  # the first a warning, so that every stretch shows both classes
            data = {"outcome": "penalized", "penalty_class": "fine", "fine": _money_fine(rng)}
        led.step(unit, ref, "decided", day, data)  # 当场作出
        # A warning is carried out when served; a fine once paid (当场收缴, or at the bank within 15 days).
        led.step(unit, ref, "executed", led.after(day, 0, 10) if "fine" in data else day)


def _licence(led: _Ledger, day: dt.date, subject: str, outcome: str, end: dt.date) -> str:
    unit, rng = DEMO_TEAM, led.rng
    ref = led.record(
        unit, "enforcement_case", led.ref(unit, "XK", day.year), day, {"action": "licence", "subject": subject}
    )
    accepted = _day(day, rng.randint(0, 2), end)
    led.step(unit, ref, "accepted", accepted)
    led.step(unit, ref, "reviewed", _day(accepted, rng.randint(1, 3), end))
    decided = _day(accepted, rng.randint(3, 10), end)
    led.step(unit, ref, "decided", decided, {"outcome": outcome})
    if outcome == "granted":
        led.step(unit, ref, "published", _day(decided, rng.randint(1, 5), end), {"channel": "街道政务公开栏"})
    return ref


def _acts(led: _Ledger, day: dt.date, share: float) -> None:
    """The batches the 执法队 counts rather than files one by one: patrols, random checks, 责令改正."""
    unit, rng = DEMO_TEAM, led.rng
    for action, subject, lo, hi in (
        ("inspection", "市容环境秩序日常巡查", 60, 110),
        ("inspection", "“双随机、一公开”抽查", 2, 4),
        ("other", "下达责令限期改正通知书", 6, 14),
    ):
        data = {"action": action, "subject": subject, "count": max(1, round(rng.randint(lo, hi) * share))}
        led.record(unit, "enforcement_case", led.ref(unit, "XC", day.year), day, data)


def _compulsion(led: _Ledger, day: dt.date, which: int) -> None:
    measure, subject = _COMPULSIONS[which]
    data = {"action": "compulsion", "compulsion": measure, "subject": subject}
    led.record(DEMO_TEAM, "enforcement_case", led.ref(DEMO_TEAM, "QZ", day.year), day, data)


def _letter(led: _Ledger, day: dt.date, spec: tuple[str, str, str, int | None], took: int | None) -> str:
    unit = DEMO_STREET
    kind, issuer, subject, reply_days = spec
    data: Data = {"type": kind, "subject": subject, "issuer": issuer}
    if reply_days:
        data["reply_days"] = reply_days
    ref = led.record(unit, "supervision_letter", led.ref(unit, "SS", day.year), day, data)
    if took is not None:
        led.step(unit, ref, "replied", led.after(day, took, took), {"result": led.rng.choice(("adopted", "partial"))})
    return ref


def _street_year(led: _Ledger, year: int) -> list[Callable[[dt.date, dt.date], None]]:
    """A full year of the street and its 执法队, as entered at 建账; returns the steps that fall in the next year."""
    rng, street, team = led.rng, DEMO_STREET, DEMO_TEAM
    end = dt.date(year, 12, 31)
    forms = [form for form, n in _STREET_STUDY.items() for _ in range(n)]
    rng.shuffle(forms)
    _street_study(led, street, led.dates(year, len(forms)), forms)
    for day, form in zip(led.dates(year, 20), ["party_group", "director_office"] * 10, strict=True):
        _street_meetings(led, day, form)
    reviews = (
        ("contract", "老旧小区改造工程施工合同审查", 3),
        ("contract", "物业服务委托合同审查", 2),
        ("major_decision", "老旧小区加装电梯实施方案合法性审查", 1),
        ("consultation", "征地拆迁遗留问题法律咨询", 0),
        ("case_analysis", "违法建设强制拆除案件研判", 2),
        ("other", "行政处罚决定书法制审核抽查", 4),
    )
    for (subject, title, issues), day in zip(reviews, led.dates(year, len(reviews)), strict=True):
        data = {"subject": subject, "title": title, "reviewer": "legal_advisor", "issues_found": issues}
        led.record(street, "legal_review", led.ref(street, "FG", year), day, data)
    inspections = (
        ("file_review", "行政执法案卷评查", {"files_reviewed": 46, "findings": 7, "rectified": 7}),
        ("file_review", "行政许可案卷评查", {"files_reviewed": 12, "findings": 2, "rectified": 2}),
        ("field_supervision", "社区法治建设实地督察", {"findings": 3, "rectified": 3}),
        ("special", "燃气经营场所安全专项检查", {"findings": 5, "rectified": 4}),
    )
    for (kind, subject, numbers), day in zip(inspections, led.dates(year, 4, first=3), strict=True):
        led.record(
            street, "inspection", led.ref(street, "JC", year), day, {"type": kind, "subject": subject, **numbers}
        )
    exam = {"title": "锦华街道干部年度学法考试", "eligible": 68, "participants": 66, "passed": 65}
    exam |= {"excellent": 21, "average_score": "86.50"}
    led.record(street, "exam", led.ref(street, "KS", year), led.dates(year, 1, 10, 11)[0], exam)
    exam = {"title": "行政执法资格考试", "type": "qualification", "eligible": 9, "participants": 9, "passed": 8}
    led.record(team, "exam", led.ref(team, "KS", year), led.dates(year, 1, 5, 6)[0], exam)
    _hotline(led, led.dates(year, 320))
    for month in range(1, 13):
        last = dt.date(year, month, 1) + dt.timedelta(days=31)
        _legal_services(led, last.replace(day=1) - dt.timedelta(days=1), 1.0)
        _acts(led, led.dates(year, 1, month, month)[0], 1.0)
    # 述法: the previous year's, in the first quarter; the 党工委书记 on site, three 班子成员 in writing.
    for i, day in enumerate(led.dates(year, 4, 1, 3)):
        data: Data = {"role": "principal" if i == 0 else "other", "form": "on_site" if i == 0 else "written"}
        data |= {"speaker": "街道党工委书记" if i == 0 else "街道班子成员", "occasion": "区委依法治区办述法评议"}
        ref = led.record(street, "law_report", led.ref(street, "SF", year), day, data)
        led.step(street, ref, "reviewed", led.after(day, 0, 10), {"score": rng.randint(86, 96)})
    # 三书: every type, each replied; the second 检察建议 a few days after its two months.
    for i, (spec, day) in enumerate(zip(_LETTERS, led.dates(year, len(_LETTERS), 2, 9), strict=True)):
        took = {0: 25, 2: 67, 4: 40}.get(i, rng.randint(30, 55))
        _letter(led, day, spec, took)
    # The 执法队: 简易程序 on the spot, 普通程序 cases filed by September (decided within the year), licences,
    # compulsion.
    _simple_penalties(led, led.dates(year, 36))
    for i, (spec, day) in enumerate(zip(_ORDINARY, led.dates(year, len(_ORDINARY), 1, 8), strict=True)):
        _penalty(led, day, spec, extended=30 if i == 4 else 0, corrected=i == 9)
    licences = [
        _licence(led, day, _LICENCES[i % len(_LICENCES)], "refused" if i == 3 else "granted", end)
        for i, day in enumerate(led.dates(year, 6, 2, 11))
    ]
    for which, day in enumerate(led.dates(year, 3, 3, 11)):
        _compulsion(led, day, which)
    crossing: list[Callable[[dt.date, dt.date], None]] = []
    # A penalty case filed in December, decided in the next year.
    late_case = _penalty(led, dt.date(year, 12, rng.randint(8, 18)), _ORDINARY[0], decide=False)
    crossing.append(lambda start, stop: _decide_late(led, late_case, start))
    # A licence granted this year and revoked in the kept stretch (the holder no longer met the conditions).
    crossing.append(lambda start, stop: led.step(team, licences[0], "revoked", led.between(start, stop, 1)[0]))
    # Major decisions of this year's catalogue.
    crossing += _decisions(led, year)
    # An administrative suit over a demolition: heard twice, the second hearing in the kept stretch.
    ref = f"({year})某0107行初{led.number(f'行初/{year}', 9)}号"
    data = {"case_type": "admin_litigation", "role": "defendant", "cause": "行政强制拆除", "case_no": ref}
    led.record(street, "case", ref, dt.date(year, 9, rng.randint(1, 20)), data | {"court": "光华区人民法院"})
    led.step(
        street, ref, "hearing", dt.date(year, 11, rng.randint(3, 25)), {"head_appeared": True, "head_rank": "deputy"}
    )
    crossing.append(
        lambda start, stop: led.step(
            street, ref, "hearing", led.between(start, stop, 1)[0], {"head_appeared": True, "head_rank": "principal"}
        )
    )
    return crossing


def _decide_late(led: _Ledger, ref: str, start: dt.date) -> None:
    """The December case: reviewed and decided early in the next year (no later than the kept stretch)."""
    line = next(x for x in led.lines if x["op"] == "record" and x["unit"] == DEMO_TEAM and x["ref"] == ref)
    filed = dt.date.fromisoformat(line["date"])
    decided = min(filed + dt.timedelta(days=led.rng.randint(40, 60)), start)
    led.step(DEMO_TEAM, ref, "reviewed", decided - dt.timedelta(days=2))
    data = {"outcome": "penalized", "penalty_class": "fine", "fine": "12000.00"}
    led.step(DEMO_TEAM, ref, "decided", decided, data)
    led.step(DEMO_TEAM, ref, "published", decided + dt.timedelta(days=3), {"channel": "光华区人民政府网站"})


def _decisions(led: _Ledger, year: int) -> list[Callable[[dt.date, dt.date], None]]:
    unit = DEMO_STREET
    listed = led.dates(year, 1, 2, 2)[0]  # 目录 published in February
    refs = []
    for title in _DECISIONS:
        refs.append(
            led.record(
                unit,
                "major_decision",
                led.ref(unit, "JC-ML", year),
                listed,
                {"title": title, "doc_no": f"光锦办发〔{year}〕{led.rng.randint(3, 9)}号"},
            )
        )
    adopted, carried, dropped = refs
    m = lambda month, day: dt.date(year, month, day)  # noqa: E731
    for name, day, data in (
        ("public_participation", m(3, 10), {"form": "consultation"}),
        ("public_participation", m(4, 8), {"form": "hearing"}),
        ("expert_review", m(4, 22), None),
        ("risk_assessment", m(5, 6), None),
        ("legality_review", m(5, 20), None),
        ("collective_decision", m(6, 12), None),
        ("published", m(7, 1), None),
    ):
        led.step(unit, adopted, name, day, data)
    for name, day, data in (
        ("public_participation", m(4, 15), {"form": "symposium"}),
        ("expert_review", m(6, 18), None),
        ("risk_assessment", m(7, 9), None),
        ("legality_review", m(10, 28), None),
    ):
        led.step(unit, carried, name, day, data)
    led.step(unit, dropped, "terminated", m(9, 16))  # 规划调整，调出目录

    def next_year(start: dt.date, stop: dt.date) -> None:
        decided, published = led.between(start, stop, 2)
        led.step(unit, carried, "collective_decision", decided)
        led.step(unit, carried, "published", published)
        led.step(unit, adopted, "evaluation", stop)  # 决策后评估, a year on

    return [next_year]


def _street_kept(led: _Ledger, start: dt.date, end: dt.date) -> None:
    """The kept stretch of the street and its 执法队: a busy few weeks of every kind, entered as they happened."""
    street, team = DEMO_STREET, DEMO_TEAM
    span = (end - start).days + 1
    share = span / 30
    forms = ["party_group", "executive", "leadership", "party_group"]
    _street_study(led, street, led.between(start, end, len(forms)), forms)
    for day, form in zip(led.between(start, end, 2), ("party_group", "director_office"), strict=True):
        _street_meetings(led, day, form)
    data = {"subject": "contract", "title": "背街小巷整治工程施工合同审查", "reviewer": "legal_advisor"}
    led.record(
        street,
        "legal_review",
        led.ref(street, "FG", start.year),
        led.between(start, end, 1)[0],
        data | {"issues_found": 2},
    )
    data = {
        "type": "file_review",
        "subject": "行政处罚案卷季度评查",
        "files_reviewed": 18,
        "findings": 2,
        "rectified": 2,
    }
    led.record(street, "inspection", led.ref(street, "JC", start.year), led.between(start, end, 1)[0], data)
    exam = {"title": "街道干部学法用法专题测试", "eligible": 40, "participants": 38, "passed": 38}
    exam |= {"excellent": 15, "average_score": "91.25"}
    led.record(street, "exam", led.ref(street, "KS", start.year), led.between(start, end, 1)[0], exam)
    exam = {"title": "新进执法人员行政执法资格考试", "type": "qualification", "eligible": 3, "participants": 3}
    led.record(team, "exam", led.ref(team, "KS", start.year), led.between(start, end, 1)[0], exam | {"passed": 3})
    _hotline(led, led.between(start, end, max(6, round(320 / 365 * span))))
    _legal_services(led, end, share)
    data = {"role": "other", "form": "written", "speaker": "街道班子成员", "occasion": "述法工作专题推进会"}
    ref = led.record(street, "law_report", led.ref(street, "SF", start.year), start, data)
    led.step(street, ref, "reviewed", led.after(start, 3, 8), {"score": 90})
    # 三书: one answered within the period it set, one received lately and not yet due.
    led.step(
        street,
        _letter(led, start, (*_LETTERS[1][:3], 14), None),
        "replied",
        _day(start, 10, end),
        {"result": "adopted"},
    )
    _letter(led, end - dt.timedelta(days=2), _LETTERS[0][:3] + (None,), None)
    # The decision catalogue was adjusted: one item added, its consultation under way.
    listed = start + dt.timedelta(days=1)
    ref = led.record(
        street,
        "major_decision",
        led.ref(street, "JC-ML", listed.year),
        listed,
        {"title": "锦华街道养老服务综合体建设运营方案（目录调整新增）"},
    )
    led.step(street, ref, "public_participation", _day(listed, 5, end), {"form": "consultation"})
    # The 执法队.
    _simple_penalties(led, led.between(start, end, max(3, round(3 * share))))
    # 普通程序 cases small enough to decide within weeks: a fine whose amount the 法制审核 corrected, a confiscation,
    # 首违不罚, a transfer to the police, a case withdrawn.
    _penalty(led, start, _ORDINARY[9], corrected=True, span_end=end)
    for offset, spec in enumerate((_ORDINARY[5], _ORDINARY[6], _ORDINARY[7], _ORDINARY[8]), start=1):
        _penalty(led, start + dt.timedelta(days=offset), spec, span_end=end)
    # Filed lately, 检测鉴定 pending: extended, not yet due.
    ref = led.record(
        team,
        "enforcement_case",
        led.ref(team, "LA", end.year),
        end - dt.timedelta(days=3),
        {
            "action": "penalty",
            "procedure": "ordinary",
            "subject": "餐饮服务单位油烟超标排放",
            "case_no": f"光锦综执立字〔{end.year}〕第{led.number(f'立/{end.year}', 3)}号",
        },
    )
    led.step(team, ref, "extended", end, {"days": 30})
    _licence(led, start, _LICENCES[0], "granted", end)
    _licence(led, start + dt.timedelta(days=2), _LICENCES[1], "refused", end)
    for which, day in enumerate(led.between(start, end, 3)):
        _compulsion(led, day, which)
    _acts(led, end, share)


def _district_year(led: _Ledger, year: int) -> None:
    """The district's own ledger: 常务会议 and their 会前学法, the 规范性文件 it issues."""
    unit = DEMO_PARENT
    for i, day in enumerate(led.dates(year, 6)):
        data = {"form": "executive", "topic": f"区政府第{i + 1}次常务会议", "rule_of_law_agenda": i % 2 == 0}
        data |= {"items_major": led.rng.randint(1, 3), "items_funds": led.rng.randint(2, 6), "items_projects": 2}
        led.record(unit, "meeting", led.ref(unit, "HY", year), day, data)
        study = {"form": "executive", "topic": "常务会议会前学法", "laws": [led.rng.choice(_LAWS)], "attendees": 21}
        led.record(unit, "study_session", led.ref(unit, "XX", year), day, study)
    for title, day in zip(
        ("光华区城市更新项目管理办法", "光华区房屋征收补偿安置办法"), led.dates(year, 2, 4, 10), strict=True
    ):
        data = {"action": "issued", "title": title, "doc_no": f"光政规〔{year}〕{led.rng.randint(1, 5)}号"}
        led.record(unit, "normative_document", led.ref(unit, "GF", year), day, data)


def _district_kept(led: _Ledger, start: dt.date, end: dt.date) -> None:
    unit = DEMO_PARENT
    day = led.between(start, end, 1)[0]
    data = {
        "form": "executive",
        "topic": "区政府常务会议",
        "rule_of_law_agenda": True,
        "items_major": 1,
        "items_funds": 3,
    }
    led.record(unit, "meeting", led.ref(unit, "HY", day.year), day, data)
    study = {"form": "executive", "topic": "常务会议会前学法", "laws": [_LAWS[4]], "attendees": 20}
    led.record(unit, "study_session", led.ref(unit, "XX", day.year), day, study)
    data = {"action": "issued", "title": "光华区老旧小区改造管理办法", "doc_no": f"光政规〔{day.year}〕6号"}
    led.record(unit, "normative_document", led.ref(unit, "GF", day.year), led.between(start, end, 1)[0], data)


def _centre_kept(led: _Ledger, start: dt.date, end: dt.date) -> None:
    """The centre's last weeks: what a month of a 城市更新中心 brings, entered as it happened."""
    rng, unit = led.rng, DEMO_CENTRE
    year = start.year
    days = led.between(start, end, 3)
    for day, form in zip(days, ("party_group", "central_group", "business_training"), strict=True):
        data: Data = {"form": form, "topic": rng.choice(_TOPICS[form]), "laws": rng.sample(_LAWS, 2)}
        data |= {"attendees": rng.randint(16, 30), "first_topic": form == "party_group"}
        led.record(unit, "study_session", led.ref(unit, "XX", year), day, data)
    led.record(
        unit,
        "study_writing",
        led.ref(unit, "BJ", year),
        end,
        {"genre": "notes", "title": "本月学习笔记汇总", "count": 5},
    )
    for day in led.between(start, end, 4):
        data = {
            "channel": "visit",
            "persons": rng.randint(1, 3),
            "category": "claim",
            "subject": rng.choice(_PETITION_SUBJECTS["claim"]),
        }
        ref = led.record(unit, "petition", led.ref(unit, "XF", year), day, data)
        led.step(unit, ref, "acknowledged", led.after(day, 1, 4))
        if led.step(unit, ref, "replied", led.after(day, 6, 14), {"result": rng.choice(_REPLIES)}):
            led.step(unit, ref, "concluded", led.after(day, 15, 20))
    day = led.between(start, end, 1)[0]
    led.record(
        unit,
        "disclosure",
        led.ref(unit, "GK", year),
        day,
        {"channel": "光华区人民政府网站", "title": _DISCLOSURES[4], "items": 3},
    )
    day = led.between(start, end, 1)[0]
    data = {"theme": "征收补偿政策进社区宣讲", "form": "community", "location": "锦华社区党群服务中心"}
    data |= {"audience": rng.randint(60, 150), "materials": rng.randint(100, 300), "consultations": rng.randint(5, 20)}
    led.record(unit, "publicity_event", led.ref(unit, "PF", year), day, data | {"laws": [_LAWS[7]]})
    # A request for information received in the period: answered within the 20 working days, or not yet due.
    day = led.between(start, end, 1)[0]
    ref = led.record(unit, "disclosure_request", led.ref(unit, "YSQ", year), day, {"subject": _REQUESTS[1][0]})
    led.step(unit, ref, "replied", led.after(day, 7, 15), {"result": "partial"})
    data = {"subject": "contract", "title": "安置房代建合同审查", "reviewer": "legal_advisor", "issues_found": 3}
    led.record(unit, "legal_review", led.ref(unit, "FG", year), led.between(start, end, 1)[0], data)
    data = {"form": "director_office", "topic": "研究征收项目补偿资金拨付", "rule_of_law_agenda": False}
    led.record(
        unit,
        "meeting",
        led.ref(unit, "HY", year),
        led.between(start, end, 1)[0],
        data | {"items_funds": 2, "items_other": 1},
    )
