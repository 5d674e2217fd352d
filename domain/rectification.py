"""Rectification (整改): an issue found by 督察, 巡察, an audit, an inspection, a corrected 复议 case, a lost lawsuit,
a superior's notice or the unit itself, tracked to its sign-off (销号) by the unit that issued it.

Every step is an event of the `Issue` aggregate with its author (`recorded_by`), its time (the event's
timestamp) and its reason, so the issue list can be replayed as of any instant:

  registered ──measures──▶ in progress ──completed──▶ awaiting verification ──verified(passed)──▶ signed off
       ▲                        ▲                                  │ verified(failed): back, with the reason
       └────────────────────────┴──────────── reopened (the problem recurred: 问题反弹) ◀── signed off

The issuing unit registers, moves the deadline (with a reason), verifies, signs off and reopens; the owner unit
(the issuer itself or one of its descendants) records measures, evidence and completion. Who acts for which
unit is checked in api/services/rectification.py; this module keeps the order of the steps.

Event attributes avoid the read model's envelope keys (`date`, `unit`, `ref`, `kind`, `data`…, see
projections/ingest.py), which it parses with fixed types from every event in the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .errors import DomainError, FieldError
from .ids import NAMESPACE
from .validation import text_problem

# Where an issue came from (one home: labels are derived everywhere from here).
SOURCES: dict[str, str] = {
    "supervision": "督察",
    "patrol": "巡察",
    "audit": "审计",
    "inspection": "专项检查",
    "reconsideration": "复议纠错",
    "litigation": "诉讼败诉",
    "notice": "上级通报",
    "self": "自查发现",
}

STATUSES: dict[str, str] = {
    "open": "待整改",
    "in_progress": "整改中",
    "completed": "已整改待验收",
    "signed_off": "已销号",
}

MAX_TITLE = 200
MAX_TEXT = 5_000
REF = r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$"


def issue_id(issuer: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"issue/{issuer}/{ref}")


@dataclass(frozen=True)
class EvidenceLink:
    """Evidence of rectification: an activity of the ledger (`unit/ref`) or a stored file (its SHA-256)."""

    what: str  # "activity" or "file"
    target: str  # "unit/ref" for an activity, the SHA-256 for a file
    label: str  # the activity's kind label and ref, or the file name
    recorded_by: str

    def to_json(self) -> dict[str, str]:
        return {"what": self.what, "target": self.target, "label": self.label, "recorded_by": self.recorded_by}


def text(field: str, label: str, value: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    """A checked free text (trimmed): refused when empty (if required), too long or with control characters."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError.of(field, f"{label}：不能为空")
    if problem := text_problem(value):
        raise DomainError.of(field, f"{label}：{problem}")
    if len(value) > limit:
        raise DomainError.of(field, f"{label}：不得超过 {limit:,} 字，收到 {len(value):,} 字")
    return value


class Problems:
    """Every problem of one step at once (the pages show each beside its field): a step states its rules one per
    line — the field, the message, whether it is broken — checks its free texts, then `check` refuses with all."""

    def __init__(self, *found: FieldError) -> None:
        self.errors = list(found)

    def rule(self, field: str, message: str, broken: bool) -> None:
        if broken:
            self.errors.append(FieldError(field, message))

    def text(self, field: str, label: str, value: str, required: bool = True, limit: int = MAX_TEXT) -> str:
        """The checked text (`text`), or "" with its problem recorded."""
        try:
            return text(field, label, value, required, limit)
        except DomainError as e:
            self.errors += e.errors
            return ""

    def check(self) -> None:
        if self.errors:
            raise DomainError(*self.errors)


def check_new(ref: str, source: str, title: str, found_on: date, deadline: date, today: date) -> list[FieldError]:
    """Every problem of a new issue's fields at once."""
    import re

    choices = "、".join(f"{c}（{v}）" for c, v in SOURCES.items())
    p = Problems()
    p.rule("ref", f"问题编号：须为 1–64 位字母、数字、点、横线或下划线，收到「{ref}」", not re.match(REF, ref or ""))
    p.rule("source", f"问题来源：未知来源「{source}」，可选：{choices}", source not in SOURCES)
    p.text("title", "问题", title, limit=MAX_TITLE)
    p.rule("found_on", f"发现日期：不能晚于今天（{today.isoformat()}），收到 {found_on.isoformat()}", found_on > today)
    p.rule("deadline", f"整改期限：不能早于发现日期 {found_on.isoformat()}", deadline < found_on)
    return p.errors


