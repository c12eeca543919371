"""A rendered entry or transfer form saves once: a double click, a resent POST or a replay
later creates nothing more, also when the copies arrive at the same moment (threads with
their own clients and database connections). A form shown again after an error keeps its
token; a missing, forged, foreign or expired token is a form error, never a 500."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Account, Entry, GoalContribution, RecurringRule, Transfer, UsedFormToken
from finora.services.system import audit
from finora.services.system.form_tokens import issue_form_token, purge_used_form_tokens
from finora.web.entries import views as entry_views
from finora.web.transfers import views as transfer_views
from tests.concurrency import at_once
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import (
    checking_account,
    household_of,
    input_value,
    make_account,
    make_entry,
    reload,
)
from tests.web.test_entries import entry_form
from tests.web.test_goals import make_goal
from tests.web.test_rules import rule_form
from tests.web.test_transfers import transfer_form

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
ALREADY = "This form was already submitted, so it was not saved a second time."
STALE = "This form is too old or could not be checked, so nothing was saved."
COPIES = 4


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _count(model) -> int:
    db.session.rollback()  # a fresh snapshot (MariaDB's repeatable read keeps the old one)
    return db.session.scalar(select(func.count()).select_from(model))


def _token(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    token = input_value(page.text, "form_token")
    assert token
    return token


def _savings(household):
    return make_account(household, name="Savings", kind="savings", opening_balance="0")


# One rendered form, submitted again


def test_a_resubmitted_entry_form_creates_one_entry(signed_in, household):
    data = entry_form(household, form_token=_token(signed_in, "/entries/new"))
    first = signed_in.post("/entries/new", data=data)
    assert first.status_code == 302
    again = signed_in.post("/entries/new", data=data)
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]  # where the first one went
    assert ALREADY in signed_in.get(again.headers["Location"]).text
    assert _count(Entry) == 1


def test_a_resubmitted_duplicate_and_edit_save_once(signed_in, household):
    source = make_entry(household, description="Rent", amount="900")
    data = entry_form(household, form_token=_token(signed_in, f"/entries/{source.id}/duplicate"))
    assert signed_in.post(f"/entries/{source.id}/duplicate", data=data).status_code == 302
    assert signed_in.post(f"/entries/{source.id}/duplicate", data=data).status_code == 302
    assert _count(Entry) == 2

    # An old tab's edit, replayed after a later change, does not undo that change.
    stale = entry_form(household, description="Old text", form_token=_token(signed_in, f"/entries/{source.id}/edit"))
    assert signed_in.post(f"/entries/{source.id}/edit", data=stale).status_code == 302
    fresh = entry_form(household, description="New text", form_token=_token(signed_in, f"/entries/{source.id}/edit"))
    assert signed_in.post(f"/entries/{source.id}/edit", data=fresh).status_code == 302
    assert signed_in.post(f"/entries/{source.id}/edit", data=stale).status_code == 302
    assert reload(Entry, source.id).description == "New text"


def test_a_resubmitted_transfer_form_creates_one_transfer(signed_in, household):
    savings = _savings(household)
    data = transfer_form(checking_account(household), savings, form_token=_token(signed_in, "/transfers/new"))
    for _ in range(3):
        assert signed_in.post("/transfers/new", data=data).status_code == 302
    assert _count(Transfer) == 1


def test_a_resubmitted_goal_contribution_is_recorded_once(signed_in, household):
    goal = make_goal(household, target="1000")
    data = {"date": "2026-03-10", "amount": "300.00", "note": "Bonus",
            "form_token": _token(signed_in, f"/goals/{goal.id}")}
    for _ in range(2):
        response = signed_in.post(f"/goals/{goal.id}/contributions", data=data)
        assert response.status_code == 302 and response.headers["Location"] == f"/goals/{goal.id}"
    assert ALREADY in signed_in.get(f"/goals/{goal.id}").text
    assert _count(GoalContribution) == 1


def test_a_resubmitted_rule_is_created_and_posted_once(signed_in, household):
    data = rule_form(household, form_token=_token(signed_in, "/rules/new"))
    assert signed_in.post("/rules/new", data=data).status_code == 302
    posted = _count(Entry)
    assert signed_in.post("/rules/new", data=data).status_code == 302
    assert (_count(RecurringRule), _count(Entry)) == (1, posted)


def test_a_resubmitted_new_account_says_so_instead_of_a_name_clash(signed_in, household):
    accounts = _count(Account)
    data = {"name": "Wallet", "kind": "cash", "opening_balance": "50.00", "opening_date": "2026-03-01",
            "include_in_forecast": "y", "form_token": _token(signed_in, "/accounts/new")}
    assert signed_in.post("/accounts/new", data=data).status_code == 302
    again = signed_in.post("/accounts/new", data=data)
    assert again.status_code == 302 and ALREADY in signed_in.get(again.headers["Location"]).text
    assert _count(Account) == accounts + 1


# Errors keep the token; bad tokens are form errors


def test_a_form_shown_again_after_an_error_keeps_its_token(signed_in, household):
    token = _token(signed_in, "/entries/new")
    refused = signed_in.post("/entries/new", data=entry_form(household, amount="", form_token=token))
    assert refused.status_code == 422
    assert input_value(refused.text, "form_token") == token
    # Refused by the service after the token was taken: the rollback gives it back.
    wrong_kind = entry_form(household, kind="income", form_token=token)
    assert signed_in.post("/entries/new", data=wrong_kind).status_code == 422
    assert _count(Entry) == 0
    assert signed_in.post("/entries/new", data=entry_form(household, form_token=token)).status_code == 302
    assert _count(Entry) == 1


@pytest.mark.parametrize("token", [
    "forged",
    "1.abcdefghijklmnopqrstuv.0123456789abcdef0123456789abcdef",
    "²³.abcdefghijklmnopqrstuv.0123456789abcdef0123456789abcdef",
    "1773576000.abcdefghijklmnopqrstuv.é",
    "",
])
def test_a_forged_token_is_a_form_error_and_the_form_is_renewed(signed_in, household, token):
    if token == "":
        token = _token(signed_in, "/entries/new")[:-1] + "x"  # one character changed
    refused = signed_in.post("/entries/new", data=entry_form(household, form_token=token))
    assert refused.status_code == 422
    assert STALE in refused.text
    assert _count(Entry) == 0
    renewed = input_value(refused.text, "form_token")
    assert renewed != token
    assert signed_in.post("/entries/new", data=entry_form(household, form_token=renewed)).status_code == 302
    assert _count(Entry) == 1


def test_another_users_or_households_token_is_refused(signed_in, user, household):
    other = create_user(email="other@example.com")
    for token in (
        issue_form_token(household_of(other), other),
        issue_form_token(household, other),
        issue_form_token(household_of(other), user),
    ):
        refused = signed_in.post("/entries/new", data=entry_form(household, form_token=token))
        assert refused.status_code == 422 and STALE in refused.text
    assert _count(Entry) == 0


def test_a_form_left_open_over_a_day_is_renewed_not_saved(signed_in, household, frozen_time):
    token = _token(signed_in, "/transfers/new")
    frozen_time.shift(timedelta(days=1, minutes=1))
    refused = signed_in.post("/transfers/new", data=transfer_form(checking_account(household), _savings(household), form_token=token))
    assert refused.status_code == 422 and STALE in refused.text
    assert _count(Transfer) == 0


def test_with_csrf_on_a_missing_token_is_a_form_error(app_factory, user, household):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        login = client.get("/login")
        client.post("/login", data={
            "email": user.email, "password": PASSWORD, "csrf_token": input_value(login.text, "csrf_token"),
        })
        page = client.get("/entries/new")
        data = entry_form(household, csrf_token=input_value(page.text, "csrf_token"))
        refused = client.post("/entries/new", data=data)
        assert refused.status_code == 422 and STALE in refused.text
        data["form_token"] = input_value(refused.text, "form_token")
        assert client.post("/entries/new", data=data).status_code == 302
        assert _count(Entry) == 1


def test_used_tokens_are_purged_once_they_would_be_refused_anyway(signed_in, household):
    data = entry_form(household, form_token=_token(signed_in, "/entries/new"))
    signed_in.post("/entries/new", data=data)
    assert purge_used_form_tokens(db.session, NOW + timedelta(days=1)) == 0
    assert purge_used_form_tokens(db.session, NOW + timedelta(days=2, seconds=1)) == 1
    db.session.commit()
    assert _count(UsedFormToken) == 0


# The same form posted by several requests at the same instant


@pytest.fixture
def crowded(monkeypatch):
    """Every copy has passed validation before any of them saves, and each save's audit
    write is slow, so the copies' transactions overlap."""
    real_record = audit.record

    def slow_record(*args, **kwargs):
        time.sleep(0.2)
        return real_record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", slow_record)
    together = threading.Barrier(COPIES)
    crowd = threading.Event()
    crowd.set()
    for views in (entry_views, transfer_views):
        real = views.first_submission

        def rendezvous(form, _real=real):
            if crowd.is_set():
                together.wait(timeout=20)
            return _real(form)

        monkeypatch.setattr(views, "first_submission", rendezvous)
    return crowd


