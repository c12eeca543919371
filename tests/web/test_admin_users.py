"""The minimal /admin/users page: list, approve, disable, enable."""

from __future__ import annotations

import re
from datetime import timedelta

from finora.crypto import hash_token, new_token
from finora.dates import now_utc
from finora.extensions import db
from finora.models import User
from finora.models.security import EmailVerification
from tests.factories import PASSWORD, create_user


def _unconfirmed(**overrides) -> User:
    """A sign-up whose e-mailed confirmation link was never followed."""
    user = create_user(status="pending", **overrides)
    db.session.add(
        EmailVerification(
            user_id=user.id, token_hash=hash_token(new_token()), created_at=now_utc(),
            expires_at=now_utc() + timedelta(hours=48),
        )
    )
    db.session.commit()
    return user


def _row(page: str, name: str) -> str:
    [row] = [r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if name in r]
    return row


def test_only_the_admin_sees_the_page(client, auth, user):
    other = create_user()
    auth.login(other.email)
    assert client.get("/admin/users").status_code == 404
    assert client.post(f"/admin/users/{user.id}/disable").status_code == 404
    auth.logout()
    auth.login(user.email)
    assert client.get("/admin/users").status_code == 200


def test_visitors_are_sent_to_sign_in(client):
    assert "/login" in client.get("/admin/users").headers["Location"]


def test_approve_then_the_user_can_sign_in(signed_in, auth):
    waiting = create_user(status="pending", name="Waiting Person")
    page = signed_in.get("/admin/users").get_data(as_text=True)
    assert "Waiting Person" in page and "Approve" in page
    response = signed_in.post(f"/admin/users/{waiting.id}/approve")
    assert response.status_code == 302
    db.session.refresh(waiting)
    assert waiting.status == "active" and waiting.approved_at is not None
    auth.logout()
    assert auth.login(waiting.email).status_code == 302


def test_disable_and_enable(signed_in, auth):
    member = create_user()
    signed_in.post(f"/admin/users/{member.id}/disable")
    db.session.refresh(member)
    assert member.status == "disabled"
    signed_in.post(f"/admin/users/{member.id}/enable")
    db.session.refresh(member)
    assert member.status == "active"


def test_the_admin_cannot_be_disabled(signed_in, user):
    response = signed_in.post(f"/admin/users/{user.id}/disable", follow_redirects=True)
    assert "cannot be disabled" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.status == "active"


def test_disabling_ends_the_users_session(client, auth, user):
    member = create_user()
    member_client = client.application.test_client()
    member_client.post("/login", data={"email": member.email, "password": PASSWORD})
    assert member_client.get("/dashboard", follow_redirects=True).status_code == 200
    auth.login(user.email)
    client.post(f"/admin/users/{member.id}/disable")
    assert member_client.get("/dashboard").status_code == 302


def test_unknown_user_or_action_is_404(signed_in, user):
    assert signed_in.post("/admin/users/999999/approve").status_code == 404
    assert signed_in.post(f"/admin/users/{user.id}/delete").status_code == 404


def test_search_and_status_filter(signed_in):
    create_user(name="Zélia Quintana", email="zelia@example.com")
    create_user(name="Bruno Dias", status="pending")
    page = signed_in.get("/admin/users?q=zelia").get_data(as_text=True)
    assert "Zélia Quintana" in page and "Bruno Dias" not in page
    page = signed_in.get("/admin/users?status=pending").get_data(as_text=True)
    assert "Bruno Dias" in page and "Zélia Quintana" not in page


def test_pagination(signed_in):
    for _ in range(26):
        create_user(status="pending")
    first = signed_in.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = signed_in.get("/admin/users?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second


def test_an_unconfirmed_sign_up_is_shown_apart_and_cannot_be_approved(signed_in, auth):
    waiting = create_user(status="pending", name="Waiting Person")
    unconfirmed = _unconfirmed(name="Unconfirmed Person")
    page = signed_in.get("/admin/users").get_data(as_text=True)
    row = _row(page, "Unconfirmed Person")
    assert "Waiting for e-mail confirmation" in row and "Waiting for approval" not in row
    assert "Approve" not in row and "Deny" in row
    assert "Waiting for approval" in _row(page, "Waiting Person")
    assert "Approve" in _row(page, "Waiting Person")
    # The waiting-for-approval sign-up, the one the admin has to act on, comes first.
    assert page.index("Waiting Person") < page.index("Unconfirmed Person")

    # Posting the approval anyway (an old page, a crafted form) is refused: the address
    # might belong to someone who never asked for this account.
    answer = signed_in.post(f"/admin/users/{unconfirmed.id}/approve", follow_redirects=True)
    assert "not confirmed" in answer.get_data(as_text=True)
    signed_in.post(f"/admin/users/{unconfirmed.id}/enable")
    db.session.refresh(unconfirmed)
    assert unconfirmed.status == "pending"
    auth.logout()
    auth.login(unconfirmed.email)
    assert signed_in.get("/dashboard").status_code == 302  # still not let in
    db.session.refresh(waiting)
    assert waiting.status == "pending"


def test_an_unconfirmed_sign_up_can_be_denied(signed_in):
    unconfirmed = _unconfirmed(name="Unconfirmed Person")
    user_id = unconfirmed.id
    signed_in.post(f"/admin/users/{user_id}/deny")
    db.session.expire_all()
    assert db.session.get(User, user_id) is None


def test_the_status_filter_tells_approval_from_confirmation(signed_in):
    create_user(name="Waiting Person", status="pending")
    _unconfirmed(name="Unconfirmed Person")
    create_user(name="Active Person")
    page = signed_in.get("/admin/users?status=pending").get_data(as_text=True)
    assert "Waiting Person" in page and "Unconfirmed Person" not in page and "Active Person" not in page
    page = signed_in.get("/admin/users?status=unconfirmed").get_data(as_text=True)
    assert "Unconfirmed Person" in page and "Waiting Person" not in page and "Active Person" not in page
    assert '<option value="unconfirmed" selected>Waiting for e-mail confirmation</option>' in page
