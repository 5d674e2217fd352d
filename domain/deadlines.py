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
