"""Old sign-in sessions are purged: ended over 30 days ago, or unseen for a year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from finora.extensions import db
from finora.models import UserSession
from finora.services.people.user_sessions import purge_old_sessions

NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)


def _session(user, name, *, seen_days_ago, revoked_days_ago=None):
    record = UserSession(
        user_id=user.id, token_hash=name.ljust(64, "0"), label=name,
        created_at=NOW - timedelta(days=seen_days_ago), last_seen_at=NOW - timedelta(days=seen_days_ago),
        revoked_at=None if revoked_days_ago is None else NOW - timedelta(days=revoked_days_ago),
    )
    db.session.add(record)
    return record


def test_purge_keeps_live_and_recently_ended_sessions(app, user):
    _session(user, "live", seen_days_ago=2)
    _session(user, "ended-recently", seen_days_ago=20, revoked_days_ago=29)
    _session(user, "ended-long-ago", seen_days_ago=40, revoked_days_ago=31)
    _session(user, "idle-a-year", seen_days_ago=366)
    _session(user, "remembered", seen_days_ago=300)
    db.session.commit()
    assert purge_old_sessions(db.session, NOW) == 2
    db.session.commit()
    left = set(db.session.scalars(select(UserSession.label)))
    assert left == {"live", "ended-recently", "remembered"}
