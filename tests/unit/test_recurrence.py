"""Expanding recurring rules: nominal schedules, business-day shifts, holds, skips, ends."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finora.business_days import POLICIES, BusinessCalendar
from finora.forecast.recurrence import (
    FREQUENCIES,
    Occurrence,
    RuleSpec,
    Window,
    nominal_dates,
    nominal_dates_between,
    nth_month_date,
    occurrences,
)

PLAIN = BusinessCalendar()  # weekends only


def d(text: str) -> date:
    return date.fromisoformat(text)


def ds(*texts: str) -> list[date]:
    return [d(text) for text in texts]


def month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def nominals(found: list[Occurrence]) -> list[date]:
    return [occurrence.nominal for occurrence in found]


def adjusted(found: list[Occurrence]) -> list[date]:
    return [occurrence.date for occurrence in found]


# -- month-based schedules keep the anchor's day without drifting ---------------------------


def test_monthly_from_the_31st_gives_every_month_end_for_24_months():
    spec = RuleSpec("monthly", d("2024-01-31"))
    dates = nominal_dates(spec, d("2025-12-31"))
    expected = [month_end(2024 + i // 12, i % 12 + 1) for i in range(24)]
    assert dates == expected
    assert len(dates) == 24
    assert dates[:4] == ds("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30")
    assert dates[12:15] == ds("2025-01-31", "2025-02-28", "2025-03-31")


@pytest.mark.parametrize("day", [29, 30])
def test_monthly_from_the_29th_and_30th_only_clamps_february(day):
    spec = RuleSpec("monthly", date(2024, 1, day))
    dates = nominal_dates(spec, d("2025-12-31"))
    expected = [
        date(2024 + i // 12, i % 12 + 1, min(day, monthrange(2024 + i // 12, i % 12 + 1)[1]))
        for i in range(24)
    ]
    assert dates == expected
    # February clamps, March returns to the anchor's day.
    assert dates[1] == date(2024, 2, 29)
    assert dates[2] == date(2024, 3, day)
    assert dates[13] == date(2025, 2, 28)
    assert dates[14] == date(2025, 3, day)


def test_monthly_from_an_ordinary_day():
    spec = RuleSpec("monthly", d("2026-01-10"))
    assert nominal_dates(spec, d("2026-05-09")) == ds(
        "2026-01-10", "2026-02-10", "2026-03-10", "2026-04-10"
    )


def test_quarterly_from_november_30th():
    spec = RuleSpec("quarterly", d("2023-11-30"))
    assert nominal_dates(spec, d("2025-03-01")) == ds(
        "2023-11-30",
        "2024-02-29",  # leap year
        "2024-05-30",  # back to the 30th, not the 29th
        "2024-08-30",
        "2024-11-30",
        "2025-02-28",
    )


def test_quarterly_from_the_31st():
    spec = RuleSpec("quarterly", d("2026-01-31"))
    assert nominal_dates(spec, d("2026-12-31")) == ds(
        "2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31"
    )


def test_yearly_from_february_29th():
    spec = RuleSpec("yearly", d("2024-02-29"))
    assert nominal_dates(spec, d("2032-12-31")) == ds(
        "2024-02-29",
        "2025-02-28",
        "2026-02-28",
        "2027-02-28",
        "2028-02-29",  # leap again: back to the 29th
        "2029-02-28",
        "2030-02-28",
        "2031-02-28",
        "2032-02-29",
    )


def test_nth_month_date_is_computed_from_the_anchor():
    anchor = d("2024-01-31")
    assert nth_month_date(anchor, 0) == anchor
    assert nth_month_date(anchor, 1) == d("2024-02-29")
    assert nth_month_date(anchor, 2) == d("2024-03-31")
    assert nth_month_date(anchor, 11) == d("2024-12-31")
    assert nth_month_date(anchor, 12) == d("2025-01-31")
    assert nth_month_date(anchor, 13) == d("2025-02-28")
    assert nth_month_date(anchor, 1200) == d("2124-01-31")


# -- fixed-step schedules -------------------------------------------------------------------


def test_once_is_just_the_anchor():
    spec = RuleSpec("once", d("2026-03-15"))
    assert nominal_dates(spec, d("2030-01-01")) == ds("2026-03-15")
    assert nominal_dates(spec, d("2026-03-15")) == ds("2026-03-15")
    assert nominal_dates(spec, d("2026-03-14")) == []
    assert nominals(occurrences(spec, d("2026-03-01"), d("2026-03-31"), PLAIN)) == ds("2026-03-15")
    assert occurrences(spec, d("2026-04-01"), d("2026-04-30"), PLAIN) == []


def test_daily():
    spec = RuleSpec("daily", d("2026-02-27"))
    assert nominal_dates(spec, d("2026-03-02")) == ds(
        "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"
    )


def test_weekly():
    spec = RuleSpec("weekly", d("2026-01-05"))  # a Monday
    dates = nominal_dates(spec, d("2026-02-02"))
    assert dates == ds("2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02")
    assert all(day.weekday() == 0 for day in dates)


def test_biweekly():
    spec = RuleSpec("biweekly", d("2026-01-02"))  # a Friday
    assert nominal_dates(spec, d("2026-03-01")) == ds(
        "2026-01-02", "2026-01-16", "2026-01-30", "2026-02-13", "2026-02-27"
    )


def test_until_before_the_anchor_gives_nothing():
    for frequency in ("once", "daily", "weekly", "monthly", "yearly"):
        assert nominal_dates(RuleSpec(frequency, d("2026-05-01")), d("2026-04-30")) == []


def test_occurrences_in_a_window_far_from_the_anchor():
    # A weekly rule anchored years ago: the window starts mid-schedule.
    spec = RuleSpec("weekly", d("2020-01-06"))  # a Monday
    found = occurrences(spec, d("2026-11-01"), d("2026-11-30"), PLAIN)
    assert nominals(found) == ds(
        "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"
    )
    monthly = RuleSpec("monthly", d("2019-08-31"))
    assert nominals(occurrences(monthly, d("2026-02-01"), d("2026-04-30"), PLAIN)) == ds(
        "2026-02-28", "2026-03-31", "2026-04-30"
    )


def test_nominal_dates_between_starts_mid_schedule():
    spec = RuleSpec("monthly", d("2024-01-31"))
    assert nominal_dates_between(spec, d("2025-02-01"), d("2025-04-30")) == ds(
        "2025-02-28", "2025-03-31", "2025-04-30"
    )
    assert nominal_dates_between(spec, d("2025-02-28"), d("2025-02-28")) == ds("2025-02-28")
    assert nominal_dates_between(spec, d("2023-01-01"), d("2024-02-01")) == ds("2024-01-31")
    daily = RuleSpec("daily", d("2026-01-01"))
    assert nominal_dates_between(daily, d("2026-03-01"), d("2026-03-03")) == ds(
        "2026-03-01", "2026-03-02", "2026-03-03"
    )
    biweekly = RuleSpec("biweekly", d("2026-01-02"))
    assert nominal_dates_between(biweekly, d("2026-01-17"), d("2026-02-13")) == ds(
        "2026-01-30", "2026-02-13"
    )


# -- end dates ------------------------------------------------------------------------------


def test_end_date_is_inclusive():
    spec = RuleSpec("monthly", d("2026-01-15"), end=d("2026-04-15"))
    assert nominal_dates(spec, d("2026-12-31")) == ds(
        "2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15"
    )
    found = occurrences(spec, d("2026-01-01"), d("2026-12-31"), PLAIN)
    assert nominals(found) == ds("2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15")


def test_end_date_between_occurrences():
    spec = RuleSpec("weekly", d("2026-01-05"), end=d("2026-01-20"))
    assert nominal_dates(spec, d("2026-12-31")) == ds("2026-01-05", "2026-01-12", "2026-01-19")


def test_end_date_before_the_range_gives_nothing():
    spec = RuleSpec("monthly", d("2025-01-10"), end=d("2025-12-10"))
    assert occurrences(spec, d("2026-01-01"), d("2026-12-31"), PLAIN) == []
    daily = RuleSpec("daily", d("2025-01-01"), end=d("2025-12-31"), policy="next")
    assert occurrences(daily, d("2026-01-01"), d("2026-12-31"), PLAIN) == []


def test_end_date_applies_to_the_nominal_date():
    # Due Saturday 2026-01-31 (the end date), moved to Monday 2026-02-02: still included.
    spec = RuleSpec("monthly", d("2025-10-31"), end=d("2026-01-31"), policy="next")
    found = occurrences(spec, d("2026-02-01"), d("2026-02-28"), PLAIN)
    assert found == [Occurrence(None, d("2026-01-31"), d("2026-02-02"))]
    # With "previous", Sunday March 1st would be paid Friday Feb 27 -- unless the rule ends
    # before March 1st: the end excludes it even though the adjusted date is before the end.
    window = (d("2026-02-01"), d("2026-02-28"))
    open_ended = RuleSpec("monthly", d("2026-01-01"), policy="previous")
    assert occurrences(open_ended, *window, PLAIN) == [
        Occurrence(None, d("2026-03-01"), d("2026-02-27"))
    ]
    ended = RuleSpec("monthly", d("2026-01-01"), end=d("2026-02-28"), policy="previous")
    assert occurrences(ended, *window, PLAIN) == []


def test_empty_or_inverted_range():
    spec = RuleSpec("daily", d("2026-01-01"))
    assert occurrences(spec, d("2026-02-01"), d("2026-01-31"), PLAIN) == []
    assert len(occurrences(spec, d("2026-02-01"), d("2026-02-01"), PLAIN)) == 1


# -- business-day shifts ----------------------------------------------------------------------


def test_expense_due_saturday_moves_into_the_next_month():
    spec = RuleSpec("monthly", d("2025-12-31"), policy="next", rule_id=7)
    january = occurrences(spec, d("2026-01-01"), d("2026-01-31"), PLAIN)
    february = occurrences(spec, d("2026-02-01"), d("2026-02-28"), PLAIN)
    # 2025-12-31 is a Wednesday and belongs to December; 2026-01-31 is a Saturday.
    assert january == []
    assert february == [Occurrence(7, d("2026-01-31"), d("2026-02-02"))]
    # February's own nominal date (Saturday 28th) moves into March.
    march = occurrences(spec, d("2026-03-01"), d("2026-03-31"), PLAIN)
    assert march == [
        Occurrence(7, d("2026-02-28"), d("2026-03-02")),
        Occurrence(7, d("2026-03-31"), d("2026-03-31")),
    ]


def test_income_due_sunday_moves_back_into_the_previous_month():
    spec = RuleSpec("monthly", d("2026-01-01"), policy="previous")
    february = occurrences(spec, d("2026-02-01"), d("2026-02-28"), PLAIN)
    # Feb 1 2026 is a Sunday -> Friday Jan 30 (January's); Mar 1 is a Sunday -> Feb 27.
    assert february == [Occurrence(None, d("2026-03-01"), d("2026-02-27"))]
    january = occurrences(spec, d("2026-01-01"), d("2026-01-31"), PLAIN)
    assert january == [
        Occurrence(None, d("2026-01-01"), d("2026-01-01")),
        Occurrence(None, d("2026-02-01"), d("2026-01-30")),
    ]
    march = occurrences(spec, d("2026-03-01"), d("2026-03-31"), PLAIN)
    assert march == []  # March 1st was paid in February; April 1st is a Wednesday


def test_policy_none_leaves_weekends():
    spec = RuleSpec("monthly", d("2026-01-31"), policy="none")
    found = occurrences(spec, d("2026-01-01"), d("2026-03-31"), PLAIN)
    assert found == [
        Occurrence(None, d("2026-01-31"), d("2026-01-31")),  # Saturday
        Occurrence(None, d("2026-02-28"), d("2026-02-28")),  # Saturday
        Occurrence(None, d("2026-03-31"), d("2026-03-31")),
    ]


def test_shifts_never_lose_or_duplicate_occurrences_across_consecutive_windows():
    calendar = BusinessCalendar("BR")
    for policy in ("none", "next", "previous"):
        spec = RuleSpec("daily", d("2026-01-01"), policy=policy)
        whole = occurrences(spec, d("2026-02-01"), d("2026-12-31"), calendar)
        pieces = []
        for month in range(2, 13):
            pieces += occurrences(spec, date(2026, month, 1), month_end(2026, month), calendar)
        assert pieces == whole
        assert all(calendar.is_business_day(o.date) for o in whole) or policy == "none"


def test_daily_rule_with_next_policy_piles_weekends_onto_monday():
    spec = RuleSpec("daily", d("2026-01-30"), policy="next")  # Friday
    found = occurrences(spec, d("2026-01-30"), d("2026-02-02"), PLAIN)
    assert found == [
        Occurrence(None, d("2026-01-30"), d("2026-01-30")),
        Occurrence(None, d("2026-01-31"), d("2026-02-02")),
        Occurrence(None, d("2026-02-01"), d("2026-02-02")),
        Occurrence(None, d("2026-02-02"), d("2026-02-02")),
    ]


def test_occurrences_sorted_by_adjusted_then_nominal_date():
    spec = RuleSpec("daily", d("2026-03-01"), policy="previous")  # Sunday
    found = occurrences(spec, d("2026-02-26"), d("2026-03-02"), PLAIN)
    assert [(o.date, o.nominal) for o in found] == [
        (d("2026-02-27"), d("2026-03-01")),  # Sun -> Fri
        (d("2026-03-02"), d("2026-03-02")),
    ]
    assert found == sorted(found, key=lambda o: (o.date, o.nominal))


# -- holidays ---------------------------------------------------------------------------------


def test_brazilian_holiday_moves_an_expense_and_an_income():
    br = BusinessCalendar("BR")
    rent = RuleSpec("monthly", d("2026-01-21"), policy="next")
    salary = RuleSpec("monthly", d("2026-01-21"), policy="previous")
    april = (d("2026-04-01"), d("2026-04-30"))
    assert adjusted(occurrences(rent, *april, br)) == ds("2026-04-22")  # Tiradentes, Tue
    assert adjusted(occurrences(salary, *april, br)) == ds("2026-04-20")
    assert adjusted(occurrences(rent, *april, PLAIN)) == ds("2026-04-21")


def test_christmas_friday_and_weekend_run_into_monday():
    for country in ("BR", "US"):
        calendar = BusinessCalendar(country)
        spec = RuleSpec("monthly", d("2026-01-25"), policy="next")
        found = occurrences(spec, d("2026-12-01"), d("2026-12-31"), calendar)
        assert found == [Occurrence(None, d("2026-12-25"), d("2026-12-28"))]
        income = RuleSpec("monthly", d("2026-01-27"), policy="previous")  # Sunday Dec 27
        found = occurrences(income, d("2026-12-01"), d("2026-12-31"), calendar)
        assert found == [Occurrence(None, d("2026-12-27"), d("2026-12-24"))]


def test_us_observed_independence_day():
    us = BusinessCalendar("US")
    spec = RuleSpec("monthly", d("2026-01-03"), policy="next")
    # Friday July 3 2026 is the observed holiday: the payment goes to Monday July 6.
    assert occurrences(spec, d("2026-07-01"), d("2026-07-31"), us) == [
        Occurrence(None, d("2026-07-03"), d("2026-07-06"))
    ]
    weekly = RuleSpec("weekly", d("2026-11-05"), policy="previous")  # Thursdays
    thanksgiving_week = occurrences(weekly, d("2026-11-23"), d("2026-11-29"), us)
    assert thanksgiving_week == [Occurrence(None, d("2026-11-26"), d("2026-11-25"))]


def test_holiday_run_at_the_window_start_is_reached_back_over():
    # Brazil: Good Friday 2026-04-03 + weekend. A daily expense from Friday to Sunday all
    # lands on Monday 6th, inside a window that starts that Monday.
    br = BusinessCalendar("BR")
    spec = RuleSpec("daily", d("2026-03-01"), policy="next")
    found = occurrences(spec, d("2026-04-06"), d("2026-04-06"), br)
    assert nominals(found) == ds("2026-04-03", "2026-04-04", "2026-04-05", "2026-04-06")
    assert set(adjusted(found)) == {d("2026-04-06")}


def test_holiday_run_at_the_window_end_is_reached_forward_over():
    us = BusinessCalendar("US")
    spec = RuleSpec("daily", d("2026-01-01"), policy="previous")
    # Window ends Thursday Dec 24; Fri 25 (Christmas), Sat, Sun all move back to it.
    found = occurrences(spec, d("2026-12-24"), d("2026-12-24"), us)
    assert nominals(found) == ds("2026-12-24", "2026-12-25", "2026-12-26", "2026-12-27")


# -- holds and skips --------------------------------------------------------------------------


def test_hold_until_skips_nominal_dates_before_it_and_resumes():
    spec = RuleSpec("monthly", d("2026-01-10"), hold_until=d("2026-04-10"))
    found = occurrences(spec, d("2026-01-01"), d("2026-06-30"), PLAIN)
    assert nominals(found) == ds("2026-04-10", "2026-05-10", "2026-06-10")
    later = RuleSpec("monthly", d("2026-01-10"), hold_until=d("2026-04-11"))
    assert nominals(occurrences(later, d("2026-01-01"), d("2026-06-30"), PLAIN)) == ds(
        "2026-05-10", "2026-06-10"
    )


def test_hold_applies_to_the_nominal_date():
    # Nominal Saturday 2026-01-31 -> Monday 2026-02-02; a hold until Feb 1 still drops it.
    spec = RuleSpec("monthly", d("2025-12-31"), policy="next", hold_until=d("2026-02-01"))
    found = occurrences(spec, d("2026-02-01"), d("2026-03-31"), PLAIN)
    assert nominals(found) == ds("2026-02-28", "2026-03-31")


def test_hold_does_not_change_nominal_dates():
    spec = RuleSpec("weekly", d("2026-01-05"), hold_until=d("2026-01-20"))
    assert nominal_dates(spec, d("2026-01-26")) == ds(
        "2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"
    )
    assert nominals(occurrences(spec, d("2026-01-01"), d("2026-01-31"), PLAIN)) == ds("2026-01-26")


def test_skip_removes_exactly_that_nominal_occurrence():
    spec = RuleSpec("monthly", d("2026-01-15"), skips=frozenset({d("2026-03-15")}))
    found = occurrences(spec, d("2026-01-01"), d("2026-05-31"), PLAIN)
    assert nominals(found) == ds("2026-01-15", "2026-02-15", "2026-04-15", "2026-05-15")
    # Skips do not touch the nominal schedule itself.
    assert d("2026-03-15") in nominal_dates(spec, d("2026-05-31"))


def test_skip_is_keyed_by_the_nominal_date_not_the_adjusted_one():
    base = RuleSpec("monthly", d("2025-12-31"), policy="next")
    # January's nominal Saturday 31st is paid Monday Feb 2.
    by_nominal = replace(base, skips=frozenset({d("2026-01-31")}))
    by_adjusted = replace(base, skips=frozenset({d("2026-02-02")}))
    window = (d("2026-02-01"), d("2026-02-28"))
    assert adjusted(occurrences(base, *window, PLAIN)) == ds("2026-02-02")
    assert occurrences(by_nominal, *window, PLAIN) == []
    assert adjusted(occurrences(by_adjusted, *window, PLAIN)) == ds("2026-02-02")


def test_skip_of_one_of_several_occurrences_landing_on_the_same_day():
    spec = RuleSpec("daily", d("2026-01-30"), policy="next", skips=frozenset({d("2026-02-01")}))
    found = occurrences(spec, d("2026-02-02"), d("2026-02-02"), PLAIN)
    assert nominals(found) == ds("2026-01-31", "2026-02-02")


# -- rule id, validation, determinism, size -----------------------------------------------------


def test_occurrences_carry_the_rule_id():
    spec = RuleSpec("weekly", d("2026-01-05"), rule_id=42)
    found = occurrences(spec, d("2026-01-01"), d("2026-01-31"), PLAIN)
    assert {o.rule_id for o in found} == {42}


@pytest.mark.parametrize(
    "spec",
    [RuleSpec("fortnightly", d("2026-01-01")), RuleSpec("monthly", d("2026-01-01"), policy="soon")],
)
def test_invalid_specs_are_rejected(spec):
    with pytest.raises(ValueError):
        occurrences(spec, d("2026-01-01"), d("2026-12-31"), PLAIN)
    with pytest.raises(ValueError):
        nominal_dates(spec, d("2026-12-31"))


def test_deterministic():
    calendar = BusinessCalendar("BR")
    spec = RuleSpec(
        "monthly",
        d("2024-01-31"),
        policy="next",
        hold_until=d("2024-06-01"),
        skips=frozenset({d("2025-03-31")}),
    )
    first = occurrences(spec, d("2024-01-01"), d("2026-12-31"), calendar)
    second = occurrences(spec, d("2024-01-01"), d("2026-12-31"), BusinessCalendar("BR"))
    assert first == second
    assert first == occurrences(spec, d("2024-01-01"), d("2026-12-31"), calendar)


def test_daily_rule_over_730_days():
    spec = RuleSpec("daily", d("2026-01-01"))
    start = d("2026-01-01")
    end = start + timedelta(days=729)
    found = occurrences(spec, start, end, BusinessCalendar("US"))
    assert len(found) == 730
    assert nominals(found) == [start + timedelta(days=i) for i in range(730)]
    assert len(nominal_dates(spec, end)) == 730


def test_long_horizon_from_an_old_anchor():
    # A daily rule anchored decades ago, projected 24 months: the window is computed
    # directly, not walked from the anchor.
    spec = RuleSpec("daily", d("1990-01-01"), policy="next")
    found = occurrences(spec, d("2026-01-01"), d("2027-12-31"), BusinessCalendar("BR"))
    # 2025-12-31 (a Wednesday; New Year's Eve is only optional in Brazil) stays in 2025 and
    # 2027-12-31 is a Friday, so exactly the 730 nominal days of the window land in it.
    assert len(found) == 730
    assert found[0] == Occurrence(None, d("2026-01-01"), d("2026-01-02"))  # New Year, Thu
    assert found[-1] == Occurrence(None, d("2027-12-31"), d("2027-12-31"))


@pytest.mark.parametrize("country", [None, "BR", "US"])
@pytest.mark.parametrize("policy", ["none", "next", "previous"])
@pytest.mark.parametrize(
    ("frequency", "anchor"),
    [
        ("once", "2026-01-31"),
        ("daily", "2025-12-20"),
        ("weekly", "2025-12-27"),
        ("biweekly", "2025-11-30"),
        ("monthly", "2025-10-31"),
        ("quarterly", "2025-11-30"),
        ("yearly", "2024-02-29"),
    ],
)
def test_matches_a_brute_force_reference(frequency, anchor, policy, country):
    """Every window of a year agrees with: all nominal dates, shifted, then filtered."""
    calendar = BusinessCalendar(country)
    spec = RuleSpec(
        frequency,
        d(anchor),
        end=d("2027-03-01"),
        policy=policy,
        hold_until=d("2026-01-03"),
        skips=frozenset({d("2026-05-31"), d("2026-06-02")}),
    )
    every = [
        Occurrence(None, nominal, calendar.shift(nominal, policy))
        for nominal in nominal_dates(spec, d("2028-01-01"))
        if nominal >= spec.hold_until and nominal not in spec.skips
    ]
    for start, end in [
        (d("2026-01-01"), d("2026-12-31")),
        (d("2026-02-01"), d("2026-02-28")),
        (d("2026-04-04"), d("2026-04-06")),
        (d("2026-12-26"), d("2027-01-04")),
        (d("2027-02-27"), d("2027-03-31")),
    ]:
        expected = sorted(
            (o for o in every if start <= o.date <= end), key=lambda o: (o.date, o.nominal)
        )
        assert occurrences(spec, start, end, calendar) == expected, (start, end)


# -- the table-driven expansion against a plain reference --------------------------------------
#
# `occurrences()` and the projection both run `Window.expand`; the projection's window
# (tables=True) looks shifts and month days up in tables built once. Both are checked
# against the definition written out plainly: walk every step from the anchor, clamp the day
# of month by hand, drop holds/skips/ends, shift with the calendar, keep what lands inside.

CALENDARS = {None: PLAIN, "BR": BusinessCalendar("BR"), "US": BusinessCalendar("US")}
STEP_DAYS = {"daily": 1, "weekly": 7, "biweekly": 14}
STEP_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def reference_nth(spec: RuleSpec, n: int) -> date | None:
    """The n-th nominal date (n = 0 is the anchor), or None past a one-time rule's only one."""
    anchor = spec.anchor
    if spec.frequency == "once":
        return anchor if n == 0 else None
    if spec.frequency in STEP_DAYS:
        return anchor + timedelta(days=n * STEP_DAYS[spec.frequency])
    months = anchor.month - 1 + n * STEP_MONTHS[spec.frequency]
    year, month = anchor.year + months // 12, months % 12 + 1
    return date(year, month, min(anchor.day, monthrange(year, month)[1]))


