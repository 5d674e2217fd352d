"""The activity (活动) aggregate and every rule of DOMAIN.md §2 about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from .catalogue import KINDS, Kind, outcomes_for
from .errors import DomainError, FieldError
from .ids import activity_id
from .validation import check_data, data_model, step_model, suggestion


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
        clean, errors = check_data(data_model(kind), KINDS[kind].fields, data)
        _raise(errors + _record_rules(kind, clean, day, errors))
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
        step = _step_name(kind, step)
        spec = kind.step(step, self.data)
        if spec is None:
            raise DomainError.of("step", _no_such_step(kind, self.data, step))
        clean, errors = check_data(step_model(self.kind, step, self.data), spec.fields, data or {})
        if day < self.date:
            errors.append(FieldError("date", f"日期：步骤日期 {day} 不能早于活动日期 {self.date}"))
        live = self.live_steps()
        if spec.at_most_one:
            taken = next((s for s in live if s.name == step), None)
            if taken:
                errors.append(
                    FieldError(
                        "step",
                        f"步骤：已有 {taken.date} 的「{spec.label}」{_given_id(taken.id)}，只能有一个；"
                        "如需更换请先作废那一个",
                    )
                )
        # DOMAIN.md §7.2: a penalty case is either decided or its 立案 withdrawn (撤销立案), never both.
        beside = next((s for s in live if s.name in spec.not_beside), None)
        if beside:
            other = kind.step(beside.name, self.data)
            errors.append(
                FieldError(
                    "step",
                    f"步骤：已有 {beside.date} 的「{other.label if other else beside.name}」{_given_id(beside.id)}，"
                    f"不能再记录「{spec.label}」；如需更换请先作废那一个",
                )
            )
        closed = next((s for s in live if s.name == "closed"), None)
        if closed and day > closed.date and step != "closed":  # a second closed: at most one says it
            errors.append(FieldError("date", f"日期：案件已于 {closed.date} 结案，不能记录此后的步骤"))
        if step == "closed":
            later = [s for s in live if s.date > day]
            if later:
                errors.append(
                    FieldError(
                        "date",
                        f"日期：结案日期不能早于已有步骤「{_step_label(kind, later[0].name, self.data)}」"
                        f"的日期 {later[0].date}",
                    )
                )
        if self.kind == "case" and step == "decided" and "outcome" in clean and not _bad(errors, "data.outcome"):
            allowed = outcomes_for(self.data.get("case_type"))
            if clean["outcome"] not in allowed:
                codes = "、".join(f"{c}（{label}）" for c, label in allowed.items())
                errors.append(FieldError("data.outcome", f"裁判/决定结果：与案件类型不符，可选：{codes}"))
        _raise(errors)
        self._step_added(line_id, step, day.isoformat(), clean, recorded_by)

    def correct(
        self,
        line_id: str,
        day: date | None,
        changes: dict[str, Any] | None,
        reason: str,
        recorded_by: str,
        refuse_unchanged: bool = False,
    ) -> None:
        """Correct the date or data; with `refuse_unchanged` (a person's form or request, not an interchange
        file), a correction in which every given field and the date equal the current ones is refused."""
        self._require_live()
        changes = changes or {}
        if day is None and not changes:
            raise DomainError.of("data", "数据：更正须至少修改日期或一个字段")
        kind = KINDS[self.kind]
        merged = {**self.data, **changes}
        new_day = day or self.date
        # Validated like a new record (DOMAIN.md §2), with every error at once.
        clean, errors = check_data(data_model(self.kind), kind.fields, merged)
        errors += _record_rules(self.kind, clean, new_day, errors)
        first = min(self.live_steps(), key=lambda s: s.date, default=None)
        if first and new_day > first.date:
            errors.append(FieldError("date", f"日期：不能晚于已有步骤「{first.id}」的日期 {first.date}"))
        decided = next((s for s in self.live_steps() if s.name == "decided"), None)
        if self.kind == "case" and decided and decided.data["outcome"] not in outcomes_for(clean.get("case_type")):
            errors.append(
                FieldError(
                    "data.case_type",
                    f"案件类型：已有裁判结果「{decided.data['outcome']}」与新类型不符，请先作废该步骤",
                )
            )
        if not errors:
            errors += self._steps_still_allowed(kind, clean, changes)
        if (
            refuse_unchanged
            and not errors
            and new_day == self.date
            and all(
                clean.get(k) == self.data.get(k) if v is not None else k not in self.data for k, v in changes.items()
            )
        ):
            errors.append(FieldError("data", "数据：更正内容与现有记录相同，无需更正"))
        _raise(errors)
        normalised = {k: (clean[k] if v is not None else None) for k, v in changes.items()}
        self._corrected(line_id, day.isoformat() if day else None, normalised, reason, recorded_by)

    def _steps_still_allowed(self, kind: Kind, data: dict[str, Any], changes: dict[str, Any]) -> list[FieldError]:
        """DOMAIN.md §7.2: a correction of the fields a kind's steps depend on (an enforcement case's action,
        procedure, compulsion) is rejected when a live step would no longer be allowed, or its data (a `decided`
        outcome of the other action's list) would not be valid for the step it would become."""
        out = []
        for s in self.live_steps():
            old = kind.step(s.name, self.data)
            controls = [name for name, _ in (old.when if old else ()) if name in changes] or ["data"]
            path = "data" if controls == ["data"] else f"data.{controls[0]}"
            field = kind.field(controls[0])
            label = field.label if field else "数据"
            new = kind.step(s.name, data)
            if new is None:
                out.append(
                    FieldError(
                        path,
                        f"{label}：已有有效的步骤「{old.label if old else s.name}」（{s.id}），"
                        f"更正后不再允许该步骤，请先作废该步骤",
                    )
                )
                continue
            if new is old:
                continue
            _, wrong = check_data(step_model(self.kind, s.name, data), new.fields, s.data)
            if wrong:
                out.append(
                    FieldError(
                        path,
                        f"{label}：已有有效的步骤「{old.label if old else s.name}」（{s.id}）的数据"
                        f"与更正后不符（{wrong[0].message}），请先作废该步骤",
                    )
                )
        return out

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


def _bad(errors: list[FieldError], path: str) -> bool:
    return any(e.field == path for e in errors)


def _raise(errors: list[FieldError]) -> None:
    if errors:
        seen: set[tuple[str, str]] = set()
        unique = [e for e in errors if (e.field, e.message) not in seen and not seen.add((e.field, e.message))]
        raise DomainError(*unique)


def _step_name(kind: Kind, step: str) -> str:
    """A step given by its name or its Chinese label (`开庭` → hearing; a step with variants, by either label)."""
    if kind.step(step) is None:
        return next((s.name for s in kind.steps if s.label == step.strip()), step)
    return step


# The ids the edges make for lines nobody gave an id to (one home; the edges take them from here): a form, an
# API call or a command without `id` gets NEW_LINE_PREFIX + a random hex (ledgers written before 2026-12 hold
# "web-…" for the same), a workbook row WORKBOOK_ROW_PREFIX + the hash of its key.
NEW_LINE_PREFIX = "auto-"
WORKBOOK_ROW_PREFIX = "xlsx-"
GENERATED_ID_PREFIXES = (NEW_LINE_PREFIX, "web-", WORKBOOK_ROW_PREFIX)


def _given_id(line_id: str) -> str:
    """A step's line id where a person gave it (a JSON Lines `id`: they need it as a void's `target`); none
    for the ids the edges generate (a form's `user:key`, `auto-…`, a workbook row's `xlsx-…`), which mean
    nothing to anyone: there the step is named by its label and date alone."""
    if ":" in line_id or line_id.startswith(GENERATED_ID_PREFIXES):
        return ""
    return f"（行编号 {line_id}）"


def _step_label(kind: Kind, name: str, data: dict[str, Any]) -> str:
    found = kind.step(name, data) or kind.step(name)
    return found.label if found else name


def _no_such_step(kind: Kind, data: dict[str, Any], step: str) -> str:
    allowed = kind.steps_for(data)
    names = "、".join(dict.fromkeys(f"{s.name}（{s.label}）" for s in allowed)) or "无"
    if kind.step(step) is None:
        near = suggestion(step, {s.name: s.label for s in reversed(allowed)})
        return f"步骤：「{kind.label}」没有步骤「{step}」，{near}可选：{names}"
    # The kind has the step, but not for this activity (DOMAIN.md §7.2: steps allowed per action/procedure).
    spec = next(s for s in kind.steps if s.name == step)
    current = "、".join(
        f"{f.label}为{data.get(n)}（{f.codes.get(str(data.get(n)), '未填')}）"
        for n, _ in spec.when
        if (f := kind.field(n)) is not None
    )
    return f"步骤：「{kind.label}」{current}时不能记录步骤「{step}」，可选：{names}"


def _int(data: dict[str, Any], name: str, bad: set[str] = frozenset()) -> int | None:  # type: ignore[assignment]
    """A field's int value, or None when absent or itself invalid (its own error says so)."""
    value = data.get(name)
    ok = isinstance(value, int) and not isinstance(value, bool) and f"data.{name}" not in bad
    return value if ok else None  # type: ignore[return-value]


def _record_rules(kind: str, data: dict[str, Any], day: date, errors: list[FieldError]) -> list[FieldError]:
    """Rules across fields of one record, beyond each field's own (only on fields that are valid by themselves)."""
    bad = {e.field for e in errors}
    out = []
    if kind == "exam":
        passed, participants = _int(data, "passed", bad), _int(data, "participants", bad)
        eligible, excellent = _int(data, "eligible", bad), _int(data, "excellent", bad)
        if passed is not None and participants is not None and passed > participants:
            out.append(FieldError("data.passed", "通过人数：不能多于参考人数"))
        if participants is not None and eligible is not None and participants > eligible:
            out.append(FieldError("data.participants", "参考人数：不能多于应考人数"))
        if excellent is not None and passed is not None and excellent > passed:  # §7.4: 优秀人数 ≤ passed
            out.append(FieldError("data.excellent", "优秀人数：不能多于通过人数"))
    if kind == "major_decision":
        year = _int(data, "catalogue_year", bad)
        if year is not None and year not in (day.year, day.year + 1):  # §7.2: the year of `date` or the next
            out.append(
                FieldError(
                    "data.catalogue_year",
                    f"目录年度：须为目录公布日期所在年度（{day.year}）或下一年度（{day.year + 1}），收到 {year}",
                )
            )
    return out
