"""A card's paying account on the web (docs/ledger.md, "Credit cards"): chosen on the
account form among the household's active accounts that are not cards, refused beside the
field otherwise, and preselected by "Pay statement"; viewers cannot change it (403) and
another household's card is 404."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import Account
from tests.factories import create_user
from tests.ledger_factories import (
    checking_account,
    field_error,
    household_of,
    make_account,
    make_entry,
    select_options,
    selected_value,
)
from tests.members_factories import add_member

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the household's today is 2026-03-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def household(user):
    return household_of(user)


def card_form(**overrides) -> dict:
    data = {"name": "Master", "kind": "credit_card", "opening_balance": "0", "opening_date": "2026-03-01",
            "closing_day": "3", "due_day": "10", "payment_account_id": ""}
    data.update(overrides)
    return data


def account_named(household, name) -> Account | None:
    db.session.expire_all()
    return db.session.scalar(select(Account).where(Account.household_id == household.id, Account.name == name))


def test_a_card_is_paid_from_the_account_chosen_on_its_form(signed_in, household):
    savings = make_account(household, name="Savings", kind="savings")
    make_account(household, name="Visa", kind="credit_card")
    make_account(household, name="Old", kind="savings", archived=True)
    checking = checking_account(household)
    offered = select_options(signed_in.get("/accounts/new").text, "payment_account_id")
    assert [(value, label) for value, label, _chosen in offered] == [
        ("", "The primary account"), (str(checking.id), checking.name), (str(savings.id), "Savings")]
    assert signed_in.post("/accounts/new", data=card_form(payment_account_id=str(savings.id))).status_code == 302
    card = account_named(household, "Master")
    assert card.payment_account_id == savings.id
    assert selected_value(signed_in.get(f"/accounts/{card.id}/edit").text, "payment_account_id") == str(savings.id)

    # "Pay statement" starts with the card's paying account.
    make_entry(household, account=card, amount="80.00", date=date(2026, 3, 2), paid_on=date(2026, 3, 2))
    page = signed_in.get(f"/accounts/{card.id}/statements/2026-03/pay").text
    assert selected_value(page, "from_account_id") == str(savings.id)

    assert signed_in.post(f"/accounts/{card.id}/edit", data=card_form()).status_code == 302
    assert account_named(household, "Master").payment_account_id is None
    page = signed_in.get(f"/accounts/{card.id}/statements/2026-03/pay").text
    assert selected_value(page, "from_account_id") == str(checking.id)


def test_a_paying_account_that_is_not_eligible_is_refused_beside_the_field(signed_in, household):
    card = make_account(household, name="Master", kind="credit_card", closing_day=3, due_day=10)
    other_card = make_account(household, name="Visa", kind="credit_card")
    old = make_account(household, name="Old", kind="savings", archived=True)
    theirs = checking_account(household_of(create_user()))
    for payer in (theirs, other_card, old, card):
        response = signed_in.post(f"/accounts/{card.id}/edit", data=card_form(payment_account_id=str(payer.id)))
        assert response.status_code == 422 and field_error(response.text, "payment_account_id"), payer.name
    assert account_named(household, "Master").payment_account_id is None


def test_a_viewer_cannot_change_it_and_another_households_card_is_404(client, auth, signed_in, household):
    theirs = make_account(household_of(create_user()), name="Their card", kind="credit_card")
    mine = checking_account(household)
    assert signed_in.get(f"/accounts/{theirs.id}/edit").status_code == 404
    response = signed_in.post(f"/accounts/{theirs.id}/edit",
                              data=card_form(name="Their card", payment_account_id=str(mine.id)))
    assert response.status_code == 404
    card = make_account(household, name="Master", kind="credit_card", closing_day=3, due_day=10)
    viewer = add_member(household, "viewer")
    auth.logout()
    auth.login(viewer.email)
    assert client.get(f"/accounts/{card.id}/edit").status_code == 403
    response = client.post(f"/accounts/{card.id}/edit", data=card_form(payment_account_id=str(mine.id)))
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Account, theirs.id).payment_account_id is None
    assert db.session.get(Account, card.id).payment_account_id is None
