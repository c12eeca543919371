"""Sign-ups whose address was never confirmed are deleted, with their household, a week after
their newest link expired; nothing else a pending list holds is touched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from finora.crypto import hash_token, new_token
from finora.dates import now_utc
from finora.extensions import db
from finora.jobs import run_due_jobs
from finora.models import AuditEvent, Household, Membership, User
from finora.models.security import EmailVerification
from finora.services.people.signup_verification import purge_unconfirmed_sign_ups
from finora.services.system.audit_trail import action_label
from tests.factories import create_user


@pytest.fixture(autouse=True)
def _administrator(app):
    """The first account is the administrator's; the sign-ups come after it."""
    return create_user()


def _link(user: User, *, expired_days_ago: float, used: bool = False) -> None:
    expires = now_utc() - timedelta(days=expired_days_ago)
    db.session.add(
        EmailVerification(
            user_id=user.id, token_hash=hash_token(new_token()),
            created_at=expires - timedelta(hours=48), expires_at=expires,
            used_at=expires - timedelta(hours=1) if used else None,
        )
    )
    db.session.commit()


def _unconfirmed(*, expired_days_ago: float, **overrides) -> tuple[int, int]:
    """A sign-up never confirmed: its id and its household's."""
    user = create_user(status="pending", **overrides)
    _link(user, expired_days_ago=expired_days_ago)
    return user.id, user.memberships[0].household_id


def _exists(model, row_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(model, row_id) is not None


def test_an_old_unconfirmed_sign_up_and_its_household_are_deleted_and_audited(app):
    user_id, household_id = _unconfirmed(expired_days_ago=8, email="gone@example.com")
    assert purge_unconfirmed_sign_ups(db.session) == 1
    db.session.commit()
    assert not _exists(User, user_id)
    assert not _exists(Household, household_id)
    assert db.session.scalars(select(EmailVerification)).all() == []
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.unconfirmed_purged"))
    assert (event.object_id, event.details["email"], event.user_id) == (user_id, "gone@example.com", None)
    with force_locale("en"):
        assert action_label(event.action) == "Unconfirmed sign-up deleted"
    with force_locale("pt"):
        assert action_label(event.action) == "Cadastro não confirmado excluído"


def test_a_sign_up_whose_newest_link_expired_less_than_a_week_ago_stays(app):
    recent_id, household_id = _unconfirmed(expired_days_ago=6)
    # An old first link does not count: the newest one (a sign-up made again) decides.
    _link(db.session.get(User, recent_id), expired_days_ago=30)
    assert purge_unconfirmed_sign_ups(db.session) == 0
    db.session.commit()
    assert _exists(User, recent_id) and _exists(Household, household_id)


def test_accounts_pending_for_another_reason_or_not_pending_stay(app):
    waiting = create_user(status="pending")  # waiting for the administrator's approval
    active = create_user()
    _link(active, expired_days_ago=30)  # made active by hand with its link never followed
    disabled = create_user(status="disabled")
    _link(disabled, expired_days_ago=30)
    admin = create_user(status="pending", is_admin=True)
    _link(admin, expired_days_ago=30)
    confirmed_then_pending = create_user(status="pending")
    _link(confirmed_then_pending, expired_days_ago=30, used=True)
    shared_id, shared_household = _unconfirmed(expired_days_ago=30)
    # Someone else also belongs to that household: it is not an abandoned sign-up's.
    db.session.add(Membership(user_id=active.id, household_id=shared_household, role="viewer"))
    # And this one was also given a place in someone else's household.
    member_id, own_household = _unconfirmed(expired_days_ago=30)
    db.session.add(
        Membership(user_id=member_id, household_id=active.memberships[0].household_id, role="editor")
    )
    db.session.commit()
    kept = [waiting.id, active.id, disabled.id, admin.id, confirmed_then_pending.id, shared_id, member_id]

    assert purge_unconfirmed_sign_ups(db.session) == 0
    db.session.commit()
    assert all(_exists(User, user_id) for user_id in kept)
    assert _exists(Household, shared_household) and _exists(Household, own_household)


def test_the_daily_job_purges_them(app):
    old_id, household_id = _unconfirmed(expired_days_ago=10)
    recent_id, _ = _unconfirmed(expired_days_ago=1)
    [run] = [r for r in run_due_jobs(db.session, "here") if r.job == "purge_unconfirmed_sign_ups"]
    assert (run.status, run.items) == ("success", 1)
    assert not _exists(User, old_id) and not _exists(Household, household_id)
    assert _exists(User, recent_id)
