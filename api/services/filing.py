"""Reporting upward (报送): submit a unit's year with its seal, return or approve it from an ancestor, reopen
it, record its publication, and follow the progress of every descendant (报送进度). The rules of states are in
domain/filing.py, who may act in domain/access.py; the lock of approved years is checked by the ledger's
session (domain/ledger.py) on every write path, and the late corrections are listed here against the
approved seal (the diff of api/services/audit.py).

`due` lists what is due or overdue in submissions for one user (submit, review, publish): the reminders digest
calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Literal
from uuid import UUID

from domain.access import may_audit, may_read, may_review, may_submit
from domain.catalogue import FIRST_YEAR, LAST_YEAR, YEARS_MESSAGE
from domain.errors import DomainError
from domain.filing import REVIEWABLE, STATES, SUBMITTABLE, Entry, Filing, publish_due, report_due
from domain.package import RemoteUnit, Superior, remote_unit_id, superior_id

from .access import require_read
from .audit import Diff
from .context import Actor, Context
from .refusals import Refused, invalid, no_unit


@dataclass(frozen=True)
class FilingStatus:
    """A unit's filing of a year as its register has it, with the deadlines judged against `today`."""

    unit: str
    name: str
    year: int
    state: str
    state_label: str
    due: date
    today: date
    seal: str | None
    approved_seal: str | None
    published_url: str | None
    published_on: str | None
    entries: list[Entry]
    tz: tzinfo = UTC  # the ledger's time zone: the day of a transition is its day there

    def day_of(self, e: Entry) -> date:
        return datetime.fromisoformat(e.at).astimezone(self.tz).date()

    def local_time(self, e: Entry) -> str:
        return datetime.fromisoformat(e.at).astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    @property
    def submitted(self) -> bool:
        return self.state not in SUBMITTABLE

    @property
    def overdue(self) -> bool:
        """Not (re)submitted and the deadline has passed (the deadline day itself is still on time)."""
        return not self.submitted and self.today > self.due

    @property
    def publish_due(self) -> date:
        return publish_due(self.year)

    @property
    def publication_overdue(self) -> bool:
        """法治政府建设与责任落实督察工作规定 (2019) §25: published by 1 April; past it, without a record, warn."""
        return self.published_on is None and self.today > self.publish_due

    @property
    def late_corrections(self) -> list[Entry]:
        return [e for e in self.entries if e.event == "LateCorrected"]

    def first(self, *events: str) -> Entry | None:
        return next((e for e in self.entries if e.event in events), None)

    def last(self, *events: str) -> Entry | None:
        found = [e for e in self.entries if e.event in events]
        return found[-1] if found else None

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "name": self.name,
            "year": self.year,
            "state": self.state,
            "state_label": self.state_label,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "seal": self.seal,
            "approved_seal": self.approved_seal,
            "published_url": self.published_url,
            "published_on": self.published_on,
            "publish_due": self.publish_due.isoformat(),
            "publication_overdue": self.publication_overdue,
            "late_corrections": len(self.late_corrections),
            "register": [entry_json(e) for e in self.entries],
        }


def entry_json(e: Entry) -> dict[str, Any]:
    return {
        "number": e.number,
        "event": e.event,
        "label": e.label,
        "at": e.at,
        "by": e.by,
        "text": e.text,
        "seal": e.seal,
        "detail": e.detail,
    }


@dataclass(frozen=True)
class ProgressRow:
    """One descendant in the superior's progress list: its state and the date of each transition."""

    status: FilingStatus
    parent: str | None
    depth: int  # 1 for a child of the superior, 2 for a grandchild ...
    # A unit on its own server (report packages, api/services/packages.py): "submitted" once a package of the
    # year arrived, on the day it was imported; its review is the package's offline verification.
    remote: bool = False

    def day(self, *events: str, first: bool = False) -> str | None:
        e = self.status.first(*events) if first else self.status.last(*events)
        return self.status.day_of(e).isoformat() if e is not None else None

    @property
    def submitted_on(self) -> str | None:
        return self.day("Submitted", first=True)

    @property
    def late(self) -> bool:
        """First submitted after its deadline."""
        on = self.submitted_on
        return on is not None and date.fromisoformat(on) > self.status.due

    def to_json(self) -> dict[str, Any]:
        s = self.status
        return {
            "unit": s.unit,
            "name": s.name,
            "parent": self.parent,
            "depth": self.depth,
            "state": s.state,
            "state_label": s.state_label,
            "due": s.due.isoformat(),
            "overdue": s.overdue,
            "late": self.late,
            "submitted_on": self.submitted_on,
            "returned_on": self.day("Returned"),
            "resubmitted_on": self.day("Resubmitted"),
            "approved_on": self.day("Approved"),
            "reopened_on": self.day("Reopened"),
            "published_on": s.published_on,
            "publication_overdue": s.publication_overdue,
            "late_corrections": len(s.late_corrections),
            "remote": self.remote,
        }


