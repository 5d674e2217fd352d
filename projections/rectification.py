"""The rectification figures and reminders, from the issues (domain/rectification.py) as they stood at an instant.

Why not rows of projections/figures.py: every figure there is local to one *activity* (its parts are filters over
the live activities A/AV and their steps S, precomputed into `contrib` when an activity's events are folded),
and a figure's `sources` and `explain` are activity refs (DOMAIN.md §5). Issues are another aggregate, with
their own events, which the activity fold does not read; adding them would mean a second fold and a change of
the report JSON every unit and acceptance test reads. The overdue rate also depends on the day D. So the
three figures are computed here from the issue states, with the same shape (value, unit, label, sources: the
issue refs) so pages and documents can show them beside the report's.

Scope: the issues *owned* by the unit or its descendants whose finding date falls in year Y.
  rectification.issues           整改问题          件  issues found in Y
  rectification.completion_rate  整改完成率        %   signed off (销号) by D / issues found in Y
  rectification.overdue_rate     整改超期率        %   of the issues whose deadline is before D, those not
                                                       signed off on or before the deadline
  rectification.recurrences      问题反弹          次  reopenings (Reopened events) of those issues by D
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.rectification import SOURCES, STATUSES, Issue


@dataclass(frozen=True)
class RectificationFigure:
    id: str
    label: str
    unit: str
    value: float | int | None
    num: int
    den: int
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "unit": self.unit, "value": self.value, "sources": self.sources}


FIGURES: dict[str, tuple[str, str]] = {
    "rectification.issues": ("整改问题", "件"),
    "rectification.completion_rate": ("整改完成率", "%"),
    "rectification.overdue_rate": ("整改超期率", "%"),
    "rectification.recurrences": ("问题反弹", "次"),
}


def _rate(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def label(issue: Issue) -> str:
    return f"{issue.issuer}/{issue.ref}"


def in_scope(issues: Iterable[Issue], units: set[str], year: int) -> list[Issue]:
    return [i for i in issues if i.owner in units and int(i.found_on[:4]) == year]


def signed_in_time(issue: Issue) -> bool:
    return issue.signed_off_on is not None and issue.signed_off_on <= issue.deadline


def figures(issues: Iterable[Issue], units: set[str], year: int, day: date) -> dict[str, RectificationFigure]:
    """The four figures for the issues owned within `units` and found in `year`, as the states stand on `day`."""
    mine = sorted(in_scope(issues, units, year), key=label)
    done = [i for i in mine if i.status == "signed_off"]
    due = [i for i in mine if i.deadline < day.isoformat()]
    late = [i for i in due if not signed_in_time(i)]
    recurred = [i for i in mine if i.recurrences]
    values = {
        "rectification.issues": (len(mine), len(mine), 0, mine),
        "rectification.completion_rate": (_rate(len(done), len(mine)), len(done), len(mine), mine),
        "rectification.overdue_rate": (_rate(len(late), len(due)), len(late), len(due), due),
        "rectification.recurrences": (
            sum(i.recurrences for i in mine),
            sum(i.recurrences for i in mine),
            0,
            recurred,
        ),
    }
    return {
        fid: RectificationFigure(fid, *FIGURES[fid], value, num, den, [label(i) for i in behind])
        for fid, (value, num, den, behind) in values.items()
    }


@dataclass(frozen=True)
class Reminder:
    """An issue not yet signed off whose deadline is near (`due_soon`) or passed (`overdue`) on `today`."""

    issuer: str
    ref: str
    owner: str
    title: str
    source: str
    status: str
    deadline: date
    days_left: int  # negative: days overdue
    state: str  # "due_soon" or "overdue"

    def to_json(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "ref": self.ref,
            "owner": self.owner,
            "title": self.title,
            "source": self.source,
            "source_label": SOURCES[self.source],
            "status": self.status,
            "status_label": STATUSES[self.status],
            "deadline": self.deadline.isoformat(),
            "days_left": self.days_left,
            "state": self.state,
        }


def reminders(issues: Iterable[Issue], covered: Callable[[str], bool], today: date, within: int) -> list[Reminder]:
    """Open issues owned by a covered unit due within `within` days or overdue, most overdue first. An issue
    reported completed and awaiting verification is the issuer's to act on and still listed until signed off."""
    out = []
    for i in issues:
        if i.status == "signed_off" or not covered(i.owner):
            continue
        deadline = date.fromisoformat(i.deadline)
        left = (deadline - today).days
        if left > within:
            continue
        out.append(
            Reminder(
                i.issuer, i.ref, i.owner, i.title, i.source, i.status, deadline, left,
                "overdue" if left < 0 else "due_soon",
            )
        )  # fmt: skip
    return sorted(out, key=lambda r: (r.days_left, r.owner, r.issuer, r.ref))
