"""Each account over a period against figures worked out by hand
(tests/services/report_fixtures.py), and the closing balance always equal to
account_balances on the period's last day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finora.extensions import db
from finora.services.ledger.accounts import account_balances, set_account_archived
from finora.services.ledger.snapshots import set_balance
from finora.services.reports.account_report import account_report
from finora.services.reports.totals import period_totals
from tests.ledger_factories import make_account, make_entry, make_transfer
from tests.services.report_fixtures import build_march, bulk_entries, queries_of

D = Decimal
Z = D("0")


@pytest.fixture
def march(household):
    return build_march(household)


def report(household, start=date(2026, 3, 1), end=date(2026, 3, 31)):
    return account_report(db.session, household, start, end)


def row(line):
    return (line.account.name, line.opening, line.money_in, line.money_out, line.transfers_in,
            line.transfers_out, line.adjustment, line.closing)


def assert_closing_is_the_balance(household, r):
    balances = account_balances(db.session, household, r.end)
    for line in r.lines:
        assert line.closing == balances[line.account.id]
        assert line.closing == (line.opening + line.money_in - line.money_out + line.transfers_in
                                - line.transfers_out + line.adjustment)


def test_march_per_account(march):
    r = report(march.household)
    assert [row(line) for line in r.lines] == [
        # 1,000 opening − February's 777 paid on the 28th; the salary; rent (paid on the 9th)
        # and the two coffees; 50 back from savings, 700 to savings. Unpaid entries move nothing.
        ("Checking account", D("223.00"), D("5000.00"), D("1500.30"), D("50.00"), D("700.00"), Z, D("3072.70")),
        # The dinner dated 31 March was paid on 2 April: not March's money.
        ("Savings", Z, Z, Z, D("700.00"), D("50.00"), Z, D("650.00")),
    ]
    assert_closing_is_the_balance(march.household, r)
    assert r.total("transfers_in") == r.total("transfers_out") == D("750.00")
    # Transfers are in the account report, never in income or expense.
    t = period_totals(db.session, march.household, r.start, r.end)
    assert (t.income, t.expense) == (D("5920.50"), D("1845.30"))


def test_april_gets_the_late_payment(march):
    r = report(march.household, date(2026, 4, 1), date(2026, 4, 30))
    assert [row(line) for line in r.lines] == [
        ("Checking account", D("3072.70"), Z, Z, Z, Z, Z, D("3072.70")),
        ("Savings", D("650.00"), Z, D("45.00"), Z, Z, Z, D("605.00")),
    ]
    assert_closing_is_the_balance(march.household, r)


def test_a_snapshot_in_the_period_is_an_adjustment(march):
    # The ledger says 3,022.70 at the end of 20 March; the bank said 3,000.00.
    set_balance(db.session, march.checking, date(2026, 3, 20), D("3000.00"))
    db.session.commit()
    checking = report(march.household).lines[0]
    assert row(checking) == (
        "Checking account", D("223.00"), D("5000.00"), D("1500.30"), D("50.00"), D("700.00"), D("-22.70"),
        D("3050.00"),
    )
    assert_closing_is_the_balance(march.household, report(march.household))
    # A later period starts from the snapshot.
    april = report(march.household, date(2026, 4, 1), date(2026, 4, 30)).lines[0]
    assert (april.opening, april.adjustment, april.closing) == (D("3050.00"), Z, D("3050.00"))


def test_an_account_opened_in_the_period(march):
    wallet = make_account(march.household, name="Wallet", kind="cash", opening_balance="40.00",
                          opening_date=date(2026, 3, 10))
    make_entry(march.household, amount="7.00", date=date(2026, 3, 5), paid_on=date(2026, 3, 5), account=wallet)
    make_entry(march.household, amount="5.00", date=date(2026, 3, 12), paid_on=date(2026, 3, 12), account=wallet)
    r = report(march.household)
    line = next(line for line in r.lines if line.account.name == "Wallet")
    # Paid before the opening date: inside the opening balance, not counted again.
    assert row(line) == ("Wallet", D("40.00"), Z, D("5.00"), Z, Z, Z, D("35.00"))
    assert_closing_is_the_balance(march.household, r)


def test_archived_accounts_only_when_they_moved(march):
    quiet = make_account(march.household, name="Old card", kind="credit_card", opening_balance="10.00")
    moved = make_account(march.household, name="Closed savings", kind="savings", opening_balance="100.00")
    make_transfer(march.household, moved, march.checking, amount="100.00", date=date(2026, 3, 3))
    set_account_archived(db.session, quiet, True)
    set_account_archived(db.session, moved, True)
    db.session.commit()
    r = report(march.household)
    names = [line.account.name for line in r.lines]
    assert names == ["Checking account", "Savings", "Closed savings"]
    assert row(r.lines[2]) == ("Closed savings", D("100.00"), Z, Z, Z, D("100.00"), Z, Z)
    assert r.lines[0].transfers_in == D("150.00")
    assert_closing_is_the_balance(march.household, r)
    assert [line.account.name for line in report(march.household, date(2026, 5, 1), date(2026, 5, 31)).lines] == [
        "Checking account", "Savings",
    ]


def test_an_empty_period(household):
    r = report(household, date(2031, 7, 1), date(2031, 7, 31))
    assert len(r.lines) == 1
    line = r.lines[0]
    assert (line.money_in, line.money_out, line.transfers_in, line.transfers_out, line.adjustment) == (Z,) * 5
    assert line.closing == line.opening and not line.moved


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 9), date(2026, 3, 14)),
        (date(2028, 2, 1), date(2028, 2, 29)),
        (date(2020, 1, 1), date(2039, 12, 31)),
    ],
)
def test_closing_is_account_balances_for_any_period(march, start, end):
    make_entry(march.household, kind="income", amount="29.02", date=date(2028, 2, 29), paid_on=date(2028, 2, 29),
               account=march.savings)
    make_transfer(march.household, march.savings, march.checking, amount="9.00", date=date(2028, 2, 29))
    assert_closing_is_the_balance(march.household, report(march.household, start, end))


def test_the_queries_do_not_grow(march):
    report(march.household)
    _, few = queries_of(lambda: report(march.household))
    bulk_entries(march.household, 2000)
    for n in range(3):
        make_account(march.household, name=f"Extra {n}", commit=False)
    db.session.commit()
    report(march.household)
    r, many = queries_of(lambda: report(march.household))
    assert many == few and len(r.lines) == 5
    assert_closing_is_the_balance(march.household, r)
