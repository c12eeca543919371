"""The /admin area: deny sign-ups, registration mode, SMTP settings with a test e-mail,
system status, and the sign-up and approval e-mails (through a real SMTP server)."""

from __future__ import annotations

import re
import socket

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from finora.crypto import decrypt_secret
from finora.extensions import db
from finora.models import ApiToken, AuditEvent, Household, Membership, User
from finora.models.security import UserSession
from finora.services.people.registration import register_user
from finora.services.system.settings import get_setting
from finora.version import __version__
from tests.factories import PASSWORD, create_user, signup_data

SIGNUP = {
    "name": "Carla Nunes",
    "email": "carla@example.com",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "household_name": "Casa Nunes",
    "locale": "en",
    "currency": "BRL",
    "timezone": "America/Sao_Paulo",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


ADMIN_PAGES = ["/admin/users", "/admin/settings", "/admin/mail", "/admin/status"]
ADMIN_POSTS = ["/admin/settings", "/admin/mail", "/admin/mail/test"]


def test_non_admins_do_not_see_the_area(client, auth, user):
    member = create_user()
    auth.login(member.email)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 404, url
    for url in ADMIN_POSTS:
        assert client.post(url, data={"registration_mode": "open"}).status_code == 404, url
    assert client.post(f"/admin/users/{user.id}/deny").status_code == 404
    assert get_setting(db.session, "registration_mode") is None


def test_every_page_answers_the_admin_with_its_title_heading_and_tabs(signed_in):
    for url in ADMIN_PAGES:
        response = signed_in.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert re.search(r"<title>[^<]+ · Administration · Finora</title>", page), url
        assert ">Administration</h1>" in page and page.count('href="/admin/users"') >= 1, url


# Approve and deny


def test_deny_deletes_the_pending_account_and_its_household_and_mails_nothing(
    signed_in, user, smtp_server
):
    waiting = create_user(status="pending", name="Dora Waiting", email="dora@example.com")
    household_id = waiting.memberships[0].household_id
    mails_before = len(smtp_server.messages)
    response = signed_in.post(f"/admin/users/{waiting.id}/deny", follow_redirects=True)
    assert "The sign-up of dora@example.com was denied" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "dora@example.com")) is None
    assert db.session.get(Household, household_id) is None
    assert count(Membership) == 1  # the admin's own
    assert len(smtp_server.messages) == mails_before
    (event,) = events("user.denied")
    assert event.user_id == user.id and event.details["email"] == "dora@example.com"
    # The address is free again.
    assert create_user(email="dora@example.com").status == "active"


def test_only_pending_sign_ups_can_be_denied(signed_in):
    active = create_user(name="Eva Active")
    response = signed_in.post(f"/admin/users/{active.id}/deny", follow_redirects=True)
    assert "not waiting for approval" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, active.id).status == "active"


def test_approving_mails_the_user(signed_in, user, smtp_server, app):
    app.config["APP_BASE_URL"] = "https://money.example.org"
    waiting = create_user(status="pending", email="fabio@example.com", locale="en")
    signed_in.post(f"/admin/users/{waiting.id}/approve")
    mail = smtp_server.last()
    assert mail["To"] == "fabio@example.com"
    assert mail["Subject"] == "Your Finora account is ready"
    assert "https://money.example.org/login" in mail.get_content()
    assert [e.object_id for e in events("user.approved")] == [waiting.id]


def test_approval_stands_when_the_mail_server_is_down(signed_in, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_SECURITY="none")
    waiting = create_user(status="pending", email="gil@example.com")
    page = signed_in.post(f"/admin/users/{waiting.id}/approve", follow_redirects=True)
    assert "could not be sent" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, waiting.id).status == "active"


