"""Cell texts shared by the Word and Excel documents."""

from __future__ import annotations

from decimal import Decimal


def rate_text(value: int | float, with_unit: bool = True) -> str:
    """A rate as every document writes it, prose and tables alike: at most 2 decimals, no trailing zeros
    (100%, 12.5%, 33.33%)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%" if with_unit else text


def figure_value(value: int | float | None, unit: str, with_unit: bool = True) -> str:
    """A figure's value as written in tables: rates as `rate_text`, null as —."""
    if value is None:
        return "—"
    if unit == "%":
        return rate_text(value, with_unit)
    return f"{value}{unit}" if with_unit else str(value)


def change(value: int | float | None, previous: int | float | None, unit: str) -> str:
    """The change from the previous year: +3 / -2 / 0 for counts, percentage points for rates, — when unknown."""
    if value is None or previous is None:
        return "—"
    if isinstance(value, str) or isinstance(previous, str):  # money (DOMAIN.md §7.1): exact 2-decimal strings
        exact = Decimal(value) - Decimal(previous)
        return "0" if exact == 0 else f"{exact:+.2f}"
    diff = value - previous
    if unit == "%":
        return "0" if diff == 0 else ("+" if diff > 0 else "-") + f"{rate_text(abs(diff), False)}个百分点"
    if isinstance(diff, float):  # a mean score (exam.average_score)
        return "0" if diff == 0 else f"{diff:+.2f}"
    return "0" if diff == 0 else f"{diff:+d}"
