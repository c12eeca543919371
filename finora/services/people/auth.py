"""Signing in: check the password and the account's state, and lock out password guessing.

Failures are counted per account *and* source address (finora.models.security.SignInFailure):
five wrong passwords in a row from one place lock that place out of that account for 15
minutes, so a stranger cannot lock the owner out where the owner signs in from. The
account-wide count (users.failed_sign_ins) guards against guessing spread over many
addresses: past ACCOUNT_ALERT failures since the last sign-in, every source is locked at
its first failure. Wrong second-factor codes (someone who has the password) also lock the
whole account at the fifth in a row. Every count is one UPDATE … SET n = n + 1 and every
lock a conditional UPDATE, so simultaneous requests are all counted.

Every sign-in failure, whether the e-mail is unknown, the password wrong or the account or
source locked, gets the same message and the same password-hashing work, so the answer never
tells whether an account exists.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FieldError, FinoraError
from finora.models import User
from finora.models.security import SignInFailure
from finora.services.people.passwords import verify_password
from finora.services.people.registration import normalise_email
from finora.services.people.signup_verification import awaiting_verification
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

MAX_FAILED_SIGN_INS = 5
LOCK_DURATION = timedelta(minutes=15)
# Failures of one account from all sources together after which each source gets one try
# per LOCK_DURATION: a guesser with many addresses is slowed, the owner is not locked out.
ACCOUNT_ALERT = 20
# A source's count is forgotten this long after its last failure.
FORGET_AFTER = timedelta(days=1)
UNKNOWN_SOURCE = "unknown"


class InvalidCredentialsError(FinoraError):
    message = _l(
        "Invalid e-mail or password. After 5 failed attempts in a row, signing in to the "
        "account from this network is locked for 15 minutes."
    )
    status = 401


class PendingApprovalError(FinoraError):
    message = _l("Your account is waiting for the administrator’s approval.")
    status = 403


class EmailNotConfirmedError(FinoraError):
    message = _l(
        "Confirm your e-mail address first: open the link we sent you when you signed up."
    )
    status = 403


class AccountDisabledError(FinoraError):
    message = _l("This account is disabled. Contact the administrator of this Finora.")
    status = 403


class WrongCurrentPasswordError(FieldError):
    """A wrong password on a profile page: counted like a sign-in failure (commit it)."""


class PasswordChecksLockedError(FieldError):
    """Too many wrong passwords from this source: no check is made for a while."""

    status = 429

    def __init__(self, field: str) -> None:
        super().__init__(field, _l("Too many wrong passwords: try again in 15 minutes."))


def source_of(address: str | None) -> str:
    """The source a failure is counted against: the client address, an IPv6 one as its /64
    (one subscriber's usual allocation, so rotating addresses inside it does not help)."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return UNKNOWN_SOURCE
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def is_locked(user: User, now=None) -> bool:
    """Whether the whole account is locked (only wrong second-factor codes do that)."""
    return user.locked_until is not None and user.locked_until > (now or now_utc())


def _pair(user: User, source: str):
    return (SignInFailure.user_id == user.id, SignInFailure.source == source)


def source_locked(session: Session, user: User, source: str, now=None) -> bool:
    """Whether this source is locked out of this account."""
    until = session.scalar(select(SignInFailure.locked_until).where(*_pair(user, source)))
    return until is not None and until > (now or now_utc())


def _count_source_failure(session: Session, user: User, source: str, now) -> int:
    """One more failure of this pair (the row made on the first); the new count. The UPDATE
    holds the row until commit, so the count read back is this request's own. The caller
    holds the user's row, so only a writer without it could race the insert."""
    bump = (
        update(SignInFailure)
        .where(*_pair(user, source))
        .values(failures=SignInFailure.failures + 1, last_failed_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", session.execute(bump)).rowcount == 0:
        try:
            with session.begin_nested():
                session.execute(
                    insert(SignInFailure).values(
                        user_id=user.id, source=source, failures=1, last_failed_at=now
                    )
                )
        except IntegrityError:  # a simultaneous request made the row first
            session.execute(bump)
    # The row exists now: updated above, or inserted (by this request or the one it lost to).
    return cast(int, session.scalar(select(SignInFailure.failures).where(*_pair(user, source))))


def _count_account(session: Session, user: User, column) -> int:
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values({column: column + 1})
        .execution_options(synchronize_session=False)
    )
    value = session.scalar(select(column).where(User.id == user.id))
    session.expire(user, [column.key])
    return cast(int, value)  # the user's own row, just updated


def record_failed_sign_in(
    session: Session, user: User, source: str, *, reason: str = "password",
    method: str | None = None,
) -> bool:
    """Count one failed step from `source` (a wrong password — at sign-in or on a profile
    page — or a wrong second-factor code); audited. Locks the pair at every fifth failure in
    a row, or at each once the account is under attack; five wrong codes in a row lock the
    whole account. Whether this failure locked something. The caller commits even though
    the step failed (it must not roll this back)."""
    now = now_utc()
    # The user's row first: it serialises the failures of one account, so two first
    # failures never insert a pair row at once (a deadlock on MariaDB), and every writer
    # takes the rows in the same order (user, then pair).
    total = _count_account(session, user, User.failed_sign_ins)
    count = _count_source_failure(session, user, source, now)
    details = {"reason": reason, "attempt": count, "account_attempts": total}
    if method:
        details["method"] = method
    audit.record(session, "auth.sign_in_failed", user=user, details=details)
    until = now + LOCK_DURATION
    locked = False
    if count % MAX_FAILED_SIGN_INS == 0 or total >= ACCOUNT_ALERT:
        locked = cast("CursorResult[Any]", session.execute(
            update(SignInFailure)
            .where(*_pair(user, source), or_(
                SignInFailure.locked_until.is_(None), SignInFailure.locked_until <= now
            ))
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        )).rowcount == 1
        if locked:
            audit.record(session, "auth.locked", user=user, details={
                "scope": "source", "source": source, "until": until.isoformat(), "minutes": 15,
            })
    if reason == "code":
        codes = _count_account(session, user, User.failed_codes)
        if codes % MAX_FAILED_SIGN_INS == 0 and cast("CursorResult[Any]", session.execute(
            update(User)
            .where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until <= now))
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        )).rowcount == 1:
            session.expire(user, ["locked_until"])
            audit.record(session, "auth.locked", user=user, details={
                "scope": "account", "until": until.isoformat(), "minutes": 15,
            })
            locked = True
    session.flush()
    return locked