@dataclass(frozen=True)
class Progress:
    parent: str
    name: str
    year: int
    today: date
    rows: list[ProgressRow]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        for r in self.rows:
            out[r.status.state] += 1
        return out

    @property
    def overdue(self) -> list[ProgressRow]:
        return [r for r in self.rows if r.status.overdue]

    def to_json(self) -> dict[str, Any]:
        return {
            "parent": self.parent,
            "name": self.name,
            "year": self.year,
            "today": self.today.isoformat(),
            "counts": self.counts(),
            "overdue": len(self.overdue),
            "publication_overdue": sum(r.status.publication_overdue for r in self.rows),
            "units": [r.to_json() for r in self.rows],
        }


@dataclass(frozen=True)
class LateCorrections:
    """The writes made to an approved year with a 报后更正 reason, and the diff against the approved seal
    (which figures moved, from what to what, by which events)."""

    status: FilingStatus
    entries: list[Entry]
    diff: Diff | None


# package: a unit on its own server has sent none; key: a notice of the unit's superior signed by a new key is held
# until the unit's admin approves the key (api/services/filing_notices.py `approve_key`)
Action = Literal["submit", "review", "publish", "package", "key"]


@dataclass(frozen=True)
class Due:
    """Something one user has to do about a filing (for the reminders digest)."""

    action: Action
    unit: str
    name: str
    year: int
    due: date | None  # None for a review (no statutory period): `since` says how long it has waited
    overdue: bool
    since: str | None = None
    state: str = "draft"
    label: str = field(default="")

    @property
    def when(self) -> str:
        """The digest's words for when: the deadline, or since when a submission waits, or what waits."""
        if self.due:
            return f"期限 {self.due.isoformat()}"
        if self.action == "key":
            return "回执已暂存，待核实并批准新密钥"
        return f"{self.since[:10]} 报送，待审核" if self.since else "待审核"

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "unit": self.unit,
            "name": self.name,
            "year": self.year,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue,
            "since": self.since,
            "state": self.state,
            "label": self.label,
        }


# ---- reading ----


def _status(filing: Filing | None, unit: str, name: str, year: int, today: date, tz: tzinfo) -> FilingStatus:
    if filing is None:
        return FilingStatus(
            unit, name, year, "draft", STATES["draft"], report_due(year), today, None, None, None, None, [], tz
        )
    return FilingStatus(
        unit,
        name,
        year,
        filing.state,
        filing.state_label,
        filing.due(),
        today,
        filing.seal,
        filing.approved_seal,
        filing.published_url,
        filing.published_on,
        filing.entries(),
        tz,
    )


def _today(ctx: Context, today: date | None) -> date:
    return today if today is not None else ctx.ledger.today()


def _name(ctx: Context, unit: str) -> str:
    found = ctx.ledger.unit(unit)
    if found is not None:
        return found.name
    remote = _remote(ctx, unit)
    if remote is None:
        raise no_unit(unit)
    return remote.name


# ---- units on their own servers (report packages, api/services/packages.py): their filing is kept here, their
# place in the tree is the unit their packages roll up into ----


def _remote(ctx: Context, unit: str) -> RemoteUnit | None:
    """The unit on its own server of that code, when it is not a unit of this ledger."""
    if ctx.ledger.unit(unit) is not None:
        return None
    found = ctx.ledger._get(remote_unit_id(unit))
    return found if isinstance(found, RemoteUnit) else None


def tree_with(ctx: Context, remote: RemoteUnit | None) -> Callable[[str], str | None]:
    """The unit tree with a unit on its own server placed under the unit its packages roll up into, so the
    rules of domain/access.py (a reviewer of an ancestor, a reader of the unit) apply to it unchanged."""
    if remote is None:
        return ctx.parent_of
    code, parent, plain = remote.unit, remote.parent, ctx.parent_of
    return lambda c: parent if c == code else plain(c)