def reference(spec: RuleSpec, start: date, end: date, calendar: BusinessCalendar):
    found = []
    n = 0
    while (nominal := reference_nth(spec, n)) is not None and nominal <= end + timedelta(days=30):
        n += 1
        if spec.end is not None and nominal > spec.end:
            break
        if spec.hold_until is not None and nominal < spec.hold_until:
            continue
        if nominal in spec.skips:
            continue
        moved = calendar.shift(nominal, spec.policy)
        if start <= moved <= end:
            found.append(Occurrence(spec.rule_id, nominal, moved))
    return sorted(found, key=lambda o: (o.date, o.nominal))


day_in_range = st.integers(min_value=-800, max_value=400)
spec_strategy = st.builds(
    lambda frequency, anchor, day, end, policy, hold, skip_steps, rule_id: _spec(
        frequency, anchor, day, end, policy, hold, skip_steps, rule_id
    ),
    frequency=st.sampled_from(FREQUENCIES),
    anchor=day_in_range,
    day=st.sampled_from([None, 28, 29, 30, 31]),  # month-end anchors exercise the clamping
    end=st.none() | st.integers(min_value=0, max_value=900),
    policy=st.sampled_from(POLICIES),
    hold=st.none() | st.integers(min_value=-30, max_value=600),
    skip_steps=st.lists(st.integers(min_value=0, max_value=60), max_size=4),
    rule_id=st.none() | st.integers(min_value=1, max_value=99),
)
BASE = d("2026-03-10")


