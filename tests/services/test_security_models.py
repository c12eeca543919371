"""Security tables: what dies with a user or household, what survives, and unique hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, OperationalError

from finora.crypto import hash_token, keyed_hash, new_token
from finora.extensions import db
from finora.models import (
    ApiToken,
    AuditEvent,
    BackupCode,
    Household,
    Invitation,
    Passkey,
    PasswordResetToken,
    User,
    UserSession,
)
from tests.factories import create_user

SOON = datetime(2030, 1, 1, tzinfo=UTC)
# MariaDB reports a failed CHECK as an OperationalError (4025), the others as IntegrityError.
CHECK_FAILED = (IntegrityError, OperationalError)


def _rows_for(user: User) -> None:
    household_id = user.memberships[0].household_id
    db.session.add_all(
        [
            UserSession(user_id=user.id, token_hash=hash_token(new_token()), label="Firefox"),
            PasswordResetToken(
                user_id=user.id, token_hash=hash_token(new_token()), expires_at=SOON
            ),
            BackupCode(user_id=user.id, code_hash=keyed_hash("ABCD-EFGH", app_secret="s")),
            Passkey(
                user_id=user.id,
                name="Laptop",
                # 1023 bytes, the maximum, distinct per user
                credential_id=user.id.to_bytes(4, "big") + bytes(range(256)) * 3 + bytes(251),
                public_key=b"\xa5\x01\x02",
                sign_count=2**32 - 1,
                transports="internal,hybrid",
            ),
            ApiToken(
                user_id=user.id,
                household_id=household_id,
                name="cli",
                token_hash=hash_token(new_token()),
            ),
            Invitation(
                household_id=household_id,
                email="guest@example.com",
                role="viewer",
                token_hash=hash_token(new_token()),
                invited_by_id=user.id,
                expires_at=SOON,
            ),
            AuditEvent(
                user_id=user.id,
                actor_email=user.email,
                household_id=household_id,
                action="member.invited",
                object_type="invitation",
                object_id=1,
                details={"email": "guest@example.com", "role": "viewer"},
                ip_address="::1",
            ),
        ]
    )
    db.session.commit()


def _count(model, **where) -> int:
    query = select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return len(db.session.scalars(query).all())


def test_deleting_a_user_removes_their_security_rows_but_keeps_the_audit_trail(app):
    user = create_user()
    other = create_user()
    _rows_for(user)
    _rows_for(other)
    user_id = user.id
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.commit()
    db.session.expire_all()

    for model in (UserSession, PasswordResetToken, BackupCode, Passkey, ApiToken):
        assert _count(model, user_id=user_id) == 0, model
        assert _count(model, user_id=other.id) == 1, model
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.actor_email == user.email))
    assert event.user_id is None and event.household_id is not None
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.household_id == event.household_id)
    )
    assert invitation.invited_by_id is None


def test_deleting_a_household_removes_its_tokens_and_invitations_only(app):
    user = create_user()
    _rows_for(user)
    household_id = user.memberships[0].household_id
    db.session.execute(delete(Household).where(Household.id == household_id))
    db.session.commit()
    db.session.expire_all()

    assert _count(ApiToken, household_id=household_id) == 0
    assert _count(Invitation, household_id=household_id) == 0
    assert _count(UserSession, user_id=user.id) == 1
    event = db.session.scalar(select(AuditEvent))
    assert event.household_id is None and event.user_id == user.id


def test_values_come_back_as_stored(app):
    user = create_user()
    _rows_for(user)
    db.session.expire_all()
    passkey = db.session.scalar(select(Passkey))
    assert len(passkey.credential_id) == 1023 and passkey.credential_id[4:7] == b"\x00\x01\x02"
    assert passkey.sign_count == 2**32 - 1
    assert passkey.transport_list == ["internal", "hybrid"]
    event = db.session.scalar(select(AuditEvent))
    assert event.details == {"email": "guest@example.com", "role": "viewer"}
    assert event.created_at.tzinfo is UTC
    session_row = db.session.scalar(select(UserSession))
    assert session_row.remember is False and session_row.revoked_at is None
    assert session_row.last_seen_at - session_row.created_at < timedelta(seconds=5)
    fresh = db.session.get(User, user.id)
    assert fresh.failed_sign_ins == 0 and fresh.session_timeout_minutes is None
    assert fresh.totp_enabled is False


@pytest.mark.parametrize("model", [UserSession, PasswordResetToken, ApiToken, Invitation])
def test_token_hashes_are_unique(app, model):
    user = create_user()
    household_id = user.memberships[0].household_id
    digest = hash_token(new_token())
    values = {
        UserSession: {"user_id": user.id},
        PasswordResetToken: {"user_id": user.id, "expires_at": SOON},
        ApiToken: {"user_id": user.id, "household_id": household_id, "name": "t"},
        Invitation: {
            "household_id": household_id,
            "email": "a@example.com",
            "role": "editor",
            "expires_at": SOON,
        },
    }[model]
    db.session.add(model(token_hash=digest, **values))
    db.session.commit()
    db.session.add(model(token_hash=digest, **values))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_passkey_credential_id_belongs_to_one_passkey(app):
    user = create_user()
    for name in ("One", "Two"):
        db.session.add(
            Passkey(user_id=user.id, name=name, credential_id=b"\x01" * 64, public_key=b"k")
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("minutes", [7, 0, 120])
def test_session_timeout_is_one_of_the_offered_values(app, minutes):
    user = create_user()
    user.session_timeout_minutes = 15
    db.session.commit()
    user.session_timeout_minutes = minutes
    with pytest.raises(CHECK_FAILED):
        db.session.commit()
    db.session.rollback()


def test_an_invitation_is_for_an_editor_or_a_viewer(app):
    user = create_user()
    db.session.add(
        Invitation(
            household_id=user.memberships[0].household_id,
            email="a@example.com",
            role="owner",
            token_hash=hash_token("x"),
            expires_at=SOON,
        )
    )
    with pytest.raises(CHECK_FAILED):
        db.session.commit()
    db.session.rollback()
