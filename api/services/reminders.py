"""Reminders delivered (issue 14, item 6): each user's daily digest of what is due or overdue in the units they
read — petitions to acknowledge and conclude, disclosure requests and proposals to reply to, with their statutory
deadlines (projections/deadlines.py), the year's report to submit, review or publish (api/services/filing.py
`due`), and rectification issues (整改) due or overdue (api/services/rectification.py `reminders`) —
shown in the app, and queued for e-mail and the webhook in the durable
outbox (api/infra/outbox.py), from which `deliver` sends what it can and keeps the rest for the next run.

`taizhang remind` (run daily by cron) does both: `queue_digests` then `deliver`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from projections.deadlines import DUE_SOON, OVERDUE, STATUS_LABELS, Deadline
from projections.rectification import Reminder

from ..infra import mail, webhook
from ..infra.outbox import Message, Outbox
from . import filing, rectification
from .access import require_duty
from .context import Actor, Context
from .filing import Due
from .reads import deadlines

WITHIN_DAYS = 3  # "due soon": the digest warns this many days ahead (working-day periods are counted by the rule)


@dataclass(frozen=True)
class Digest:
    username: str
    name: str
    today: date
    items: list[Deadline]
    filings: list[Due] = field(default_factory=list)  # the year's report to submit, review, publish
    rectification: list[Reminder] = field(default_factory=list)  # issues (整改) due soon or overdue

    @property
    def overdue(self) -> list[Deadline]:
        return [d for d in self.items if d.status == OVERDUE]

    @property
    def empty(self) -> bool:
        return not self.items and not self.filings and not self.rectification

    def subject(self) -> str:
        late = len(self.overdue) + sum(f.overdue for f in self.filings)
        late += sum(r.state == "overdue" for r in self.rectification)
        soon = len(self.items) + len(self.filings) + len(self.rectification) - late
        return f"台账提醒 {self.today.isoformat()}：已超期 {late} 项，即将到期 {soon} 项"

    def text(self) -> str:
        lines = [f"{self.name}，您好：", "", f"截至 {self.today.isoformat()}，您负责的单位有以下事项需要办理：", ""]
        for d in self.items:
            due = d.due.isoformat() if d.due else "—"
            left = (
                f"已超期 {-d.days_left} 天" if d.days_left is not None and d.days_left < 0 else f"剩 {d.days_left} 天"
            )
            lines.append(f"- [{STATUS_LABELS[d.status]}] {d.unit}/{d.ref} {d.what}，期限 {due}（{left}）")
        for f in self.filings:
            mark = "已超期" if f.overdue else "待办"
            lines.append(f"- [{mark}] {f.name}（{f.unit}）{f.year} 年度：{f.label}，{f.when}")
        for r in self.rectification:
            lines.append(
                f"- [{rectification_mark(r)}] 整改 {r.issuer}/{r.ref}（{r.owner}）{r.title}，期限 {r.deadline}"
            )
        lines += ["", "请登录台账办理。本邮件由台账每日自动发送。"]
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "type": "taizhang.digest",
            "user": self.username,
            "date": self.today.isoformat(),
            "items": [d.to_json() for d in self.items],
            "filings": [f.to_json() for f in self.filings],
            "rectification": [r.to_json() for r in self.rectification],
        }


def rectification_mark(r: Reminder) -> str:
    """已超期 N 天 / 剩 N 天: a rectification issue's state in a reminder line."""
    return f"已超期 {-r.days_left} 天" if r.state == "overdue" else f"剩 {r.days_left} 天"


def units_of(ctx: Context, actor: Actor) -> list[str]:
    """The top units a user reads (admins with no units: every root unit); deadlines cover their descendants."""
    if actor.units:
        return list(actor.units)
    found = ctx.read(lambda m: m.con.execute("SELECT code FROM units WHERE parent IS NULL ORDER BY code").fetchall())
    # (the administrators of 三员分立 have no units and read no ledger: nothing is due to them)
    return [code for (code,) in found if ctx.may_read(actor, code)]


def digest(ctx: Context, actor: Actor, as_of: datetime | None = None) -> Digest:
    """What is due within WITHIN_DAYS or overdue in the units the actor reads, each item once."""
    seen: dict[tuple[str, str, str], Deadline] = {}
    today = None
    for unit in units_of(ctx, actor):
        found = deadlines(ctx, actor, unit, as_of, WITHIN_DAYS)
        today = found.today
        for d in found.items:
            if d.status in (OVERDUE, DUE_SOON):
                seen.setdefault((d.unit, d.ref, d.duty), d)
    items = sorted(seen.values(), key=lambda d: (d.status != OVERDUE, d.due or date.max, d.unit, d.ref))
    name = getattr(actor, "display_name", "") or actor.username
    day = today or ctx.ledger.today()
    # Rectification deadlines run in months: warned of from rectification's own default period, each issue once.
    issues: dict[tuple[str, str], Reminder] = {}
    for unit in units_of(ctx, actor):
        for found_issues in rectification.reminders(ctx, actor, unit, as_of=as_of).values():
            for r in found_issues:
                issues.setdefault((r.issuer, r.ref), r)
    rect = sorted(issues.values(), key=lambda r: (r.days_left, r.issuer, r.ref))
    return Digest(actor.username, name, day, items, filing.due(ctx, actor, today=day), rect)


@dataclass
class Run:
    queued: int = 0
    delivered: int = 0
    waiting: list[Message] = field(default_factory=list)


def queue_digests(ctx: Context, actor: Actor, as_of: datetime | None = None) -> int:
    """Queue today's digest of every enabled user with something due, by e-mail and webhook as configured
    (admins). Running it twice a day queues nothing more."""
    require_duty(actor, "settings")
    s = ctx.settings
    box = Outbox(s.home)
    queued = 0
    for user in ctx.ledger.users():
        if user.disabled:
            continue
        d = digest(ctx, user, as_of)
        if d.empty:
            continue
        stamp = datetime.now(UTC).isoformat()
        day = d.today.isoformat()
        to = mail.address_of(s, user.username, user.email)
        if s.smtp_host and to:
            queued += box.put(Message(f"{day}-{user.username}-mail", "mail", to, d.subject(), d.text(), stamp))
        if s.webhook_url and s.webhook_secret:  # unsigned, a receiver could not tell it from a forgery
            body = json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True)
            queued += box.put(
                Message(f"{day}-{user.username}-webhook", "webhook", s.webhook_url, d.subject(), body, stamp)
            )
    return queued


def deliver(ctx: Context, actor: Actor, now: datetime | None = None) -> Run:
    """Send every message that is due; one that fails stays queued with its error and is retried later."""
    require_duty(actor, "settings")
    s = ctx.settings
    box = Outbox(s.home)
    run = Run()
    with box.delivering() as mine:
        for m in box.due(now) if mine else []:
            try:
                if m.channel == "mail":
                    mail.send(s, m.to, m.subject, m.body)
                else:
                    webhook.post(m.to, s.webhook_secret or "", m.body.encode(), m.id)
            except Exception as e:  # noqa: BLE001 — whatever the channel raised, the message waits for the next run
                box.failed(m, f"{type(e).__name__}: {e}", now)
                continue
            box.delivered(m)
            run.delivered += 1
    run.waiting = box.pending()
    return run


def remind(ctx: Context, actor: Actor, as_of: datetime | None = None) -> Run:
    queued = queue_digests(ctx, actor, as_of)
    run = deliver(ctx, actor)
    run.queued = queued
    return run
