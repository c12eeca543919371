"""The demo service: an isolated household with a realistic year, deleted completely once
it expires, and capped in number."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import (
    Account,
    Budget,
    Entry,
    Goal,
    Household,
    Membership,
    RecurringRule,
    Transfer,
    User,
)
from finora.models.base import Base
from finora.services.people.demo import (
    DemoCapacityError,
    create_demo,
    is_demo,
    purge_expired_demos,
    purge_expired_demos_job,
)
from tests.factories import create_user
from tests.ledger_factories import household_of

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
TTL = timedelta(hours=24)


def _count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return db.session.scalar(query)


def _demo(now=NOW, **kwargs):
    user, household = create_demo(db.session, now=now, ttl=TTL, locale="en",
                                  rng=random.Random(7), **kwargs)
    db.session.commit()
    return user, household


def test_a_demo_is_a_signed_up_looking_owner_of_a_full_year(app):
    user, household = _demo()
    assert is_demo(user) and user.status == "active" and not user.is_admin
    assert user.email.endswith("@demo.invalid")
    assert user.demo_expires_at == household.demo_expires_at
    assert household.demo_expires_at.replace(tzinfo=UTC) == NOW + TTL
    membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).one()
    assert membership.household_id == household.id and membership.role == "owner"
    hid = household.id
    assert _count(Account, household_id=hid) >= 2
    entries = db.session.scalars(select(Entry.date).where(Entry.household_id == hid)).all()
    assert len(entries) > 300
    assert (max(entries) - min(entries)).days > 300  # about a year of history
    assert _count(Transfer, household_id=hid) > 0
    assert _count(RecurringRule, household_id=hid, is_scenario=False) >= 4
    assert _count(RecurringRule, household_id=hid, is_scenario=True) == 1
    assert _count(Budget, household_id=hid) >= 2
    assert _count(Goal, household_id=hid) >= 1


def test_a_demo_has_no_usable_password(app):
    from finora.errors import FinoraError
    from finora.services.people.auth import authenticate

    user, _household = _demo()
    for guess in ("", "demo", "password", user.email):
        with pytest.raises(FinoraError):
            authenticate(db.session, user.email, guess)


def test_demos_are_isolated_from_real_households_and_each_other(app):
    real = create_user(email="ana@example.com")
    real_household = household_of(real)
    before = _count(Entry, household_id=real_household.id)
    first_user, first = _demo()
    _second_user, second = _demo()
    assert first.id != second.id != real_household.id
    assert _count(Entry, household_id=real_household.id) == before
    assert [m.household_id for m in first_user.memberships] == [first.id]
    assert _count(Membership, household_id=real_household.id) == 1


def test_expiry_deletes_the_demo_and_nothing_else(app):
    real = create_user(email="ana@example.com")
    real_household = household_of(real)
    user, household = _demo()
    later_user, later = _demo(now=NOW + timedelta(hours=12))
    user_id, hid = user.id, household.id

    assert purge_expired_demos(db.session, NOW + TTL - timedelta(seconds=1)) == 0
    assert purge_expired_demos(db.session, NOW + TTL) == 1
    db.session.commit()

    assert db.session.get(User, user_id) is None and db.session.get(Household, hid) is None
    for table in Base.metadata.sorted_tables:  # nothing of it left anywhere
        if "household_id" in table.c:
            left = db.session.scalar(select(func.count()).select_from(table)
                                     .where(table.c.household_id == hid))
            assert left == 0, table.name
        if "user_id" in table.c:
            left = db.session.scalar(select(func.count()).select_from(table)
                                     .where(table.c.user_id == user_id))
            assert left == 0, table.name
    assert db.session.get(User, later_user.id) is not None
    assert _count(Entry, household_id=later.id) > 0
    assert db.session.get(User, real.id) is not None
    assert db.session.get(Household, real_household.id) is not None


def test_the_job_purges_and_commits(app):
    import time_machine

    user_id = _demo()[0].id
    with time_machine.travel(NOW + TTL + timedelta(minutes=1), tick=False):
        assert purge_expired_demos_job(db.session, "test") == 1
    db.session.rollback()  # committed: a rollback brings nothing back
    assert db.session.get(User, user_id) is None


def test_the_number_of_live_demos_is_capped(app):
    _demo(max_active=2)
    _demo(max_active=2)
    with pytest.raises(DemoCapacityError):
        create_demo(db.session, now=NOW, ttl=TTL, locale="en", max_active=2)
    db.session.rollback()
    # An expired demo no longer counts.
    _demo(now=NOW + TTL, max_active=2)


def test_no_password_reset_mail_for_a_demo(app):
    from finora.services.people.password_reset import request_password_reset

    user, _household = _demo()
    assert request_password_reset(db.session, user.email, base_url="http://localhost") is None


def test_the_first_real_sign_up_after_a_demo_still_becomes_the_admin(app):
    from finora.services.people.registration import admin_status, register_user
    from tests.factories import signup_data

    _demo()
    assert admin_status(db.session) == "empty"
    first = register_user(db.session, signup_data(), mode="approval")
    assert first.is_admin and first.status == "active"