class Issue(Aggregate):
    """One issue to rectify. Dates are kept as ISO text (plain JSON in the log)."""

    @event("Registered")
    def __init__(
        self,
        issuer: str,
        ref: str,
        owner: str,
        source: str,
        title: str,
        detail: str,
        found_on: str,
        deadline: str,
        origin: str | None,
        recorded_by: str,
        reason: str,
    ) -> None:
        self.issuer = issuer
        self.ref = ref
        self.owner = owner
        self.source = source
        self.title = title
        self.detail = detail
        self.found_on = found_on
        self.deadline = deadline
        self.origin = origin  # "unit/ref" of the activity that found it (an inspection), if any
        self.status = "open"
        self.measures = ""
        self.evidence: dict[str, dict[str, str]] = {}
        self.completed_on: str | None = None
        self.completion = ""
        self.completed_by: str | None = None
        self.signed_off_on: str | None = None
        self.verification = ""
        self.recurrences = 0
        self.reopened_on: list[str] = []
        self.returns = 0

    @staticmethod
    def create_id(issuer: str, ref: str) -> UUID:
        return issue_id(issuer, ref)

    # ---- the owner's steps ----

    def plan(self, measures: str, recorded_by: str, reason: str = "") -> None:
        if self.status in ("completed", "signed_off"):
            raise DomainError.of("status", f"状态：问题已{STATUSES[self.status]}，不能再修改整改措施")
        self._planned(text("measures", "整改措施", measures), recorded_by, reason)

    @event("MeasuresSet")
    def _planned(self, measures: str, recorded_by: str, reason: str) -> None:
        self.measures = measures
        self.status = "in_progress"

    def add_evidence(self, link: EvidenceLink, reason: str = "") -> None:
        if self.status == "signed_off":
            raise DomainError.of("status", "状态：问题已销号，不能再添加佐证材料（如问题反弹，请先由交办单位重新打开）")
        if link.target in self.evidence:
            raise DomainError.of("evidence", f"佐证材料：「{link.label}」已在本问题的佐证材料中")
        self._evidenced(link.what, link.target, link.label, link.recorded_by, reason)

    @event("EvidenceAdded")
    def _evidenced(self, what: str, target: str, label: str, recorded_by: str, reason: str) -> None:
        self.evidence[target] = {"what": what, "target": target, "label": label, "recorded_by": recorded_by}

    def complete(self, on: date, summary: str, recorded_by: str, today: date) -> None:
        """The owner reports the rectification done: once, after measures and at least one piece of evidence."""
        p = Problems()
        p.rule(
            "status",
            f"状态：问题{STATUSES[self.status]}，不能再次报告整改完成",
            self.status not in ("open", "in_progress"),
        )
        p.rule("measures", "整改措施：报告完成前须先填写整改措施", not self.measures)
        p.rule("evidence", "佐证材料：报告完成前须至少添加一项佐证材料（活动或文件）", not self.evidence)
        p.rule("on", f"完成日期：不能晚于今天（{today.isoformat()}）", on > today)
        p.rule("on", f"完成日期：不能早于发现日期 {self.found_on}", on.isoformat() < self.found_on)
        summary = p.text("summary", "整改情况", summary)
        p.check()
        self._completed(on.isoformat(), summary, recorded_by, "")

    @event("Completed")
    def _completed(self, on: str, summary: str, recorded_by: str, reason: str) -> None:
        self.completed_on = on
        self.completion = summary
        self.completed_by = recorded_by
        self.status = "completed"

    # ---- the issuer's steps ----

    def move_deadline(self, deadline: date, reason: str, recorded_by: str) -> None:
        """The issuer moves the deadline, with a reason, until the issue is signed off."""
        p = Problems()
        p.rule("status", "状态：问题已销号，不能再调整整改期限", self.status == "signed_off")
        p.rule("deadline", f"整改期限：不能早于发现日期 {self.found_on}", deadline.isoformat() < self.found_on)
        reason = p.text("reason", "调整原因", reason)
        p.check()
        self._deadline_moved(deadline.isoformat(), recorded_by, reason)

    @event("DeadlineMoved")
    def _deadline_moved(self, deadline: str, recorded_by: str, reason: str) -> None:
        self.deadline = deadline

    def verify(self, passed: bool, on: date, reason: str, recorded_by: str, today: date) -> None:
        """The issuer's verification: passed signs the issue off (销号); failed returns it to the owner."""
        done = self.completed_on
        p = Problems()
        p.rule("status", f"状态：问题{STATUSES[self.status]}，须整改单位报告完成后才能验收", self.status != "completed")
        p.rule("on", f"验收日期：不能晚于今天（{today.isoformat()}）", on > today)
        p.rule("on", f"验收日期：不能早于整改完成日期 {done}", done is not None and on.isoformat() < done)
        # Separation of duties: whoever reported the rectification done does not also sign it off.
        p.rule(
            "by",
            "验收人：报告整改完成的人不能验收同一问题，请由交办单位的其他人员验收",
            self.status == "completed" and recorded_by == self.completed_by,
        )
        reason = p.text("reason", "验收意见", reason)
        p.check()
        self._verified(passed, on.isoformat(), recorded_by, reason)

    @event("Verified")
    def _verified(self, passed: bool, on: str, recorded_by: str, reason: str) -> None:
        self.verification = reason
        if passed:
            self.status = "signed_off"
            self.signed_off_on = on
        else:
            self.status = "in_progress"
            self.completed_on = None
            self.returns += 1

    def reopen(self, on: date, reason: str, recorded_by: str, today: date, deadline: date | None = None) -> None:
        """The problem recurred (问题反弹): the signed-off issue is open again and counted as a recurrence."""
        signed = self.signed_off_on
        p = Problems()
        p.rule(
            "status", f"状态：问题{STATUSES[self.status]}，只有已销号的问题才能重新打开", self.status != "signed_off"
        )
        p.rule("on", f"反弹日期：不能晚于今天（{today.isoformat()}）", on > today)
        p.rule("on", f"反弹日期：不能早于销号日期 {signed}", signed is not None and on.isoformat() < signed)
        p.rule("deadline", "整改期限：不能早于反弹日期", deadline is not None and deadline < on)
        reason = p.text("reason", "重新打开原因", reason)
        p.check()
        self._reopened(on.isoformat(), deadline.isoformat() if deadline else self.deadline, recorded_by, reason)

    @event("Reopened")
    def _reopened(self, on: str, deadline: str, recorded_by: str, reason: str) -> None:
        self.status = "open"
        self.recurrences += 1
        self.reopened_on = [*self.reopened_on, on]
        self.deadline = deadline
        self.completed_on = None
        self.signed_off_on = None


