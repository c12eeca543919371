"""Pages with a POST button on every row repeat no element id (a repeated id makes labels and
aria references point at the wrong element): the CSRF field of a button form has none."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.factories import PASSWORD, create_user
from tests.ledger_factories import checking_account, household_of, make_account, make_entry
from tests.members_factories import one_of_everything
from tests.planning_factories import make_rule


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def csrf_client(app_factory):
    """A client of an app with real CSRF, signed in as the owner of a household with two rows
    of everything that carries per-row buttons; yields (client, ids)."""
    application = app_factory(WTF_CSRF_ENABLED=True)
    with application.app_context():
        user = create_user()
        household = household_of(user)
        ids = one_of_everything(household)
        make_entry(household, description="Bakery", date=date(2026, 3, 12))
        make_rule(household, name="Internet")
        make_rule(household, name="Holiday", is_scenario=True, anchor_date=date(2026, 7, 1))
        make_account(household, name="Old savings", archived=True)
        ids["checking_id"] = checking_account(household).id
        client = application.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD,
                                    "csrf_token": _token(client.get("/login").text)})
        yield client, ids


@pytest.mark.parametrize(
    "path",
    ["/dashboard/2026/3", "/rules", "/accounts", "/goals/{goal_id}", "/forecast/scenarios"],
)
def test_per_row_button_forms_repeat_no_id(csrf_client, path):
    client, ids = csrf_client
    response = client.get(path.format(**ids))
    assert response.status_code == 200
    page = response.text
    assert page.count('name="csrf_token"') >= 3  # the navbar's two forms and the rows'
    found = re.findall(r'\sid="([^"]+)"', page)
    repeated = sorted({i for i in found if found.count(i) > 1})
    assert not repeated, f"{path} repeats the ids {repeated}"
