"""Instance settings stored in the database, falling back to the configuration."""

from __future__ import annotations

from sqlalchemy.orm import Session

from finora.models import Setting

REGISTRATION_MODE_KEY = "registration_mode"


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Setting, key)
    return row.value if row is not None else default


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def registration_mode(session: Session, default: str) -> str:
    """open | approval | closed: the admin's choice, else REGISTRATION_MODE."""
    return get_setting(session, REGISTRATION_MODE_KEY, default) or default


REGISTRATION_MODES = ("open", "approval", "closed")
AUDIT_RETENTION_KEY = "audit_retention_days"
AUDIT_RETENTION_DEFAULT = 365
AUDIT_RETENTION_MIN = 30
AUDIT_RETENTION_MAX = 3650


def audit_retention_days(session: Session) -> int:
    """How many days audit events are kept (the purge job deletes older ones)."""
    value = get_setting(session, AUDIT_RETENTION_KEY)
    try:
        days = int(value) if value else AUDIT_RETENTION_DEFAULT
    except ValueError:
        days = AUDIT_RETENTION_DEFAULT
    return max(days, AUDIT_RETENTION_MIN)
