"""The projection engine: rules, pending entries and a starting balance → a daily balance.

Pure tests: every "today" is a fixed date passed in, no clock involved.
"""

from __future__ import annotations

import gc
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finora.business_days import BusinessCalendar
from finora.forecast.projection import (
    MAX_HORIZON_DAYS,
    Forecast,
    ForecastInput,
    ForecastRule,
    PendingEntry,
    days,
    project,
)
from finora.forecast.recurrence import FREQUENCIES, RuleSpec, occurrences

PLAIN = BusinessCalendar()  # weekends only
BR = BusinessCalendar("BR")
US = BusinessCalendar("US")


def d(text: str) -> date:
    return date.fromisoformat(text)


def ds(*texts: str) -> list[date]:
    return [d(text) for text in texts]


def m(text: str) -> Decimal:
    return Decimal(text)


def rule(
    name: str,
    kind: str,
    amount: str,
    frequency: str,
    anchor: str,
    *,
    rule_id: int | None = None,
    end: str | None = None,
    policy: str = "none",
    hold_until: str | None = None,
    skips: tuple[str, ...] = (),
    scenario: bool = False,
) -> ForecastRule:
    spec = RuleSpec(
        frequency=frequency,
        anchor=d(anchor),
        end=d(end) if end else None,
        policy=policy,
        hold_until=d(hold_until) if hold_until else None,
        skips=frozenset(ds(*skips)),
        rule_id=rule_id,
    )
    return ForecastRule(name=name, kind=kind, amount=m(amount), spec=spec, scenario=scenario)


def run(
    rules: list[ForecastRule],
    today: str,
    *,
    balance: str = "1000.00",
    horizon: int = 365,
    calendar: BusinessCalendar = PLAIN,
    pending: tuple[PendingEntry, ...] = (),
    posted: frozenset[tuple[int, date]] = frozenset(),
    minimum: str | None = None,
) -> Forecast:
    return project(
        ForecastInput(
            rules=rules,
            starting_balance=m(balance),
            today=d(today),
            horizon_days=horizon,
            calendar=calendar,
            pending=list(pending),
            posted=posted,
            minimum_safe_balance=m(minimum) if minimum else None,
        )
    )


def dates_of(forecast: Forecast, name: str | None = None) -> list[date]:
    return [o.date for o in forecast.occurrences if name is None or o.name == name]


def balance_on(forecast: Forecast, day: str, *, scenario: bool = False) -> Decimal:
    line = forecast.scenario_line if scenario else forecast.schedule
    return line[(d(day) - forecast.today).days]


# --- frequencies, month ends, leap years -----------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "anchor", "expected"),
    [
        ("once", "2024-02-29", ["2024-02-29"]),
        ("daily", "2024-02-27", ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]),
        ("weekly", "2024-02-22", ["2024-02-22", "2024-02-29", "2024-03-07", "2024-03-14"]),
        ("biweekly", "2024-02-15", ["2024-02-15", "2024-02-29", "2024-03-14", "2024-03-28"]),
        ("monthly", "2024-01-31", ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]),
        ("quarterly", "2023-11-30", ["2024-02-29", "2024-05-30", "2024-08-30", "2024-11-30"]),
        ("yearly", "2020-02-29", ["2024-02-29", "2025-02-28"]),
    ],
)
def test_every_frequency_across_month_ends_and_leap_years(frequency, anchor, expected):
    # today 2024-01-01 with a two-year horizon; the quarterly and yearly rules started
    # before today, so their earlier occurrences are in the past and not projected.
    forecast = run(
        [rule("Rent", "expense", "100.00", frequency, anchor)], "2024-01-01", horizon=730
    )
    assert dates_of(forecast)[: len(expected)] == ds(*expected)
    assert len(dates_of(forecast)) >= len(expected)
    assert forecast.occurrences[0].amount == m("100.00")
    assert forecast.occurrences[0].kind == "expense"


def test_frequency_counts_over_a_leap_year():
    today = "2024-01-01"  # 2024 has 366 days; a 366-day horizon covers exactly the year
    counts = {
        frequency: len(
            dates_of(run([rule("x", "income", "1.00", frequency, today)], today, horizon=366))
        )
        for frequency in FREQUENCIES
    }
    assert counts == {
        "once": 1,
        "daily": 366,
        "weekly": 53,
        "biweekly": 27,
        "monthly": 12,
        "quarterly": 4,
        "yearly": 1,
    }


