"""Net worth month by month (finora.services.reports.net_worth): the figures of
tests/net_worth_data.py by hand, transfers leave it unchanged, credit cards are liabilities,
archived accounts count, the empty household and the range's limits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import event, select

from finora.errors import FieldError
from finora.extensions import db
from finora.models import Account
from finora.services.reports.net_worth import MAX_MONTHS, net_worth_report, parse_month
from tests.factories import create_user
from tests.ledger_factories import household_of, make_account, make_entry, make_transfer
from tests.net_worth_data import EXPECTED, NOW, fill_net_worth

TODAY = date(2026, 3, 15)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def rows(report):
    return [(m.label, m.assets, m.liabilities, m.net, m.change) for m in report.months]


def test_the_months_by_hand(household):
    fill_net_worth(household)
    report = net_worth_report(db.session, household, TODAY)
    # The default: the last twelve months, from the earliest account's opening month on.
    assert (report.first, report.last) == ((2025, 4), (2026, 3))
    assert rows(report) == EXPECTED
    assert [m.day for m in report.months] == [date(2026, 1, 31), date(2026, 2, 28), TODAY]
    # The archived account held its 50.00 in January, nothing since.
    old = next(a for a in report.accounts if a.name == "Old")
    assert old.archived
    assert [m.balances[old.id] for m in report.months] == [Decimal("50.00"), 0, 0]
    # The savings box opened in February: not in January's figures at all.
    box = next(a for a in report.accounts if a.name == "Box")
    assert box.id not in report.months[0].balances
    # Net worth is the sum of every balance.
    for month in report.months:
        assert month.net == sum(month.balances.values())


def test_a_range_and_the_change_before_it(household):
    fill_net_worth(household)
    report = net_worth_report(db.session, household, TODAY, (2026, 2), (2026, 2))
    # February alone still knows January's net worth for its change.
    assert rows(report) == [EXPECTED[1]]
    # A month after the current one is the current one.
    later = net_worth_report(db.session, household, TODAY, (2026, 3), (2027, 6))
    assert later.last == (2026, 3) and rows(later) == [EXPECTED[2]]


def test_a_transfer_leaves_net_worth_unchanged(household):
    accounts = fill_net_worth(household)
    before = net_worth_report(db.session, household, TODAY)
    # Moving money from the bank to the savings box and paying the card from the bank.
    make_transfer(household, accounts["bank"], accounts["box"], amount="1234.56", date=date(2026, 3, 2))
    make_transfer(household, accounts["bank"], accounts["card"], amount="60", date=date(2026, 3, 6))
    after = net_worth_report(db.session, household, TODAY)
    assert [m.net for m in after.months] == [m.net for m in before.months]
    assert after.months[-1].liabilities == Decimal("40.00")
    assert after.months[-1].assets == Decimal("5140.00")


def test_credit_cards_are_liabilities_and_an_overdraft_a_negative_asset(household):
    card = make_account(household, name="Visa", kind="credit_card", opening_date=date(2026, 3, 1))
    bank = make_account(household, name="Bank", kind="checking", opening_balance="100", opening_date=date(2026, 3, 1))
    make_entry(household, amount="450.10", date=date(2026, 3, 3), paid_on=date(2026, 3, 3), account=card)
    make_entry(household, amount="150", date=date(2026, 3, 4), paid_on=date(2026, 3, 4), account=bank)
    report = net_worth_report(db.session, household, TODAY)
    assert rows(report) == [("2026-03", Decimal("-50.00"), Decimal("450.10"), Decimal("-500.10"), None)]


def test_an_empty_household(household):
    # A household without accounts (the one registration creates removed): no months at all.
    for account in db.session.scalars(select(Account).where(Account.household_id == household.id)):
        db.session.delete(account)
    db.session.commit()
    report = net_worth_report(db.session, household, TODAY)
    assert report.empty and report.months == [] and report.accounts == []
    # A range before every account's opening month is empty too.
    make_account(household, name="Bank", opening_date=date(2026, 2, 1))
    assert net_worth_report(db.session, household, TODAY, (2025, 1), (2026, 1)).empty


def test_another_households_accounts_never_count(household):
    fill_net_worth(household)
    other = household_of(create_user())
    make_account(other, name="Theirs", opening_balance="99999", opening_date=date(2026, 1, 1))
    assert rows(net_worth_report(db.session, household, TODAY)) == EXPECTED


@pytest.mark.parametrize("raw", ["2026-13", "26-01", "2026-1", "abcd-ef", "2026/01", "２０２６-01", "2026-03-01"])
def test_a_month_that_is_not_one(raw):
    with pytest.raises(FieldError):
        parse_month(raw, "from")


def test_the_range_limits(household):
    assert parse_month("", "from") is None and parse_month("2026-03", "to") == (2026, 3)
    with pytest.raises(FieldError):
        net_worth_report(db.session, household, TODAY, (2026, 3), (2026, 1))
    with pytest.raises(FieldError):
        net_worth_report(db.session, household, TODAY, (2016, 3), (2026, 3))  # 121 months
    assert len(net_worth_report(db.session, household, TODAY, (2016, 4), (2026, 3)).months) <= MAX_MONTHS


def count_queries(call) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_queries_do_not_grow_with_the_ledger(household):
    """account_balances_on costs a fixed number of queries per day, whatever the number of
    entries: the report's cost depends on the months shown (at most 120) only."""
    bank = make_account(household, name="Bank", opening_date=date(2016, 1, 1))
    make_entry(household, amount="5", date=date(2020, 1, 1), paid_on=date(2020, 1, 1), account=bank)
    db.session.expire_all()

    def report(first):
        return lambda: net_worth_report(db.session, household, TODAY, first, (2026, 3))

    few = count_queries(report((2025, 4)))
    for n in range(40):
        day = date(2020 + n % 6, 1 + n % 12, 1 + n % 28)
        make_entry(household, amount="1.01", date=day, paid_on=day, account=bank, commit=False)
    db.session.commit()
    db.session.expire_all()
    assert count_queries(report((2025, 4))) == few
    # Twelve months against sixty: a fixed cost per month-end, never per entry.
    sixty = count_queries(report((2021, 4)))
    assert sixty - few <= (60 - 12) * 4