def test_deactivating_ends_the_users_sessions_and_is_audited(client, auth, user):
    member = create_user()
    other = client.application.test_client()
    other.post("/login", data={"email": member.email, "password": PASSWORD})
    assert count(UserSession) == 1
    db.session.add(ApiToken(user_id=member.id, household_id=member.memberships[0].household_id,
                            name="cli", token_hash="c" * 64))
    db.session.commit()
    auth.login(user.email)
    client.post(f"/admin/users/{member.id}/disable")
    live = select(func.count()).select_from(UserSession).where(
        UserSession.user_id == member.id, UserSession.revoked_at.is_(None)
    )
    assert db.session.scalar(live) == 0
    assert other.get("/dashboard").status_code == 302
    (event,) = events("user.deactivated")
    assert event.details["sessions_ended"] == 1 and event.details["api_tokens_revoked"] == 1
    assert db.session.scalar(select(ApiToken)).revoked_at is not None
    client.post(f"/admin/users/{member.id}/enable")
    assert [e.object_id for e in events("user.activated")] == [member.id]


def test_search_treats_wildcards_literally(signed_in):
    create_user(name="Hugo 100% Real")
    create_user(name="Iris Other")
    page = signed_in.get("/admin/users?q=100%25").get_data(as_text=True)
    assert "Hugo 100% Real" in page and "Iris Other" not in page
    page = signed_in.get("/admin/users?q=_").get_data(as_text=True)
    assert "No user matches this search." in page


# Sign-up e-mails and registration modes


def test_the_admin_is_told_of_each_new_sign_up(client, user, smtp_server, app):
    app.config["REGISTRATION_MODE"] = "approval"
    app.config["APP_BASE_URL"] = "https://money.example.org"
    response = client.post("/signup", data=SIGNUP)
    assert response.status_code == 302
    mail = smtp_server.last()
    assert smtp_server.envelopes[-1][1] == [user.email]
    assert mail["Subject"] == "New sign-up waiting for approval: carla@example.com"
    body = mail.get_content()
    assert "Carla Nunes" in body
    assert "https://money.example.org/admin/users?status=pending" in body


def test_a_failing_mail_server_does_not_undo_the_sign_up(client, user, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_SECURITY="none")
    response = client.post("/signup", data=SIGNUP)
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "carla@example.com")) is not None


def test_a_sign_up_rolled_back_is_not_announced(app, user, smtp_server):
    register_user(db.session, signup_data(email="ghost@example.com"), mode="open")
    db.session.rollback()
    db.session.commit()  # a later commit of other work must not send it either
    assert all("ghost@example.com" not in m["Subject"] for m in smtp_server.messages)
    create_user(email="real@example.com")
    assert "real@example.com" in smtp_server.last()["Subject"]


@pytest.mark.parametrize(
    ("mode", "created", "status"),
    [("open", True, "active"), ("approval", True, "pending"), ("closed", False, None)],
)
def test_the_mode_chosen_by_the_admin_is_enforced_on_sign_up(
    client, auth, user, mode, created, status
):
    auth.login(user.email)
    response = client.post("/admin/settings", data={"registration_mode": mode, "retention_days": "365"})
    assert response.status_code == 302
    auth.logout()
    users_before, households_before = count(User), count(Household)
    response = client.post("/signup", data=SIGNUP)
    new = db.session.scalar(select(User).where(User.email == "carla@example.com"))
    if created:
        assert new is not None and new.status == status
    else:
        assert response.status_code == 403
        assert new is None
        assert (count(User), count(Household)) == (users_before, households_before)


def test_changing_the_mode_is_audited(signed_in, user):
    signed_in.post("/admin/settings", data={"registration_mode": "closed", "retention_days": "365"})
    (event,) = events("settings.registration_mode_changed")
    assert event.details == {"from": "open", "to": "closed"} and event.user_id == user.id
    signed_in.post("/admin/settings", data={"registration_mode": "closed", "retention_days": "365"})
    assert len(events("settings.registration_mode_changed")) == 1  # unchanged: no event


