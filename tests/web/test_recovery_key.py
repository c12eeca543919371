"""The recovery key: made at sign-up and shown once, kept as a keyed hash, good for one
password reset without e-mail (which also turns two-factor off), regenerated with the password."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import time_machine
from sqlalchemy import select

from finora.crypto import hash_token
from finora.extensions import db
from finora.models import ApiToken, User
from finora.models.security import RecoveryKeyDisplay
from finora.services.people.passwords import verify_password
from finora.services.people.recovery_key import normalise_key
from finora.services.people.totp import begin_setup, confirm_setup
from tests.factories import PASSWORD, create_user
from tests.web.session_helpers import actions, browser, is_signed_in, live_sessions, sign_in

KEY = re.compile(r'id="recovery-key">([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})<')
NEW_PASSWORD = "a brand new passphrase"
GENERIC = "That e-mail address and recovery key do not match."


def signup_form(email: str = "ana@example.com") -> dict[str, str]:
    return {
        "name": "Ana Souza", "email": email, "password": PASSWORD, "confirm": PASSWORD,
        "household_name": "Família Souza", "locale": "en", "currency": "BRL",
        "timezone": "America/Sao_Paulo",
    }


def key_on(page: str) -> str:
    found = KEY.findall(page)
    assert len(found) == 1, "no recovery key on the page"
    return found[0]


def recover(client, email: str, key: str, password: str = NEW_PASSWORD):
    return client.post("/recovery", data={
        "email": email, "recovery_key": key, "password": password, "confirm": password,
    })


def stored_user(email: str = "ana@example.com") -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_sign_up_shows_the_key_once_and_keeps_only_a_hash(client):
    response = client.post("/signup", data=signup_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup/recovery-key")
    page = client.get("/signup/recovery-key")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    key = key_on(text)
    assert len(normalise_key(key)) == 32  # 160 bits of base32
    assert "Finora cannot show this key again." in text
    assert 'data-download-name="finora-recovery-key.txt"' in text and "data-print" in text
    assert 'href="/dashboard"' in text and is_signed_in(client)

    user = stored_user()
    assert user.recovery_key_hash and normalise_key(key) not in user.recovery_key_hash
    assert key not in user.recovery_key_hash and len(user.recovery_key_hash) == 64
    assert "recovery_key.created" in actions(user)

    # Never again: not on a reload, not on the profile.
    again = client.get("/signup/recovery-key")
    assert again.status_code == 302 and again.headers["Location"].endswith("/dashboard")
    profile = client.get("/profile/recovery-key").get_data(as_text=True)
    assert normalise_key(key) not in normalise_key(profile) and "Made on" in profile


def test_a_copied_session_cookie_cannot_show_the_key_again(app, client):
    """The key is held server-side, one time; the cookie carries only a random reference."""
    client.post("/signup", data=signup_form())
    with client.session_transaction() as kept:
        reference = kept["new_recovery_key"]
    assert isinstance(reference, str) and len(reference) >= 40
    held = db.session.scalar(select(RecoveryKeyDisplay))
    assert held.reference_hash == hash_token(reference) and reference not in held.encrypted_key
    copied = client.get_cookie("session").value
    key = key_on(client.get("/signup/recovery-key").get_data(as_text=True))
    assert normalise_key(key) not in normalise_key(copied)
    assert db.session.scalar(select(RecoveryKeyDisplay)) is None  # shown: gone
    thief = app.test_client()
    thief.set_cookie("session", copied)
    replay = thief.get("/signup/recovery-key")
    assert replay.status_code == 302 and 'id="recovery-key"' not in replay.get_data(as_text=True)


def test_a_pending_sign_up_sees_its_key_once_too(app_factory):
    app = app_factory(REGISTRATION_MODE="approval")
    client = app.test_client()
    with app.app_context():
        create_user()  # the admin; later sign-ups wait for approval
        assert client.post("/signup", data=signup_form()).status_code == 302
        text = client.get("/signup/recovery-key").get_data(as_text=True)
        key_on(text)
        assert 'href="/signup/pending"' in text and "waiting for the administrator" in text
        assert client.get("/signup/recovery-key").status_code == 302
        assert not is_signed_in(client)


def test_the_key_resets_the_password_once_and_a_new_key_is_shown(app, client):
    client.post("/signup", data=signup_form())
    key = key_on(client.get("/signup/recovery-key").get_data(as_text=True))
    user = stored_user()
    phone = browser(app)
    sign_in(phone, user)
    db.session.add(ApiToken(user_id=user.id, household_id=user.memberships[0].household_id,
                            name="script", token_hash="b" * 64))
    db.session.commit()

    visitor = app.test_client()
    weak = recover(visitor, user.email, key.lower().replace("-", " "), "short")
    assert weak.status_code == 422 and "Use at least 10 characters." in weak.get_data(as_text=True)
    assert stored_user().recovery_key_hash == user.recovery_key_hash  # not spent by a refusal

    done = recover(visitor, user.email, key.lower().replace("-", " "))
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    new_key = key_on(text)
    assert new_key != key and "Finora cannot show this key again." in text
    user = stored_user()
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert live_sessions(user) == [] and not is_signed_in(client) and not is_signed_in(phone)
    assert db.session.scalar(select(ApiToken)).revoked_at is not None
    recent = actions(user)
    assert "recovery_key.used" in recent and recent[-1] == "recovery_key.created"
    assert "password.reset" in recent

    # The used key is dead; the new one works.
    assert recover(visitor, user.email, key, "another passphrase 1").status_code == 422
    assert recover(visitor, user.email, new_key, "another passphrase 1").status_code == 200


def test_wrong_key_and_unknown_address_get_the_same_answer(client):
    client.post("/signup", data=signup_form())
    key = key_on(client.get("/signup/recovery-key").get_data(as_text=True))
    visitor = client.application.test_client()
    wrong_key = recover(visitor, "ana@example.com", "AAAA-" * 7 + "AAAA")
    unknown = recover(visitor, "nobody@example.com", key)
    for response, email in ((wrong_key, "ana@example.com"), (unknown, "nobody@example.com")):
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and GENERIC in text
        assert f'value="{email}"' in text  # what was typed stays
    assert verify_password(stored_user().password_hash, PASSWORD)


def test_using_the_key_turns_two_factor_off(app, client):
    client.post("/signup", data=signup_form())
    key = key_on(client.get("/signup/recovery-key").get_data(as_text=True))
    user = stored_user()
    secret = begin_setup(db.session, user)
    confirm_setup(db.session, user, pyotp.TOTP(secret).now())
    db.session.commit()
    assert recover(app.test_client(), user.email, key).status_code == 200
    user = stored_user()
    assert not user.totp_enabled and user.totp_secret is None
    assert "totp.disabled" in actions(user)
    # Password alone signs in again.
    assert sign_in(app.test_client(), user, password=NEW_PASSWORD).headers["Location"].endswith("/dashboard")


def test_regenerating_needs_the_password_and_replaces_the_key(signed_in, user):
    wrong = signed_in.post("/profile/recovery-key", data={"password": "not it at all"})
    assert wrong.status_code == 422 and "The password is not correct." in wrong.get_data(as_text=True)
    assert stored_user(user.email).recovery_key_hash is None
    made = signed_in.post("/profile/recovery-key", data={"password": PASSWORD})
    first = key_on(made.get_data(as_text=True))
    again = signed_in.post("/profile/recovery-key", data={"password": PASSWORD})
    second = key_on(again.get_data(as_text=True))
    assert first != second
    visitor = signed_in.application.test_client()
    assert recover(visitor, user.email, first).status_code == 422
    assert recover(visitor, user.email, second).status_code == 200
    assert actions(user).count("recovery_key.created") == 3  # two by hand, one after use


def test_the_sign_up_key_is_not_shown_after_fifteen_minutes(client):
    start = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client.post("/signup", data=signup_form())
        traveller.move_to(start + timedelta(minutes=16))
        response = client.get("/signup/recovery-key")
        assert response.status_code == 302 and not KEY.findall(response.get_data(as_text=True))


def test_recovery_is_limited_to_ten_per_minute(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    with app.app_context():
        statuses = [recover(client, "x@example.com", "AAAA").status_code for _ in range(11)]
        assert statuses == [422] * 10 + [429]
        assert client.get("/recovery").status_code == 200


def test_recovering_with_the_key_voids_an_open_reset_link(app, client, smtp_server):
    from tests.web.test_password_reset import BASE, ask_for_link, link_in, path_of, set_password

    app.config["APP_BASE_URL"] = BASE
    # The clock stands still: the link and the new password share the same instant, as
    # they share a second on MariaDB (whole seconds). The link must end all the same.
    with time_machine.travel(datetime(2026, 5, 4, 12, 0, tzinfo=UTC), tick=False):
        client.post("/signup", data=signup_form())
        key = key_on(client.get("/signup/recovery-key").get_data(as_text=True))
        visitor = app.test_client()
        ask_for_link(visitor, "ana@example.com")
        link = link_in(smtp_server.last())
        recovered = recover(app.test_client(), "ana@example.com", key)
        assert recovered.status_code == 200 and key_on(recovered.get_data(as_text=True)) != key
        assert visitor.get(path_of(link)).status_code == 404
        assert set_password(visitor, link, "sneaky new passphrase").status_code == 404
    assert verify_password(stored_user().password_hash, NEW_PASSWORD)
