"""The per-user inactivity timeout: enforced by the server, warned about on the page,
extended only by page requests and the explicit "Stay signed in" button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from finora.extensions import db
from finora.models import User
from tests.factories import PASSWORD, create_user
from tests.web.session_helpers import (
    actions,
    browser,
    copy_cookie,
    is_signed_in,
    live_sessions,
    sign_in,
)

START = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def _set_timeout(client, minutes):
    return client.post("/profile/session-timeout", data={"minutes": str(minutes or "")})


def test_choosing_a_timeout(app, user):
    client = browser(app)
    sign_in(client, user)
    page = client.get("/profile/session-timeout").get_data(as_text=True)
    assert "After 30 minutes of inactivity" in page and ">Off<" in page
    assert _set_timeout(client, 15).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).session_timeout_minutes == 15
    assert 'selected value="15"' in client.get("/profile/session-timeout").get_data(as_text=True)
    bad = client.post("/profile/session-timeout", data={"minutes": "7"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    assert _set_timeout(client, None).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).session_timeout_minutes is None
    assert "session_timeout.changed" in actions(user)


def test_inactivity_ends_the_session_and_says_why(app, user):
    with time_machine.travel(START, tick=False) as clock:
        client = browser(app)
        sign_in(client, user, remember=True)
        remember_cookie = client.get_cookie("remember_token").value
        _set_timeout(client, 5)
        clock.shift(timedelta(minutes=4, seconds=50))
        assert is_signed_in(client)  # activity: the five minutes start again
        clock.shift(timedelta(minutes=4, seconds=50))
        assert is_signed_in(client)
        clock.shift(timedelta(minutes=5))
        response = client.get("/profile")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "You were signed out after 5 minutes of inactivity." in page
        assert live_sessions(user) == []
        assert "auth.signed_out" in actions(user)
        # The remember-me cookie of that session is dead too.
        assert client.get_cookie("remember_token") is None  # cleared on the way out
        fresh = browser(app)
        fresh.set_cookie("remember_token", remember_cookie)
        assert not is_signed_in(fresh)


def test_the_remember_me_cookie_alone_does_not_outlive_the_timeout(app, user):
    with time_machine.travel(START, tick=False) as clock:
        client = browser(app)
        sign_in(client, user, remember=True)
        _set_timeout(client, 5)
        fresh = browser(app)
        copy_cookie(client, fresh, "remember_token")
        clock.shift(timedelta(minutes=6))
        assert not is_signed_in(fresh)
        assert not is_signed_in(client)


def test_other_users_without_a_timeout_stay_signed_in(app, user):
    with time_machine.travel(START, tick=False) as clock:
        client = browser(app)
        sign_in(client, user)
        clock.shift(timedelta(days=3))
        assert is_signed_in(client)


def test_keep_alive_restarts_the_count_and_reports_it(app, user):
    with time_machine.travel(START, tick=False) as clock:
        client = browser(app)
        sign_in(client, user)
        _set_timeout(client, 5)
        clock.shift(timedelta(minutes=4, seconds=30))
        response = client.post("/profile/session-timeout/keep-alive",
                               headers={"Accept": "application/json"})
        assert response.status_code == 200 and response.json == {"seconds_left": 300}
        clock.shift(timedelta(minutes=4, seconds=30))
        assert is_signed_in(client)


def test_keep_alive_needs_the_csrf_header_and_post(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = create_user()
        user.session_timeout_minutes = 5
        db.session.commit()
        client = browser(app)
        # The clock stands still: the full five minutes are left after the keep-alive.
        with time_machine.travel(datetime.now(UTC), tick=False):
            page = client.get("/login").get_data(as_text=True)
            token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            client.post(
                "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
            )
            page = client.get("/profile").get_data(as_text=True)
            meta = page.split('<meta name="csrf-token" content="')[1].split('"')[0]
            assert client.get("/profile/session-timeout/keep-alive").status_code == 405
            assert client.post("/profile/session-timeout/keep-alive").status_code == 400
            ok = client.post("/profile/session-timeout/keep-alive", headers={"X-CSRFToken": meta})
            assert ok.status_code == 200 and ok.json["seconds_left"] == 300


@time_machine.travel(START, tick=False)
def test_the_warning_is_on_pages_only_for_users_with_a_timeout(app, user):
    client = browser(app)
    assert 'id="session-timeout"' not in client.get("/login").get_data(as_text=True)
    sign_in(client, user)
    assert "session-timeout.js" not in client.get("/profile").get_data(as_text=True)
    _set_timeout(client, 10)
    page = client.get("/profile").get_data(as_text=True)
    assert 'id="session-timeout"' in page and "session-timeout.js" in page
    assert 'data-seconds-left="600"' in page and 'data-warning-seconds="60"' in page
    assert "Stay signed in" in page


def test_the_page_is_told_the_time_left_since_the_last_recorded_activity(app, user):
    with time_machine.travel(START, tick=False) as clock:
        client = browser(app)
        sign_in(client, user)
        _set_timeout(client, 5)
        clock.shift(timedelta(seconds=10))  # within the write interval: not recorded again
        page = client.get("/profile").get_data(as_text=True)
        assert 'data-seconds-left="290"' in page
        clock.shift(timedelta(seconds=20))
        page = client.get("/profile").get_data(as_text=True)
        assert 'data-seconds-left="300"' in page


def test_the_warning_lead_time_is_configurable(app_factory):
    app = app_factory(SESSION_WARNING_SECONDS=250)
    with app.app_context():
        user = create_user()
        user.session_timeout_minutes = 5
        db.session.commit()
        client = browser(app)
        sign_in(client, user)
        assert 'data-warning-seconds="250"' in client.get("/profile").get_data(as_text=True)