class IssueBook:
    """Issues in the ledger's event store (the Ledger application is passed in: this module adds no methods
    to it). Registrations found from one inspection are saved together, all or none."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger

    def get(self, issuer: str, ref: str) -> Issue | None:
        from eventsourcing.application import AggregateNotFoundError

        try:
            return self.ledger.repository.get(issue_id(issuer, ref))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None

    def save(self, *issues: Issue) -> None:
        self.ledger.save(*issues)

    def all(self, as_of: datetime | None = None) -> list[Issue]:
        """Every issue as it stands now, or as it stood at `as_of` (only events recorded by then)."""
        current = self.ids()
        loaded = self.ledger._get_many(current)  # one query per 500 issues, not one per issue
        if as_of is None:
            return [loaded[i] for i in current if loaded.get(i) is not None]
        from eventsourcing.application import project_aggregate

        out = []
        for issue_id_ in current:
            events = [e for e in self.ledger.events.get(issue_id_) if e.timestamp <= as_of]
            if events:
                out.append(project_aggregate(None, events))
        return out

    def ids(self) -> list[UUID]:
        """Every issue's id, in the order registered (a scan of the log's notifications of registrations)."""
        topic = f"{Issue.Registered.__module__}:{Issue.Registered.__qualname__}"
        found, after = [], 0
        recorder = self.ledger.recorder
        while notes := recorder.select_notifications(after, 1000, topics=[topic], inclusive_of_start=False):
            found += [
                n.originator_id if isinstance(n.originator_id, UUID) else UUID(str(n.originator_id)) for n in notes
            ]
            after = notes[-1].id
        return found

    def history(self, issuer: str, ref: str) -> list[Any]:
        return list(self.ledger.events.get(issue_id(issuer, ref)))
