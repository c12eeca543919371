"""The forecast fed from the database: which accounts and entries count, posted occurrences
counted once, skips, holds, scenarios, the minimum safe balance and the 90-day table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import Entry
from finora.services.planning.household_forecast import household_forecast, upcoming_rows
from finora.services.planning.posting import post_due_occurrences
from finora.services.planning.rules import calendar_of
from finora.services.planning.skips import restore_occurrence, skip_occurrence
from tests.ledger_factories import checking_account, household_of, make_account, make_entry
from tests.planning_factories import make_rule

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)  # the household's today is Thursday 2026-01-15
TODAY = date(2026, 1, 15)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def household(user):
    household = household_of(user)
    account = checking_account(household)
    account.opening_balance = Decimal("1000.00")
    account.opening_date = date(2026, 1, 1)
    db.session.commit()
    return household


def day_index(day: date) -> int:
    return (day - TODAY).days


def test_starting_balance_counts_only_included_active_accounts(household):
    make_account(household, name="Investments", opening_balance="5000", include_in_forecast=False)
    make_account(household, name="Old bank", opening_balance="300", archived=True)
    make_entry(
        household, kind="income", amount="250", date=date(2026, 1, 5), paid_on=date(2026, 1, 5)
    )
    make_entry(
        household, kind="expense", amount="0.10", date=date(2026, 1, 6), paid_on=date(2026, 1, 6)
    )
    result = household_forecast(db.session, household)
    assert result.current_balance == Decimal("1249.90")
    assert [a.name for a in result.accounts] == [checking_account(household).name]
    assert result.forecast.schedule[0] == Decimal("1249.90")


def test_unpaid_entries_count_on_their_date_and_overdue_ones_today(household):
    make_entry(household, amount="100", date=date(2026, 1, 10))  # overdue: counts today
    make_entry(household, amount="40.55", date=date(2026, 1, 20))
    make_entry(household, kind="income", amount="10", date=date(2026, 2, 1))
    schedule = household_forecast(db.session, household).forecast.schedule
    assert schedule[0] == Decimal("900.00")
    assert schedule[day_index(date(2026, 1, 19))] == Decimal("900.00")
    assert schedule[day_index(date(2026, 1, 20))] == Decimal("859.45")
    assert schedule[day_index(date(2026, 2, 1))] == Decimal("869.45")


def test_rules_of_excluded_accounts_are_not_projected(household):
    savings = make_account(household, name="Savings", include_in_forecast=False)
    make_rule(household, name="Transfer in", account_id=savings.id, anchor_date=date(2026, 1, 20))
    result = household_forecast(db.session, household)
    assert result.forecast.occurrences == []
    assert result.forecast.schedule[-1] == Decimal("1000.00")


def test_a_posted_occurrence_is_counted_once(household):
    rule = make_rule(household, amount=Decimal("300.00"), anchor_date=date(2025, 12, 15))
    post_due_occurrences(db.session)
    db.session.commit()
    posted = db.session.scalars(select(Entry).where(Entry.rule_id == rule.id)).all()
    assert {e.occurrence_date for e in posted} == {date(2025, 12, 15), date(2026, 1, 15)}
    result = household_forecast(db.session, household)
    # Both posted entries are unpaid: they count today, once each; Feb 15 is projected.
    assert result.forecast.schedule[0] == Decimal("400.00")
    dates = [o.date for o in result.forecast.occurrences if o.date < date(2026, 3, 1)]
    assert dates == [date(2026, 2, 15)]


def test_a_posted_entry_deleted_on_purpose_does_not_come_back(household):
    rule = make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 15))
    post_due_occurrences(db.session)
    db.session.commit()
    db.session.delete(db.session.scalar(select(Entry).where(Entry.rule_id == rule.id)))
    db.session.commit()
    result = household_forecast(db.session, household)
    assert result.forecast.schedule[0] == Decimal("1000.00")
    assert result.forecast.occurrences[0].date == date(2026, 2, 15)


def test_a_paid_posted_entry_is_in_the_balance_and_not_projected(household):
    rule = make_rule(
        household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 15), mark_paid=True
    )
    post_due_occurrences(db.session)
    db.session.commit()
    assert db.session.scalar(select(Entry.paid_on).where(Entry.rule_id == rule.id)) == TODAY
    result = household_forecast(db.session, household)
    assert result.current_balance == Decimal("700.00")
    assert result.forecast.schedule[0] == Decimal("700.00")


def test_skips_and_holds_leave_occurrences_out_and_restore_brings_them_back(household):
    rule = make_rule(household, amount=Decimal("100.00"), anchor_date=date(2026, 1, 20))
    paused = make_rule(
        household,
        name="Gym",
        amount=Decimal("50.00"),
        anchor_date=date(2026, 1, 16),
        hold_until=date(2026, 3, 1),
    )
    skip_occurrence(db.session, rule, date(2026, 2, 20))
    db.session.commit()
    result = household_forecast(db.session, household)
    rent = [o.date for o in result.forecast.occurrences if o.rule_id == rule.id][:3]
    gym = [o.date for o in result.forecast.occurrences if o.rule_id == paused.id][:2]
    assert rent == [date(2026, 1, 20), date(2026, 3, 20), date(2026, 4, 20)]
    assert gym == [date(2026, 3, 16), date(2026, 4, 16)]
    assert restore_occurrence(db.session, rule, date(2026, 2, 20)) is True
    db.session.commit()
    result = household_forecast(db.session, household)
    rent = [o.date for o in result.forecast.occurrences if o.rule_id == rule.id][:2]
    assert rent == [date(2026, 1, 20), date(2026, 2, 20)]


def test_skipping_a_date_that_is_not_an_occurrence_is_refused(household):
    from finora.errors import FinoraError
    from finora.models import Skip

    rule = make_rule(household, anchor_date=date(2026, 1, 20))
    with pytest.raises(FinoraError):
        skip_occurrence(db.session, rule, date(2026, 2, 21))
    skip_occurrence(db.session, rule, date(2026, 2, 20))
    skip_occurrence(db.session, rule, date(2026, 2, 20))  # twice: harmless
    db.session.commit()
    assert db.session.scalars(select(Skip.occurrence_date)).all() == [date(2026, 2, 20)]


def test_scenarios_only_move_the_scenario_line_and_past_ones_are_ignored(household):
    make_rule(
        household,
        name="Salary",
        kind="income",
        amount=Decimal("2000.00"),
        anchor_date=date(2026, 2, 1),
    )
    make_rule(
        household,
        name="New car",
        amount=Decimal("2500.00"),
        frequency="once",
        anchor_date=date(2026, 2, 10),
        is_scenario=True,
        auto_post=False,
    )
    make_rule(
        household,
        name="Old idea",
        amount=Decimal("999.00"),
        frequency="once",
        anchor_date=date(2026, 1, 2),
        is_scenario=True,
        auto_post=False,
    )
    forecast = household_forecast(db.session, household).forecast
    feb10 = day_index(date(2026, 2, 10))
    assert forecast.schedule[feb10] == Decimal("3000.00")
    assert forecast.scenario_line[feb10] == Decimal("500.00")
    assert forecast.scenario_line[0] == forecast.schedule[0] == Decimal("1000.00")
    assert forecast.scenario_lowest_90 == (date(2026, 2, 10), Decimal("500.00"))
    assert forecast.lowest_90 == (TODAY, Decimal("1000.00"))
    assert "Old idea" not in {o.name for o in forecast.occurrences}


def test_no_scenario_means_no_scenario_line(household):
    make_rule(household, anchor_date=date(2026, 1, 20))
    assert household_forecast(db.session, household).forecast.scenario_line is None


def test_first_shortfall_and_first_day_below_the_minimum_safe_balance(household):
    household.minimum_safe_balance = Decimal("500.00")
    db.session.commit()
    make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    forecast = household_forecast(db.session, household).forecast
    assert forecast.first_below_minimum == date(2026, 2, 20)  # 1000 - 300 - 300 = 400
    assert forecast.first_below_zero == date(2026, 4, 20)  # 1000 - 4 × 300 = -200


def test_the_risk_score_comes_from_the_90_day_schedule_line(household):
    make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    result = household_forecast(db.session, household)
    assert result.risk.average_daily_expense == Decimal("900.00") / 90
    assert result.risk.lowest_balance == Decimal("100.00")
    # runway 1000 ÷ 10 = 100 days → 100 × 0.40 = 40; r = 100 ÷ 300 → 26.67 × 0.25 = 6.67;
    # the low (Mar 20) is 64 days away → 100 × 0.20 = 20; v = 900 ÷ 1000 = 0.9 → 48 × 0.15 = 7.2
    assert result.risk.days_until_lowest == 64
    assert (result.risk.score, result.risk.band) == (74, "stable")


def test_upcoming_rows_carry_a_running_balance_that_ends_each_day_on_the_schedule(household):
    make_entry(household, amount="100", date=date(2026, 1, 10), description="Late bill")
    rule = make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    make_rule(
        household,
        name="Salary",
        kind="income",
        amount=Decimal("2000.00"),
        anchor_date=date(2026, 2, 5),
        category_code="income.work",
    )
    skip_occurrence(db.session, rule, date(2026, 2, 20))
    db.session.commit()
    result = household_forecast(db.session, household)
    rows = upcoming_rows(result, calendar_of(household))
    assert rows[0].name == "Late bill" and rows[0].overdue and rows[0].date == TODAY
    assert rows[0].balance == Decimal("900.00")
    skipped = [row for row in rows if row.skipped]
    assert [(r.rule.id, r.nominal) for r in skipped] == [(rule.id, date(2026, 2, 20))]
    assert all(row.date < TODAY + timedelta(days=90) for row in rows)
    last_of_day = {}
    for row in rows:
        if not row.skipped:
            last_of_day[row.date] = row.balance
    for day, balance in last_of_day.items():
        assert result.forecast.schedule[day_index(day)] == balance


def test_older_overdue_entries_are_summed_into_one_line(household):
    for n in range(25):  # Dec 1..25, all unpaid: the 5 oldest are summed
        make_entry(household, amount=f"{n + 1}.00", date=date(2025, 12, n + 1), description=f"Bill {n + 1}")
    result = household_forecast(db.session, household)
    rows = upcoming_rows(result, calendar_of(household))
    summed = rows[0]
    assert (summed.count, summed.amount, summed.kind, summed.overdue) == (5, Decimal("15.00"), "expense", True)
    assert summed.balance == Decimal("985.00")
    assert [row.name for row in rows[1:21]] == [f"Bill {n}" for n in range(6, 26)]
    assert rows[20].balance == result.forecast.schedule[0] == Decimal("675.00")
