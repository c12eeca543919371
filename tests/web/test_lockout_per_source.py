"""A stranger's wrong passwords lock only the place they come from: the owner signs in
from elsewhere. Guessing spread over many places is slowed to one try per place, and
current-password checks on profile pages count toward the same lockout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import AuditEvent, User
from finora.models.security import SignInFailure
from finora.services.people.auth import source_of
from tests.factories import PASSWORD, create_user
from tests.web.session_helpers import browser, is_signed_in, sign_in

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
STRANGER = "203.0.113.5"
OWNER = "198.51.100.7"
LOCKED_CHECKS = "Too many wrong passwords: try again in 15 minutes"


def _guess(client, user, times=1):
    return [sign_in(client, user, password="wrong guess").status_code for _ in range(times)]


def _pair(user, source):
    db.session.expire_all()
    return db.session.scalar(
        select(SignInFailure).where(SignInFailure.user_id == user.id, SignInFailure.source == source)
    )


def test_five_guesses_every_fifteen_minutes_never_lock_the_owner_out(app, user):
    with time_machine.travel(START, tick=False) as clock:
        stranger = browser(app, address=STRANGER)
        for _window in range(4):
            assert _guess(stranger, user, 5) == [422] * 5
            # The stranger's place is locked, even for the right password…
            assert sign_in(stranger, user).status_code == 422
            # …but the owner, somewhere else, signs in at once.
            owner = browser(app, address=OWNER)
            assert sign_in(owner, user).status_code == 302 and is_signed_in(owner)
            clock.shift(timedelta(minutes=15, seconds=1))
        assert _pair(user, OWNER) is None
        assert _pair(user, STRANGER).failures == 20


def test_hours_of_guessing_from_one_place_still_let_the_owner_in_elsewhere(app, user):
    """Past the account-wide alert the stranger gets one try per window; the owner, who has
    not signed in meanwhile, is still let in from elsewhere."""
    with time_machine.travel(START, tick=False) as clock:
        stranger = browser(app, address=STRANGER)
        for _window in range(8):  # five guesses every fifteen minutes for two hours
            _guess(stranger, user, 5)
            clock.shift(timedelta(minutes=15, seconds=1))
        db.session.expire_all()
        assert db.session.get(User, user.id).failed_sign_ins == 20 + 4
        assert sign_in(browser(app, address=OWNER), user).status_code == 302


def test_guesses_from_many_places_leave_each_place_one_try(app, user):
    with time_machine.travel(START, tick=False):
        for n in range(20):
            assert _guess(browser(app, address=f"192.0.2.{n + 1}"), user) == [422]
        db.session.expire_all()
        assert db.session.get(User, user.id).failed_sign_ins == 20
        # Past 20 failures since the last sign-in, a new place is locked at its first failure.
        late = browser(app, address="192.0.2.200")
        assert _guess(late, user) == [422]
        assert _pair(user, "192.0.2.200").locked_until == START + timedelta(minutes=15)
        assert sign_in(late, user).status_code == 422
        # A place with no failure still lets the owner in; that resets the account's count.
        owner = browser(app, address=OWNER)
        assert sign_in(owner, user).status_code == 302
        db.session.expire_all()
        assert db.session.get(User, user.id).failed_sign_ins == 0


def test_an_ipv6_guesser_cannot_rotate_inside_its_64(app, user):
    for n in range(5):
        assert _guess(browser(app, address=f"2001:db8:1:2::{n + 1:x}"), user) == [422]
    assert _pair(user, "2001:db8:1:2::/64").locked_until is not None
    assert sign_in(browser(app, address="2001:db8:1:2::abcd"), user).status_code == 422
    assert sign_in(browser(app, address="2001:db8:1:3::1"), user).status_code == 302
    assert source_of("::ffff:192.0.2.9") == "192.0.2.9" and source_of(None) == "unknown"


def _wrong_password_change(client):
    return client.post("/profile/password", data={
        "current_password": "not my password", "new_password": "a fresh passphrase 42",
        "confirm": "a fresh passphrase 42",
    })


def test_wrong_current_passwords_on_the_profile_lock_like_sign_in(app):
    user = create_user()
    thief = browser(app, address=STRANGER)
    assert sign_in(thief, user).status_code == 302
    for _ in range(5):
        response = _wrong_password_change(thief)
        assert response.status_code == 422
        assert "The current password is not correct." in response.get_data(as_text=True)
    # Locked: even the right password is not checked from here now.
    right = thief.post("/profile/recovery-key", data={"password": PASSWORD})
    assert right.status_code == 422 and LOCKED_CHECKS in right.get_data(as_text=True)
    assert "recovery_key.created" not in [
        e.action for e in db.session.scalars(select(AuditEvent))
    ]
    assert sign_in(browser(app, address=STRANGER), user).status_code == 422
    assert sign_in(browser(app, address=OWNER), user).status_code == 302
    reasons = [e.details["reason"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed").order_by(AuditEvent.id))]
    assert reasons == ["current_password"] * 5 + ["locked"]


def test_every_profile_password_check_counts(app):
    user = create_user()
    client = browser(app, address=STRANGER)
    sign_in(client, user)
    _wrong_password_change(client)
    client.post("/profile/recovery-key", data={"password": "not my password"})
    client.post("/profile/two-factor/disable", data={"password": "not my password", "code": "123456"})
    options = client.post(
        "/passkeys/register/options", data=json.dumps({"name": "Phone", "password": "nope"}),
        content_type="application/json",
    )
    assert options.status_code == 422 and options.get_json()["field"] == "password"
    assert _pair(user, STRANGER).failures == 4
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_sign_ins == 4
    # A right password resets this place's count (failures must be in a row).
    assert client.post("/profile/recovery-key", data={"password": PASSWORD}).status_code == 200
    assert _pair(user, STRANGER) is None


def test_a_new_password_lifts_every_lock(app):
    user = create_user()
    _guess(browser(app, address=STRANGER), user, 5)
    owner = browser(app, address=OWNER)
    sign_in(owner, user)
    changed = owner.post("/profile/password", data={
        "current_password": PASSWORD, "new_password": "a fresh passphrase 42",
        "confirm": "a fresh passphrase 42",
    })
    assert changed.status_code == 302
    assert db.session.scalar(select(SignInFailure)) is None
    assert sign_in(browser(app, address=STRANGER), user, password="a fresh passphrase 42").status_code == 302


def test_profile_password_checks_are_rate_limited_like_sign_in(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        user = create_user()
        client = browser(app)
        sign_in(client, user)
        statuses = [_wrong_password_change(client).status_code for _ in range(11)]
        assert statuses == [422] * 10 + [429]
        recovery = [client.post("/profile/recovery-key", data={"password": "x"}).status_code
                    for _ in range(11)]
        assert recovery == [422] * 10 + [429]