def test_retention_below_30_days_is_refused_beside_the_field(signed_in):
    response = signed_in.post("/admin/settings", data={"registration_mode": "approval", "retention_days": "10"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="retention_days-error"[^>]*>Enter a number of days from 30 to 3650', page)
    assert 'value="10"' in page
    assert get_setting(db.session, "audit_retention_days") is None
    signed_in.post("/admin/settings", data={"registration_mode": "approval", "retention_days": "90"})
    assert get_setting(db.session, "audit_retention_days") == "90"


# SMTP settings and the test e-mail


def _smtp_form(server, **overrides):
    data = {
        "host": server.host, "port": str(server.port), "security": "none",
        "username": "mailer", "password": "s3cret pass", "sender": "Finora <finora@example.org>",
    }
    data.update(overrides)
    return data


def test_smtp_password_is_stored_encrypted_and_never_shown(signed_in, smtp_server):
    response = signed_in.post("/admin/mail", data=_smtp_form(smtp_server))
    assert response.status_code == 302
    stored = get_setting(db.session, "smtp_password")
    assert stored and "s3cret" not in stored and decrypt_secret(stored) == "s3cret pass"
    page = signed_in.get("/admin/mail").get_data(as_text=True)
    assert "s3cret" not in page and "A password is stored." in page
    assert f'value="{smtp_server.host}"' in page

    # Empty password: the stored one stays.
    signed_in.post("/admin/mail", data=_smtp_form(smtp_server, password="", username="mailer2"))
    db.session.expire_all()
    assert decrypt_secret(get_setting(db.session, "smtp_password")) == "s3cret pass"
    assert get_setting(db.session, "smtp_username") == "mailer2"

    # Explicitly removed.
    signed_in.post("/admin/mail", data=_smtp_form(smtp_server, password="", clear_password="y"))
    db.session.expire_all()
    assert get_setting(db.session, "smtp_password") == ""

    changes = events("settings.smtp_changed")
    assert [e.details["password"] for e in changes] == ["changed", "unchanged", "removed"]
    assert all("s3cret" not in str(e.details) for e in changes)


def test_bad_smtp_values_keep_what_was_typed(signed_in, smtp_server):
    response = signed_in.post("/admin/mail", data=_smtp_form(smtp_server, port="70000", sender="nobody"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="port-error"' in page and 'id="sender-error"' in page
    assert 'value="70000"' in page and 'value="nobody"' in page
    assert get_setting(db.session, "smtp_host") is None


def test_the_test_e_mail_goes_through_the_saved_server(signed_in, user, smtp_server, app):
    # The configuration points elsewhere: only the saved settings can reach the server.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
    smtp_server.credentials = ("mailer", "s3cret pass")
    signed_in.post("/admin/mail", data=_smtp_form(smtp_server))
    page = signed_in.post("/admin/mail/test", follow_redirects=True).get_data(as_text=True)
    assert f"Test e-mail sent to {user.email}" in page
    mail = smtp_server.last()
    assert mail["To"] == user.email and mail["Subject"] == "Finora test e-mail"
    assert mail["From"] == "Finora <finora@example.org>"
    assert smtp_server.logins[-1] == ("mailer", "s3cret pass")


def test_a_failing_test_e_mail_says_so(signed_in, smtp_server):
    smtp_server.credentials = ("mailer", "right")
    signed_in.post("/admin/mail", data=_smtp_form(smtp_server, password="wrong"))
    page = signed_in.post("/admin/mail/test", follow_redirects=True).get_data(as_text=True)
    assert "could not be sent" in page


def test_without_smtp_the_test_e_mail_goes_to_the_log(signed_in):
    page = signed_in.post("/admin/mail/test", follow_redirects=True).get_data(as_text=True)
    assert "went to the server log" in page


# System status


def test_status_shows_the_database_migration_head_and_free_space(signed_in, app):
    config = app.extensions["migrate"].migrate.get_config()
    (head,) = ScriptDirectory.from_config(config).get_heads()
    page = signed_in.get("/admin/status").get_data(as_text=True)
    assert "Reachable" in page
    assert f"Code expects {head}; the database is at {head}." in page and "Up to date" in page
    assert re.search(r"[\d.,]+ GB free of [\d.,]+ GB", page)
    assert str(app.config["DATA_DIR"]) in page
    assert f"<dd class=\"col-sm-8\">{__version__}</dd>" in page
    assert "Delete old activity records" in page
