"""The filing (报送) aggregate: one unit's annual report for one year, carried upward to its superiors.

法治政府建设与责任落实督察工作规定 (2019) §25: every department sends its 法治政府建设年度报告 to its superiors
by 1 March of the next year and publishes it to the public by 1 April. A filing's every transition is an event
naming its author, its instant and its comment or reason, so the history reads like a 公文 register:

    draft ─submit→ submitted ─approve→ approved ─reopen→ reopened ─submit→ resubmitted ─approve→ approved
                       └─return→ returned ─submit→ resubmitted ─return→ returned …

Submitting carries the unit's seal of that year (domain/seal.py). An approved filing locks the unit's figures
for the year (see `touched_years` and the ledger's session): a write that would change them is refused unless
the writer gives a 报后更正 reason, and each such write is recorded here as a late correction.

Who may submit or review is decided in domain/access.py; this module decides what may happen in which state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .errors import DomainError, FieldError
from .ids import NAMESPACE

# 法治政府建设与责任落实督察工作规定 (2019) §25: report to the superiors 每年3月1日前, publish 每年4月1日前.
# A unit whose superior sets its own deadline has it recorded on its filing (`set_deadline`).
REPORT_DUE = (3, 1)  # (month, day) of the year after the report's year
PUBLISH_DUE = (4, 1)

STATES: dict[str, str] = {
    "draft": "未报送",
    "submitted": "已报送待审核",
    "returned": "已退回",
    "resubmitted": "已重新报送待审核",
    "approved": "已审核通过",
    "reopened": "已重新打开",
}
SUBMITTABLE = ("draft", "returned", "reopened")
REVIEWABLE = ("submitted", "resubmitted")

# The register's wording of each event (事由).
EVENT_LABELS: dict[str, str] = {
    "Opened": "建立报送",
    "Submitted": "报送",
    "Resubmitted": "重新报送",
    "Returned": "退回",
    "Approved": "审核通过",
    "Reopened": "重新打开",
    "LateCorrected": "报后更正",
    "Published": "公开发布",
    "DeadlineSet": "设定报送期限",
    "ApprovedAbove": "上级审核通过",
    "ReturnedAbove": "上级退回",
    "ReopenedAbove": "上级重新打开",
}
# A decision of a superior on its own server, learnt from its signed notice (api/services/filing.py
# `import_notice`): the state it leaves the unit's filing in.
DECIDED_ABOVE = {"approved": "ApprovedAbove", "returned": "ReturnedAbove", "reopened": "ReopenedAbove"}
# On a unit's own ledger a submission is the export of a report package (api/services/packages.py): it waits
# for the superior's review on another server, not for a reviewer here.
SENT_UP = {"submitted": "已报送（待上级审核）", "resubmitted": "已重新报送（待上级审核）"}
MAX_TEXT = 2000


def filing_id(unit: str, year: int) -> UUID:
    return uuid5(NAMESPACE, f"filing/{unit}/{year}")


def report_due(year: int) -> date:
    """The statutory day the year's report is due to the superiors (inclusive)."""
    return date(year + 1, *REPORT_DUE)


def publish_due(year: int) -> date:
    """The statutory day the year's report is due to be published (inclusive)."""
    return date(year + 1, *PUBLISH_DUE)


def _text(field: str, label: str, value: str | None, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError.of(field, f"{label}：须填写")
    if len(text) > MAX_TEXT:
        raise DomainError.of(field, f"{label}：不能超过 {MAX_TEXT} 字，收到 {len(text)} 字")
    return text


@dataclass(frozen=True)
class Entry:
    """One line of the register: 序号, instant, 事由 (event), 经办人, 意见/理由, and what it refers to."""

    number: int
    event: str
    at: str
    by: str
    text: str
    seal: str | None = None
    detail: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.event, self.event)

    @property
    def lines(self) -> list[dict[str, str]]:
        """A late correction's lines (line id, op, unit, ref)."""
        return list((self.detail or {}).get("lines", []))

    def refs(self, most: int = 5) -> str:
        """A late correction's activities as a short text: 「unit/ref、… 等 N 行」."""
        names = [f"{x['unit']}/{x['ref']}" for x in self.lines]
        more = f" 等 {len(names)} 行" if len(names) > most else ""
        return "、".join(dict.fromkeys(names[:most])) + more