def _spec(frequency, anchor, day, end, policy, hold, skip_steps, rule_id) -> RuleSpec:
    first = BASE + timedelta(days=anchor)
    if day is not None:
        first = first.replace(day=min(day, monthrange(first.year, first.month)[1]))
    spec = RuleSpec(
        frequency,
        first,
        end=first + timedelta(days=end) if end is not None else None,
        policy=policy,
        hold_until=first + timedelta(days=hold) if hold is not None else None,
        rule_id=rule_id,
    )
    skips = {reference_nth(spec, n) for n in skip_steps} - {None}
    return replace(spec, skips=frozenset(skips))


@settings(max_examples=300, deadline=None)
@given(
    spec=spec_strategy,
    start=st.integers(min_value=-60, max_value=500),
    length=st.integers(min_value=1, max_value=400),
    country=st.sampled_from(list(CALENDARS)),
)
def test_occurrences_match_the_reference(spec, start, length, country):
    calendar = CALENDARS[country]
    first = BASE + timedelta(days=start)
    last = first + timedelta(days=length - 1)
    assert occurrences(spec, first, last, calendar) == reference(spec, first, last, calendar)


@settings(max_examples=150, deadline=None)
@given(
    specs=st.lists(spec_strategy, min_size=1, max_size=12),
    start=st.integers(min_value=-60, max_value=500),
    length=st.integers(min_value=1, max_value=400),
    country=st.sampled_from(list(CALENDARS)),
)
def test_one_shared_table_window_matches_the_reference_for_every_rule(
    specs, start, length, country
):
    calendar = CALENDARS[country]
    first = BASE + timedelta(days=start)
    last = first + timedelta(days=length - 1)
    window = Window(first, last, calendar, tables=True)
    for spec in specs:
        nominal, moved = window.expand(spec)
        found = [
            Occurrence(spec.rule_id, date.fromordinal(n), date.fromordinal(a))
            for n, a in zip(nominal, moved, strict=True)
        ]
        assert found == reference(spec, first, last, calendar), spec


def test_a_table_window_leaves_out_the_excluded_nominal_dates():
    spec = RuleSpec("monthly", d("2025-12-31"), policy="next")  # Jan 31 is a Saturday
    window = Window(d("2026-02-01"), d("2026-04-30"), PLAIN, tables=True)
    nominal, moved = window.expand(spec, excluded={d("2026-01-31").toordinal()})
    assert list(map(date.fromordinal, nominal)) == ds("2026-02-28", "2026-03-31", "2026-04-30")
    assert list(map(date.fromordinal, moved)) == ds("2026-03-02", "2026-03-31", "2026-04-30")
