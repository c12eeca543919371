"""The profile's API tokens: listed, a personal one made (shown once, read-only or read and
write, in the current household) and any revoked, each audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from finora.crypto import hash_token
from finora.extensions import db
from finora.models import ApiToken, AuditEvent
from finora.services.people.api_tokens import (
    PERSONAL_MAX,
    DemoTokensError,
    create_personal_token,
    issue_token,
)
from finora.services.system.audit_trail import action_label
from tests.api.conftest import ApiClient
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member, membership_of
from tests.web.session_helpers import actions


@pytest.fixture
def api(app):
    """A second client speaking to the API with the token the page showed."""
    return ApiClient(app.test_client())


def _tokens(user) -> list[ApiToken]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def _make(client, name="Budget script", scope="read", password=PASSWORD):
    return client.post("/profile/api-tokens",
                       data={"name": name, "scope": scope, "password": password})


def test_a_token_needs_the_password_typed_again(signed_in, user):
    missing = _make(signed_in, password="")
    assert missing.status_code == 422
    assert "Enter your password to make a token." in missing.get_data(as_text=True)
    wrong = _make(signed_in, password="not the password")
    assert wrong.status_code == 422
    assert "The password is not correct." in wrong.get_data(as_text=True)
    assert _tokens(user) == []
    # Counted like a failed sign-in: the lockout sees it.
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "auth.sign_in_failed", AuditEvent.user_id == user.id))


def _raw_from(page: str) -> str:
    return page.split('id="new-token-value">')[1].split("<")[0].strip()


def test_the_page_has_an_honest_empty_state_and_offers_read_only_first(signed_in):
    page = signed_in.get("/profile/api-tokens").get_data(as_text=True)
    assert 'id="api-token-empty"' in page
    assert 'id="api-token-form"' in page
    [read_input] = re.findall(r'<input[^>]*value="read"[^>]*>', page)
    assert "checked" in read_input
    assert "Read and write" in page
    assert "API tokens" in signed_in.get("/profile").get_data(as_text=True)


def test_the_page_leads_to_the_api_reference_and_the_openapi_document(signed_in):
    page = signed_in.get("/profile/api-tokens").get_data(as_text=True)
    assert 'href="/api/v1/reference"' in page and 'href="/api/v1/openapi.json"' in page
    reference = signed_in.get("/api/v1/reference")
    assert reference.status_code == 200 and "/schedules" in reference.get_data(as_text=True)
    assert signed_in.get("/api/v1/openapi.json").json["openapi"].startswith("3.1")


def test_a_personal_token_is_shown_once_and_only_its_hash_is_kept(signed_in, user, api):
    response = _make(signed_in)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    raw = _raw_from(page)
    assert len(raw) >= 40
    [token] = _tokens(user)
    assert (token.kind, token.scope, token.name) == ("personal", "read", "Budget script")
    assert token.household_id == household_of(user).id
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert "cannot show this token again" in page
    # Never again: the list shows its name, not its value.
    later = signed_in.get("/profile/api-tokens").get_data(as_text=True)
    assert raw not in later and 'id="new-token"' not in later
    row = later.split(f'id="api-token-{token.id}"')[1].split("</li>")[0]
    assert "Budget script" in row and "Personal" in row and "Read-only" in row
    assert household_of(user).name in row and "not used yet" in row
    # It works against the API, and it is audited.
    api.token = raw
    me = api.get("/auth/me")
    assert me.status_code == 200 and me.json["data"]["email"] == user.email
    assert "api_token.created" in actions(user)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api_token.created")).one()
    assert event.object_id == token.id and event.details["scope"] == "read"
    assert raw not in str(event.details)


def test_a_read_and_write_token_can_be_made(signed_in, user):
    assert _make(signed_in, "Sync", "write").status_code == 200
    [token] = _tokens(user)
    assert token.scope == "write"


def test_a_nameless_or_unknown_scope_token_is_refused_beside_its_field(signed_in, user):
    response = _make(signed_in, "   ")
    assert response.status_code == 422
    assert "Give the token a name." in response.get_data(as_text=True)
    response = _make(signed_in, "Script", "admin")
    assert response.status_code == 422
    assert 'id="new-token"' not in response.get_data(as_text=True)
    assert _tokens(user) == []
    assert "api_token.created" not in actions(user)


def test_a_viewer_is_offered_and_given_only_read_only_tokens(app, user):
    viewer = add_member(household_of(user), "viewer")
    client = app.test_client()
    assert client.post("/login", data={"email": viewer.email, "password": PASSWORD}).status_code == 302
    page = client.get("/profile/api-tokens").get_data(as_text=True)
    assert 'id="api-token-viewer-note"' in page and 'value="write"' not in page
    assert _make(client, "Peek", "write").status_code == 422
    assert _tokens(viewer) == []
    assert _make(client, "Peek", "read").status_code == 200
    assert [t.scope for t in _tokens(viewer)] == ["read"]


def test_revoking_a_token_ends_it_at_once_and_is_audited(signed_in, user, api):
    raw = _raw_from(_make(signed_in).get_data(as_text=True))
    [token] = _tokens(user)
    response = signed_in.post(f"/profile/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    [token] = _tokens(user)
    assert token.revoked_at is not None
    assert "api_token.revoked" in actions(user)
    assert action_label("api_token.revoked") == "API token revoked"
    api.token = raw
    assert api.get("/auth/me").status_code == 401
    page = signed_in.get("/profile/api-tokens").get_data(as_text=True)
    assert f'id="api-token-{token.id}"' not in page and 'id="api-token-empty"' in page
    # Twice is not found (it is no longer live).
    assert signed_in.post(f"/profile/api-tokens/{token.id}/revoke").status_code == 404


def test_an_app_sign_in_token_is_listed_and_revocable(signed_in, user, api):
    api.login(user.email)
    [token] = _tokens(user)
    page = signed_in.get("/profile/api-tokens").get_data(as_text=True)
    row = page.split(f'id="api-token-{token.id}"')[1].split("</li>")[0]
    assert "App sign-in" in row and "Read and write" in row
    assert api.get("/auth/me").status_code == 200
    signed_in.post(f"/profile/api-tokens/{token.id}/revoke")
    assert api.get("/auth/me").status_code == 401


def test_another_persons_token_cannot_be_seen_or_revoked(signed_in, user):
    other = create_user(email="other@example.com")
    issued = issue_token(db.session, other, household_of(other), ttl=timedelta(days=30),
                         name="Their script", kind="personal")
    db.session.commit()
    page = signed_in.get("/profile/api-tokens").get_data(as_text=True)
    assert "Their script" not in page
    assert signed_in.post(f"/profile/api-tokens/{issued.token.id}/revoke").status_code == 404
    assert signed_in.post("/profile/api-tokens/99999999999999/revoke").status_code == 404
    assert signed_in.post("/profile/api-tokens/abc/revoke").status_code == 404
    [theirs] = _tokens(other)
    assert theirs.revoked_at is None
    assert "api_token.revoked" not in actions()


def test_personal_tokens_are_capped(signed_in, user):
    home = household_of(user)
    for n in range(PERSONAL_MAX):
        issue_token(db.session, user, home, ttl=timedelta(days=30), name=f"t{n}", kind="personal")
    db.session.commit()
    response = _make(signed_in)
    assert response.status_code == 422
    assert "Revoke one you no longer use first." in response.get_data(as_text=True)
    assert len(_tokens(user)) == PERSONAL_MAX


def test_the_hub_counts_live_tokens(signed_in):
    _make(signed_in)
    assert "1 active token" in signed_in.get("/profile").get_data(as_text=True)


def test_a_demo_visitor_cannot_make_a_token(signed_in, user):
    from finora.dates import now_utc

    user.demo_expires_at = now_utc() + timedelta(hours=24)
    db.session.commit()
    with pytest.raises(DemoTokensError):
        create_personal_token(db.session, user, membership_of(user, household_of(user)),
                              name="Script", scope="read", ttl=timedelta(days=30))
    db.session.rollback()
    # The page refuses too (the demo's guard may send the visitor away before it).
    assert _make(signed_in).status_code in (302, 422)
    assert _tokens(user) == []
