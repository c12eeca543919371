"""Changing one's password: needs the current one, ends every other session and API token.
replace_password is the one way any password is replaced (here, by a reset link or with
the recovery key); it also lifts every sign-in lock of the account."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FieldError
from finora.models import ApiToken, PasswordResetToken, User
from finora.services.people.auth import check_current_password, clear_failures
from finora.services.people.passwords import hash_password, password_problem, verify_password
from finora.services.people.user_sessions import revoke_user_sessions
from finora.services.system import audit
from finora.translation import lazy_gettext as _l


def revoke_api_tokens(session: Session, user: User, *, except_token_id: int | None = None) -> int:
    """Revoke every live API token of the user but `except_token_id`; how many."""
    now = now_utc()
    tokens = session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
            ApiToken.id != (except_token_id or 0),
        )
    ).all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def replace_password(
    session: Session, user: User, new: str, *, keep_session_id: int | None = None,
    keep_token_id: int | None = None,
) -> dict[str, int]:
    """Store the new password: every session but `keep_session_id` ends, every API token
    but `keep_token_id` is revoked, every reset link still open stops working and every lock is lifted (the
    failures were someone else's guesses, or the owner's own). Returns what ended."""
    now = now_utc()
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    clear_failures(session, user)
    ended = revoke_user_sessions(session, user, except_session_id=keep_session_id)
    revoked = revoke_api_tokens(session, user, except_token_id=keep_token_id)
    return {"sessions_ended": ended, "api_tokens_revoked": revoked}


def change_password(
    session: Session, user: User, *, current: str, new: str, keep_session_id: int | None,
    source: str, keep_token_id: int | None = None,
) -> dict[str, int]:
    """Set a new password; every session but `keep_session_id` ends and every API token but
    `keep_token_id` (the API call's own) is revoked. Audited as password.changed; the caller commits. The current password is
    checked as at sign-in (finora.services.people.auth.check_current_password): a wrong one from
    `source` counts toward its lockout, and the caller commits WrongCurrentPasswordError."""
    check_current_password(
        session, user, current, source,
        field="current_password", message=_l("The current password is not correct."),
    )
    problem = password_problem(new or "", email=user.email, name=user.name)
    if problem:
        raise FieldError("new_password", problem)
    if verify_password(user.password_hash, new):
        raise FieldError("new_password", _l("Choose a password different from the current one."))
    details = replace_password(session, user, new, keep_session_id=keep_session_id,
                               keep_token_id=keep_token_id)
    audit.record(session, "password.changed", user=user, details=details)
    session.flush()
    return details