def test_month_end_rule_keeps_its_day_and_moves_the_balance():
    forecast = run([rule("Rent", "expense", "100.00", "monthly", "2024-01-31")], "2024-01-01")
    assert balance_on(forecast, "2024-01-30") == m("1000.00")
    assert balance_on(forecast, "2024-01-31") == m("900.00")
    assert balance_on(forecast, "2024-02-28") == m("900.00")
    assert balance_on(forecast, "2024-02-29") == m("800.00")
    assert balance_on(forecast, "2024-03-31") == m("700.00")


def test_only_occurrences_from_today_on_are_projected():
    forecast = run([rule("Rent", "expense", "100.00", "monthly", "2023-06-15")], "2024-01-15")
    assert dates_of(forecast)[:2] == ds("2024-01-15", "2024-02-15")  # today counts, today
    assert forecast.schedule[0] == m("900.00")


# --- business-day policies and holidays --------------------------------------------------


def test_next_policy_across_month_and_year_boundaries():
    # Sat 2022-12-31 → Mon 2023-01-02; Sun 2023-04-30 → Mon 2023-05-01.
    forecast = run(
        [rule("Card", "expense", "50.00", "monthly", "2022-12-31", policy="next")],
        "2022-12-01",
    )
    found = dates_of(forecast)
    assert found[0] == d("2023-01-02")
    assert d("2023-05-01") in found
    assert d("2022-12-31") not in found and d("2023-04-30") not in found
    assert balance_on(forecast, "2022-12-31") == m("1000.00")
    assert balance_on(forecast, "2023-01-02") == m("950.00")


def test_previous_policy_across_month_and_year_boundaries():
    # Sun 2023-01-01 → Fri 2022-12-30; Sat 2023-04-01 → Fri 2023-03-31.
    forecast = run(
        [rule("Salary", "income", "3000.00", "monthly", "2023-01-01", policy="previous")],
        "2022-12-01",
    )
    found = dates_of(forecast)
    assert found[:4] == ds("2022-12-30", "2023-02-01", "2023-03-01", "2023-03-31")
    assert balance_on(forecast, "2022-12-30") == m("4000.00")
    assert balance_on(forecast, "2023-03-31") == m("13000.00")


def test_an_occurrence_moved_before_today_is_not_projected():
    # Sat 2023-04-01 moves back to Fri 2023-03-31: yesterday from today's point of view.
    forecast = run(
        [rule("Salary", "income", "3000.00", "monthly", "2023-04-01", policy="previous")],
        "2023-04-01",
        horizon=30,
    )
    assert dates_of(forecast) == []


def test_brazilian_holidays_move_occurrences():
    # 2024-11-15 (Republic Day) and 2024-11-20 (Black Consciousness Day) are holidays in
    # Brazil; Sun 2023-04-30 → Tue 2023-05-02 over Labour Day.
    rules = [
        rule("Bill", "expense", "10.00", "once", "2024-11-15", policy="next"),
        rule("Fee", "expense", "10.00", "once", "2024-11-20", policy="next"),
    ]
    assert dates_of(run(rules, "2024-11-01", calendar=BR)) == ds("2024-11-18", "2024-11-21")
    assert dates_of(run(rules, "2024-11-01", calendar=PLAIN)) == ds("2024-11-15", "2024-11-20")
    labour = [rule("Card", "expense", "10.00", "once", "2023-04-30", policy="next")]
    assert dates_of(run(labour, "2023-04-01", calendar=BR)) == ds("2023-05-02")
    assert dates_of(run(labour, "2023-04-01", calendar=PLAIN)) == ds("2023-05-01")


def test_us_holidays_move_occurrences_across_the_year_end():
    # Independence Day, Christmas and New Year's Day 2025 with "previous".
    rules = [
        rule("A", "income", "1.00", "once", "2024-07-04", policy="previous"),
        rule("B", "income", "1.00", "once", "2024-12-25", policy="previous"),
        rule("C", "income", "1.00", "once", "2025-01-01", policy="previous"),
    ]
    assert dates_of(run(rules, "2024-07-01", calendar=US)) == ds(
        "2024-07-03", "2024-12-24", "2024-12-31"
    )
    assert dates_of(run(rules, "2024-07-01", calendar=PLAIN)) == ds(
        "2024-07-04", "2024-12-25", "2025-01-01"
    )


