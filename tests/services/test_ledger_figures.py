"""Every dashboard figure and account balance, computed by the services on known data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from finora.extensions import db
from finora.models import Account, Category, Household
from finora.services.ledger.accounts import (
    AccountData,
    account_balances,
    consolidated_balance,
    create_account,
)
from finora.services.ledger.entries import EntryData, create_entry
from finora.services.ledger.month_summary import category_totals, daily_net, month_metrics
from finora.services.ledger.transfers import TransferData, create_transfer
from finora.services.ledger.year_summary import year_summary
from tests.factories import create_user

TODAY = date(2026, 3, 15)
D = Decimal


def household_of(user) -> Household:
    return user.memberships[0].household


def category(household, code) -> Category:
    return db.session.scalar(
        select(Category).where(Category.household_id == household.id, Category.code == code)
    )


def checking(household) -> Account:
    """The household's first account (its checking account; later ones are added by tests)."""
    return db.session.scalar(
        select(Account).where(Account.household_id == household.id).order_by(Account.id).limit(1)
    )


def add(household, kind, amount, day, *, paid_on=None, code=None, account=None, sub=None):
    code = code or ("income.work" if kind == "income" else "expense.food")
    return create_entry(
        db.session,
        household,
        EntryData(
            kind=kind,
            amount=D(amount),
            date=day,
            description=f"{kind} {amount}",
            account_id=(account or checking(household)).id,
            category_id=category(household, code).id,
            subcategory_id=category(household, sub).id if sub else None,
            paid_on=paid_on,
        ),
    )


@pytest.fixture
def home(app):
    household = household_of(create_user())
    account = checking(household)
    account.opening_date = date(2026, 1, 1)
    account.opening_balance = D("1000.00")
    db.session.commit()
    return household


@pytest.fixture
def march(home):
    add(home, "income", "5000.00", date(2026, 3, 5), paid_on=date(2026, 3, 5))
    add(home, "income", "800.50", date(2026, 3, 20))  # to receive
    add(home, "income", "120.00", date(2026, 3, 10))  # overdue income
    add(home, "expense", "1500.00", date(2026, 3, 10), paid_on=date(2026, 3, 9), code="expense.housing")
    add(home, "expense", "200.10", date(2026, 3, 1))  # overdue
    add(home, "expense", "99.90", date(2026, 3, 31))  # to pay, last day
    add(home, "expense", "0.10", date(2026, 3, 14), paid_on=date(2026, 3, 14))
    add(home, "expense", "0.20", date(2026, 3, 14), paid_on=date(2026, 3, 14))
    # Outside March, and another household: never counted.
    add(home, "expense", "777.00", date(2026, 2, 28), paid_on=date(2026, 2, 28))
    add(home, "income", "333.00", date(2026, 4, 1))
    other = household_of(create_user())
    add(other, "expense", "9999.00", date(2026, 3, 10), paid_on=date(2026, 3, 10))
    db.session.commit()
    return home


def test_month_metrics(march):
    m = month_metrics(db.session, march, 2026, 3, TODAY)
    assert m.received == D("5000.00")
    assert m.paid == D("1500.30")  # 0.10 + 0.20 is exactly 0.30
    assert m.to_receive == D("920.50")
    assert m.to_pay == D("300.00")
    assert m.overdue_expense == D("200.10")
    assert m.overdue_income == D("120.00")
    assert m.realised_balance == D("3499.70")
    assert m.projected_balance == D("4120.20")
    assert m.entry_count == 8


def test_overdue_depends_on_today(march):
    assert month_metrics(db.session, march, 2026, 3, date(2026, 3, 1)).overdue_expense == D("0.00")
    assert month_metrics(db.session, march, 2026, 3, date(2026, 4, 1)).overdue_expense == D("300.00")


def test_an_empty_month_is_all_zero(home):
    m = month_metrics(db.session, home, 2031, 7, TODAY)
    assert (m.received, m.paid, m.projected_balance, m.entry_count) == (D("0"), D("0"), D("0"), 0)


