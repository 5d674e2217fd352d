"""The activity (活动) aggregate and every rule of DOMAIN.md §2 about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from .catalogue import KINDS, outcomes_for
from .errors import DomainError
from .ids import activity_id
from .validation import clean_data, data_model, step_model


@dataclass(frozen=True)
class Evidence:
    """A file's identity: what the event records (the bytes live in the content-addressed store)."""

    sha256: str
    name: str
    size: int
    media_type: str


@dataclass
class StepState:
    id: str
    name: str
    date: date
    data: dict[str, Any] = field(default_factory=dict)
    voided: bool = False


class Activity(Aggregate):
    @event("Recorded")
    def __init__(
        self, unit: str, ref: str, kind: str, date: str, data: dict[str, Any], recorded_by: str, line_id: str
    ) -> None:
        self.unit = unit
        self.ref = ref
        self.kind = kind
        self.date = _day(date)
        self.data = dict(data)
        self.voided = False
        self.steps: dict[str, StepState] = {}
        self.evidence: dict[str, dict[str, Any]] = {}

    @staticmethod
    def create_id(unit: str, ref: str) -> UUID:
        return activity_id(unit, ref)

    @classmethod
    def record(cls, unit: str, ref: str, kind: str, day: date, data: Any, recorded_by: str, line_id: str) -> Activity:
        clean = clean_data(data_model(kind), KINDS[kind].fields, data)
        _check_exam(clean)
        # The created event built directly, as the library's _create would (without its per-call introspection:
        # this runs once per imported line).
        created = cls.Recorded(  # type: ignore[call-arg]
            originator_id=activity_id(unit, ref),
            originator_version=cls.INITIAL_VERSION,
            timestamp=cls.Recorded.create_timestamp(),
            originator_topic=get_topic(cls),
            unit=unit,
            ref=ref,
            kind=kind,
            date=day.isoformat(),
            data=clean,
            recorded_by=recorded_by,
            line_id=line_id,
        )
        activity: Activity = created.mutate(None)  # type: ignore[assignment]
        activity.pending_events.append(created)
        return activity

    # ---- commands: validate first, then trigger exactly one event ----

    def add_step(self, line_id: str, step: str, day: date, data: Any, recorded_by: str) -> None:
        self._require_live()
        kind = KINDS[self.kind]
        spec = kind.step(step)
        if spec is None:
            names = "、".join(f"{s.name}（{s.label}）" for s in kind.steps) or "无"
            raise DomainError.of("step", f"步骤：「{kind.label}」没有步骤「{step}」，可选：{names}")
        clean = clean_data(step_model(self.kind, step), spec.fields, data or {})
        if day < self.date:
            raise DomainError.of("date", f"日期：步骤日期 {day} 不能早于活动日期 {self.date}")
        if spec.at_most_one:
            taken = next((s for s in self.live_steps() if s.name == step), None)
            if taken:
                raise DomainError.of(
                    "step",
                    f"步骤：已有有效的「{spec.label}」（{taken.id}，{taken.date}），只能有一个；如需更换请先作废",
                )
        closed = next((s for s in self.live_steps() if s.name == "closed"), None)
        if closed and day > closed.date:
            raise DomainError.of("date", f"日期：案件已于 {closed.date} 结案，不能记录此后的步骤")
        if step == "closed":
            later = [s for s in self.live_steps() if s.date > day]
            if later:
                raise DomainError.of("date", f"日期：结案日期不能早于已有步骤「{later[0].id}」的日期 {later[0].date}")
        if step == "decided":
            allowed = outcomes_for(self.data.get("case_type"))
            if clean["outcome"] not in allowed:
                codes = "、".join(f"{c}（{label}）" for c, label in allowed.items())
                raise DomainError.of("data.outcome", f"裁判/决定结果：与案件类型不符，可选：{codes}")
        self._step_added(line_id, step, day.isoformat(), clean, recorded_by)

    def correct(
        self, line_id: str, day: date | None, changes: dict[str, Any] | None, reason: str, recorded_by: str
    ) -> None:
        self._require_live()
        changes = changes or {}
        if day is None and not changes:
            raise DomainError.of("data", "数据：更正须至少修改日期或一个字段")
        kind = KINDS[self.kind]
        merged = {**self.data, **changes}
        clean = clean_data(data_model(self.kind), kind.fields, merged)
        _check_exam(clean)
        new_day = day or self.date
        first = min(self.live_steps(), key=lambda s: s.date, default=None)
        if first and new_day > first.date:
            raise DomainError.of("date", f"日期：不能晚于已有步骤「{first.id}」的日期 {first.date}")
        decided = next((s for s in self.live_steps() if s.name == "decided"), None)
        if decided and decided.data["outcome"] not in outcomes_for(clean.get("case_type")):
            raise DomainError.of(
                "data.case_type", f"案件类型：已有裁判结果「{decided.data['outcome']}」与新类型不符，请先作废该步骤"
            )
        self._corrected(line_id, day.isoformat() if day else None, changes, reason, recorded_by)

    def void(self, line_id: str, reason: str, recorded_by: str) -> None:
        self._require_live()
        self._voided(line_id, reason, recorded_by)

    def void_step(self, line_id: str, target: str, reason: str, recorded_by: str) -> None:
        self._require_live()
        step = self.steps.get(target)
        if step is None:
            raise DomainError.of("target", f"作废对象：本活动没有编号为「{target}」的步骤")
        if step.voided:
            raise DomainError.of("target", f"作废对象：步骤「{target}」已作废")
        self._step_voided(line_id, target, reason, recorded_by)

    def attach(self, evidence: Evidence, step_id: str | None, recorded_by: str) -> None:
        """Attach a file (佐证材料) by its content hash to the activity or to one of its live steps."""
        self._require_live()
        if step_id is not None and (step_id not in self.steps or self.steps[step_id].voided):
            raise DomainError.of("step", f"步骤：本活动没有有效的步骤「{step_id}」")
        if evidence.sha256 in self.live_evidence():
            raise DomainError.of("file", f"文件：同一文件已附在本活动上（{evidence.name}）")
        self._evidence_attached(
            evidence.sha256, evidence.name, evidence.size, evidence.media_type, step_id, recorded_by
        )

    def remove_evidence(self, sha256: str, reason: str, recorded_by: str) -> None:
        """Evidence is never deleted: it is voided with a reason, and stays in the history."""
        self._require_live()
        if sha256 not in self.live_evidence():
            raise DomainError.of("sha256", f"文件：本活动没有有效的附件「{sha256[:12]}…」")
        self._evidence_voided(sha256, reason, recorded_by)

    # ---- queries ----

    def live_evidence(self) -> dict[str, dict[str, Any]]:
        return {h: e for h, e in self.evidence.items() if not e.get("voided")}

    def live_steps(self) -> list[StepState]:
        return [s for s in self.steps.values() if not s.voided]

    def _require_live(self) -> None:
        if self.voided:
            raise DomainError.of("ref", f"活动编号：活动「{self.ref}」已作废，不能再记录步骤、更正或作废")

    # ---- events ----

    @event("StepAdded")
    def _step_added(self, line_id: str, step: str, date: str, data: dict[str, Any], recorded_by: str) -> None:
        self.steps[line_id] = StepState(line_id, step, _day(date), dict(data))

    @event("Corrected")
    def _corrected(self, line_id: str, date: str | None, data: dict[str, Any], reason: str, recorded_by: str) -> None:
        if date:
            self.date = _day(date)
        merged = {**self.data, **data}
        self.data = {k: v for k, v in merged.items() if v is not None}

    @event("Voided")
    def _voided(self, line_id: str, reason: str, recorded_by: str) -> None:
        self.voided = True

    @event("EvidenceAttached")
    def _evidence_attached(
        self, sha256: str, name: str, size: int, media_type: str, step_id: str | None, recorded_by: str
    ) -> None:
        self.evidence[sha256] = {"name": name, "size": size, "step": step_id}

    @event("EvidenceVoided")
    def _evidence_voided(self, sha256: str, reason: str, recorded_by: str) -> None:
        self.evidence[sha256] = {**self.evidence[sha256], "voided": True}

    @event("StepVoided")
    def _step_voided(self, line_id: str, target: str, reason: str, recorded_by: str) -> None:
        self.steps[target].voided = True


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _check_exam(data: dict[str, Any]) -> None:
    if "passed" in data and "participants" in data and data["passed"] > data["participants"]:
        raise DomainError.of("data.passed", "通过人数：不能多于参考人数")
    if "participants" in data and "eligible" in data and data["participants"] > data["eligible"]:
        raise DomainError.of("data.participants", "参考人数：不能多于应考人数")
