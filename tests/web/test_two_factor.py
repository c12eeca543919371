"""Two-factor through the test client: set-up in the profile (QR code, manual key, confirm,
backup codes shown once), the sign-in step after the password, lockout, turning it off."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import AuditEvent
from tests.factories import PASSWORD
from tests.web.session_helpers import actions, browser, is_signed_in, sign_in

START = datetime(2026, 7, 1, 9, 0, 5, tzinfo=UTC)
SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
BACKUP = re.compile(r'<li class="col backup-code">([a-z2-7]{4}-[a-z2-7]{4})</li>')


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def later(clock, seconds: float) -> None:
    clock.shift(timedelta(seconds=seconds))


def code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def turn_on(client) -> tuple[str, list[str]]:
    """Set up two-factor from the profile as a user would; the secret and the backup codes."""
    assert client.post("/profile/two-factor/setup").status_code == 302
    page = client.get("/profile/two-factor").get_data(as_text=True)
    secret = SECRET.search(page).group(1).replace(" ", "")
    confirmed = client.post("/profile/two-factor/confirm", data={"code": code(secret)})
    assert confirmed.status_code == 200
    codes = BACKUP.findall(confirmed.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def password_step(client, user):
    response = sign_in(client, user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/two-factor")
    return response


def test_set_up_shows_a_local_qr_code_and_the_key_then_backup_codes_once(clock, signed_in, user):
    page = signed_in.get("/profile/two-factor").get_data(as_text=True)
    assert 'id="two-factor-start"' in page and "totp-qr" not in page  # GET changes nothing
    signed_in.post("/profile/two-factor/setup")
    page = signed_in.get("/profile/two-factor").get_data(as_text=True)
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="[^"]+"', page)
    secret = SECRET.search(page).group(1).replace(" ", "")
    assert len(secret) == 32

    wrong = signed_in.post("/profile/two-factor/confirm", data={"code": "12345"})
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "That code is not correct" in text and 'value="12345"' in text
    db.session.expire_all()
    assert not user.totp_enabled

    confirmed = signed_in.post("/profile/two-factor/confirm", data={"code": code(secret)})
    text = confirmed.get_data(as_text=True)
    assert len(BACKUP.findall(text)) == 10 and "Finora cannot show these codes again." in text
    assert confirmed.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert user.totp_enabled and "totp.enabled" in actions(user)
    again = signed_in.get("/profile/two-factor").get_data(as_text=True)
    assert BACKUP.findall(again) == [] and SECRET.search(again) is None
    assert "10 backup codes left." in again
    assert "On" in signed_in.get("/profile").get_data(as_text=True)


def test_sign_in_asks_for_the_code_after_the_password(clock, app, signed_in, user):
    secret, _codes = turn_on(signed_in)
    later(clock, 30)
    client = browser(app)
    password_step(client, user)
    assert not is_signed_in(client)  # the password alone is not enough
    page = client.get("/login/two-factor")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.get_data(as_text=True)
    good = client.post("/login/two-factor", data={"code": code(secret)})
    assert good.status_code == 302 and good.headers["Location"].endswith("/dashboard")
    assert is_signed_in(client)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.signed_in").order_by(AuditEvent.id.desc())
    ).first()
    assert event.details == {"method": "totp"}


def test_a_code_is_refused_the_second_time_and_two_steps_away(clock, app, signed_in, user):
    secret, _codes = turn_on(signed_in)
    later(clock, 30)
    first = browser(app)
    password_step(first, user)
    used = code(secret)
    assert first.post("/login/two-factor", data={"code": used}).status_code == 302
    second = browser(app)
    password_step(second, user)
    replay = second.post("/login/two-factor", data={"code": used})
    assert replay.status_code == 422 and not is_signed_in(second)
    too_old = pyotp.TOTP(secret).at(START + timedelta(seconds=30 - 60))
    assert second.post("/login/two-factor", data={"code": too_old}).status_code == 422
    too_new = pyotp.TOTP(secret).at(START + timedelta(seconds=30 + 60))
    assert second.post("/login/two-factor", data={"code": too_new}).status_code == 422
    ahead = pyotp.TOTP(secret).at(START + timedelta(seconds=30 + 30))  # one step ahead: fine
    assert second.post("/login/two-factor", data={"code": ahead}).status_code == 302


def test_a_backup_code_signs_in_once(clock, app, signed_in, user):
    _secret, codes = turn_on(signed_in)
    client = browser(app)
    password_step(client, user)
    response = client.post("/login/two-factor", data={"code": codes[0].upper()}, follow_redirects=True)
    assert "9 backup codes are left." in response.get_data(as_text=True)
    other = browser(app)
    password_step(other, user)
    assert other.post("/login/two-factor", data={"code": codes[0]}).status_code == 422
    assert not is_signed_in(other)


def test_wrong_codes_count_toward_the_lockout(clock, app, signed_in, user):
    secret, _codes = turn_on(signed_in)
    later(clock, 30)
    client = browser(app)
    password_step(client, user)
    statuses = [client.post("/login/two-factor", data={"code": "000000"}).status_code for _ in range(4)]
    assert statuses == [422] * 4
    locked = client.post("/login/two-factor", data={"code": "000000"})
    assert locked.status_code == 302 and locked.headers["Location"].endswith("/login")
    db.session.expire_all()
    assert user.locked_until is not None and "auth.locked" in actions(user)
    # Locked: even the right password and code do not get in until the lock ends.
    assert sign_in(browser(app), user).status_code == 422
    later(clock, 15 * 60 + 1)
    fresh = browser(app)
    password_step(fresh, user)
    assert fresh.post("/login/two-factor", data={"code": code(secret)}).status_code == 302
    failures = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed").order_by(AuditEvent.id)
    ).all()
    assert len(failures) >= 5 and failures[0].details["method"] == "totp"


def test_the_code_step_expires_after_five_minutes(clock, app, signed_in, user):
    secret, _codes = turn_on(signed_in)
    client = browser(app)
    password_step(client, user)
    later(clock, 5 * 60 + 1)
    late = client.post("/login/two-factor", data={"code": code(secret)})
    assert late.status_code == 302 and late.headers["Location"].endswith("/login")
    assert not is_signed_in(client)
    never_started = browser(app).get("/login/two-factor")
    assert never_started.status_code == 302 and never_started.headers["Location"].endswith("/login")


def test_turning_off_needs_the_password_and_a_code(clock, signed_in, user):
    secret, codes = turn_on(signed_in)
    later(clock, 30)
    no_password = signed_in.post("/profile/two-factor/disable", data={"password": "not my password", "code": code(secret)})
    assert no_password.status_code == 422 and "The password is not correct." in no_password.get_data(as_text=True)
    no_code = signed_in.post("/profile/two-factor/disable", data={"password": PASSWORD, "code": "999999"})
    assert no_code.status_code == 422 and 'value="999999"' in no_code.get_data(as_text=True)
    db.session.expire_all()
    assert user.totp_enabled
    off = signed_in.post("/profile/two-factor/disable", data={"password": PASSWORD, "code": code(secret)})
    assert off.status_code == 302
    db.session.expire_all()
    assert not user.totp_enabled and "totp.disabled" in actions(user)


def test_new_backup_codes_need_a_code(clock, signed_in, user):
    secret, old = turn_on(signed_in)
    refused = signed_in.post("/profile/two-factor/backup-codes", data={"code": old[0]})
    assert refused.status_code == 422
    later(clock, 30)
    made = signed_in.post("/profile/two-factor/backup-codes", data={"code": code(secret)})
    new = BACKUP.findall(made.get_data(as_text=True))
    assert len(new) == 10 and set(new).isdisjoint(old)
    assert "backup_codes.regenerated" in actions(user)


def test_the_code_step_is_limited_to_ten_per_minute(app_factory):
    from tests.factories import create_user

    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        user = create_user()
        signer = browser(app)
        signer.post("/login", data={"email": user.email, "password": PASSWORD})
        signer.post("/profile/two-factor/setup")
        page = signer.get("/profile/two-factor").get_data(as_text=True)
        secret = SECRET.search(page).group(1).replace(" ", "")
        signer.post("/profile/two-factor/confirm", data={"code": code(secret)})
        user.failed_sign_ins = 0
        db.session.commit()
        client = browser(app)
        sign_in(client, user)
        statuses = [client.post("/login/two-factor", data={}).status_code for _ in range(11)]
        assert statuses == [422] * 10 + [429]


def test_wrong_passwords_and_wrong_codes_share_one_lockout_count(clock, app, signed_in, user):
    """Three wrong passwords then two wrong codes are five failures in a row: locked."""
    turn_on(signed_in)
    later(clock, 30)
    client = browser(app)
    for _ in range(3):
        assert sign_in(client, user, password="not the password").status_code == 422
    password_step(client, user)  # a right password alone does not reset the count
    assert client.post("/login/two-factor", data={"code": "000000"}).status_code == 422
    locked = client.post("/login/two-factor", data={"code": "000000"})
    assert locked.status_code == 302 and locked.headers["Location"].endswith("/login")
    assert not is_signed_in(client)
    # Locked where the failures came from; five wrong codes are needed to lock everywhere.
    assert sign_in(browser(app), user).status_code == 422
    elsewhere = browser(app)
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert sign_in(elsewhere, user).status_code == 302
