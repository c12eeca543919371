"""Which accounts the forecast counts: checking and cash by default, the rest only when the
owner includes them (service, account form with and without the script), and the forecast
page's list that switches an account in place (audited, CSRF, 404/403, back to the view)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import Account, AuditEvent
from finora.models.account import ACCOUNT_KINDS
from finora.services.ledger.accounts import AccountData, create_account, update_account
from tests.factories import create_user
from tests.ledger_factories import checking_account, household_of, make_account, reload
from tests.members_factories import add_member
from tests.planning_factories import make_rule

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)
COUNTED_BY_DEFAULT = {"checking": True, "cash": True, "savings": False, "investment": False,
                      "credit_card": False, "other": False}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def household(user):
    household = household_of(user)
    checking_account(household).opening_balance = Decimal("1000.00")
    db.session.commit()
    return household


def sign_in(client, person):
    response = client.post("/login", data={"email": person.email, "password": "correct horse battery"})
    assert response.status_code == 302
    return client


def account_named(household, name: str) -> Account:
    db.session.expire_all()
    return db.session.scalar(
        select(Account).where(Account.household_id == household.id, Account.name == name)
    )


# The default by kind ------------------------------------------------------------------------


def test_every_kind_has_a_decided_default():
    assert set(COUNTED_BY_DEFAULT) == set(ACCOUNT_KINDS)


@pytest.mark.parametrize(("kind", "counted"), COUNTED_BY_DEFAULT.items())
def test_the_service_counts_an_account_by_its_kind_unless_told(household, kind, counted):
    data = AccountData(name=f"My {kind}", kind=kind, opening_balance=Decimal(0), opening_date=date(2026, 1, 1))
    account = create_account(db.session, household, data)
    assert account.include_in_forecast is counted
    told = create_account(
        db.session, household,
        AccountData(name=f"Told {kind}", kind=kind, opening_balance=Decimal(0),
                    opening_date=date(2026, 1, 1), include_in_forecast=not counted),
    )
    assert told.include_in_forecast is (not counted)


def test_a_row_inserted_without_the_choice_follows_its_kind(household):
    db.session.add(Account(household_id=household.id, name="Raw savings", kind="savings",
                           opening_date=date(2026, 1, 1)))
    db.session.add(Account(household_id=household.id, name="Raw cash", kind="cash",
                           opening_date=date(2026, 1, 1)))
    db.session.commit()
    assert account_named(household, "Raw savings").include_in_forecast is False
    assert account_named(household, "Raw cash").include_in_forecast is True


def test_an_edit_without_the_choice_follows_the_new_kind(household):
    account = make_account(household, name="Wallet", kind="cash")
    update_account(db.session, account, AccountData(
        name="Wallet", kind="credit_card", opening_balance=Decimal(0), opening_date=date(2026, 1, 1)))
    assert account.include_in_forecast is False


def form(**overrides) -> dict:
    data = {"name": "New one", "kind": "savings", "opening_balance": "0.00",
            "opening_date": "2026-01-01"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(("kind", "counted"), COUNTED_BY_DEFAULT.items())
def test_a_post_without_the_box_or_its_marker_follows_the_kind(signed_in, household, kind, counted):
    response = signed_in.post("/accounts/new", data=form(kind=kind))
    assert response.status_code == 302
    assert account_named(household, "New one").include_in_forecast is counted


def test_the_form_s_own_unticked_box_leaves_even_a_checking_account_out(signed_in, household):
    signed_in.post("/accounts/new", data=form(kind="checking", include_in_forecast_shown="1"))
    assert account_named(household, "New one").include_in_forecast is False


def test_the_form_s_ticked_box_counts_even_a_savings_account(signed_in, household):
    signed_in.post("/accounts/new", data=form(kind="savings", include_in_forecast_shown="1",
                                              include_in_forecast="y"))
    assert account_named(household, "New one").include_in_forecast is True


def test_the_new_account_page_carries_the_marker_the_hint_and_the_script(signed_in):
    page = signed_in.get("/accounts/new").text
    assert re.search(r'<input[^>]*name="include_in_forecast_shown"[^>]*value="1"', page)
    assert 'data-forecast-kinds="cash checking"' in page
    assert "/static/js/account-form.js" in page
    assert "Checking and cash accounts count by default" in page


def test_the_edit_page_does_not_flip_the_box_by_itself(signed_in, household):
    account = make_account(household, name="Visa", kind="credit_card", include_in_forecast=True)
    page = signed_in.get(f"/accounts/{account.id}/edit").text
    assert "data-forecast-kinds" not in page
    assert 'name="include_in_forecast_shown"' in page


# The list on the forecast page --------------------------------------------------------------


def forecast_accounts_section(page: str) -> str:
    start = page.index('aria-labelledby="forecast-accounts"')
    return page[start : page.index("</section>", start)]


def row(section: str, account_id: int) -> str:
    found = re.search(rf'<li [^>]*data-account="{account_id}".*?</li>', section, re.S)
    assert found, f"no row for account {account_id}"
    return found.group(0)


def test_the_page_lists_every_active_account_with_kind_balance_and_state(signed_in, household):
    savings = make_account(household, name="Rainy day", kind="savings", opening_balance="5000",
                           include_in_forecast=None)
    make_account(household, name="Closed", kind="checking", archived=True)
    section = forecast_accounts_section(signed_in.get("/forecast").text)
    checking = row(section, checking_account(household).id)
    assert "Checking" in checking and "R$1,000.00" in checking and "Counted" in checking
    left_out = row(section, savings.id)
    assert "Rainy day" in left_out and "Savings" in left_out and "R$5,000.00" in left_out
    assert "Left out" in left_out and ">Include<" in left_out
    assert "Closed" not in section
    # Counted accounts first.
    assert section.index(f'data-account="{checking_account(household).id}"') < section.index(
        f'data-account="{savings.id}"')


def test_including_an_account_changes_the_forecast_and_comes_back_to_the_same_view(signed_in, household):
    savings = make_account(household, name="Rainy day", kind="savings", opening_balance="5000",
                           include_in_forecast=None)
    make_rule(household, amount=Decimal("10.00"), anchor_date=date(2026, 1, 20), frequency="daily")
    response = signed_in.post(f"/forecast/accounts/{savings.id}",
                              data={"include": "1", "days": "90", "page": "2"})
    assert response.status_code == 302
    assert response.location == "/forecast?days=90&page=2#forecast-accounts"
    assert reload(Account, savings.id).include_in_forecast is True
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.updated").order_by(AuditEvent.id.desc())
    ).first()
    assert event.object_id == savings.id and event.details["include_in_forecast"] is True
    page = signed_in.get("/forecast").text
    assert "“Rainy day” is counted in the forecast." in page
    assert "R$6,000.00" in page  # the current balance card counts it now

    signed_in.post(f"/forecast/accounts/{savings.id}", data={"include": "0"})
    assert reload(Account, savings.id).include_in_forecast is False


def test_a_repeated_click_records_nothing_new(signed_in, household):
    account = checking_account(household)
    before = db.session.query(AuditEvent).filter_by(action="account.updated").count()
    for _ in range(2):
        signed_in.post(f"/forecast/accounts/{account.id}", data={"include": "1"})
    assert db.session.query(AuditEvent).filter_by(action="account.updated").count() == before


@pytest.mark.parametrize("data", [{}, {"include": "yes"}, {"include": ""}])
def test_a_bad_switch_is_refused(signed_in, household, data):
    account = checking_account(household)
    assert signed_in.post(f"/forecast/accounts/{account.id}", data=data).status_code == 400
    assert reload(Account, account.id).include_in_forecast is True


def test_another_households_account_is_404_and_get_is_not_allowed(signed_in, household):
    theirs = checking_account(household_of(create_user(name="Them", household_name="Theirs")))
    assert signed_in.post(f"/forecast/accounts/{theirs.id}", data={"include": "0"}).status_code == 404
    assert reload(Account, theirs.id).include_in_forecast is True
    assert signed_in.get(f"/forecast/accounts/{checking_account(household).id}").status_code == 405


def test_an_archived_account_is_not_switched(signed_in, household):
    old = make_account(household, name="Old", kind="savings", archived=True, include_in_forecast=None)
    assert signed_in.post(f"/forecast/accounts/{old.id}", data={"include": "1"}).status_code == 404
    assert reload(Account, old.id).include_in_forecast is False


def test_a_viewer_sees_the_list_read_only_and_is_refused(client, household):
    viewer = add_member(household, "viewer")
    sign_in(client, viewer)
    section = forecast_accounts_section(client.get("/forecast").text)
    assert "Counted" in section and "<form" not in section
    account = checking_account(household)
    assert client.post(f"/forecast/accounts/{account.id}", data={"include": "0"}).status_code == 403
    assert reload(Account, account.id).include_in_forecast is True


def test_an_editor_may_switch(client, household):
    sign_in(client, add_member(household, "editor"))
    account = checking_account(household)
    assert client.post(f"/forecast/accounts/{account.id}", data={"include": "0"}).status_code == 302
    assert reload(Account, account.id).include_in_forecast is False


def test_the_switch_needs_the_csrf_token(app_factory, household, user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                    "csrf_token": token})
        account_id = checking_account(household).id
        response = client.post(f"/forecast/accounts/{account_id}", data={"include": "0"})
        assert response.status_code == 400
        page = client.get("/forecast").text
        section = forecast_accounts_section(page)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', section).group(1)
        assert 'id="csrf_token"' not in section  # one form per row: no repeated id
        response = client.post(f"/forecast/accounts/{account_id}",
                               data={"include": "0", "csrf_token": token})
        assert response.status_code == 302
        assert reload(Account, account_id).include_in_forecast is False