def test_category_totals(march):
    with force_locale("en"):
        totals = category_totals(db.session, march, date(2026, 3, 1), date(2026, 3, 31))
    assert [(t.label, t.total) for t in totals["expense"]] == [
        ("Housing", D("1500.00")),
        ("Food", D("300.30")),
    ]
    assert [(t.label, t.total) for t in totals["income"]] == [("Work", D("5920.50"))]


def test_daily_net_runs_through_every_day(march):
    days = daily_net(db.session, march, 2026, 3)
    assert len(days) == 31
    assert days[0].expense == D("200.10") and days[0].cumulative == D("-200.10")
    assert days[4].cumulative == D("4799.90")  # after the salary on the 5th
    assert days[-1].cumulative == D("4120.20")  # the projected balance


def test_leap_february(home):
    add(home, "expense", "10.00", date(2028, 2, 29))
    db.session.commit()
    days = daily_net(db.session, home, 2028, 2)
    assert len(days) == 29 and days[-1].cumulative == D("-10.00")


def test_account_balance_counts_money_when_it_moved(march):
    account = checking(march)
    balances = account_balances(db.session, march, TODAY)
    # 1000 opening + 5000 + (-777 in Feb) - 1500 (paid on the 9th) - 0.30; unpaid ones don't count
    assert balances[account.id] == D("3722.70")
    assert account_balances(db.session, march, date(2026, 3, 8))[account.id] == D("5223.00")
    assert account_balances(db.session, march, date(2025, 12, 31))[account.id] == D("1000.00")


def test_entries_paid_before_the_opening_date_are_in_the_opening_balance(home):
    add(home, "expense", "50.00", date(2025, 12, 20), paid_on=date(2025, 12, 20))
    db.session.commit()
    assert account_balances(db.session, home, TODAY)[checking(home).id] == D("1000.00")


def test_transfers_move_money_between_accounts_but_are_not_income(march):
    savings = create_account(
        db.session,
        march,
        AccountData("Savings", "savings", D("0.00"), date(2026, 1, 1)),
    )
    create_transfer(
        db.session,
        march,
        TransferData(checking(march).id, savings.id, D("700.00"), date(2026, 3, 12)),
    )
    db.session.commit()
    balances = account_balances(db.session, march, TODAY)
    assert balances[savings.id] == D("700.00")
    assert balances[checking(march).id] == D("3022.70")
    accounts = list(db.session.scalars(select(Account).where(Account.household_id == march.id)))
    assert consolidated_balance(balances, accounts) == D("3722.70")
    metrics = month_metrics(db.session, march, 2026, 3, TODAY)
    assert metrics.received == D("5000.00") and metrics.paid == D("1500.30")


def test_archived_accounts_are_left_out_of_the_consolidated_balance(march):
    cash = create_account(db.session, march, AccountData("Wallet", "cash", D("40.00"), date(2026, 1, 1)))
    db.session.commit()
    balances = account_balances(db.session, march, TODAY)
    accounts = list(db.session.scalars(select(Account).where(Account.household_id == march.id)))
    assert consolidated_balance(balances, accounts) == D("3762.70")
    cash.archived = True
    assert consolidated_balance(balances, accounts) == D("3722.70")


def test_year_summary(march):
    with force_locale("en"):
        summary = year_summary(db.session, march, 2026)
    assert [m.month for m in summary.months] == list(range(1, 13))
    assert summary.months[1].expense == D("777.00")
    assert summary.months[2].income == D("5920.50") and summary.months[2].expense == D("1800.30")
    assert summary.months[3].income == D("333.00")
    assert summary.income == D("6253.50")
    assert summary.expense == D("2577.30")
    assert summary.net == D("3676.20")
    assert summary.categories["expense"][0].label == "Housing"


def test_year_boundaries(home):
    add(home, "income", "1.00", date(2025, 12, 31))
    add(home, "income", "2.00", date(2026, 1, 1))
    add(home, "income", "4.00", date(2026, 12, 31))
    add(home, "income", "8.00", date(2027, 1, 1))
    db.session.commit()
    summary = year_summary(db.session, home, 2026)
    assert summary.months[0].income == D("2.00") and summary.months[11].income == D("4.00")
    assert summary.income == D("6.00")
