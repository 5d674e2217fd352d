"""Statutory deadlines (DOMAIN.md §6) as pure functions on civil dates.

Working days follow the official State Council holiday and make-up-workday (调休) calendar as published in
the maintained `chinese-calendar` package, which covers only the years it has data for (2004 to the year after
its release, at best): outside them a working-day deadline cannot be computed and `CalendarUnavailable` says so.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import chinese_calendar

PETITION_ACK_DAYS = 15  # 信访工作条例 (2022) §24: 受理告知 within 15 days of receipt
PETITION_CONCLUDE_DAYS = 60  # §35: claim-type matters concluded within 60 days, extendable once by up to 30
PETITION_MAX_EXTENSION = 30
DISCLOSURE_WORKING_DAYS = 20  # 政府信息公开条例 (2019) §33: 20 working days, +20 if extended
PROPOSAL_MONTHS = 3  # 代表法 §51: 3 months of assignment, 6 if complex
PROPOSAL_COMPLEX_MONTHS = 6
# DOMAIN.md §3 audit.late_entries: an activity first recorded more than 30 days after its date is a late entry (补录).
LATE_ENTRY_DAYS = 30

# DOMAIN.md §7.3. Periods of N days end on date + N days (the day itself not counted); periods of N months on the
# same day number N months later, or that month's last day (31 Dec + 2 months = 28/29 Feb). No holiday shift.
PENALTY_DECISION_DAYS = 90  # 行政处罚法 (2021) §60: decide within 90 days of 立案, plus every recorded extension
# The reply period of a supervision letter when the letter sets none (`reply_days`), by type: (days, months).
LETTER_REPLY_PERIODS: dict[str, tuple[int, int]] = {
    "procuratorial_suggestion": (0, 2),  # 人民检察院检察建议工作规定 (2019): 书面回复 within 两个月 of receipt
    "reconsideration_opinion": (60, 0),  # DOMAIN.md §7.3 default; a letter setting its own period: reply_days
    "judicial_suggestion": (0, 2),  # local rules, commonly 两个月: a default, as above
}


class CalendarUnavailable(ValueError):
    """The holiday calendar has no data for a year a working-day count needs."""


def supported_years() -> tuple[int, int]:
    """The first and last year the installed holiday calendar knows."""
    days = list(chinese_calendar.constants.holidays) + list(chinese_calendar.constants.workdays)
    return min(days).year, max(days).year


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        first, last = supported_years()
        raise CalendarUnavailable(
            f"日历：chinese-calendar 只收录 {first}–{last} 年的法定节假日和调休安排，无法计算 {day.year} 年的工作日"
            f"（请升级 chinese-calendar）"
        ) from None


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (the day of receipt itself does not count)."""
    if n < 0:
        raise ValueError(f"n: must be ≥ 0, got {n}")
    day, left = start, n
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the last day of that month when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def petition_ack_due(received: date) -> date:
    return received + timedelta(days=PETITION_ACK_DAYS)


def petition_conclusion_due(received: date, extended_days: int = 0) -> date:
    if not 0 <= extended_days <= PETITION_MAX_EXTENSION:
        raise ValueError(f"extended_days: 延期天数须为 0–{PETITION_MAX_EXTENSION}，收到 {extended_days}")
    return received + timedelta(days=PETITION_CONCLUDE_DAYS + extended_days)


def disclosure_reply_due(received: date, extended: bool = False) -> date:
    return add_working_days(received, DISCLOSURE_WORKING_DAYS * (2 if extended else 1))


def proposal_reply_due(assigned: date, complex_matter: bool = False) -> date:
    return add_months(assigned, PROPOSAL_COMPLEX_MONTHS if complex_matter else PROPOSAL_MONTHS)


def penalty_decision_due(filed: date, extended_days: int = 0) -> date:
    """The last day to decide an ordinary-procedure penalty case (or withdraw its 立案): 90 days + extensions."""
    return filed + timedelta(days=PENALTY_DECISION_DAYS + extended_days)


def letter_reply_due(received: date, letter_type: str, reply_days: int | None = None) -> date:
    """The last day to reply to a 司法建议/检察建议/行政复议意见书: the period it sets, else its type's default."""
    if reply_days is not None:
        return received + timedelta(days=reply_days)
    days, months = LETTER_REPLY_PERIODS[letter_type]
    return add_months(received, months) + timedelta(days=days)


def is_due(closed: bool, deadline: date, today: date) -> bool:
    """DOMAIN.md §7.3: an item is due once closed, or once its deadline is strictly before D (today)."""
    return closed or deadline < today
