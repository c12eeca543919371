"""Inviting people: the owner sends a one-time link (real SMTP server on loopback), the
invitee follows it from the captured mail and joins; expiry, single use, re-invites; the
owner changes roles and removes members (sessions, API tokens and passkeys end)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from finora.crypto import hash_token
from finora.extensions import db
from finora.models import ApiToken, AuditEvent, Invitation, Membership, Passkey, User, UserSession
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member, link_in, membership_of

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
BASE_URL = "https://finora.example.org"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def app(app_factory):
    application = app_factory(APP_BASE_URL=BASE_URL)
    with application.app_context():
        yield application


@pytest.fixture
def owner(signed_in, user):
    return user


@pytest.fixture
def household(owner):
    return household_of(owner)


def _invite(client, email: str, role: str = "viewer"):
    return client.post("/household/members/invite", data={"email": email, "role": role})


def _path(link: str) -> str:
    assert link.startswith(BASE_URL + "/invitations/")
    return link.removeprefix(BASE_URL)


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _guest_client(app):
    return app.test_client()


def test_invite_a_viewer_who_sets_a_password_and_joins(app, client, owner, household, smtp_server):
    response = _invite(client, "Guest@Example.com", "viewer")
    assert response.status_code == 302
    assert "Invitation sent to guest@example.com" in client.get("/household/members").text

    mail = smtp_server.last()
    assert smtp_server.envelopes[-1][1] == ["guest@example.com"]
    assert household.name in mail["Subject"]
    link = link_in(mail.get_content())
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(Invitation))
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert stored.expires_at == NOW + timedelta(hours=48)

    guest = _guest_client(app)
    page = guest.get(_path(link))
    assert page.status_code == 200
    assert f"Join {household.name}" in page.text and "viewer" in page.text

    response = guest.post(_path(link), data={
        "name": "Gina Guest", "password": "a long new secret", "confirm": "a long new secret",
    })
    assert response.status_code == 302
    # Like a sign-up, the new account's recovery key is shown once, then the dashboard.
    assert response.location.endswith("/signup/recovery-key")
    key_page = guest.get("/signup/recovery-key").text
    assert 'id="recovery-key-continue"' in key_page and 'href="/dashboard"' in key_page
    assert 'id="recovery-key-continue"' not in guest.get("/signup/recovery-key", follow_redirects=True).text
    gina = db.session.scalar(select(User).where(User.email == "guest@example.com"))
    assert gina.recovery_key_hash is not None
    assert gina.name == "Gina Guest" and gina.is_active and not gina.is_admin
    assert [(m.household_id, m.role) for m in gina.memberships] == [(household.id, "viewer")]
    dashboard = guest.get("/dashboard", follow_redirects=True)
    assert dashboard.status_code == 200 and "Gina Guest" in dashboard.text
    assert "/entries/new" not in dashboard.text
    assert guest.post("/entries/new", data={}).status_code == 403

    assert [e.details["role"] for e in _events("member.invited")] == ["viewer"]
    [joined] = _events("member.joined")
    assert joined.user_id == gina.id and joined.household_id == household.id


def test_the_link_works_once(app, client, household, smtp_server):
    _invite(client, "once@example.com")
    path = _path(link_in(smtp_server.last().get_content()))
    data = {"name": "Olga", "password": "a long new secret", "confirm": "a long new secret"}
    assert _guest_client(app).post(path, data=data).status_code == 302
    second = _guest_client(app).get(path)
    assert second.status_code == 404
    assert "no longer works" in second.text
    assert _guest_client(app).post(path, data=data).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 2


def test_the_link_expires_after_48_hours(app, client, household, smtp_server, frozen_time):
    _invite(client, "late@example.com")
    path = _path(link_in(smtp_server.last().get_content()))
    frozen_time.move_to(NOW + timedelta(hours=47, minutes=59))
    assert _guest_client(app).get(path).status_code == 200
    frozen_time.move_to(NOW + timedelta(hours=48, minutes=1))
    page = _guest_client(app).get(path)
    assert page.status_code == 404 and "expired" in page.text
    data = {"name": "Lee", "password": "a long new secret", "confirm": "a long new secret"}
    assert _guest_client(app).post(path, data=data).status_code == 404
    assert db.session.scalar(select(User).where(User.email == "late@example.com")) is None


def test_inviting_again_voids_the_older_link(app, client, household, smtp_server):
    _invite(client, "twice@example.com", "viewer")
    first = _path(link_in(smtp_server.last().get_content()))
    _invite(client, "twice@example.com", "editor")
    second = _path(link_in(smtp_server.last().get_content()))
    assert first != second
    assert _guest_client(app).get(first).status_code == 404
    page = _guest_client(app).get(second)
    assert page.status_code == 200 and "editor" in page.text
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_without_smtp_the_link_goes_to_the_log(app, client, household, caplog):
    with caplog.at_level(logging.INFO, logger="finora.mail"):
        response = _invite(client, "logged@example.com")
    assert response.status_code == 302
    page = client.get("/household/members").text
    assert "written to the server log" in page
    link = link_in(caplog.text)
    assert _guest_client(app).get(_path(link)).status_code == 200


def test_bad_input_is_shown_beside_the_field_and_kept(client, owner, household):
    response = _invite(client, "not-an-address")
    assert response.status_code == 422
    assert 'value="not-an-address"' in response.text
    assert "Enter a valid e-mail address." in response.text
    response = _invite(client, owner.email)
    assert response.status_code == 422
    assert "already a member" in response.text
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_a_weak_password_is_refused_and_the_name_kept(app, client, household, smtp_server):
    _invite(client, "weak@example.com")
    path = _path(link_in(smtp_server.last().get_content()))
    guest = _guest_client(app)
    response = guest.post(path, data={"name": "Wendy", "password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "Use at least 10 characters." in response.text and 'value="Wendy"' in response.text
    response = guest.post(path, data={"name": "Wendy", "password": "a long new secret", "confirm": "other"})
    assert response.status_code == 422 and "The passwords do not match." in response.text
    assert db.session.scalar(select(User).where(User.email == "weak@example.com")) is None


def test_an_existing_account_signs_in_and_accepts(app, client, household, smtp_server):
    other = create_user(name="Olivia Other", email="olivia@example.com", household_name="Olivia's")
    _invite(client, "olivia@example.com", "editor")
    path = _path(link_in(smtp_server.last().get_content()))
    guest = _guest_client(app)
    page = guest.get(path)
    assert "Sign in to accept" in page.text
    response = guest.post(f"/login?next={path}", data={"email": other.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    assert "Join the household" in guest.get(path).text
    response = guest.post(path)
    assert response.status_code == 302
    assert {m.household_id: m.role for m in membership_of(other, household).user.memberships} == {
        household_of(other).id: "owner", household.id: "editor",
    }
    # They now work in the household they joined, and can switch back from the profile.
    assert household.name in guest.get("/dashboard", follow_redirects=True).text
    profile = guest.get("/profile/households")
    assert "Olivia" in profile.text
    guest.post("/profile/households", data={"household_id": household_of(other).id})
    assert "Olivia&#39;s" in guest.get("/dashboard", follow_redirects=True).text


def test_another_signed_in_account_cannot_accept(app, client, household, smtp_server):
    intruder = create_user(email="intruder@example.com")
    _invite(client, "right@example.com")
    path = _path(link_in(smtp_server.last().get_content()))
    guest = _guest_client(app)
    guest.post("/login", data={"email": intruder.email, "password": PASSWORD})
    assert guest.get(path).status_code == 403
    assert guest.post(path).status_code == 403
    assert len(intruder.memberships) == 1


def test_the_owner_changes_roles_but_not_the_last_owner(client, owner, household):
    member = add_member(household, "viewer")
    mine = membership_of(owner, household)
    theirs = membership_of(member, household)
    response = client.post(f"/household/members/{theirs.id}/role", data={f"m{theirs.id}-role": "editor"})
    assert response.status_code == 302
    assert membership_of(member, household).role == "editor"
    [event] = _events("member.role_changed")
    assert event.details == {"email": member.email, "from": "viewer", "to": "editor"}

    response = client.post(f"/household/members/{mine.id}/role", data={f"m{mine.id}-role": "viewer"})
    assert response.status_code == 409
    assert "at least one owner" in response.text
    assert membership_of(owner, household).role == "owner"
    response = client.post(f"/household/members/{mine.id}/remove")
    assert response.status_code == 409
    assert membership_of(owner, household).role == "owner"

    # With a second owner, the first may step down (and loses the members page).
    client.post(f"/household/members/{theirs.id}/role", data={f"m{theirs.id}-role": "owner"})
    response = client.post(f"/household/members/{mine.id}/role", data={f"m{mine.id}-role": "viewer"})
    assert response.status_code == 302
    assert client.get("/household/members").status_code == 403


def test_removing_a_member_ends_their_sessions_tokens_and_passkeys(app, client, household):
    member = add_member(household, "editor")
    theirs = _guest_client(app)
    assert theirs.post("/login", data={"email": member.email, "password": PASSWORD}).status_code == 302
    assert theirs.get("/dashboard", follow_redirects=True).status_code == 200
    db.session.add_all([
        ApiToken(user_id=member.id, household_id=household.id, name="cli", token_hash="a" * 64),
        Passkey(user_id=member.id, name="Phone", credential_id=b"cred-1", public_key=b"key"),
    ])
    db.session.commit()

    membership = membership_of(member, household)
    response = client.post(f"/household/members/{membership.id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, membership.id) is None
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == member.id, UserSession.revoked_at.is_(None))) == 0
    assert db.session.scalar(select(ApiToken)).revoked_at is not None
    assert db.session.scalar(select(func.count()).select_from(Passkey)) == 0
    [event] = _events("member.removed")
    assert event.details["email"] == member.email and event.household_id == household.id
    # Their browser is signed out on its next request.
    response = theirs.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_member_of_another_household_keeps_their_passkeys(client, household):
    other = create_user(email="two-homes@example.com")
    db.session.add(Membership(user_id=other.id, household_id=household.id, role="viewer"))
    db.session.add(Passkey(user_id=other.id, name="Phone", credential_id=b"cred-2", public_key=b"k"))
    db.session.commit()
    response = client.post(f"/household/members/{membership_of(other, household).id}/remove")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Passkey)) == 1
    assert [m.household_id for m in db.session.get(User, other.id).memberships] == [household_of(other).id]


def test_the_profile_links_owners_to_the_members(app, client, owner, household):
    add_member(household, "editor", name="Eddie Editor")
    page = client.get("/profile/members")
    assert page.status_code == 200 and "Eddie Editor" in page.text
    assert 'id="members-overview"' in page.text and "/household/members" in page.text
    viewer = add_member(household, "viewer")
    guest = _guest_client(app)
    guest.post("/login", data={"email": viewer.email, "password": PASSWORD})
    assert guest.get("/profile/members").status_code == 403
    assert "profile-members" not in guest.get("/profile").text


def test_another_households_invitation_and_member_ids_are_404(client, household):
    other = create_user()
    theirs = household_of(other)
    member = add_member(theirs, "viewer")
    invitation = Invitation(household_id=theirs.id, email="x@example.com", role="viewer",
                            token_hash="b" * 64, expires_at=NOW + timedelta(hours=1))
    db.session.add(invitation)
    db.session.commit()
    membership_id = membership_of(member, theirs).id
    assert client.post(f"/household/members/{membership_id}/remove").status_code == 404
    assert client.post(f"/household/members/{membership_id}/role", data={"role": "owner"}).status_code == 404
    assert client.post(f"/household/invitations/{invitation.id}/cancel").status_code == 404
    assert db.session.get(Invitation, invitation.id) is not None
