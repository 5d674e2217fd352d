"""Statutory deadlines on the official holiday calendar (domain rules) and the open-deadline query."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import petition, proposal, request, step, unit

from domain import deadlines as rules
from projections.deadlines import open_deadlines


def test_working_days_skip_national_day_and_count_make_up_saturday() -> None:
    # 2025 国庆+中秋: 1–8 Oct off; Sunday 28 Sep and Saturday 11 Oct are make-up workdays (调休).
    assert rules.is_working_day(date(2025, 9, 28)) and rules.is_working_day(date(2025, 10, 11))
    assert not rules.is_working_day(date(2025, 10, 3))
    # Received Fri 26 Sep: 28 Sep (Sun, 调休), 29, 30 Sep, then 9, 10, 11 (Sat, 调休), 13–17, 20–24, 27–30 Oct.
    assert rules.add_working_days(date(2025, 9, 26), 3) == date(2025, 9, 30)
    assert rules.add_working_days(date(2025, 9, 26), 4) == date(2025, 10, 9)
    assert rules.add_working_days(date(2025, 9, 26), 6) == date(2025, 10, 11)
    assert rules.disclosure_reply_due(date(2025, 9, 26)) == date(2025, 10, 30)


def test_disclosure_extension_and_spring_festival() -> None:
    # 2025 春节: 28 Jan – 4 Feb off; Sunday 26 Jan and Saturday 8 Feb are workdays.
    # 21–24, 26 (Sun), 27 Jan; 5–7, 8 (Sat), 10–14, 17–21 Feb; extended: 24 Feb – 21 Mar.
    assert rules.disclosure_reply_due(date(2025, 1, 20)) == date(2025, 2, 21)
    assert rules.disclosure_reply_due(date(2025, 1, 20), extended=True) == date(2025, 3, 21)


def test_calendar_range_is_reported() -> None:
    first, last = rules.supported_years()
    assert first <= 2004 and last >= 2025
    with pytest.raises(rules.CalendarUnavailable, match="chinese-calendar"):
        rules.add_working_days(date(last, 12, 20), 20)


def test_calendar_day_deadlines() -> None:
    assert rules.petition_ack_due(date(2025, 9, 30)) == date(2025, 10, 15)
    assert rules.petition_conclusion_due(date(2025, 1, 1)) == date(2025, 3, 2)
    assert rules.petition_conclusion_due(date(2025, 1, 1), 30) == date(2025, 4, 1)
    with pytest.raises(ValueError, match="extended_days"):
        rules.petition_conclusion_due(date(2025, 1, 1), 31)
    assert rules.proposal_reply_due(date(2025, 3, 15)) == date(2025, 6, 15)
    assert rules.proposal_reply_due(date(2025, 3, 15), complex_matter=True) == date(2025, 9, 15)
    assert rules.proposal_reply_due(date(2025, 11, 30)) == date(2026, 2, 28)  # clamped to the month's end


def test_open_deadlines_query(env, tmp_path) -> None:
    env.ok(
        unit("u2", "下级", parent="u1"),
        petition("XF-1", "2025-09-26", category="claim"),
        step("XF-1", "acknowledged", "2025-09-30"),
        petition("XF-2", "2025-10-20", category="suggestion", unit="u2"),
        request("GK-1", "2025-09-26"),
        request("GK-2", "2025-09-01"),
        step("GK-2", "replied", "2025-09-10", result="disclosed"),
        proposal("JY-1", "2025-08-01", complex=True),
    )
    with env.read_model() as model:
        today, items = open_deadlines(model.con, "u1", None, model.tz, 15, today=date(2025, 11, 1))
    assert today == date(2025, 11, 1)
    got = {(d.unit, d.ref, d.duty): (d.due, d.status, d.days_left) for d in items}
    assert got == {
        ("u1", "XF-1", "concluded"): (date(2025, 11, 25), "open", 24),
        ("u2", "XF-2", "acknowledged"): (date(2025, 11, 4), "due_soon", 3),
        ("u1", "GK-1", "replied"): (date(2025, 10, 30), "overdue", -2),
        ("u1", "JY-1", "replied"): (date(2026, 2, 1), "open", 92),
    }
    assert [d.ref for d in items] == ["GK-1", "XF-2", "XF-1", "JY-1"]  # by due date
