"""Demos created at the same moment stay within DEMO_MAX_ACTIVE.

Each creation runs in its own thread with its own app context, session and database
connection, so the transactions really overlap. A slow seeding step holds the window
between the count and the commit open, the way a busy server would: before the creation
lock, every creation counted the same live demos and all of them went past the cap.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Household, Setting, User
from finora.services.people import demo
from finora.services.people.demo import CREATION_LOCK_KEY, DemoCapacityError, create_demo
from finora.services.system import seed
from tests.concurrency import at_once

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
TTL = timedelta(hours=24)


@pytest.fixture
def slow_seeding(monkeypatch):
    real = seed.seed_household

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(seed, "seed_household", slow)
    monkeypatch.setattr(demo, "DEMO_ENTRIES", 60)  # the race is in the count, not the rows


def _creation(app, max_active: int):
    def create():
        with app.app_context():
            try:
                create_demo(db.session, now=NOW, ttl=TTL, locale="en", max_active=max_active,
                            rng=random.Random(3))
                db.session.commit()
                return "created"
            except DemoCapacityError:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()
    return create


def _live_demos() -> int:
    db.session.rollback()  # a fresh snapshot (MariaDB's repeatable read keeps the old one)
    return db.session.scalar(
        select(func.count()).select_from(Household).where(Household.demo_expires_at > NOW))


@pytest.mark.parametrize("existing", [0, 1])
def test_demos_created_at_once_never_pass_the_cap(app, slow_seeding, existing):
    for _ in range(existing):  # the first demo of the instance makes the lock's row
        create_demo(db.session, now=NOW, ttl=TTL, locale="en", max_active=10, rng=random.Random(1))
        db.session.commit()
    results = at_once([_creation(app, max_active=3) for _ in range(5)])
    assert sorted(results) == ["created"] * (3 - existing) + ["refused"] * (2 + existing), results
    assert _live_demos() == 3
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(User.demo_expires_at.is_not(None))) == 3
    assert db.session.get(Setting, CREATION_LOCK_KEY) is not None


def test_without_a_cap_no_lock_is_taken(app):
    create_demo(db.session, now=NOW, ttl=TTL, locale="en", rng=random.Random(1))
    db.session.commit()
    assert db.session.get(Setting, CREATION_LOCK_KEY) is None
