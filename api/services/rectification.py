"""Rectification (整改) use-cases: register an issue (or several found by one inspection, in one step), the
owner unit's measures, evidence and completion, the issuing unit's deadline changes, verification, sign-off
(销号) and reopening; the issue list as of any instant, reminders and the rectification figures.

Who may do what: the issuing unit's writers register, move deadlines, verify and reopen; the owner unit's
writers record measures, evidence and completion; whoever may read either unit reads the issue. The owner is
the issuer itself or one of its descendants (a superior assigns downward; a unit's own findings stay home).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domain.access import within
from domain.catalogue import KINDS
from domain.errors import DomainError, unknown_unit
from domain.rectification import SOURCES, STATUSES, EvidenceLink, Issue, IssueBook, Problems, check_new
from projections import rectification as figures_of
from projections.rectification import RectificationFigure, Reminder

from .access import require_read, require_write
from .context import Actor, Context
from .refusals import Refused, invalid, no_unit

EVENT_LABELS = {
    "Registered": "登记问题",
    "MeasuresSet": "填写整改措施",
    "EvidenceAdded": "添加佐证材料",
    "Completed": "报告整改完成",
    "DeadlineMoved": "调整整改期限",
    "Verified": "验收",
    "Reopened": "问题反弹，重新打开",
}


@dataclass(frozen=True)
class IssueDraft:
    """What a person gives to register one issue (dates already parsed by the edge)."""

    ref: str
    owner: str
    title: str
    deadline: date
    source: str = "self"
    detail: str = ""
    found_on: date | None = None  # default: today, or the inspection's date


@dataclass(frozen=True)
class IssueView:
    issuer: str
    ref: str
    owner: str
    source: str
    title: str
    detail: str
    found_on: str
    deadline: str
    origin: str | None
    status: str
    measures: str
    evidence: list[dict[str, str]]
    completed_on: str | None
    completion: str
    signed_off_on: str | None
    verification: str
    recurrences: int
    returns: int
    version: int
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["source_label"] = SOURCES[self.source]
        out["status_label"] = STATUSES[self.status]
        return out


def view(issue: Issue, history: list[Any] | None = None) -> IssueView:
    return IssueView(
        issue.issuer,
        issue.ref,
        issue.owner,
        issue.source,
        issue.title,
        issue.detail,
        issue.found_on,
        issue.deadline,
        issue.origin,
        issue.status,
        issue.measures,
        list(issue.evidence.values()),
        issue.completed_on,
        issue.completion,
        issue.signed_off_on,
        issue.verification,
        issue.recurrences,
        issue.returns,
        issue.version,
        [history_row(e) for e in history or []],
    )


def history_row(e: Any) -> dict[str, Any]:
    name = type(e).__name__
    skip = {"originator_id", "originator_version", "timestamp", "recorded_by", "reason", "originator_topic"}
    details = {k: v for k, v in e.__dict__.items() if k not in skip}
    return {
        "event": name,
        "event_label": EVENT_LABELS.get(name, name),
        "version": e.originator_version,
        "recorded_at": e.timestamp.isoformat(),
        "recorded_by": getattr(e, "recorded_by", None),
        "reason": getattr(e, "reason", "") or "",
        "details": details,
    }


def _book(ctx: Context) -> IssueBook:
    return IssueBook(ctx.ledger)


def _descends(ctx: Context, unit: str, ancestor: str) -> bool:
    return within(unit, (ancestor,), ctx.parent_of)


def _existing(ctx: Context, actor: Actor, issuer: str, ref: str) -> Issue:
    found = _book(ctx).get(issuer, ref)
    if found is None or not (ctx.may_read(actor, found.issuer) or ctx.may_read(actor, found.owner)):
        raise Refused("not_found", f"单位「{issuer}」没有编号为「{ref}」的整改问题", field="ref")
    return found


def _save(ctx: Context, *issues: Issue) -> None:
    _book(ctx).save(*issues)


def _new(ctx: Context, actor: Actor, issuer: str, draft: IssueDraft, origin: str | None, found_on: date) -> Issue:
    today = ctx.ledger.today()
    p = Problems(*check_new(draft.ref, draft.source, draft.title, found_on, draft.deadline, today))
    if ctx.ledger.unit(draft.owner) is None:
        p.rule("owner", f"整改单位：{unknown_unit(draft.owner)}", True)
    else:
        p.rule(
            "owner", f"整改单位：「{draft.owner}」不是「{issuer}」或其下级单位", not _descends(ctx, draft.owner, issuer)
        )
    detail = p.text("detail", "问题描述", draft.detail, required=False)
    taken = not p.errors and _book(ctx).get(issuer, draft.ref) is not None  # only asked of a valid ref
    p.rule("ref", f"问题编号：单位「{issuer}」已有编号为「{draft.ref}」的整改问题", taken)
    p.check()
    return Issue(
        issuer,
        draft.ref,
        draft.owner,
        draft.source,
        draft.title.strip(),
        detail,
        found_on.isoformat(),
        draft.deadline.isoformat(),
        origin,
        actor.username,
        "",
    )


def register(ctx: Context, actor: Actor, issuer: str, draft: IssueDraft) -> IssueView:
    """Register one issue found by (or notified to) the issuing unit and assign it to an owner unit."""
    require_read(ctx, actor, issuer)
    require_write(ctx, actor, issuer)
    try:
        issue = _new(ctx, actor, issuer, draft, None, draft.found_on or ctx.ledger.today())
    except DomainError as e:
        raise invalid(e) from None
    _save(ctx, issue)
    return view(issue)


def register_from_inspection(
    ctx: Context, actor: Actor, unit: str, ref: str, drafts: list[IssueDraft]
) -> list[IssueView]:
    """Register every issue an `inspection` activity found (DOMAIN.md §7.4), in one step, all or none: the
    inspecting unit is the issuer, the source `inspection`, the finding date the inspection's, and each issue
    links back to the activity."""
    require_read(ctx, actor, unit)
    require_write(ctx, actor, unit)
    found = ctx.ledger.activity(unit, ref)
    if found is None or found.voided:
        raise Refused("not_found", f"单位「{unit}」没有编号为「{ref}」的活动", field="ref")
    if found.kind != "inspection":
        raise Refused(
            "invalid",
            f"活动「{ref}」是{KINDS[found.kind].label}，不是{KINDS['inspection'].label}",
            [{"line": None, "field": "ref", "message": f"活动编号：「{ref}」不是专项检查"}],
        )
    if not drafts:
        raise Refused(
            "invalid", "问题：至少登记一个问题", [{"line": None, "field": "issues", "message": "问题：至少登记一个"}]
        )
    issues, problems = [], []
    refs = [d.ref for d in drafts]
    for n, draft in enumerate(drafts, 1):
        try:
            if refs.count(draft.ref) > 1:
                raise DomainError.of("ref", f"问题编号：「{draft.ref}」在本次登记中重复")
            issues.append(_new(ctx, actor, unit, _inspection(draft), f"{unit}/{ref}", found.date))
        except DomainError as e:
            problems += [{"line": n, "field": fe.field, "message": fe.message} for fe in e.errors]
    if problems:
        raise Refused("invalid", f"共 {len(problems)} 处错误，未登记任何问题", problems)
    _save(ctx, *issues)
    return [view(i) for i in issues]


def _inspection(draft: IssueDraft) -> IssueDraft:
    return IssueDraft(draft.ref, draft.owner, draft.title, draft.deadline, "inspection", draft.detail)


def _owner_step(ctx: Context, actor: Actor, issuer: str, ref: str) -> Issue:
    issue = _existing(ctx, actor, issuer, ref)
    if not ctx.may_write(actor, issue.owner):
        raise Refused("forbidden", f"只有整改单位「{issue.owner}」可以填写整改措施、佐证材料和整改情况")
    return issue


def _issuer_step(ctx: Context, actor: Actor, issuer: str, ref: str) -> Issue:
    issue = _existing(ctx, actor, issuer, ref)
    if not ctx.may_write(actor, issue.issuer):
        raise Refused("forbidden", f"只有交办单位「{issue.issuer}」可以调整期限、验收销号或重新打开问题")
    return issue


def _act(ctx: Context, issue: Issue, step: Any) -> IssueView:
    try:
        step()
    except DomainError as e:
        raise invalid(e) from None
    _save(ctx, issue)
    return view(issue)


def plan(ctx: Context, actor: Actor, issuer: str, ref: str, measures: str, reason: str = "") -> IssueView:
    issue = _owner_step(ctx, actor, issuer, ref)
    return _act(ctx, issue, lambda: issue.plan(measures, actor.username, reason.strip()))


def link_activity(ctx: Context, actor: Actor, issuer: str, ref: str, unit: str, activity_ref: str) -> IssueView:
    """Evidence that is already in the ledger: an activity of the owner unit (or a unit the actor may read)."""
    issue = _owner_step(ctx, actor, issuer, ref)
    require_read(ctx, actor, unit)
    found = ctx.ledger.activity(unit, activity_ref)
    if found is None or found.voided:
        raise Refused("not_found", f"单位「{unit}」没有编号为「{activity_ref}」的活动", field="activity")
    link = EvidenceLink(
        "activity", f"{unit}/{activity_ref}", f"{KINDS[found.kind].label} {activity_ref}", actor.username
    )
    return _act(ctx, issue, lambda: issue.add_evidence(link))


def attach_file(ctx: Context, actor: Actor, issuer: str, ref: str, path: Path) -> IssueView:
    """A file (PDF, image, DOCX, XLSX; 20 MB) kept in the evidence store under its SHA-256, as for activities."""
    issue = _owner_step(ctx, actor, issuer, ref)
    try:
        stored = ctx.evidence.put(path)
    except DomainError as e:
        raise invalid(e) from None
    link = EvidenceLink("file", stored.sha256, stored.name, actor.username)
    return _act(ctx, issue, lambda: issue.add_evidence(link))


def complete(ctx: Context, actor: Actor, issuer: str, ref: str, on: date | None, summary: str) -> IssueView:
    issue = _owner_step(ctx, actor, issuer, ref)
    today = ctx.ledger.today()
    return _act(ctx, issue, lambda: issue.complete(on or today, summary, actor.username, today))


def move_deadline(ctx: Context, actor: Actor, issuer: str, ref: str, deadline: date, reason: str) -> IssueView:
    issue = _issuer_step(ctx, actor, issuer, ref)
    return _act(ctx, issue, lambda: issue.move_deadline(deadline, reason, actor.username))


def verify(
    ctx: Context, actor: Actor, issuer: str, ref: str, passed: bool, reason: str, on: date | None = None
) -> IssueView:
    """The issuer's verification: passed signs the issue off (销号); failed returns it to the owner with why."""
    issue = _issuer_step(ctx, actor, issuer, ref)
    today = ctx.ledger.today()
    return _act(ctx, issue, lambda: issue.verify(passed, on or today, reason, actor.username, today))