class Filing(Aggregate):
    """Commands check the state first, then trigger exactly one event; `at` is the instant (ISO, UTC) given by
    the ledger, kept in the aggregate so a register or progress list needs no second read of the events."""

    @event("Opened")
    def __init__(self, unit: str, year: int, at: str, recorded_by: str) -> None:
        self.unit = unit
        self.year = year
        self.state = "draft"
        self.seal: str | None = None  # the seal of the current (or last) submission
        self.approved_seal: str | None = None  # the seal approved last (the lock's reference)
        self.deadline: str | None = None  # a deadline set by a superior (ISO date), else the statutory one
        self.published_url: str | None = None
        self.published_on: str | None = None
        self.register: list[dict[str, Any]] = [
            {"event": "Opened", "at": at, "by": recorded_by, "text": "", "seal": None, "detail": None}
        ]

    @staticmethod
    def create_id(unit: str, year: int) -> UUID:
        return filing_id(unit, year)

    # ---- what the state says ----

    @property
    def locked(self) -> bool:
        return self.state == "approved"

    @property
    def state_label(self) -> str:
        sent = self.last("Submitted", "Resubmitted") if self.state in REVIEWABLE else None
        if sent is not None and sent.detail and sent.detail.get("package_sha256"):
            return SENT_UP[self.state]
        return STATES[self.state]

    def due(self) -> date:
        return date.fromisoformat(self.deadline) if self.deadline else report_due(self.year)

    def entries(self) -> list[Entry]:
        return [Entry(i, **e) for i, e in enumerate(self.register, start=1)]

    def last(self, *events: str) -> Entry | None:
        found = [e for e in self.entries() if e.event in events]
        return found[-1] if found else None

    def late_corrections(self) -> list[Entry]:
        return [e for e in self.entries() if e.event == "LateCorrected"]

    def _note(self, name: str, at: str, by: str, text: str, seal: str | None = None, **detail: Any) -> None:
        self.register.append({"event": name, "at": at, "by": by, "text": text, "seal": seal, "detail": detail or None})

    # ---- commands ----

    def submit(self, seal: str, comment: str | None, at: str, by: str) -> None:
        if self.state not in SUBMITTABLE:
            raise DomainError.of(
                "state", f"报送状态：{self.unit} {self.year} 年度报告「{self.state_label}」，不能再报送"
            )
        comment = _text("comment", "报送说明", comment, required=False)
        if self.state == "draft":
            self._submitted(seal, comment, at, by)
        else:
            self._resubmitted(seal, comment, at, by)

    # `detail`: a submission by a report package (`send_package`) names the package; None otherwise (and in
    # events stored before it existed).
    @event("Submitted")
    def _submitted(
        self, seal: str, comment: str, at: str, recorded_by: str, detail: dict[str, Any] | None = None
    ) -> None:
        self.state = "submitted"
        self.seal = seal
        self._note("Submitted", at, recorded_by, comment, seal, **(detail or {}))

    @event("Resubmitted")
    def _resubmitted(
        self, seal: str, comment: str, at: str, recorded_by: str, detail: dict[str, Any] | None = None
    ) -> None:
        self.state = "resubmitted"
        self.seal = seal
        self._note("Resubmitted", at, recorded_by, comment, seal, **(detail or {}))

    def send_package(self, seal: str, detail: dict[str, Any], at: str, by: str) -> bool:
        """On a unit's own ledger: a report package of `seal` was exported for the superior's server; that is the
        submission (报送), as the superior records its import as one (`receive_package`). A package of a seal
        already submitted (downloaded again) is no new submission, nor is one of an approved year (the superior
        requires a 报后更正 reason for it and records it there). Returns whether an event was triggered."""
        if any(e.seal == seal for e in self.entries() if e.event in ("Submitted", "Resubmitted")):
            return False
        if self.state == "draft":
            self._submitted(seal, "导出报送包", at, by, detail)
        elif self.state in SUBMITTABLE or self.state in REVIEWABLE:
            self._resubmitted(seal, "导出报送包", at, by, detail)  # a newer package replaces the waiting one
        else:
            return False
        return True

    def _require_reviewable(self, what: str) -> None:
        if self.state not in REVIEWABLE:
            raise DomainError.of(
                "state", f"报送状态：{self.unit} {self.year} 年度报告「{self.state_label}」，不能{what}"
            )

    def return_(self, reason: str, at: str, by: str) -> None:
        self._require_reviewable("退回")
        self._returned(_text("reason", "退回理由", reason, required=True), at, by)

    @event("Returned")
    def _returned(self, reason: str, at: str, recorded_by: str) -> None:
        self.state = "returned"
        self._note("Returned", at, recorded_by, reason, self.seal)

    def approve(self, comment: str | None, at: str, by: str) -> None:
        self._require_reviewable("审核通过")
        self._approved(_text("comment", "审核意见", comment, required=False), at, by)

    @event("Approved")
    def _approved(self, comment: str, at: str, recorded_by: str) -> None:
        self.state = "approved"
        self.approved_seal = self.seal
        self._note("Approved", at, recorded_by, comment, self.seal)

    def reopen(self, reason: str, at: str, by: str) -> None:
        if self.state != "approved":
            raise DomainError.of(
                "state", f"报送状态：{self.unit} {self.year} 年度报告「{self.state_label}」，只有审核通过的才能重新打开"
            )
        self._reopened(_text("reason", "重新打开理由", reason, required=True), at, by)

    @event("Reopened")
    def _reopened(self, reason: str, at: str, recorded_by: str) -> None:
        self.state = "reopened"
        self._note("Reopened", at, recorded_by, reason, self.approved_seal)

    def late_correct(self, lines: list[dict[str, str]], reason: str, at: str, by: str) -> None:
        """One write (a form, a request, a file) that changed the locked year, allowed because its writer gave a
        报后更正 reason (the ledger checks); `lines` are its lines that touch this year: line id, op, unit, ref."""
        self._late_corrected(lines, _text("late_reason", "报后更正理由", reason, True), at, by)

    @event("LateCorrected")
    def _late_corrected(self, lines: list[dict[str, str]], reason: str, at: str, recorded_by: str) -> None:
        self._note("LateCorrected", at, recorded_by, reason, self.approved_seal, lines=lines)

    def receive_package(self, seal: str, comment: str, at: str, by: str) -> None:
        """On a superior's ledger, for a unit on its own server: a report package of the year arrived (it is the
        submission). While a previous one waits for review, the newer one replaces it (重新报送); an approved
        year stays approved (the caller requires a 报后更正 reason and records a late correction)."""
        if self.state in SUBMITTABLE:
            self.submit(seal, comment, at, by)
        elif self.state in REVIEWABLE:
            self._resubmitted(seal, _text("comment", "报送说明", comment, required=False), at, by)

    def decided_above(self, kind: str, seal: str, text: str, detail: dict[str, Any], at: str, by: str) -> None:
        """On a unit's own ledger: its superior (another taizhang) approved, returned or reopened the report of
        `seal`, as its signed notice says; `by` imported the notice, `detail` names the superior, its reviewer
        and when. An approval locks the year here as an approval on one ledger does; a return needs its reason;
        a reopening (of an approved year only) needs its reason and lifts the lock as a reopening here does."""
        if kind not in DECIDED_ABOVE:
            raise DomainError.of("kind", f"回执类型：须为 approved、returned 或 reopened，收到「{kind[:20]}」")
        if kind == "reopened":
            if self.state != "approved":
                raise DomainError.of(
                    "state",
                    f"报送状态：{self.unit} {self.year} 年度报告「{self.state_label}」，只有审核通过的才能重新打开",
                )
            if self.approved_seal != seal:
                raise DomainError.of(
                    "seal", f"封存：重新打开的回执所指封存 {seal} 不是本单位审核通过的封存 {self.approved_seal}"
                )
            self._reopened_above(seal, _text("reason", "重新打开理由", text, required=True), detail, at, by)
            return
        if kind == "approved":
            if self.state == "approved" and self.approved_seal == seal:
                raise DomainError.of("state", f"报送状态：{self.unit} {self.year} 年度报告已记录上级审核通过")
            self._approved_above(seal, _text("comment", "审核意见", text, required=False), detail, at, by)
        else:
            self._returned_above(seal, _text("reason", "退回理由", text, required=True), detail, at, by)

    @event("ApprovedAbove")
    def _approved_above(self, seal: str, comment: str, detail: dict[str, Any], at: str, recorded_by: str) -> None:
        self.state = "approved"
        self.seal = self.approved_seal = seal
        self._note("ApprovedAbove", at, recorded_by, comment, seal, **detail)

    @event("ReturnedAbove")
    def _returned_above(self, seal: str, reason: str, detail: dict[str, Any], at: str, recorded_by: str) -> None:
        self.state = "returned"
        self.seal = seal
        self._note("ReturnedAbove", at, recorded_by, reason, seal, **detail)

    @event("ReopenedAbove")
    def _reopened_above(self, seal: str, reason: str, detail: dict[str, Any], at: str, recorded_by: str) -> None:
        self.state = "reopened"
        self._note("ReopenedAbove", at, recorded_by, reason, seal, **detail)

    def publish(self, url: str, day: date | None, today: date, at: str, by: str) -> None:
        """`day` None: the caller could not read the date it was given (named with the other errors)."""
        problems = publication_problems(url, day, self.year, today)
        if day is None:
            problems.append(FieldError("date", "发布日期：须为 YYYY-MM-DD 格式的日期"))
        if problems:
            raise DomainError(*problems)
        assert day is not None
        self._published(url.strip(), day.isoformat(), at, by)

    @event("Published")
    def _published(self, url: str, day: str, at: str, recorded_by: str) -> None:
        self.published_url = url
        self.published_on = day
        self._note("Published", at, recorded_by, url, None, date=day)

    def set_deadline(self, day: date, at: str, by: str) -> None:
        if day.year <= self.year:
            raise DomainError.of("date", f"报送期限：{self.year} 年度报告的期限须在 {self.year + 1} 年以后，收到 {day}")
        self._deadline_set(day.isoformat(), at, by)

    @event("DeadlineSet")
    def _deadline_set(self, day: str, at: str, recorded_by: str) -> None:
        self.deadline = day
        self._note("DeadlineSet", at, recorded_by, day, None, date=day)