def is_remote(ctx: Context, unit: str) -> bool:
    return _remote(ctx, unit) is not None


def reviews(ctx: Context, actor: Actor, unit: str) -> bool:
    """Whether `actor` reviews the unit's reports (a unit on its own server included)."""
    return may_review(actor, unit, tree_with(ctx, _remote(ctx, unit)))  # type: ignore[arg-type]


def require_read_filing(ctx: Context, actor: Actor, unit: str) -> RemoteUnit | None:
    """A local unit's reading rule, or a unit on its own server read by whoever reads the unit it is under."""
    remote = _remote(ctx, unit)
    if remote is None:
        require_read(ctx, actor, unit)
    elif not may_read(actor, unit, tree_with(ctx, remote)):  # type: ignore[arg-type]
        raise Refused("forbidden", f"无权查看单位「{unit}」的报送")
    return remote


def status(ctx: Context, actor: Actor, unit: str, year: int, today: date | None = None) -> FilingStatus:
    """The filing of a unit's year and its register; whoever may read the unit (its superiors included)."""
    require_read_filing(ctx, actor, unit)
    return _status(ctx.ledger.filing(unit, year), unit, _name(ctx, unit), year, _today(ctx, today), ctx.ledger.tz)


def _units(ctx: Context) -> list[tuple[str, str, str | None]]:
    return ctx.read(lambda m: m.con.execute("SELECT code, name, parent FROM units ORDER BY code").fetchall())


def progress(ctx: Context, actor: Actor, parent: str, year: int, today: date | None = None) -> Progress:
    """报送进度: every descendant of `parent` (children first, then theirs, in code order), its state, the date of
    each transition, overdue ones against their deadline; one read of the unit tree, one of the filings."""
    require_read(ctx, actor, parent)
    rows = _units(ctx)
    names = {code: name for code, name, _ in rows}
    children: dict[str, list[str]] = {}
    for code, _, up in rows:
        if up:
            children.setdefault(up, []).append(code)
    from projections import imported  # DuckDB: only when read

    remote = {r[0]: r for r in ctx.read(lambda m: imported.received(m.con, year)) if r[0] not in names}
    for code, name, up, _, _ in remote.values():  # after the local children of the same unit
        names[code] = name
        children.setdefault(up, []).append(code)
    order: list[tuple[str, str, int]] = []
    stack = [(c, parent, 1) for c in reversed(children.get(parent, []))]
    seen = {parent}
    while stack:
        code, up, depth = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        order.append((code, up, depth))
        stack.extend((c, code, depth + 1) for c in reversed(children.get(code, [])))
    day = _today(ctx, today)
    filings = ctx.ledger.filings([c for c, _, _ in order], year)
    tz = ctx.ledger.tz
    # A unit on its own server has a filing here once a package of the year was imported with this version
    # (received = submitted, then returned or approved by a reviewer here); packages imported before are read
    # from the read model as received.
    out = [
        ProgressRow(_remote_status(remote[c], year, day, tz), up, depth, remote=True)
        if c in remote and filings[c] is None
        else ProgressRow(
            _received(_status(filings[c], c, names[c], year, day, tz), c in remote), up, depth, remote=c in remote
        )
        for c, up, depth in order
    ]
    return Progress(parent, names.get(parent, parent), year, day, out)


def _received(found: FilingStatus, remote: bool) -> FilingStatus:
    """A unit on its own server waiting for review is said to have sent a package (what the superior holds)."""
    if not remote or found.state not in REVIEWABLE:
        return found
    label = "已收到报送包，待审核" if found.state == "submitted" else "已收到更新的报送包，待审核"
    return replace(found, state_label=label)


