"""The hand-off between the password step and a second factor (finora.web.auth.signin)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import time_machine
from flask import session
from sqlalchemy import select

from finora.extensions import db
from finora.models import AuditEvent
from finora.web.auth.signin import (
    PENDING_KEY,
    clear_pending_sign_in,
    finish_sign_in,
    pending_sign_in_user,
)
from tests.factories import create_user
from tests.web.session_helpers import live_sessions


def _pending(user, next_url="/profile", started=None):
    session[PENDING_KEY] = {"user_id": user.id, "remember": True, "next": next_url,
                            "started": int(started if started is not None else time.time())}


def test_a_pending_sign_in_lasts_five_minutes(app, user):
    start = datetime(2026, 8, 1, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock, app.test_request_context("/"):
        _pending(user)
        found, data = pending_sign_in_user()
        assert found.id == user.id and data["remember"] is True and data["next"] == "/profile"
        clock.shift(timedelta(minutes=5, seconds=1))
        assert pending_sign_in_user() is None
        assert PENDING_KEY not in session


def test_a_pending_sign_in_of_a_disabled_user_is_dropped(app, user):
    other = create_user(status="disabled")
    with app.test_request_context("/"):
        _pending(other)
        assert pending_sign_in_user() is None
        _pending(user)
        clear_pending_sign_in()
        assert pending_sign_in_user() is None


def test_finishing_goes_to_the_kept_next_and_records_the_method(app, user):
    with app.test_request_context("/", headers={"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/1"}):
        _pending(user, next_url="/profile/sessions")
        response = finish_sign_in(user, remember=True, method="totp")
        assert response.status_code == 302 and response.location == "/profile/sessions"
        assert PENDING_KEY not in session
        assert session["_user_id"].startswith(f"{user.id}:")
    [record] = live_sessions(user)
    assert record.remember is True and record.label == "Firefox on Linux"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.signed_in"))
    assert event.details == {"method": "totp"} and event.user_id == user.id


def test_an_unsafe_kept_next_falls_back_to_the_dashboard(app, user):
    with app.test_request_context("/"):
        _pending(user, next_url="https://evil.example/")
        assert finish_sign_in(user, remember=False, method="totp").location == "/dashboard"