def reopen(
    ctx: Context,
    actor: Actor,
    issuer: str,
    ref: str,
    reason: str,
    on: date | None = None,
    deadline: date | None = None,
) -> IssueView:
    """The problem recurred: reopen the signed-off issue (counted in 问题反弹), optionally with a new deadline."""
    issue = _issuer_step(ctx, actor, issuer, ref)
    today = ctx.ledger.today()
    return _act(ctx, issue, lambda: issue.reopen(on or today, reason, actor.username, today, deadline))


def issue(ctx: Context, actor: Actor, issuer: str, ref: str) -> IssueView:
    """One issue as it stands, with every event: when, by whom, what, why."""
    found = _existing(ctx, actor, issuer, ref)
    return view(found, _book(ctx).history(issuer, ref))


def subtrees(ctx: Context, units: list[str]) -> dict[str, set[str]]:
    """Each unit's code with its descendants', from one read of the unit tree (the command line's parent_of
    reads the ledger on every call)."""
    from domain.unit import Unit

    children: dict[str, list[str]] = {}
    for u in ctx.ledger.created_with(Unit.Registered):
        if u.parent:
            children.setdefault(u.parent, []).append(u.code)
    out = {}
    for unit in units:
        seen, queue = set(), [unit]
        while queue:
            code = queue.pop()
            if code not in seen:
                seen.add(code)
                queue.extend(children.get(code, []))
        out[unit] = seen
    return out


