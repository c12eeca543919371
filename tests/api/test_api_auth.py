"""Signing in for a token (with the second factor), rotating it, signing out, the password,
and every way a token stops working."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from finora.crypto import hash_token
from finora.dates import now_utc
from finora.extensions import db
from finora.models import ApiToken, AuditEvent, Membership
from finora.services.people import totp
from tests.factories import PASSWORD, create_user
from tests.members_factories import add_member

USER_FIELDS = {"id", "email", "name", "is_admin", "is_global_admin", "twofa_enabled", "is_guest"}


def test_login_gives_a_token_and_the_user_pycashflow_decodes(api, user):
    data = api.login(user.email)
    assert len(data["token"]) >= 43  # 256 bits, URL-safe
    assert set(data["user"]) == USER_FIELDS
    assert data["user"] == {"id": user.id, "email": user.email, "name": user.name,
                            "is_admin": True, "is_global_admin": True, "twofa_enabled": False,
                            "is_guest": False}
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash == hash_token(data["token"]) and data["token"] not in repr(vars(stored))
    assert stored.kind == "login" and stored.scope == "write"
    assert timedelta(days=29) < stored.expires_at - now_utc() <= timedelta(days=30)
    me = api.get("/auth/me")
    assert me.status_code == 200 and me.json == {"data": data["user"]}


def test_an_app_sign_in_is_noted_like_a_browser_one(api, user):
    assert api.post("/auth/login", json={"email": user.email, "password": "wrong"}).status_code == 401
    db.session.expire_all()
    assert user.failed_sign_ins == 1 and user.last_login_at is None
    api.login(user.email)
    db.session.expire_all()
    assert user.failed_sign_ins == 0
    assert now_utc() - user.last_login_at < timedelta(minutes=1)
    methods = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "auth.signed_in")
    ).all()
    assert methods == [{"method": "api"}]


def test_every_failure_is_the_same_401(api, user):
    disabled = create_user(email="off@example.com", status="disabled")
    answers = [
        api.post("/auth/login", json={"email": user.email, "password": "wrong password"}),
        api.post("/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}),
        api.post("/auth/login", json={"email": disabled.email, "password": PASSWORD}),
    ]
    bodies = {(r.status_code, r.json["error"], r.json["code"]) for r in answers}
    assert bodies == {(401, "Invalid credentials or account is not active.", "unauthorized")}


def test_login_is_limited_to_ten_a_minute_per_address(app_factory, user):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [client.post("/api/v1/auth/login", json={"email": user.email, "password": "x"}).status_code
             for _ in range(11)]
    assert codes[:10] == [401] * 10
    last = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert last.status_code == 429 and last.json["code"] == "rate_limited"


def _turn_on_two_factor(user) -> str:
    secret = totp.begin_setup(db.session, user)
    totp.confirm_setup(db.session, user, pyotp.TOTP(secret).now())
    db.session.commit()
    return secret


def test_with_two_factor_login_asks_for_the_code_then_gives_the_token(api, user):
    secret = _turn_on_two_factor(user)
    first = api.post("/auth/login", json={"email": user.email, "password": PASSWORD})
    data = first.json["data"]
    assert first.status_code == 200 and data["twofa_required"] is True and "token" not in data
    assert data["user"]["twofa_enabled"] is True and set(data["user"]) == USER_FIELDS
    wrong = api.post("/auth/login/2fa", json={"challenge": data["challenge"], "code": "000000"
                     if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert wrong.status_code == 401
    with time_machine.travel(now_utc() + timedelta(seconds=31), tick=False):
        good = api.post("/auth/login/2fa", json={"challenge": data["challenge"],
                                                 "code": pyotp.TOTP(secret).now()})
        assert good.status_code == 200, good.json
        api.token = good.json["data"]["token"]
        assert api.get("/auth/me").status_code == 200


def test_a_forged_or_old_challenge_is_refused(api, user):
    secret = _turn_on_two_factor(user)
    challenge = api.post("/auth/login", json={"email": user.email, "password": PASSWORD}).json["data"]["challenge"]
    forged = api.post("/auth/login/2fa", json={"challenge": challenge[:-2] + "xx",
                                               "code": pyotp.TOTP(secret).now()})
    assert forged.status_code == 401
    with time_machine.travel(now_utc() + timedelta(minutes=6), tick=False):
        late = api.post("/auth/login/2fa", json={"challenge": challenge,
                                                 "code": pyotp.TOTP(secret).now()})
        assert late.status_code == 401


def test_logout_revokes_the_token_used(signed_api):
    assert signed_api.post("/auth/logout").json == {"data": {"message": "Logged out"}}
    assert signed_api.get("/auth/me").status_code == 401


def test_refresh_rotates_the_token(signed_api):
    old = signed_api.token
    response = signed_api.post("/auth/refresh")
    assert response.status_code == 200
    new = response.json["data"]["token"]
    assert new != old and set(response.json["data"]["user"]) == USER_FIELDS
    assert signed_api.get("/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    signed_api.token = new
    assert signed_api.get("/auth/me").status_code == 200


def test_a_token_expires(signed_api):
    with time_machine.travel(now_utc() + timedelta(days=30, seconds=1), tick=False):
        assert signed_api.get("/auth/me").status_code == 401


def test_changing_the_password_revokes_every_other_token(api, user):
    other = type(api)(api.client)
    other.login(user.email)
    api.login(user.email)
    bad = api.put("/auth/password", json={"current_password": "wrong one", "new_password": "x"})
    assert bad.status_code == 422 and "current_password" in bad.json["fields"]
    weak = api.put("/auth/password", json={"current_password": PASSWORD, "new_password": "123"})
    assert weak.status_code == 422 and "new_password" in weak.json["fields"]
    done = api.put("/auth/password", json={"current_password": PASSWORD,
                                           "new_password": "a much better passphrase 42"})
    assert done.status_code == 200, done.json
    assert api.get("/auth/me").status_code == 200  # the caller's own token survives
    assert other.get("/auth/me").status_code == 401
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password.changed"))


def test_deactivation_and_removal_end_the_tokens(api, user):
    member = add_member(user.memberships[0].household, "editor", name="Eddie Editor")
    api.login(member.email)
    assert api.get("/auth/me").status_code == 200
    member.status = "disabled"
    db.session.commit()
    assert api.get("/auth/me").status_code == 401
    member.status = "active"
    db.session.commit()
    assert api.get("/auth/me").status_code == 200
    db.session.delete(db.session.scalar(select(Membership).where(Membership.user_id == member.id)))
    db.session.commit()
    assert api.get("/auth/me").status_code == 401


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_the_user_object_says_guest_for_viewers_only(api, user, role):
    member = add_member(user.memberships[0].household, role, name=f"A {role}")
    data = api.login(member.email)
    assert data["user"]["is_guest"] is (role == "viewer")
    assert data["user"]["is_admin"] is False and data["user"]["is_global_admin"] is False