# --- holds, skips, end dates, one-time rules ---------------------------------------------


def test_hold_pauses_a_rule_until_its_date():
    held = rule("Gym", "expense", "80.00", "monthly", "2024-01-10", hold_until="2024-03-01")
    forecast = run([held], "2024-01-01", horizon=120)
    assert dates_of(forecast) == ds("2024-03-10", "2024-04-10")
    assert balance_on(forecast, "2024-03-09") == m("1000.00")


def test_skip_is_keyed_by_the_nominal_date():
    # Sat 2024-02-10 would move to Mon 2024-02-12; skipping the nominal date removes it.
    skipped = rule(
        "Gym", "expense", "80.00", "monthly", "2024-01-10", policy="next", skips=("2024-02-10",)
    )
    forecast = run([skipped], "2024-01-01", horizon=91)
    assert dates_of(forecast) == ds("2024-01-10", "2024-03-11")
    assert balance_on(forecast, "2024-02-12") == m("920.00")


def test_end_date_is_inclusive():
    ending = rule("Loan", "expense", "200.00", "monthly", "2024-01-10", end="2024-03-10")
    forecast = run([ending], "2024-01-01")
    assert dates_of(forecast) == ds("2024-01-10", "2024-02-10", "2024-03-10")
    assert forecast.schedule[-1] == m("400.00")


def test_one_time_rules_in_the_past_and_future():
    rules = [
        rule("Past", "expense", "100.00", "once", "2023-12-31"),
        rule("Soon", "expense", "100.00", "once", "2024-01-05"),
        rule("Beyond", "expense", "100.00", "once", "2024-03-01"),
    ]
    forecast = run(rules, "2024-01-01", horizon=60)  # last day 2024-02-29
    assert [o.name for o in forecast.occurrences] == ["Soon"]
    assert forecast.schedule[-1] == m("900.00")


# --- scenario line ------------------------------------------------------------------------


def test_without_scenarios_there_is_no_scenario_line():
    forecast = run([rule("Rent", "expense", "100.00", "monthly", "2024-01-10")], "2024-01-01")
    assert forecast.scenario_line is None
    assert forecast.scenario_lowest_90 is None and forecast.scenario_lowest_horizon is None
    assert forecast.scenario_first_below_zero is None


def test_scenario_rules_only_move_the_scenario_line():
    rules = [
        rule("Rent", "expense", "100.00", "monthly", "2024-01-10", rule_id=1),
        rule("New car", "expense", "950.00", "once", "2024-01-20", rule_id=2, scenario=True),
    ]
    forecast = run(rules, "2024-01-01", minimum="500.00")
    assert [(o.name, o.scenario) for o in forecast.occurrences[:3]] == [
        ("Rent", False),
        ("New car", True),
        ("Rent", False),
    ]
    assert balance_on(forecast, "2024-01-20") == m("900.00")
    assert balance_on(forecast, "2024-01-20", scenario=True) == m("-50.00")
    assert balance_on(forecast, "2024-01-19", scenario=True) == m("900.00")
    assert forecast.first_below_zero == d("2024-11-10")  # the 11th rent: 1000 − 1100
    assert forecast.scenario_first_below_zero == d("2024-01-20")
    assert forecast.scenario_first_below_minimum == d("2024-01-20")
    assert forecast.first_below_minimum == d("2024-06-10")  # 1000 − 6 × 100 = 400
    assert forecast.scenario_lowest_90 == (d("2024-03-10"), m("-250.00"))
    # The risk score's expenses come from the schedule line only.
    assert forecast.projected_expenses_90 == m("300.00")
    diff = [s - b for s, b in zip(forecast.scenario_line, forecast.schedule, strict=True)]
    assert set(diff[:19]) == {m("0.00")} and set(diff[19:]) == {m("-950.00")}


def test_past_one_time_scenario_is_ignored():
    rules = [rule("Trip", "expense", "500.00", "once", "2023-12-01", scenario=True)]
    forecast = run(rules, "2024-01-01")
    assert forecast.occurrences == []
    assert forecast.scenario_line == forecast.schedule


# --- posted, pending and overdue entries -------------------------------------------------


