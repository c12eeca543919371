"""Server-side sessions: recorded at sign-in, listed in the profile, revocable; a revoked
session stops working at once, remember-me cookie included."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import time_machine

from finora.extensions import db
from finora.models import ApiToken, UserSession
from tests.factories import PASSWORD, create_user
from tests.web.session_helpers import (
    CHROME_ANDROID,
    actions,
    browser,
    copy_cookie,
    is_signed_in,
    live_sessions,
    session_id_of,
    sign_in,
)


def test_sign_in_records_a_session_whose_token_is_kept_only_as_a_hash(app, user):
    client = browser(app, address="203.0.113.7")
    assert sign_in(client, user).status_code == 302
    [record] = live_sessions(user)
    assert record.label == "Firefox on Linux"
    assert record.ip_address == "203.0.113.7"
    assert record.remember is False
    user_id, token = session_id_of(client).split(":")
    assert user_id == str(user.id) and len(token) >= 40
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in record.token_hash
    assert "auth.signed_in" in actions(user)
    assert is_signed_in(client)


def test_the_sessions_page_lists_each_sign_in_and_marks_this_one(app, user):
    laptop, phone = browser(app), browser(app, CHROME_ANDROID, "198.51.100.4")
    sign_in(laptop, user)
    sign_in(phone, user, remember=True)
    page = laptop.get("/profile/sessions").get_data(as_text=True)
    laptop_row, phone_row = live_sessions(user)
    assert "Firefox on Linux" in page and "Chrome on Android" in page
    assert "198.51.100.4" in page and "Kept signed in" in page
    row = page.split(f'id="session-{laptop_row.id}"')[1].split("</tr>")[0]
    assert "This device" in row
    other = page.split(f'id="session-{phone_row.id}"')[1].split("</tr>")[0]
    assert "This device" not in other
    assert "Sign out everywhere else" in page


def test_labels_are_translated(app, user):
    """(Needs the sessions strings merged into the catalogues: /tmp/i18n/sessions.json.)"""
    client = browser(app)
    sign_in(client, user)
    client.post("/profile/details", data={"name": user.name, "locale": "pt", "timezone": ""})
    assert "Firefox no Linux" in client.get("/profile/sessions").get_data(as_text=True)


def test_signing_out_another_device_ends_it_and_its_remember_me_cookie(app, user):
    laptop, phone = browser(app), browser(app, CHROME_ANDROID)
    sign_in(laptop, user)
    sign_in(phone, user, remember=True)
    # A fresh browser holding only the phone's remember-me cookie is signed in...
    fresh = browser(app)
    copy_cookie(phone, fresh, "remember_token")
    remember_cookie = phone.get_cookie("remember_token").value
    assert is_signed_in(fresh)
    phone_row = live_sessions(user)[1]
    response = laptop.post(f"/profile/sessions/{phone_row.id}/revoke")
    assert response.status_code == 302
    # ...and so is nobody holding anything of that session any more.
    assert not is_signed_in(phone)
    assert not is_signed_in(fresh)
    replay = browser(app)
    replay.set_cookie("remember_token", remember_cookie)
    assert not is_signed_in(replay)
    assert is_signed_in(laptop)
    db.session.refresh(phone_row)
    assert phone_row.revoked_at is not None
    assert actions(user).count("session.revoked") == 1


def test_sign_out_everywhere_else_keeps_only_this_browser(app, user):
    here, *others = [browser(app) for _ in range(3)]
    sign_in(here, user)
    for other in others:
        sign_in(other, user, remember=True)
    assert len(live_sessions(user)) == 3
    response = here.post("/profile/sessions/revoke-others", follow_redirects=True)
    assert "2 other sessions were signed out." in response.get_data(as_text=True)
    assert [s.id for s in live_sessions(user)] == [int(live_sessions(user)[0].id)]
    assert all(not is_signed_in(other) for other in others)
    assert is_signed_in(here)
    assert "session.revoked" in actions(user)


def test_sign_out_this_device_on_the_current_row_signs_out(app, user):
    client = browser(app)
    sign_in(client, user)
    [record] = live_sessions(user)
    response = client.post(f"/profile/sessions/{record.id}/revoke")
    assert "/login" in response.headers["Location"]
    assert not is_signed_in(client)
    assert live_sessions(user) == []


def test_another_users_session_cannot_be_ended(app, user):
    stranger = create_user()
    theirs, mine = browser(app), browser(app)
    sign_in(theirs, stranger)
    sign_in(mine, user)
    [their_session] = live_sessions(stranger)
    assert mine.post(f"/profile/sessions/{their_session.id}/revoke").status_code == 404
    assert mine.post("/profile/sessions/999999/revoke").status_code == 404
    assert is_signed_in(theirs)
    assert f'id="session-{their_session.id}"' not in mine.get("/profile/sessions").get_data(as_text=True)


def test_sign_out_ends_the_session_so_a_copied_cookie_is_useless(app, user):
    client = browser(app)
    sign_in(client, user, remember=True)
    stolen = browser(app)
    copy_cookie(client, stolen, "session")
    copy_cookie(client, stolen, "remember_token")
    assert is_signed_in(stolen)
    assert client.post("/logout").status_code == 302
    assert not is_signed_in(client)
    assert not is_signed_in(stolen)
    assert live_sessions(user) == []
    assert "auth.signed_out" in actions(user)


def test_ending_a_session_is_post_only_with_csrf(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = create_user()
        client = browser(app)
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        other = browser(app)
        token2 = other.get("/login").get_data(as_text=True).split(
            'name="csrf_token" type="hidden" value="')[1].split('"')[0]
        other.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token2})
        _, theirs = live_sessions(user)
        assert client.get(f"/profile/sessions/{theirs.id}/revoke").status_code == 405
        assert client.post(f"/profile/sessions/{theirs.id}/revoke").status_code == 400
        assert client.post("/profile/sessions/revoke-others").status_code == 400
        assert len(live_sessions(user)) == 2


def test_last_seen_is_written_at_most_once_a_minute(app, user):
    start = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = browser(app)
        sign_in(client, user)
        clock.shift(timedelta(seconds=30))
        assert is_signed_in(client)
        assert live_sessions(user)[0].last_seen_at == start
        clock.shift(timedelta(seconds=31))
        assert is_signed_in(client)
        assert live_sessions(user)[0].last_seen_at == start + timedelta(seconds=61)


def test_a_session_id_without_a_live_record_is_refused(app, user):
    client = browser(app)
    sign_in(client, user)
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(user.id)  # the old style: a bare user id
    assert not is_signed_in(client)
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = f"{user.id}:forged-token"
    assert not is_signed_in(client)


def test_changing_the_password_ends_other_sessions_and_api_tokens(app, user):
    here, elsewhere = browser(app), browser(app, CHROME_ANDROID)
    sign_in(here, user)
    sign_in(elsewhere, user, remember=True)
    household_id = user.memberships[0].household_id
    db.session.add(ApiToken(user_id=user.id, household_id=household_id, name="script",
                            token_hash="a" * 64))
    db.session.commit()

    wrong = here.post("/profile/password", data={
        "current_password": "not it", "new_password": "a brand new secret", "confirm": "a brand new secret"})
    assert wrong.status_code == 422
    assert "The current password is not correct." in wrong.get_data(as_text=True)
    assert is_signed_in(elsewhere)

    response = here.post("/profile/password", data={
        "current_password": PASSWORD, "new_password": "a brand new secret",
        "confirm": "a brand new secret"}, follow_redirects=True)
    assert "Your password was changed. 1 other session was signed out." in response.get_data(as_text=True)
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).password_changed_at is not None
    assert all(token.revoked_at is not None for token in db.session.query(ApiToken))
    assert "password.changed" in actions(user)
    here.post("/logout")
    assert sign_in(here, user).status_code == 422
    assert sign_in(here, user, password="a brand new secret").status_code == 302


def test_a_weak_or_mismatched_new_password_is_refused_beside_its_field(app, user):
    client = browser(app)
    sign_in(client, user)
    short = client.post("/profile/password", data={
        "current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "Use at least 10 characters." in short.get_data(as_text=True)
    mismatch = client.post("/profile/password", data={
        "current_password": PASSWORD, "new_password": "a brand new secret", "confirm": "other"})
    assert mismatch.status_code == 422
    assert "The passwords do not match." in mismatch.get_data(as_text=True)
    same = client.post("/profile/password", data={
        "current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD})
    assert "different from the current one" in same.get_data(as_text=True)
    wrong = client.post("/profile/password", data={
        "current_password": "not my password", "new_password": "a brand new secret",
        "confirm": "a brand new secret"})
    assert wrong.status_code == 422
    assert "The current password is not correct." in wrong.get_data(as_text=True)
    assert db.session.query(UserSession).filter(UserSession.revoked_at.isnot(None)).count() == 0
    db.session.expire_all()
    assert user.password_changed_at is None and "password.changed" not in actions(user)
    assert sign_in(browser(app), user).status_code == 302  # the old password still works


def test_the_per_request_session_check_is_one_read_and_no_write(app, user):
    """Every signed-in request checks its session: one query (session and user together),
    and nothing written while last_seen_at is fresh."""
    from sqlalchemy import event

    start = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = browser(app)
        sign_in(client, user)
        clock.shift(timedelta(seconds=10))
        statements: list[str] = []

        def note(_conn, _cursor, statement, *_args):
            statements.append(" ".join(statement.lower().split()))

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert client.get("/profile/details").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
    session_reads = [s for s in statements if "from user_sessions" in s]
    assert len(session_reads) == 1 and "join users" in session_reads[0]
    assert not [s for s in statements if s.startswith(("update", "insert", "delete"))]
