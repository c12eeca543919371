"""Goal progress arithmetic: saved, remaining, monthly amount needed, average rate and the
projected completion date, in exact Decimals for fixed dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finora.services.planning.goals import add_months, goal_progress

D = Decimal
TODAY = date(2026, 3, 15)
MONTHLY_1000 = [
    (date(2026, 1, 10), D("1000.00")),
    (date(2026, 2, 10), D("1000.00")),
    (date(2026, 3, 10), D("1000.00")),
]


def test_three_months_of_1000_towards_12000():
    progress = goal_progress(D("12000.00"), date(2026, 9, 15), MONTHLY_1000, TODAY)
    assert progress.saved == D("3000.00")
    assert progress.remaining == D("9000.00")
    assert progress.ratio == D("0.25") and progress.bar_percent == 25
    assert not progress.achieved and not progress.overdue
    assert progress.average_monthly_rate == D("1000.00")
    assert progress.projected_completion == date(2026, 12, 15)  # 9 months after today
    assert progress.months_left == 6
    assert progress.monthly_needed == D("1500.00")


@pytest.mark.parametrize(
    ("target_date", "months", "needed"),
    [
        (date(2026, 3, 31), 1, D("9000.00")),  # this month: all of it, now
        (date(2026, 3, 15), 1, D("9000.00")),  # today
        (date(2026, 4, 1), 1, D("9000.00")),
        (date(2026, 9, 1), 6, D("1500.00")),
        (date(2026, 9, 30), 6, D("1500.00")),
        (date(2027, 3, 15), 12, D("750.00")),
        (date(2026, 10, 15), 7, D("1285.72")),  # 1285.714… rounded up: 7 × it covers 9000
    ],
)
def test_monthly_needed_counts_month_boundaries(target_date, months, needed):
    progress = goal_progress(D("12000.00"), target_date, MONTHLY_1000, TODAY)
    assert (progress.months_left, progress.monthly_needed) == (months, needed)
    assert progress.monthly_needed * months >= progress.remaining


def test_no_target_date_means_no_monthly_amount():
    progress = goal_progress(D("12000.00"), None, MONTHLY_1000, TODAY)
    assert progress.monthly_needed is None and progress.months_left is None
    assert progress.projected_completion == date(2026, 12, 15)


def test_a_passed_date_asks_for_everything_now():
    progress = goal_progress(D("12000.00"), date(2026, 2, 28), MONTHLY_1000, TODAY)
    assert progress.overdue
    assert progress.monthly_needed == D("9000.00")
    assert progress.projected_completion == date(2026, 12, 15)


def test_achieved_goal():
    contributions = [*MONTHLY_1000, (date(2026, 3, 14), D("9500.00"))]
    progress = goal_progress(D("12000.00"), date(2026, 2, 1), contributions, TODAY)
    assert progress.achieved and not progress.overdue
    assert progress.saved == D("12500.00") and progress.remaining == D("0.00")
    assert progress.ratio == D("1.041666666666666666666666667")  # the true ratio is kept
    assert progress.bar_percent == 100
    assert progress.monthly_needed is None and progress.projected_completion is None


def test_exactly_the_target_is_achieved():
    progress = goal_progress(D("3000.00"), None, MONTHLY_1000, TODAY)
    assert progress.achieved and progress.remaining == D("0.00") and progress.bar_percent == 100


def test_almost_there_is_not_a_full_bar():
    progress = goal_progress(D("3000.00"), None, [(date(2026, 3, 1), D("2999.00"))], TODAY)
    assert not progress.achieved and progress.bar_percent == 99


def test_withdrawals_reduce_the_saved_amount_and_the_rate():
    contributions = [*MONTHLY_1000, (date(2026, 3, 12), D("-600.00"))]
    progress = goal_progress(D("12000.00"), date(2026, 9, 15), contributions, TODAY)
    assert progress.saved == D("2400.00") and progress.remaining == D("9600.00")
    assert progress.average_monthly_rate == D("800.00")
    assert progress.monthly_needed == D("1600.00")
    assert progress.projected_completion == date(2027, 3, 15)  # 9600 / 800 = 12 months


def test_withdrawing_everything_leaves_no_projection():
    contributions = [(date(2026, 1, 5), D("500.00")), (date(2026, 2, 5), D("-500.00"))]
    progress = goal_progress(D("1000.00"), None, contributions, TODAY)
    assert progress.saved == D("0.00") and progress.average_monthly_rate == D("0.00")
    assert progress.projected_completion is None


def test_more_withdrawn_than_saved_shows_an_empty_bar():
    contributions = [(date(2026, 3, 1), D("-50.00"))]
    progress = goal_progress(D("1000.00"), None, contributions, TODAY)
    assert progress.saved == D("-50.00") and progress.remaining == D("1050.00")
    assert progress.bar_percent == 0 and progress.ratio < 0
    assert progress.projected_completion is None


def test_no_contributions():
    progress = goal_progress(D("500.00"), date(2026, 8, 20), [], TODAY)
    assert progress.saved == D("0.00") and progress.remaining == D("500.00")
    assert progress.bar_percent == 0 and not progress.achieved
    assert progress.average_monthly_rate is None and progress.projected_completion is None
    assert progress.monthly_needed == D("100.00")


def test_a_first_contribution_this_month_counts_as_one_month():
    progress = goal_progress(D("1000.00"), None, [(date(2026, 3, 14), D("250.00"))], TODAY)
    assert progress.average_monthly_rate == D("250.00")
    assert progress.projected_completion == date(2026, 6, 15)  # 750 / 250 = 3 months


def test_a_partial_month_rounds_the_projection_up():
    progress = goal_progress(D("1000.00"), None, [(date(2026, 3, 1), D("400.00"))], TODAY)
    assert progress.projected_completion == date(2026, 5, 15)  # 600 / 400 = 1.5 → 2 months


def test_rates_are_rounded_half_up_to_cents():
    contributions = [(date(2026, 1, 1), D("100.00")), (date(2026, 3, 1), D("0.01"))]
    progress = goal_progress(D("1000.00"), None, contributions, TODAY)
    assert progress.average_monthly_rate == D("33.34")  # 100.01 / 3 = 33.3366…
    contributions = [(date(2026, 2, 1), D("0.05"))]
    assert goal_progress(D("1.00"), None, contributions, TODAY).average_monthly_rate == D("0.03")


def test_a_projection_beyond_the_calendar_is_unknown():
    progress = goal_progress(D("999999999.00"), None, [(date(2026, 3, 1), D("0.01"))], TODAY)
    assert progress.projected_completion is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 15), 9, date(2026, 12, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_the_months_end(day, months, expected):
    assert add_months(day, months) == expected