def _clients(app, user):
    clients = []
    for _ in range(COPIES):
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        clients.append(client)
    return clients


def test_copies_of_an_entry_form_posted_at_once_create_one_entry(app, user, household, crowded):
    clients = _clients(app, user)
    data = entry_form(household, form_token=_token(clients[0], "/entries/new"))
    responses = at_once([lambda c=c: c.post("/entries/new", data=data) for c in clients])
    assert [r.status_code for r in responses] == [302] * COPIES
    assert _count(Entry) == 1
    told = [c for c, r in zip(clients, responses, strict=True) if ALREADY in c.get(r.headers["Location"]).text]
    assert len(told) == COPIES - 1
    # And a replay later (the same day) still creates nothing.
    crowded.clear()
    assert clients[0].post("/entries/new", data=data).status_code == 302
    assert _count(Entry) == 1


def test_copies_of_a_transfer_form_posted_at_once_create_one_transfer(app, user, household, crowded):
    savings = _savings(household)
    clients = _clients(app, user)
    data = transfer_form(checking_account(household), savings, form_token=_token(clients[0], "/transfers/new"))
    responses = at_once([lambda c=c: c.post("/transfers/new", data=data) for c in clients])
    assert [r.status_code for r in responses] == [302] * COPIES
    assert _count(Transfer) == 1
