"""A user's own details: name, language, time zone and session timeout."""

from __future__ import annotations

from sqlalchemy.orm import Session

from finora.dates import is_valid_timezone
from finora.errors import FieldError
from finora.models import User
from finora.models.user import LOCALES, SESSION_TIMEOUTS
from finora.services.system import audit
from finora.translation import lazy_gettext as _l


def update_details(
    session: Session, user: User, *, name: str, locale: str, timezone: str | None = None
) -> None:
    name = (name or "").strip()
    if not name:
        raise FieldError("name", _l("Enter your name."))
    if len(name) > 120:
        raise FieldError("name", _l("Use at most %(count)d characters.", count=120))
    if locale not in LOCALES:
        raise FieldError("locale", _l("Choose a language from the list."))
    if timezone is not None:
        if timezone and not is_valid_timezone(timezone):
            raise FieldError("timezone", _l("Choose a time zone from the list."))
        user.timezone = timezone or None
    changed = sorted(
        key for key, old, new in (("name", user.name, name), ("locale", user.locale, locale))
        if old != new
    )
    user.name = name
    user.locale = locale
    if changed:
        audit.record(session, "profile.updated", user=user, details={"fields": changed})
    session.flush()


def set_session_timeout(session: Session, user: User, minutes: int | None) -> None:
    """None (off) or one of SESSION_TIMEOUTS minutes of inactivity."""
    if minutes is not None and minutes not in SESSION_TIMEOUTS:
        raise FieldError("minutes", _l("Choose a timeout from the list."))
    if user.session_timeout_minutes != minutes:
        audit.record(
            session, "session_timeout.changed", user=user, details={"minutes": minutes}
        )
    user.session_timeout_minutes = minutes
    session.flush()