def _remote_status(found: tuple[str, str, str, Any, Any], year: int, today: date, tz: tzinfo) -> FilingStatus:
    """A unit on its own server as the register of its superior has it: draft until a package of the year was
    imported (received = submitted, on that day), the statutory deadline (no filing of it lives here)."""
    unit, name, _, first, last = found
    if first is None:
        return FilingStatus(
            unit, name, year, "draft", STATES["draft"], report_due(year), today, None, None, None, None, [], tz
        )
    entries = [Entry(1, "Submitted", first.astimezone(UTC).isoformat(), "", "收到报送包")]
    if last != first:
        entries.append(Entry(2, "Resubmitted", last.astimezone(UTC).isoformat(), "", "收到更新的报送包"))
    return FilingStatus(
        unit, name, year, "submitted", "已收到报送包", report_due(year), today, None, None, None, None, entries, tz
    )


def late_corrections(ctx: Context, actor: Actor, unit: str, year: int) -> LateCorrections:
    """For the reviewer (and auditors of the unit): the late corrections of an approved year and how the figures
    moved since the approved seal."""
    from . import audit

    remote = require_read_filing(ctx, actor, unit)
    if not (may_review(actor, unit, tree_with(ctx, remote)) or may_audit(actor)):  # type: ignore[arg-type]
        raise Refused("forbidden", f"只有上级单位的审核人员和审计人员可以查看「{unit}」的报后更正")
    found = status(ctx, actor, unit, year)
    # A unit on its own server: its approved seal is in its own ledger, not here (no diff to show; its late
    # corrections here are the newer packages imported with a reason).
    local = remote is None and found.approved_seal and ctx.ledger._get(_seal_uuid(found.approved_seal)) is not None
    diff = audit.diff(ctx, actor, found.approved_seal) if local and found.approved_seal else None
    return LateCorrections(found, found.late_corrections, diff)


def _seal_uuid(seal: str) -> UUID:
    try:
        return UUID(seal)
    except ValueError:
        return UUID(int=0)


def since_submission(ctx: Context, actor: Actor, found: FilingStatus) -> Diff | None:
    """For a reviewer about to decide: what changed since the seal that was submitted (None when nothing did,
    or nothing is waiting for review). Approving then approves the figures of that seal, not today's."""
    from . import audit

    if found.state not in REVIEWABLE or not found.seal or _remote(ctx, found.unit) is not None:
        return None  # a unit on its own server: its seal is in its own ledger, checked when its package came
    diff = audit.diff(ctx, actor, found.seal)
    return diff if diff.changes or diff.moved else None


# ---- acting ----


def _act(ctx: Context, actor: Actor, unit: str, year: int, act: Callable[[Filing, str], None]) -> FilingStatus:
    from eventsourcing.persistence import IntegrityError

    remote = _remote(ctx, unit) is not None
    try:
        filing = ctx.ledger.act_on_filing(unit, year, actor.username, act, remote=remote)
    except DomainError as e:
        raise invalid(e) from None
    except IntegrityError:
        raise Refused("conflict", f"「{unit}」{year} 年度报送刚被他人处理，请刷新后重试") from None
    return _status(filing, unit, _name(ctx, unit), year, ctx.ledger.today(), ctx.ledger.tz)


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Refused(
            "invalid",
            f"{YEARS_MESSAGE}，收到 {year}",
            [{"line": None, "field": "year", "message": YEARS_MESSAGE}],
        )


def require_submitter(ctx: Context, actor: Actor, unit: str) -> None:
    require_read(ctx, actor, unit)
    if not may_submit(actor, unit, ctx.parent_of):  # type: ignore[arg-type]
        raise Refused("forbidden", f"只有「{unit}」的管理员可以报送或登记发布")


def require_reviewer(ctx: Context, actor: Actor, unit: str) -> None:
    """An auditor or admin of an ancestor (domain/access.py); a unit on its own server has as ancestors the unit
    its packages roll up into and that unit's."""
    remote = _remote(ctx, unit)
    if remote is None and ctx.ledger.unit(unit) is None:
        raise no_unit(unit)
    if not may_review(actor, unit, tree_with(ctx, remote)):  # type: ignore[arg-type]
        raise Refused("forbidden", f"只有「{unit}」上级单位的审计人员或管理员可以审核")


