"""Password reset by e-mail through a real SMTP server on loopback: the link in the captured
mail is followed; it lasts one hour, works once, and dies with a newer link or a password
change; it is built from APP_BASE_URL, never from the Host header."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from finora.crypto import hash_token
from finora.extensions import db
from finora.models import ApiToken, AuditEvent, PasswordResetToken
from finora.services.people.passwords import verify_password
from tests.factories import PASSWORD, create_user
from tests.web.session_helpers import actions, browser, is_signed_in, live_sessions, sign_in

BASE = "https://money.example.org"
NEW_PASSWORD = "a brand new passphrase"
GENERIC = "If an account exists for that address, a link to choose a new password is on its way."
LINK = re.compile(r"https://money\.example\.org/reset-password/[A-Za-z0-9_-]+")


@pytest.fixture
def app(app):
    """The default app (the one `smtp_server` points at), its links built from BASE."""
    app.config["APP_BASE_URL"] = BASE
    return app


@pytest.fixture
def mail_log(caplog):
    """What finora.mail writes (it does not propagate to the root logger)."""
    logger = logging.getLogger("finora.mail")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="finora.mail")
    yield caplog
    logger.removeHandler(caplog.handler)


def ask_for_link(client, email: str):
    return client.post("/forgot-password", data={"email": email})


def link_in(mail) -> str:
    body = mail.get_body(preferencelist=("plain",)).get_content()
    found = LINK.findall(body)
    assert len(found) == 1, body
    return found[0]


def path_of(link: str) -> str:
    return link.removeprefix(BASE)


def set_password(client, link: str, password: str = NEW_PASSWORD):
    return client.post(path_of(link), data={"password": password, "confirm": password})


def test_reset_by_e_mailed_link_end_to_end(app, client, smtp_server):
    user = create_user()
    other_browser = browser(app)
    sign_in(other_browser, user)
    db.session.add(ApiToken(user_id=user.id, household_id=user.memberships[0].household_id,
                            name="script", token_hash="a" * 64))
    user.failed_sign_ins, user.locked_until = 3, datetime.now(UTC) + timedelta(minutes=10)
    db.session.commit()

    assert client.get("/login").get_data(as_text=True).count('href="/forgot-password"') == 1
    response = ask_for_link(client, user.email.upper())
    assert response.status_code == 302
    sent = client.get(response.headers["Location"]).get_data(as_text=True)
    assert GENERIC in sent and 'id="reset-logged"' not in sent

    mail = smtp_server.last()
    assert mail["To"] == user.email and mail["Subject"] == "Reset your Finora password"
    link = link_in(mail)
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(PasswordResetToken))
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert stored.expires_at - stored.created_at == timedelta(hours=1)

    page = client.get(path_of(link))
    assert page.status_code == 200 and 'id="reset-form"' in page.get_data(as_text=True)
    weak = set_password(client, link, "short")
    assert weak.status_code == 422 and "Use at least 10 characters." in weak.get_data(as_text=True)

    done = set_password(client, link)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.password_changed_at is not None
    assert user.failed_sign_ins == 0 and user.locked_until is None
    assert live_sessions(user) == [] and not is_signed_in(other_browser)
    assert db.session.scalar(select(ApiToken)).revoked_at is not None
    events = [a for a in actions(user) if a.startswith("password.")]
    assert events == ["password.reset_requested", "password.reset"]
    reset_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password.reset"))
    assert reset_event.details["sessions_ended"] == 1 and reset_event.details["api_tokens_revoked"] == 1

    # Signing in works with the new password only.
    assert sign_in(app.test_client(), user).status_code == 422
    assert sign_in(app.test_client(), user, password=NEW_PASSWORD).status_code == 302

    # Single use: the same link is dead now.
    again = client.get(path_of(link))
    assert again.status_code == 404 and 'id="reset-invalid"' in again.get_data(as_text=True)
    assert set_password(client, link, "yet another passphrase").status_code == 404
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW_PASSWORD)


def _card(response) -> str:
    return response.get_data(as_text=True).split('id="reset-sent"')[1].split("</main>")[0]


def test_unknown_address_gets_the_same_answer_and_no_mail(app, client, smtp_server):
    user = create_user()
    known = client.get(ask_for_link(client, user.email).headers["Location"])
    unknown_response = ask_for_link(client, "nobody@example.com")
    unknown = client.get(unknown_response.headers["Location"])
    assert unknown_response.status_code == 302
    assert _card(known) == _card(unknown) and GENERIC in _card(known)
    assert len(smtp_server.messages) == 1
    assert db.session.scalars(select(PasswordResetToken)).all()[0].user_id == user.id


def test_the_link_expires_after_one_hour(app, client, smtp_server):
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        user = create_user()
        ask_for_link(client, user.email)
        link = link_in(smtp_server.last())
        traveller.move_to(start + timedelta(minutes=59))
        assert client.get(path_of(link)).status_code == 200
        traveller.move_to(start + timedelta(minutes=60, seconds=1))
        assert client.get(path_of(link)).status_code == 404
        assert set_password(client, link).status_code == 404
        db.session.expire_all()
        assert verify_password(user.password_hash, PASSWORD)


def test_a_newer_link_voids_the_older_one(app, client, smtp_server):
    user = create_user()
    ask_for_link(client, user.email)
    first = link_in(smtp_server.last())
    ask_for_link(client, user.email)
    second = link_in(smtp_server.last())
    assert first != second
    assert client.get(path_of(first)).status_code == 404
    assert set_password(client, first).status_code == 404
    assert set_password(client, second).status_code == 302


def test_a_password_change_voids_the_link(app, client, smtp_server):
    user = create_user()
    ask_for_link(client, user.email)
    link = link_in(smtp_server.last())
    signed_in = browser(app)
    sign_in(signed_in, user)
    changed = signed_in.post("/profile/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })
    assert changed.status_code == 302
    assert client.get(path_of(link)).status_code == 404
    assert set_password(client, link, "sneaky new passphrase").status_code == 404
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_a_forged_host_header_does_not_change_the_link(app, client, smtp_server):
    user = create_user()
    response = client.post(
        "/forgot-password", data={"email": user.email},
        headers={"Host": "evil.example.net", "X-Forwarded-Host": "evil.example.net"},
    )
    assert response.status_code == 302
    body = smtp_server.last().get_body(preferencelist=("plain",)).get_content()
    assert "evil.example.net" not in body
    assert link_in(smtp_server.last()).startswith(BASE + "/reset-password/")


def test_without_smtp_the_link_goes_to_the_log_and_the_page_says_so(app, client, mail_log):
    user = create_user()
    response = ask_for_link(client, user.email)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert GENERIC in page and 'id="reset-logged"' in page and "server log" in page
    [link] = set(LINK.findall(mail_log.text))
    assert set_password(client, link).status_code == 302
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_bad_input_keeps_what_was_typed(client):
    response = client.post("/forgot-password", data={"email": "not-an-address"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a valid e-mail address." in page and 'value="not-an-address"' in page


def test_reset_requests_are_limited_to_ten_per_hour(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    with app.app_context():
        statuses = [ask_for_link(client, "x@example.com").status_code for _ in range(11)]
        assert statuses == [302] * 10 + [429]
        assert client.get("/forgot-password").status_code == 200
        posts = [client.post("/reset-password/nope", data={}).status_code for _ in range(11)]
        assert posts == [404] * 10 + [429]