def clear_failures(session: Session, user: User, source: str | None = None) -> None:
    """A success: forget the failures of this source (after a sign-in or a right password),
    or, with no source, of every source and the account's (after the password is replaced)."""
    # The user's row first, in the order record_failed_sign_in takes them.
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    query = delete(SignInFailure).where(SignInFailure.user_id == user.id)
    if source is not None:
        query = query.where(SignInFailure.source == source)
    session.execute(query.execution_options(synchronize_session=False))
    if source is None:
        user.failed_sign_ins = 0
        user.failed_codes = 0
        user.locked_until = None
    session.flush()


def signed_in_from(session: Session, user: User, source: str) -> None:
    """A completed sign-in: this source's failures, every wrong code and the counts of other
    places not seen for a day are forgotten (locks still running are kept; the account-wide
    count is reset by user_sessions.start_user_session)."""
    now = now_utc()
    clear_failures(session, user, source)
    # Swept here, not on each failure, which then touches only its own rows.
    session.execute(
        delete(SignInFailure)
        .where(SignInFailure.user_id == user.id, SignInFailure.last_failed_at < now - FORGET_AFTER,
               or_(SignInFailure.locked_until.is_(None), SignInFailure.locked_until <= now))
        .execution_options(synchronize_session=False)
    )
    user.failed_codes = 0
    session.flush()


def check_current_password(
    session: Session, user: User, password, source: str, *, field: str, message
) -> None:
    """A profile page's check of the signed-in user's password, limited like sign-in: a
    locked source is refused without checking, a wrong password is counted (the caller
    commits WrongCurrentPasswordError), a right one clears this source's count."""
    if source_locked(session, user, source):
        verify_password(None, str(password or ""))  # the same work either way
        raise PasswordChecksLockedError(field)
    if not isinstance(password, str) or not verify_password(user.password_hash, password):
        record_failed_sign_in(session, user, source, reason="current_password")
        raise WrongCurrentPasswordError(field, message)
    clear_failures(session, user, source)


def _record_failure(session: Session, user: User | None, email: str, source: str, *, locked: bool) -> None:
    if user is None:
        audit.record(session, "auth.sign_in_failed", email=email, details={"reason": "unknown"})
    elif locked:
        audit.record(session, "auth.sign_in_failed", user=user, details={"reason": "locked"})
    else:
        record_failed_sign_in(session, user, source)


def authenticate(session: Session, email: str, password: str, source: str = UNKNOWN_SOURCE) -> User:
    """The user for these credentials from `source` (source_of the client address); the
    account state is told only after a good password of an account not locked for this
    source. On InvalidCredentialsError the failure is in `session`: commit it."""
    address = normalise_email(email)
    user = session.scalar(select(User).where(User.email == address))
    locked = user is not None and (is_locked(user) or source_locked(session, user, source))
    # Always one scrypt check, even for an unknown e-mail or a locked account.
    good = verify_password(user.password_hash if user else None, password)
    if user is None or locked or not good:
        _record_failure(session, user, address, source, locked=locked)
        session.flush()
        raise InvalidCredentialsError()
    if user.status == "pending":
        if awaiting_verification(session, user):
            raise EmailNotConfirmedError()
        raise PendingApprovalError()
    if user.status == "disabled":
        raise AccountDisabledError()
    return user