def submit(
    ctx: Context, actor: Actor, unit: str, year: int, comment: str | None = None, seal_id: str | None = None
) -> FilingStatus:
    """报送: send the year's report upward with a seal of that year, the one named or one made now."""
    from . import audit

    _check_year(year)
    require_submitter(ctx, actor, unit)
    current = ctx.ledger.filing(unit, year)
    if current is not None and current.state not in SUBMITTABLE:
        raise Refused(
            "invalid", f"报送状态：{unit} {year} 年度报告「{current.state_label}」，不能再报送", field="state"
        )
    if seal_id:
        chosen = audit.load_seal(ctx, actor, seal_id)
        if (chosen.unit, chosen.year) != (unit, year):
            raise Refused(
                "invalid",
                f"封存：封存 {seal_id} 是「{chosen.unit}」{chosen.year} 年度的，不是「{unit}」{year} 年度的",
                field="seal",
            )
        sealed = str(chosen.id)
    else:
        sealed = audit.seal(ctx, actor, unit, year)["seal"]
    return _act(ctx, actor, unit, year, lambda f, at: f.submit(sealed, comment, at, actor.username))


def may_decide(ctx: Context, actor: Actor, found: FilingStatus) -> bool:
    """Whether `actor` may return or approve this submission now: a reviewer of the unit, not its sender."""
    remote = _remote(ctx, found.unit)
    if found.state not in REVIEWABLE or not may_review(actor, found.unit, tree_with(ctx, remote)):  # type: ignore[arg-type]
        return False
    sent = found.last("Submitted", "Resubmitted")
    return remote is not None or sent is None or sent.by != actor.username


def _not_own(ctx: Context, actor: Actor, unit: str, year: int) -> None:
    """Separation of duties: whoever sent this submission does not also decide on it. A unit on its own server
    sent its package from there: who imported it here only received it, and may decide."""
    if _remote(ctx, unit) is not None:
        return
    current = ctx.ledger.filing(unit, year)
    sent = current.last("Submitted", "Resubmitted") if current is not None else None
    if sent is not None and current is not None and current.state in REVIEWABLE and sent.by == actor.username:
        raise Refused("forbidden", f"报送人「{actor.username}」不能审核自己报送的报告")


def return_(ctx: Context, actor: Actor, unit: str, year: int, reason: str) -> FilingStatus:
    """退回: a reviewer of an ancestor sends the report back, with a reason."""
    require_reviewer(ctx, actor, unit)
    _not_own(ctx, actor, unit, year)
    return _act(ctx, actor, unit, year, lambda f, at: f.return_(reason, at, actor.username))


def approve(ctx: Context, actor: Actor, unit: str, year: int, comment: str | None = None) -> FilingStatus:
    """审核通过: the year is locked from now on (see domain/ledger.py `locks`)."""
    require_reviewer(ctx, actor, unit)
    _not_own(ctx, actor, unit, year)
    return _act(ctx, actor, unit, year, lambda f, at: f.approve(comment, at, actor.username))


def reopen(ctx: Context, actor: Actor, unit: str, year: int, reason: str) -> FilingStatus:
    """重新打开: an explicit reviewer action, with a reason; the lock is lifted until the next approval."""
    require_reviewer(ctx, actor, unit)
    return _act(ctx, actor, unit, year, lambda f, at: f.reopen(reason, at, actor.username))


def publish(ctx: Context, actor: Actor, unit: str, year: int, url: str, day: date | str) -> FilingStatus:
    """Record where and when the report was published (政府门户网站 address, date); every problem at once."""
    _check_year(year)
    require_submitter(ctx, actor, unit)
    parsed = day if isinstance(day, date) else _day_or_none(day)
    today = ctx.ledger.today()
    return _act(ctx, actor, unit, year, lambda f, at: f.publish(url, parsed, today, at, actor.username))


def _day_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
    except ValueError:
        return None


def set_deadline(
    ctx: Context, actor: Actor, unit: str, year: int, day: date, descendants: bool = False
) -> list[FilingStatus]:
    """A superior's own deadline for a unit (or, with `descendants`, for every unit under `unit` it reviews)."""
    _check_year(year)
    if descendants:
        require_read(ctx, actor, unit)
        targets = [r.status.unit for r in progress(ctx, actor, unit, year).rows]
        targets = [u for u in targets if reviews(ctx, actor, u)]  # units on their own servers included
        if not targets:
            raise Refused("forbidden", f"「{unit}」没有您可以审核的下级单位")
    else:
        require_reviewer(ctx, actor, unit)
        targets = [unit]
    return [_act(ctx, actor, u, year, lambda f, at: f.set_deadline(day, at, actor.username)) for u in targets]


# ---- what is due, for one user (the reminders digest) ----