def test_posted_occurrences_are_not_counted_twice():
    # The Feb occurrence (nominal Sat 2024-02-10, paid Mon 12th) was posted and is unpaid:
    # it comes in through `pending`, the rule's copy is left out.
    gym = rule("Gym", "expense", "80.00", "monthly", "2024-01-10", rule_id=7, policy="next")
    forecast = run(
        [gym],
        "2024-02-01",
        horizon=60,
        posted=frozenset({(7, d("2024-02-10")), (8, d("2024-03-11"))}),
        pending=(PendingEntry(d("2024-02-12"), "expense", m("80.00")),),
    )
    assert dates_of(forecast) == ds("2024-03-11")  # rule 8's posting does not hide rule 7's
    assert balance_on(forecast, "2024-02-12") == m("920.00")
    assert balance_on(forecast, "2024-03-11") == m("840.00")


def test_pending_entries_count_on_their_date_and_overdue_ones_today():
    pending = (
        PendingEntry(d("2023-12-20"), "expense", m("30.00")),  # overdue: today
        PendingEntry(d("2024-01-05"), "income", m("200.00")),
        PendingEntry(d("2024-01-10"), "expense", m("50.00")),
        PendingEntry(d("2024-03-01"), "expense", m("999.00")),  # beyond the horizon
    )
    forecast = run([], "2024-01-01", horizon=31, pending=pending)
    assert forecast.schedule[0] == m("970.00")
    assert balance_on(forecast, "2024-01-04") == m("970.00")
    assert balance_on(forecast, "2024-01-05") == m("1170.00")
    assert forecast.schedule[-1] == m("1120.00")
    assert forecast.projected_expenses_90 == m("80.00")
    assert forecast.occurrences == []


def test_projected_expenses_cover_the_first_90_days_only():
    rules = [
        rule("Rent", "expense", "100.00", "once", "2024-03-30"),  # day 89
        rule("Tax", "expense", "100.00", "once", "2024-03-31"),  # day 90: outside
        rule("Salary", "income", "500.00", "once", "2024-01-02"),
    ]
    pending = (PendingEntry(d("2023-12-01"), "expense", m("7.00")),)
    forecast = run(rules, "2024-01-01", pending=pending)
    assert forecast.projected_expenses_90 == m("107.00")


# --- lowest balance, thresholds ----------------------------------------------------------


def test_lowest_within_90_days_and_over_the_horizon_earliest_on_ties():
    rules = [
        rule("A", "expense", "300.00", "once", "2024-01-11"),
        rule("B", "income", "300.00", "once", "2024-01-21"),
        rule("C", "expense", "300.00", "once", "2024-01-31"),  # 700 again: a tie
        rule("D", "expense", "500.00", "once", "2024-05-01"),  # beyond 90 days
    ]
    forecast = run(rules, "2024-01-01")
    assert forecast.lowest_90 == (d("2024-01-11"), m("700.00"))
    assert forecast.lowest_horizon == (d("2024-05-01"), m("200.00"))


def test_flat_balance_lowest_is_today():
    forecast = run([], "2024-01-01", horizon=10)
    assert forecast.lowest_90 == forecast.lowest_horizon == (d("2024-01-01"), m("1000.00"))
    assert forecast.schedule == [m("1000.00")] * 10
    assert forecast.first_below_zero is None and forecast.first_below_minimum is None


def test_first_below_zero_and_minimum_are_strictly_below():
    rules = [
        rule("A", "expense", "500.00", "once", "2024-01-05"),  # 500: at the minimum
        rule("B", "expense", "0.01", "once", "2024-01-06"),  # 499.99: below it
        rule("C", "expense", "499.99", "once", "2024-01-07"),  # 0: not below zero
        rule("D", "expense", "0.01", "once", "2024-01-08"),  # −0.01
    ]
    forecast = run(rules, "2024-01-01", minimum="500.00")
    assert forecast.first_below_minimum == d("2024-01-06")
    assert forecast.first_below_zero == d("2024-01-08")
    assert run(rules, "2024-01-01").first_below_minimum is None  # no minimum set


def test_negative_starting_balance_is_below_zero_today():
    forecast = run([], "2024-01-01", balance="-10.00", horizon=5)
    assert forecast.first_below_zero == d("2024-01-01")


