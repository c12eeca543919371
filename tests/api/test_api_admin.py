"""/api/v1/admin: users and sign-up approvals for the instance administrator only, the same
services and audit events as the admin's users page; demo visitors never appear."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from finora.api.schemas_admin import AdminActionOut, AdminUserOut
from finora.dates import now_utc
from finora.extensions import db
from finora.models import AuditEvent, Household, User
from finora.models.security import ApiToken, EmailVerification
from finora.services.people.api_tokens import issue_token
from tests.api.conftest import ApiClient
from tests.factories import create_user
from tests.ledger_factories import household_of

ACTIONS = ("approve", "deny", "disable", "enable")


@pytest.fixture
def admin(app):
    return create_user(email="admin@example.com", name="Ada Admin", is_admin=True)


@pytest.fixture
def admin_api(api, admin):
    api.login(admin.email)
    return api


def pending(email: str, *, confirmed: bool = True) -> User:
    user = create_user(email=email, name=email.split("@")[0].title(), status="pending")
    if not confirmed:
        db.session.add(EmailVerification(user_id=user.id, token_hash=email.ljust(64, "0")[:64],
                                         created_at=now_utc(), expires_at=now_utc() + timedelta(days=1)))
        db.session.commit()
    return user


def demo(email: str = "demo-1@demo.invalid") -> User:
    """A demo visitor (demo_expires_at set, as create_demo makes them), left pending on purpose."""
    user = pending(email)
    user.demo_expires_at = now_utc() + timedelta(hours=1)
    household_of(user).demo_expires_at = user.demo_expires_at
    db.session.commit()
    return user


def audited(action: str, user_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == user_id).order_by(AuditEvent.id)))


def emails(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    for item in response.json["data"]:
        AdminUserOut.model_validate(item)
    return [item["email"] for item in response.json["data"]]


def test_the_list_filters_searches_and_pages_in_the_pages_order(admin_api, admin):
    waiting = pending("waiting@example.com")
    unconfirmed = pending("unconfirmed@example.com", confirmed=False)
    active = create_user(email="active@example.com", name="Zed Active")
    off = create_user(email="off@example.com", status="disabled")
    demo()
    everyone = emails(admin_api.get("/admin/users"))
    assert everyone[:2] == [waiting.email, unconfirmed.email]  # approvals first
    assert sorted(everyone) == sorted([admin.email, waiting.email, unconfirmed.email, active.email, off.email])
    assert emails(admin_api.get("/admin/users?status=pending")) == [waiting.email]
    assert emails(admin_api.get("/admin/users?status=unconfirmed")) == [unconfirmed.email]
    assert emails(admin_api.get("/admin/users?status=disabled")) == [off.email]
    assert emails(admin_api.get("/admin/users?search=ZED")) == [active.email]
    assert emails(admin_api.get("/admin/users?search=%25")) == []  # "%" matches itself
    page = admin_api.get("/admin/users?limit=2&offset=1")
    assert emails(page) == everyone[1:3]
    assert page.json["meta"] == {"total": 5, "limit": 2, "offset": 1}
    [shown] = [u for u in admin_api.get("/admin/users").json["data"] if u["email"] == unconfirmed.email]
    assert shown["status"] == "pending" and shown["email_confirmed"] is False
    [me] = [u for u in admin_api.get("/admin/users").json["data"] if u["id"] == admin.id]
    assert me["is_admin"] is True and me["households"][0]["role"] == "owner"
    # The admin signed in through the API only: that sign-in is noted too.
    assert me["created_at"].endswith("Z") and me["last_login_at"].endswith("Z")


def test_bad_query_parameters_are_422(admin_api):
    for query, field in (("status=gone", "status"), ("search=" + "x" * 101, "search"),
                         ("limit=0", "limit"), ("search=a%00b", "search")):
        response = admin_api.get(f"/admin/users?{query}")
        assert response.status_code == 422, query
        assert field in response.json["fields"]


def test_approvals_list_only_confirmed_sign_ups_never_demos(admin_api):
    waiting = pending("waiting@example.com")
    pending("unconfirmed@example.com", confirmed=False)
    create_user(email="active@example.com")
    visitor = demo()
    assert emails(admin_api.get("/admin/approvals")) == [waiting.email]
    assert admin_api.get(f"/admin/users/{visitor.id}").status_code == 404
    for action in ACTIONS:
        assert admin_api.post(f"/admin/users/{visitor.id}/{action}").status_code == 404
    db.session.expire_all()
    assert db.session.get(User, visitor.id).status == "pending"


def test_one_user(admin_api, admin):
    response = admin_api.get(f"/admin/users/{admin.id}")
    assert response.status_code == 200
    AdminUserOut.model_validate(response.json["data"])
    assert response.json["data"]["email"] == admin.email
    assert admin_api.get("/admin/users/999999").status_code == 404


def test_approve_audits_and_tells_the_person(admin_api, admin):
    waiting = pending("waiting@example.com")
    response = admin_api.post(f"/admin/users/{waiting.id}/approve")
    assert response.status_code == 200, response.get_data(as_text=True)
    AdminActionOut.model_validate(response.json["data"])
    assert response.json["data"]["user"]["status"] == "active"
    assert response.json["data"]["message"] == "waiting@example.com can now sign in."
    assert "server log" in response.json["data"]["warning"]  # no SMTP server in the tests
    [event] = audited("user.approved", waiting.id)
    assert event.user_id == admin.id
    again = admin_api.post(f"/admin/users/{waiting.id}/approve")
    assert again.status_code == 409 and again.json["code"] == "conflict"


def test_an_unconfirmed_address_cannot_be_approved(admin_api):
    unconfirmed = pending("unconfirmed@example.com", confirmed=False)
    for action in ("approve", "enable"):
        assert admin_api.post(f"/admin/users/{unconfirmed.id}/{action}").status_code == 409
    db.session.expire_all()
    assert db.session.get(User, unconfirmed.id).status == "pending"


def test_deny_deletes_the_sign_up_and_its_household(admin_api, admin):
    waiting = pending("waiting@example.com")
    household_id = household_of(waiting).id
    response = admin_api.post(f"/admin/users/{waiting.id}/deny")
    assert response.status_code == 200
    AdminActionOut.model_validate(response.json["data"])
    assert response.json["data"]["user"] is None
    db.session.expire_all()
    assert db.session.get(User, waiting.id) is None
    assert db.session.get(Household, household_id) is None
    assert len(audited("user.denied", waiting.id)) == 1
    assert admin_api.post(f"/admin/users/{admin.id}/deny").status_code == 409


def test_disable_ends_tokens_and_enable_restores(admin_api, admin, client):
    member = create_user(email="member@example.com")
    theirs = ApiClient(client)
    theirs.login(member.email)
    response = admin_api.post(f"/admin/users/{member.id}/disable")
    assert response.status_code == 200
    AdminActionOut.model_validate(response.json["data"])
    assert response.json["data"]["user"]["status"] == "disabled"
    assert theirs.get("/auth/me").status_code == 401
    assert len(audited("user.deactivated", member.id)) == 1
    response = admin_api.post(f"/admin/users/{member.id}/enable")
    assert response.status_code == 200 and response.json["data"]["user"]["status"] == "active"
    assert len(audited("user.activated", member.id)) == 1
    refused = admin_api.post(f"/admin/users/{admin.id}/disable")
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(User, admin.id).status == "active"


def _paths(user_id: int) -> list[tuple[str, str]]:
    reads = [("GET", "/admin/users"), ("GET", "/admin/approvals"), ("GET", f"/admin/users/{user_id}")]
    return reads + [("POST", f"/admin/users/{user_id}/{action}") for action in ACTIONS]


def test_no_token_401_and_anyone_but_the_admin_403(app, api, client, admin):
    waiting = pending("waiting@example.com")
    for method, path in _paths(waiting.id):
        assert api.open(method, path).status_code == 401, path
    owner = create_user(email="owner@example.com")
    api.login(owner.email)
    for method, path in _paths(waiting.id):
        assert api.open(method, path).status_code == 403, path
    read_only = issue_token(db.session, admin, household_of(admin), ttl=timedelta(days=1),
                            name="Read", scope="read")
    db.session.commit()
    reader = ApiClient(client)
    reader.token = read_only.raw
    for method, path in _paths(waiting.id):
        assert reader.open(method, path).status_code == (200 if method == "GET" else 403), path
    db.session.expire_all()
    assert db.session.get(User, waiting.id).status == "pending"
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == waiting.id)) is None
