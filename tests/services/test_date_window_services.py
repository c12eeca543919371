"""The date window at the service level, where the API and the CSV import meet the same
checks as the forms: every dated service refuses 0001-01-01 and 9999-12-31 on its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finora.errors import FieldError
from finora.extensions import db
from finora.services.ledger.accounts import AccountData, create_account
from finora.services.ledger.entries import EntryData, create_entry
from finora.services.ledger.snapshots import set_balance
from finora.services.ledger.transfers import TransferData, create_transfer
from finora.services.planning.goals import ContributionData, GoalData, add_contribution, create_goal
from finora.services.planning.rules import RuleData, create_rule, end_rule, hold_rule
from tests.factories import create_user
from tests.ledger_factories import category, checking_account, household_of, make_account
from tests.planning_factories import make_rule

EDGES = (date.min, date.max, date(1899, 12, 31), date(2200, 1, 1))


@pytest.fixture
def home(app):
    return household_of(create_user())


def refused(field: str, call) -> None:
    with pytest.raises(FieldError) as caught:
        call()
    db.session.rollback()
    assert caught.value.field == field
    assert "1900" in str(caught.value.message) and "2199" in str(caught.value.message)


@pytest.mark.parametrize("day", EDGES)
def test_rules(home, day):
    data = RuleData(
        name="Rent", kind="expense", amount=Decimal("10.00"),
        account_id=checking_account(home).id, category_id=category(home, "expense.housing").id,
        frequency="monthly", anchor_date=date(2026, 1, 10),
    )
    refused("anchor_date", lambda: create_rule(db.session, home, RuleData(**{**vars(data), "anchor_date": day})))
    if day > date(2026, 1, 10):
        refused("end_date", lambda: create_rule(db.session, home, RuleData(**{**vars(data), "end_date": day})))
    rule = make_rule(home)
    refused("until", lambda: hold_rule(db.session, rule, day))
    if day > rule.anchor_date:
        refused("end_on", lambda: end_rule(db.session, rule, day))


@pytest.mark.parametrize("day", EDGES)
def test_entries_transfers_snapshots_accounts_and_goals(home, day):
    account = checking_account(home)
    entry = EntryData(kind="expense", amount=Decimal("5.00"), date=day, description="Coffee",
                      account_id=account.id, category_id=category(home, "expense.food").id)
    refused("date", lambda: create_entry(db.session, home, entry))
    paid = EntryData(**{**vars(entry), "date": date(2026, 1, 5), "paid_on": day})
    refused("paid_on", lambda: create_entry(db.session, home, paid))
    savings = make_account(home, name="Savings", kind="savings")
    refused("date", lambda: create_transfer(
        db.session, home, TransferData(account.id, savings.id, Decimal("1.00"), day)))
    refused("date", lambda: set_balance(db.session, account, day, Decimal("1.00")))
    refused("opening_date", lambda: create_account(
        db.session, home, AccountData("Wallet", "cash", Decimal("0"), day)))
    refused("target_date", lambda: create_goal(
        db.session, home, GoalData("Trip", Decimal("100.00"), target_date=day)))
    goal = create_goal(db.session, home, GoalData("Trip", Decimal("100.00")))
    db.session.commit()
    refused("date", lambda: add_contribution(db.session, goal, ContributionData(day, Decimal("1"))))