# --- horizon ------------------------------------------------------------------------------


@pytest.mark.parametrize("horizon", [0, -1, 731])
def test_horizon_out_of_bounds(horizon):
    with pytest.raises(ValueError, match="horizon"):
        run([], "2024-01-01", horizon=horizon)


@pytest.mark.parametrize("horizon", [1, 90, 365, 730])
def test_horizon_gives_one_balance_per_day(horizon):
    forecast = run(
        [rule("x", "income", "1.00", "daily", "2023-01-01")], "2024-01-01", horizon=horizon
    )
    assert len(forecast.schedule) == horizon
    assert days(forecast)[0] == d("2024-01-01")
    assert days(forecast)[-1] == d("2024-01-01") + timedelta(days=horizon - 1)
    assert len(days(forecast)) == horizon
    assert forecast.schedule[-1] == m("1000.00") + horizon * m("1.00")


def test_default_horizon_is_a_year():
    forecast = project(ForecastInput(rules=[], starting_balance=m("1.00"), today=d("2024-01-01")))
    assert len(forecast.schedule) == 365


def test_occurrences_sorted_by_date_then_name():
    rules = [
        rule("Zeta", "expense", "1.00", "once", "2024-01-03"),
        rule("Alpha", "expense", "1.00", "once", "2024-01-03"),
        rule("Mid", "income", "1.00", "once", "2024-01-02"),
    ]
    forecast = run(rules, "2024-01-01")
    assert [o.name for o in forecast.occurrences] == ["Mid", "Alpha", "Zeta"]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        run([rule("x", "transfer", "1.00", "once", "2024-01-02")], "2024-01-01")


# --- property: each day's balance is the start plus the signed amounts up to it ----------

TODAY = d("2024-02-20")

amounts = st.decimals(min_value=m("0.01"), max_value=m("99999.99"), places=2)
rules_strategy = st.builds(
    lambda index, kind, amount, frequency, offset, policy, scenario: ForecastRule(
        name=f"rule {index}",
        kind=kind,
        amount=amount,
        spec=RuleSpec(
            frequency=frequency,
            anchor=TODAY + timedelta(days=offset),
            policy=policy,
            rule_id=index,
        ),
        scenario=scenario,
    ),
    index=st.integers(min_value=1, max_value=10_000),
    kind=st.sampled_from(["income", "expense"]),
    amount=amounts,
    frequency=st.sampled_from(FREQUENCIES),
    offset=st.integers(min_value=-400, max_value=200),
    policy=st.sampled_from(["none", "previous", "next"]),
    scenario=st.booleans(),
)
pending_strategy = st.builds(
    PendingEntry,
    date=st.integers(min_value=-30, max_value=120).map(lambda n: TODAY + timedelta(days=n)),
    kind=st.sampled_from(["income", "expense"]),
    amount=amounts,
)


def signed(kind: str, amount: Decimal) -> Decimal:
    return amount if kind == "income" else -amount


@settings(max_examples=150, deadline=None)
@given(
    rules=st.lists(rules_strategy, max_size=8),
    pending=st.lists(pending_strategy, max_size=5),
    start=st.decimals(min_value=m("-10000.00"), max_value=m("10000.00"), places=2),
    horizon=st.integers(min_value=1, max_value=100),
)
def test_each_day_is_the_start_plus_signed_amounts_up_to_it(rules, pending, start, horizon):
    forecast = project(
        ForecastInput(
            rules=rules,
            starting_balance=start,
            today=TODAY,
            horizon_days=horizon,
            calendar=PLAIN,
            pending=pending,
        )
    )
    for index, day in enumerate(days(forecast)):
        expected = start
        expected += sum(
            (
                signed(o.kind, o.amount)
                for o in forecast.occurrences
                if o.date <= day and not o.scenario
            ),
            m("0.00"),
        )
        expected += sum(
            (signed(p.kind, p.amount) for p in pending if max(p.date, TODAY) <= day),
            m("0.00"),
        )
        assert forecast.schedule[index] == expected
        if forecast.scenario_line is not None:
            extra = sum(
                (
                    signed(o.kind, o.amount)
                    for o in forecast.occurrences
                    if o.date <= day and o.scenario
                ),
                m("0.00"),
            )
            assert forecast.scenario_line[index] == expected + extra
    # The occurrences are exactly the rules' own expansion over the horizon.
    last = TODAY + timedelta(days=horizon - 1)
    expanded = sorted(
        (found.date, r.name, r.amount)
        for r in rules
        for found in occurrences(r.spec, TODAY, last, PLAIN)
    )
    assert sorted((o.date, o.name, o.amount) for o in forecast.occurrences) == expanded
    assert (forecast.scenario_line is None) == (not any(r.scenario for r in rules))
    low_day, low = forecast.lowest_horizon
    assert low == min(forecast.schedule)
    assert forecast.schedule.index(low) == (low_day - TODAY).days


