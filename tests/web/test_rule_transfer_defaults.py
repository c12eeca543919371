"""New rules, scenarios and transfers start on the account new entries start on (the
household's primary account: its first active checking account), not on the account that
happens to come first by name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.ledger_factories import (
    checking_account,
    household_of,
    make_account,
    select_options,
    selected_value,
)

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def household(user):
    household = household_of(user)
    # Before "Checking account" by name: the first choice of every account list.
    make_account(household, name="A rainy-day fund", kind="savings")
    make_account(household, name="Archived checking", kind="checking", archived=True)
    return household


@pytest.mark.parametrize("path", ["/rules/new", "/forecast/scenarios/new"])
def test_a_new_rule_or_scenario_starts_on_the_primary_account(signed_in, household, path):
    page = signed_in.get(path).get_data(as_text=True)
    assert select_options(page, "account_id")[0][1] == "A rainy-day fund"
    assert selected_value(page, "account_id") == str(checking_account(household).id)


def test_a_new_transfer_goes_from_the_primary_account_to_another(signed_in, household):
    page = signed_in.get("/transfers/new").get_data(as_text=True)
    checking = checking_account(household)
    assert selected_value(page, "from_account_id") == str(checking.id)
    to = selected_value(page, "to_account_id")
    assert to is not None and to != str(checking.id)


def test_with_one_account_nothing_is_forced_on_the_transfer(signed_in, user):
    page = signed_in.get("/transfers/new").get_data(as_text=True)
    assert selected_value(page, "to_account_id") in (None, "")
