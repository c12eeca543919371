"""Credit-card statements from the ledger (docs/cards.md): totals by cycle, payments applied
oldest statement first, statuses, constant queries, and the forecast counting each
statement once on its due date instead of each purchase on its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import event

from finora.extensions import db
from finora.services.ledger.card_statements import card_statements, statements_by_card
from finora.services.planning.household_forecast import household_forecast, upcoming_rows
from finora.services.planning.rules import calendar_of
from tests.ledger_factories import (
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)

NOW = datetime(2026, 3, 15, 15, tzinfo=UTC)  # the household's today is 2026-03-15
TODAY = date(2026, 3, 15)
D = Decimal


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def household(user):
    household = household_of(user)
    account = checking_account(household)
    account.opening_balance = D("5000.00")
    account.opening_date = date(2026, 1, 1)
    db.session.commit()
    return household


@pytest.fixture
def card(household):
    # Closes on the 10th, due on the 20th; left out of the forecast as cards are by default.
    return make_account(
        household, name="Visa", kind="credit_card", include_in_forecast=False,
        closing_day=10, due_day=20, credit_limit="3000",
    )


def purchase(household, card, amount, day, *, kind="expense", paid=True):
    return make_entry(
        household, kind=kind, amount=amount, date=day, account=card,
        paid_on=day if paid else None, payment_method="credit_card",
    )


def by_key(statements):
    return {s.key: s for s in statements}


def test_purchases_fall_into_their_cycle_with_refunds_and_due_dates(household, card):
    purchase(household, card, "100.10", date(2026, 2, 10))  # closing day: February's
    purchase(household, card, "0.10", date(2026, 2, 11))  # day after: March's
    purchase(household, card, "0.20", date(2026, 3, 10))
    purchase(household, card, "30.00", date(2026, 3, 1), kind="income")  # a refund
    purchase(household, card, "45.55", date(2026, 3, 12), paid=False)  # April's, unpaid too
    found = by_key(card_statements(db.session, card, TODAY))
    assert list(found) == ["2026-02", "2026-03", "2026-04"]
    february, march, april = found["2026-02"], found["2026-03"], found["2026-04"]
    assert (february.start, february.closing, february.due) == (date(2026, 1, 11), date(2026, 2, 10), date(2026, 2, 20))
    assert february.total == D("100.10") and february.entries == 1
    assert march.total == D("-29.70") and march.entries == 3  # 0.10 + 0.20 - 30.00
    assert april.total == D("45.55") and april.status == "open"
    # The March credit pays part of February's, which is overdue for the rest.
    assert february.paid == D("29.70") and february.outstanding == D("70.40")
    assert february.status == "overdue"
    assert march.status == "paid" and march.outstanding == 0


def test_payments_settle_the_oldest_statement_first(household, card):
    checking = checking_account(household)
    purchase(household, card, "200.00", date(2026, 1, 5))  # January: due Jan 20
    purchase(household, card, "300.00", date(2026, 2, 1))  # February: due Feb 20
    purchase(household, card, "50.00", date(2026, 3, 2))  # March: closes Mar 10, due Mar 20
    make_transfer(household, checking, card, amount="250.00", date=date(2026, 1, 18))
    make_transfer(household, checking, card, amount="100.00", date=date(2026, 2, 25))
    make_transfer(household, checking, card, amount="9999.00", date=date(2026, 3, 16))  # not yet
    found = by_key(card_statements(db.session, card, TODAY))
    assert (found["2026-01"].paid, found["2026-01"].status) == (D("200.00"), "paid")
    assert (found["2026-02"].paid, found["2026-02"].status) == (D("150.00"), "overdue")
    assert (found["2026-03"].paid, found["2026-03"].status) == (D("0.00"), "closed")
    # A partial payment before the due date reads "partly paid".
    make_transfer(household, checking, card, amount="170.00", date=date(2026, 3, 14))
    found = by_key(card_statements(db.session, card, TODAY))
    assert found["2026-02"].status == "paid"
    assert (found["2026-03"].paid, found["2026-03"].status) == (D("20.00"), "partly_paid")
    assert found["2026-04"].status == "open" and found["2026-04"].entries == 0
    # A purchase dated after the current cycle (a future installment): upcoming.
    purchase(household, card, "10.00", date(2026, 4, 11), paid=False)
    found = by_key(card_statements(db.session, card, TODAY))
    assert (found["2026-05"].status, found["2026-05"].start) == ("upcoming", date(2026, 4, 11))


def test_an_opening_debt_is_settled_before_the_statements(household):
    card = make_account(household, kind="credit_card", opening_balance="-80.00",
                        closing_day=5, due_day=12)
    purchase(household, card, "40.00", date(2026, 3, 1))
    make_transfer(household, checking_account(household), card, amount="100.00", date=date(2026, 3, 2))
    (march,) = [s for s in card_statements(db.session, card, TODAY) if s.key == "2026-03"]
    assert march.paid == D("20.00") and march.status == "overdue"


def test_cards_without_days_and_other_accounts_have_no_statements(household, card):
    plain = make_account(household, kind="credit_card")
    assert card_statements(db.session, plain, TODAY) == []
    assert card_statements(db.session, checking_account(household), TODAY) == []
    # Only the current one (today is after March's closing day: April's).
    assert by_key(card_statements(db.session, card, TODAY)).keys() == {"2026-04"}


def test_statements_read_in_three_queries_whatever_the_entries(household, card):
    second = make_account(household, kind="credit_card", closing_day=28, due_day=5)
    for i in range(40):
        purchase(household, card if i % 2 else second, "1.01", date(2025, 6, 1) + timedelta(days=7 * i))
    accounts = [card, second, checking_account(household)]
    db.session.expire_all()
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = statements_by_card(db.session, accounts, TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 3 + 3  # the queries, and reloading the three expired accounts
    assert set(found) == {card.id, second.id}
    assert sum(s.total for s in found[card.id]) + sum(s.total for s in found[second.id]) == D("40.40")


# The forecast


def schedule_on(result, day: date) -> Decimal:
    return result.forecast.schedule[(day - TODAY).days]


def test_forecast_pays_the_statement_on_its_due_date_not_each_purchase(household, card):
    purchase(household, card, "100.00", date(2026, 3, 1))  # March: due Mar 20
    purchase(household, card, "40.00", date(2026, 3, 9), paid=False)  # March, unpaid
    purchase(household, card, "60.00", date(2026, 3, 16), paid=False)  # April: due Apr 20
    result = household_forecast(db.session, household)
    assert result.current_balance == D("5000.00")  # the card's balance does not count
    assert schedule_on(result, date(2026, 3, 16)) == D("5000.00")  # no purchase on its day
    assert schedule_on(result, date(2026, 3, 19)) == D("5000.00")
    assert schedule_on(result, date(2026, 3, 20)) == D("4860.00")  # the March statement
    assert schedule_on(result, date(2026, 4, 19)) == D("4860.00")
    assert schedule_on(result, date(2026, 4, 20)) == D("4800.00")
    rows = [r for r in upcoming_rows(result, calendar_of(household)) if r.statement_key]
    assert [(r.date, r.name, r.amount, r.statement_key) for r in rows] == [
        (date(2026, 3, 20), "Visa", D("140.00"), "2026-03"),
        (date(2026, 4, 20), "Visa", D("60.00"), "2026-04"),
    ]


def test_a_paid_statement_is_not_counted_twice(household, card):
    checking = checking_account(household)
    purchase(household, card, "100.00", date(2026, 3, 1))
    make_transfer(household, checking, card, amount="30.00", date=date(2026, 3, 15))
    result = household_forecast(db.session, household)
    # The payment left the checking account today; only the rest is projected.
    assert result.current_balance == D("4970.00")
    assert schedule_on(result, date(2026, 3, 20)) == D("4900.00")
    make_transfer(household, checking, card, amount="70.00", date=date(2026, 3, 15))
    result = household_forecast(db.session, household)
    assert result.card_bills == ()
    assert schedule_on(result, date(2026, 3, 20)) == D("4900.00")


def test_an_included_card_still_counts_through_its_statements_and_overdue_ones_today(household, card):
    card.include_in_forecast = True
    db.session.commit()
    purchase(household, card, "80.00", date(2026, 2, 5))  # February: due Feb 20, unpaid
    result = household_forecast(db.session, household)
    assert result.current_balance == D("5000.00")
    assert [a.name for a in result.accounts] == [checking_account(household).name]
    assert schedule_on(result, TODAY) == D("4920.00")


def test_no_counted_paying_account_no_statements(household, card):
    checking = checking_account(household)
    checking.include_in_forecast = False
    db.session.commit()
    purchase(household, card, "80.00", date(2026, 3, 5))
    assert household_forecast(db.session, household).card_bills == ()


def test_a_cards_statements_count_against_its_own_paying_account(household, card):
    """A card paid from savings: its statements count when savings is in the forecast,
    whether or not the primary (checking) account is."""
    savings = make_account(household, name="Savings", kind="savings", include_in_forecast=False,
                           opening_balance="1000.00")
    card.payment_account_id = savings.id
    db.session.commit()
    purchase(household, card, "80.00", date(2026, 3, 5))  # due Mar 20
    assert household_forecast(db.session, household).card_bills == ()  # savings not counted
    savings.include_in_forecast = True
    checking_account(household).include_in_forecast = False
    db.session.commit()
    result = household_forecast(db.session, household)
    assert [(s.key, s.outstanding) for s, _name in result.card_bills] == [("2026-03", D("80.00"))]
    assert schedule_on(result, date(2026, 3, 20)) == D("920.00")
    savings.archived = True  # an archived paying account: the primary one pays again
    checking_account(household).include_in_forecast = True
    db.session.commit()
    assert len(household_forecast(db.session, household).card_bills) == 1