# The projection expands every rule through one shared table window; the result must be
# what each rule's own `occurrences()` gives, in date-then-name order, on a calendar with
# holidays, with holds, skips, ends and posted occurrences.
br_rules_strategy = st.builds(
    lambda index, kind, amount, frequency, offset, end, policy, hold, skip, scenario: ForecastRule(
        name=f"rule {index % 7}",  # shared names: ties keep the rules' order
        kind=kind,
        amount=amount,
        spec=RuleSpec(
            frequency=frequency,
            anchor=TODAY + timedelta(days=offset),
            end=TODAY + timedelta(days=end) if end is not None else None,
            policy=policy,
            hold_until=TODAY + timedelta(days=hold) if hold is not None else None,
            skips=frozenset({TODAY + timedelta(days=skip)}) if skip is not None else frozenset(),
            rule_id=index,
        ),
        scenario=scenario,
    ),
    index=st.integers(min_value=1, max_value=10_000),
    kind=st.sampled_from(["income", "expense"]),
    amount=amounts,
    frequency=st.sampled_from(FREQUENCIES),
    offset=st.integers(min_value=-800, max_value=400),
    end=st.none() | st.integers(min_value=-10, max_value=500),
    policy=st.sampled_from(["none", "previous", "next"]),
    hold=st.none() | st.integers(min_value=-10, max_value=200),
    skip=st.none() | st.integers(min_value=-5, max_value=120),
    scenario=st.booleans(),
)


@settings(max_examples=100, deadline=None)
@given(
    rules=st.lists(br_rules_strategy, max_size=10),
    horizon=st.integers(min_value=1, max_value=MAX_HORIZON_DAYS),
    posted_days=st.lists(st.integers(min_value=-5, max_value=60), max_size=6),
)
def test_projection_matches_each_rules_own_expansion(rules, horizon, posted_days):
    last = TODAY + timedelta(days=horizon - 1)
    posted = frozenset(
        (r.spec.rule_id, TODAY + timedelta(days=n)) for r in rules[:3] for n in posted_days
    )
    forecast = project(
        ForecastInput(
            rules=rules,
            starting_balance=m("0.00"),
            today=TODAY,
            horizon_days=horizon,
            calendar=BR,
            posted=posted,
        )
    )
    expected = [
        (found.date, r.name, r.spec.rule_id, r.kind, r.amount, r.scenario)
        for r in sorted(rules, key=lambda r: r.name)
        for found in occurrences(r.spec, TODAY, last, BR)
        if (r.spec.rule_id, found.nominal) not in posted
    ]
    expected.sort(key=lambda row: row[0])  # stable: name order within a day
    assert [
        (o.date, o.name, o.rule_id, o.kind, o.amount, o.scenario) for o in forecast.occurrences
    ] == expected
    by_day = {}
    for day, _, _, kind, amount, scenario in expected:
        if not scenario:
            by_day[day] = by_day.get(day, m("0.00")) + signed(kind, amount)
    balance = m("0.00")
    for index, day in enumerate(days(forecast)):
        balance += by_day.get(day, m("0.00"))
        assert forecast.schedule[index] == balance
    window_end = TODAY + timedelta(days=90)
    assert forecast.projected_expenses_90 == sum(
        (row[4] for row in expected if row[3] == "expense" and not row[5] and row[0] < window_end),
        m("0.00"),
    )


@pytest.mark.parametrize("enabled", [True, False])
def test_projecting_leaves_the_cycle_collector_as_it_found_it(enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        run([rule("Rent", "expense", "10.00", "daily", "2024-01-01")], "2024-02-20")
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError):
            run([rule("Rent", "refund", "10.00", "daily", "2024-01-01")], "2024-02-20")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