def _covered(ctx: Context, unit: str) -> Any:
    return subtrees(ctx, [unit])[unit].__contains__


def issues(
    ctx: Context, actor: Actor, unit: str, as_of: datetime | None = None, status: str | None = None
) -> list[IssueView]:
    """The issues the unit or its descendants issued or own, as they stood at `as_of` (default: now)."""
    require_read(ctx, actor, unit)
    if status is not None and status not in STATUSES:
        choices = "、".join(f"{c}（{v}）" for c, v in STATUSES.items())
        raise Refused(
            "invalid",
            f"状态：未知「{status}」，可选：{choices}",
            [{"line": None, "field": "status", "message": "状态：未知"}],
        )
    covered = _covered(ctx, unit)
    found = [
        i
        for i in _book(ctx).all(as_of)
        if (covered(i.owner) or covered(i.issuer)) and (status is None or i.status == status)
    ]
    return [view(i) for i in sorted(found, key=lambda i: (i.deadline, i.issuer, i.ref))]


def figures(
    ctx: Context, actor: Actor, unit: str, year: int, as_of: datetime | None = None
) -> dict[str, RectificationFigure]:
    """完成率, 超期率, 反弹次数 of the issues owned by the unit and its descendants found in `year`, as of then."""
    require_read(ctx, actor, unit)
    return figures_of.figures(_book(ctx).all(as_of), subtrees(ctx, [unit])[unit], year, _day(ctx, as_of))


def _day(ctx: Context, as_of: datetime | None) -> date:
    return as_of.astimezone(ctx.ledger.tz).date() if as_of is not None else ctx.ledger.today()


def reminders(
    ctx: Context, actor: Actor, unit: str, within: int = 14, as_of: datetime | None = None
) -> dict[str, list[Reminder]]:
    """Per owner unit (the unit and its descendants): its issues due within `within` days or overdue on the day
    of `as_of` (default today), most overdue first: what to send before and after a deadline."""
    require_read(ctx, actor, unit)
    if ctx.ledger.unit(unit) is None:
        raise no_unit(unit)
    found = figures_of.reminders(_book(ctx).all(as_of), _covered(ctx, unit), _day(ctx, as_of), within)
    out: dict[str, list[Reminder]] = defaultdict(list)
    for r in found:
        out[r.owner].append(r)
    return dict(sorted(out.items()))