def due(ctx: Context, actor: Actor, year: int | None = None, today: date | None = None, within: int = 14) -> list[Due]:
    """What `actor` has to do about the year's filings (default: last year's, the one being reported in the
    current year): units they submit for whose report is not (re)submitted and is due within `within` days or
    overdue; submissions waiting for their review; approved or submitted reports not yet recorded as published
    within `within` days of 1 April or past it. Overdue first, then by due date."""
    day = _today(ctx, today)
    year = year if year is not None else day.year - 1
    rows = _units(ctx)
    units = [(c, n) for c, n, _ in rows if may_read(actor, c, ctx.parent_of)]  # type: ignore[arg-type]
    filings = ctx.ledger.filings([c for c, _ in units], year)
    out: list[Due] = []
    for code, name in units:
        s = _status(filings[code], code, name, year, day, ctx.ledger.tz)
        submitter = may_submit(actor, code, ctx.parent_of)  # type: ignore[arg-type]
        if submitter and not s.submitted and (s.due - day).days <= within:
            out.append(Due("submit", code, name, year, s.due, s.overdue, state=s.state, label="报送年度报告"))
        if may_decide(ctx, actor, s):
            sent = s.last("Submitted", "Resubmitted")
            out.append(Due("review", code, name, year, None, False, sent.at if sent else None, s.state, "审核年度报告"))
        if submitter and s.published_on is None and (s.publish_due - day).days <= within:
            out.append(
                Due(
                    "publish",
                    code,
                    name,
                    year,
                    s.publish_due,
                    s.publication_overdue,
                    state=s.state,
                    label="公开年度报告",
                )
            )
    out += _packages_due(ctx, actor, year, day, within)
    out += _held_notices(ctx, [(c, n) for c, n in units if may_submit(actor, c, ctx.parent_of)])  # type: ignore[arg-type]
    return sorted(out, key=lambda d: (not d.overdue, d.due or date.max, d.unit, d.action))


def _packages_due(ctx: Context, actor: Actor, year: int, day: date, within: int) -> list[Due]:
    """Units on their own servers placed under a unit the actor reviews that sent no package of the year, due
    within `within` days or overdue: for the auditors and admins who import packages (api/services/packages.py),
    to chase (催报) — nobody on this ledger can submit for them; and those whose package waits for the actor's
    review (a reviewer of an ancestor, as for a unit of this ledger)."""
    from projections import imported  # DuckDB: only when read

    if not may_audit(actor):  # type: ignore[arg-type]
        return []
    due = report_due(year)
    out = []
    received = ctx.read(lambda m: imported.received(m.con, year))
    filings = ctx.ledger.filings([r[0] for r in received if r[3] is not None], year)
    for code, name, parent, first, _ in received:
        if first is None:
            placed = ctx.ledger.unit(parent) is not None and may_read(actor, parent, ctx.parent_of)  # type: ignore[arg-type]
            if (due - day).days <= within and placed:
                out.append(Due("package", code, name, year, due, day > due, state="draft", label="催收报送包"))
            continue
        found = filings.get(code)
        if found is not None and found.state in REVIEWABLE and reviews(ctx, actor, code):
            sent = found.last("Submitted", "Resubmitted")
            since = sent.at if sent else None
            out.append(Due("review", code, name, year, None, False, since, found.state, "审核报送包"))
    return out


def _held_notices(ctx: Context, units: list[tuple[str, str]]) -> list[Due]:
    """For the admins of units on their own servers: their superior's notices held for a new key (any year; a
    key to trust or not is no matter of one year's deadline)."""
    found = ctx.ledger._get_many(superior_id(c) for c, _ in units)
    out = []
    for code, name in units:
        sup = found.get(superior_id(code))
        for h in sup.waiting() if isinstance(sup, Superior) else []:
            label = f"上级回执暂存待确认：「{h['name']}」用了新签名密钥"
            out.append(Due("key", code, name, h["year"], None, False, state=h["kind"], label=label))
    return out


def parse_day(value: str, name: str = "date") -> date:
    found = _day_or_none(value)
    if found is None:
        raise Refused(
            "invalid",
            f"日期：须为 YYYY-MM-DD，收到「{value[:40]}」",
            [{"line": None, "field": name, "message": "日期：须为 YYYY-MM-DD"}],
        )
    return found
