"""Five failed sign-ins in a row lock an account for 15 minutes from where they came,
without telling anyone whether an e-mail address has an account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import AuditEvent, User
from finora.models.security import SignInFailure
from tests.factories import create_user
from tests.web.session_helpers import actions, browser, is_signed_in, sign_in

GENERIC = (
    "Invalid e-mail or password. After 5 failed attempts in a row, signing in to the "
    "account from this network is locked for 15 minutes."
)
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _error(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('class="alert alert-danger" role="alert">')[1].split("</div>")[0]


def _fail(client, email, times=1):
    return [client.post("/login", data={"email": email, "password": "wrong guess"})
            for _ in range(times)]


def test_five_failures_lock_the_account_even_for_the_right_password(app, user):
    with time_machine.travel(START, tick=False):
        client = browser(app)
        for response in _fail(client, user.email, 5):
            assert response.status_code == 422 and _error(response) == GENERIC
        db.session.expire_all()
        pair = db.session.scalar(select(SignInFailure).where(SignInFailure.user_id == user.id))
        assert (pair.source, pair.failures) == ("127.0.0.1", 5)
        assert pair.locked_until == START + timedelta(minutes=15)
        assert db.session.get(User, user.id).locked_until is None  # not the whole account
        right = sign_in(client, user)
        assert right.status_code == 422 and _error(right) == GENERIC
        assert not is_signed_in(client)
        assert actions(user).count("auth.sign_in_failed") == 6
        assert actions(user).count("auth.locked") == 1
        reasons = [e.details["reason"] for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
            .order_by(AuditEvent.id))]
        assert reasons == ["password"] * 5 + ["locked"]


def test_the_lock_ends_after_fifteen_minutes_and_success_resets_the_count(app, user):
    with time_machine.travel(START, tick=False) as clock:
        client = browser(app)
        _fail(client, user.email, 5)
        clock.shift(timedelta(minutes=14, seconds=59))
        assert sign_in(client, user).status_code == 422
        clock.shift(timedelta(seconds=2))
        assert sign_in(client, user).status_code == 302
        db.session.expire_all()
        fresh = db.session.get(User, user.id)
        assert fresh.failed_sign_ins == 0 and fresh.locked_until is None
        assert db.session.scalar(select(SignInFailure)) is None


def test_failures_must_be_in_a_row(app, user):
    client = browser(app)
    _fail(client, user.email, 4)
    assert sign_in(client, user).status_code == 302
    client.post("/logout")
    _fail(client, user.email, 4)
    assert sign_in(client, user).status_code == 302
    assert "auth.locked" not in actions(user)


def test_an_unknown_email_gets_the_same_answer_as_a_locked_account(app, user):
    client = browser(app)
    _fail(client, user.email, 5)
    locked_answer = sign_in(client, user)
    unknown_answers = _fail(client, "nobody@example.com", 6)
    assert {_error(r) for r in unknown_answers} == {_error(locked_answer)}
    assert {r.status_code for r in unknown_answers} == {locked_answer.status_code}
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_email == "nobody@example.com")).all()
    assert len(events) == 6 and {e.action for e in events} == {"auth.sign_in_failed"}
    assert all(e.user_id is None and e.ip_address == "127.0.0.1" for e in events)


def test_a_locked_pending_account_does_not_reveal_its_state(app, user):
    waiting = create_user(status="pending")
    client = browser(app)
    _fail(client, waiting.email, 5)
    response = sign_in(client, waiting)
    assert response.status_code == 422
    assert "approval" not in response.get_data(as_text=True)


def test_locking_one_account_leaves_others_alone(app, user):
    other = create_user()
    client = browser(app)
    _fail(client, user.email, 5)
    assert sign_in(browser(app), other).status_code == 302
