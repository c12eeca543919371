"""A new what-if scenario starts on the household's primary account (the account new entries
start on: finora.services.ledger.accounts.primary_account), not on the first account by name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from finora.extensions import db
from finora.services.ledger.accounts import primary_account
from tests.ledger_factories import checking_account, household_of, make_account, selected_value

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_new_scenario_starts_on_the_primary_account(signed_in, user):
    household = household_of(user)
    # Listed before the checking account, by name and kind, in the account choices.
    make_account(household, name="Aaa savings", kind="savings")
    make_account(household, name="Aaa card", kind="credit_card")
    primary = primary_account(db.session, household)
    assert primary.id == checking_account(household).id
    page = signed_in.get("/forecast/scenarios/new").text
    assert selected_value(page, "account_id") == str(primary.id)
