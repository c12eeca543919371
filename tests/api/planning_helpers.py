"""Shared rows for the planning API tests: a household's viewer and another household."""

from __future__ import annotations

from datetime import date, timedelta

from finora.dates import today
from tests.factories import create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member


def days_ahead(household, days: int) -> date:
    return today(household) + timedelta(days=days)


def viewer_api(api, household):
    """`api` signed in as a viewer of `household`."""
    viewer = add_member(household, "viewer")
    api.token = None
    api.login(viewer.email)
    return api


def stranger_household():
    """Another person's household (its ids must answer 404 to our caller)."""
    return household_of(create_user())


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert body["status"] == status and body["code"] == code and body["error"]
    return body
