"""Credit-card cycles: closing and due dates clamped to the month, and which statement a
purchase falls into (docs/cards.md)."""

from __future__ import annotations

from datetime import date

from finora.services.ledger.card_cycles import (
    closing_date,
    cycle_start,
    due_date,
    next_statement,
    statement_of,
)


def test_purchase_on_the_closing_day_is_in_that_month_and_the_day_after_in_the_next():
    assert statement_of(date(2026, 3, 10), 10) == (2026, 3)
    assert statement_of(date(2026, 3, 11), 10) == (2026, 4)
    assert statement_of(date(2026, 12, 11), 10) == (2027, 1)


def test_closing_day_past_the_month_length_closes_on_its_last_day():
    assert closing_date(2026, 2, 31) == date(2026, 2, 28)
    assert closing_date(2028, 2, 30) == date(2028, 2, 29)
    assert statement_of(date(2026, 2, 28), 31) == (2026, 2)
    assert statement_of(date(2026, 3, 1), 31) == (2026, 3)
    assert cycle_start(2026, 3, 31) == date(2026, 3, 1)
    assert cycle_start(2026, 3, 30) == date(2026, 3, 1)  # after Feb 28
    assert cycle_start(2026, 4, 30) == date(2026, 3, 31)


def test_due_date_is_the_first_due_day_after_the_closing():
    assert due_date(2026, 3, 3, 10) == date(2026, 3, 10)  # closes 3rd, due 10th
    assert due_date(2026, 3, 25, 5) == date(2026, 4, 5)  # closes 25th, due 5th of next
    assert due_date(2026, 12, 25, 5) == date(2027, 1, 5)
    assert due_date(2026, 3, 10, 10) == date(2026, 4, 10)  # same day: the next month's
    # Closes on Feb 28 (31 clamped) and due on the 31st, clamped to Feb 28: the next one.
    assert due_date(2026, 2, 31, 31) == date(2026, 3, 31)
    assert due_date(2026, 1, 20, 31) == date(2026, 1, 31)


def test_cycles_follow_each_other_without_gap_or_overlap():
    key = (2025, 11)
    for _ in range(30):
        following = next_statement(key)
        assert cycle_start(*following, 29) == date.fromordinal(closing_date(*key, 29).toordinal() + 1)
        key = following
    assert key == (2028, 5)
