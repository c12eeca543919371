"""Credit-card statement cycles: pure date arithmetic (docs/cards.md).

A card closes its statement on `closing_day` of every month and the statement is due on
the first `due_day` after the closing date; both days are clamped to the month's length
(a card closing on the 31st closes on Feb 28/29). The statement of month M covers the
purchases dated after the closing date of M-1 up to and including the closing date of M:
a purchase on the closing day itself is in that month's statement, one the day after it
in the next month's.
"""

from __future__ import annotations

import calendar
from datetime import date


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def closing_date(year: int, month: int, closing_day: int) -> date:
    """The closing date of the statement of (year, month)."""
    return _clamped(year, month, closing_day)


def due_date(year: int, month: int, closing_day: int, due_day: int) -> date:
    """The first `due_day` (clamped) strictly after the statement's closing date."""
    closing = closing_date(year, month, closing_day)
    same_month = _clamped(year, month, due_day)
    if same_month > closing:
        return same_month
    next_year, next_month = _shift(year, month, 1)
    return _clamped(next_year, next_month, due_day)


def cycle_start(year: int, month: int, closing_day: int) -> date:
    """The first day of the statement's cycle: the day after the previous closing date."""
    previous = closing_date(*_shift(year, month, -1), closing_day)
    return date.fromordinal(previous.toordinal() + 1)


def statement_of(day: date, closing_day: int) -> tuple[int, int]:
    """The (year, month) of the statement a purchase dated `day` falls into."""
    if day <= closing_date(day.year, day.month, closing_day):
        return day.year, day.month
    return _shift(day.year, day.month, 1)


def next_statement(key: tuple[int, int]) -> tuple[int, int]:
    return _shift(key[0], key[1], 1)