def locks_id(year: int) -> UUID:
    return uuid5(NAMESPACE, f"filing-locks/{year}")


class Locks(Aggregate):
    """The units whose filing of one year stands approved, saved with each approval and reopening of that year:
    a write reads the index of each year its lines touch once (in the bulk load of its lines) to know whether any
    line touches a locked year, instead of one read per unit and year; one per year, so it stays small."""

    @event("Created")
    def __init__(self, year: int) -> None:
        self.year = year
        self.units: list[str] = []

    @staticmethod
    def create_id(year: int) -> UUID:
        return locks_id(year)

    def has(self, unit: str) -> bool:
        return unit in self.units

    def follow(self, filing: Filing) -> None:
        """Bring the index in line with the filing's state (one event if it changed)."""
        if filing.locked and not self.has(filing.unit):
            self._locked(filing.unit)
        elif not filing.locked and self.has(filing.unit):
            self._unlocked(filing.unit)

    @event("Locked")
    def _locked(self, unit: str) -> None:
        self.units = sorted({*self.units, unit})

    @event("Unlocked")
    def _unlocked(self, unit: str) -> None:
        self.units = [u for u in self.units if u != unit]


def publication_problems(url: str, day: date | None, year: int, today: date) -> list[FieldError]:
    """Every problem of a publication record at once: a web address, a day after the year and not in the future."""
    out = []
    text = (url or "").strip()
    if not text.startswith(("https://", "http://")) or len(text) > MAX_TEXT or any(c.isspace() for c in text):
        out.append(FieldError("url", f"发布地址：须为 http:// 或 https:// 开头的网址，收到「{text[:80]}」"))
    if day is not None and day.year <= year:
        out.append(FieldError("date", f"发布日期：{year} 年度报告须在 {year + 1} 年以后发布，收到 {day}"))
    elif day is not None and day > today:
        out.append(FieldError("date", f"发布日期：不能晚于今天（{today}），收到 {day}"))
    return out


def activity_year(kind: str, day: date, data: dict[str, Any] | None) -> int:
    """The year an activity counts in, as the read model's `activity_year` has it (DOMAIN.md §7.5): a major
    decision's catalogue year (目录年度) when it has one, every other activity the year of its date."""
    if kind == "major_decision" and data and isinstance(data.get("catalogue_year"), int):
        return int(data["catalogue_year"])
    return day.year
