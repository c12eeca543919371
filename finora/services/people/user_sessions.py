"""Server-side sign-in sessions: created at sign-in, checked on every request, revocable.

The browser keeps a random token (in the signed session cookie and the remember-me
cookie); the database keeps only its SHA-256, so a stolen database cannot be replayed.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select
from sqlalchemy.orm import Session

from finora.crypto import hash_token
from finora.dates import now_utc
from finora.errors import NotFoundError
from finora.models import User
from finora.models.security import UserSession
from finora.services.people.device_labels import device_label
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

# last_seen_at is written at most this often, so most requests only read.
TOUCH_INTERVAL = timedelta(minutes=1)
# With an inactivity timeout the write is more frequent, so the timeout stays exact to
# within a twentieth of itself (15 seconds for 5 minutes).
_TIMEOUT_PRECISION = 20


class SessionNotFoundError(NotFoundError):
    message = _l("This session does not exist or has already ended.")


def start_user_session(
    session: Session,
    user: User,
    token: str,
    *,
    user_agent: str | None,
    ip_address: str | None,
    remember: bool,
    method: str,
) -> UserSession:
    """A completed sign-in whose browser holds `token`: record the session, clear the
    failed-sign-in count and any lock, note the time; audited. The caller commits."""
    now = now_utc()
    record = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        label=device_label(user_agent)[:120],
        user_agent=(user_agent or None) and user_agent[:255],
        ip_address=(ip_address or None) and ip_address[:45],
        remember=remember,
        created_at=now,
        last_seen_at=now,
    )
    session.add(record)
    note_completed_sign_in(session, user, method=method, now=now)
    return record


def note_completed_sign_in(
    session: Session, user: User, *, method: str, now: datetime | None = None
) -> None:
    """What every completed sign-in does, in a browser or an app: the account-wide failure
    count and any lock are cleared, the time is noted (users.last_login_at), audited."""
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_login_at = now or now_utc()
    audit.record(session, "auth.signed_in", user=user, details={"method": method})
    session.flush()


def find_live_session(
    session: Session, user_id: int, token: str
) -> tuple[UserSession, User] | None:
    """The unrevoked session of this active user holding this token, with the user, in one
    query (it runs on every request); else None."""
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.token_hash == hash_token(token),
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
        )
    ).first()
    if row is None or not row[1].is_active:
        return None
    return row[0], row[1]


def timeout_of(user: User) -> timedelta | None:
    minutes = user.session_timeout_minutes
    return timedelta(minutes=minutes) if minutes else None


def seconds_left(record: UserSession, user: User, now: datetime | None = None) -> int | None:
    """Seconds of inactivity left before the user's timeout ends this session; None: no timeout."""
    timeout = timeout_of(user)
    if timeout is None:
        return None
    remaining = timeout - ((now or now_utc()) - record.last_seen_at)
    # Rounded up: MariaDB keeps whole seconds, so a fresh session must still read 300, not 299.
    return max(0, math.ceil(remaining.total_seconds()))


def has_timed_out(record: UserSession, user: User, now: datetime) -> bool:
    timeout = timeout_of(user)
    return timeout is not None and now - record.last_seen_at >= timeout


def touch(record: UserSession, user: User, now: datetime, *, force: bool = False) -> bool:
    """Note activity; True if last_seen_at changed (the caller commits)."""
    interval = TOUCH_INTERVAL
    timeout = timeout_of(user)
    if timeout is not None:
        interval = min(interval, timeout / _TIMEOUT_PRECISION)
    if force or now - record.last_seen_at >= interval:
        record.last_seen_at = now
        return True
    return False


def end_for_inactivity(session: Session, record: UserSession, user: User, now: datetime) -> None:
    record.revoked_at = now
    audit.record(
        session,
        "auth.signed_out",
        user=user,
        object_type="session",
        object_id=record.id,
        details={"reason": "timeout", "minutes": user.session_timeout_minutes},
    )


def end_session(session: Session, record: UserSession, user: User) -> None:
    """Sign-out of this browser."""
    if record.revoked_at is None:
        record.revoked_at = now_utc()
    audit.record(session, "auth.signed_out", user=user, object_type="session", object_id=record.id)


def live_sessions(session: Session, user: User) -> list[UserSession]:
    """The user's unrevoked sessions, most recently seen first."""
    return list(
        session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def revoke_session(session: Session, user: User, session_id: int) -> UserSession:
    """End one of the user's own sessions ("sign out this device"); audited."""
    record = session.get(UserSession, session_id)
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        raise SessionNotFoundError()
    record.revoked_at = now_utc()
    audit.record(
        session, "session.revoked", user=user, object_type="session", object_id=record.id,
        details={"label": record.label},
    )
    return record


def revoke_user_sessions(session: Session, user: User, *, except_session_id: int | None = None) -> int:
    """Mark every live session of `user` revoked but one; how many ended. The caller audits
    the reason (password change, member removal...) and commits."""
    now = now_utc()
    ended = 0
    for record in live_sessions(session, user):
        if record.id != except_session_id:
            record.revoked_at = now
            ended += 1
    session.flush()
    return ended


def revoke_other_sessions(session: Session, user: User, *, keep_session_id: int | None) -> int:
    """"Sign out everywhere else": end every live session but this browser's; audited."""
    ended = revoke_user_sessions(session, user, except_session_id=keep_session_id)
    audit.record(session, "session.revoked", user=user, details={"others": ended})
    return ended


# Ended sessions stay listed in no page; their rows are kept a while for investigations.
KEEP_ENDED = timedelta(days=30)
# A session unseen for longer than a remember-me cookie lives can never come back.
KEEP_IDLE = timedelta(days=365)


def purge_old_sessions(session: Session, now: datetime | None = None) -> int:
    """Delete sessions ended over 30 days ago or unseen for a year; how many (for a job)."""
    now = now or now_utc()
    result = session.execute(
        delete(UserSession).where(
            or_(
                UserSession.revoked_at < now - KEEP_ENDED,
                UserSession.last_seen_at < now - KEEP_IDLE,
            )
        )
    )
    return cast("CursorResult[Any]", result).rowcount or 0
