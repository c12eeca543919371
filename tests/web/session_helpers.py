"""Helpers for the session, lockout and timeout tests: sign in as a given browser."""

from __future__ import annotations

from sqlalchemy import select

from finora.extensions import db
from finora.models import AuditEvent, UserSession
from tests.factories import PASSWORD

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def browser(app, user_agent: str = FIREFOX_LINUX, address: str = "127.0.0.1"):
    """A new test client that sends this User-Agent from this address."""
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": address})
    return client


def sign_in(client, user, *, remember: bool = False, password: str = PASSWORD):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def session_id_of(client) -> str:
    with client.session_transaction() as flask_session:
        return flask_session["_user_id"]


def live_sessions(user) -> list[UserSession]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            .order_by(UserSession.id)
        )
    )


def actions(user=None) -> list[str]:
    stmt = select(AuditEvent.action).order_by(AuditEvent.id)
    if user is not None:
        stmt = stmt.where(AuditEvent.user_id == user.id)
    return list(db.session.scalars(stmt))


def is_signed_in(client) -> bool:
    """The profile opens (200) rather than sending to sign-in (302)."""
    response = client.get("/profile")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def copy_cookie(source, target, name: str) -> None:
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    target.set_cookie(name, cookie.value)
