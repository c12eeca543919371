"""Instance settings changed by the admin (registration mode, audit retention, SMTP), audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from finora.errors import FieldError
from finora.models import User
from finora.services.system import audit
from finora.services.system.mail import SECURITIES, store_smtp_settings
from finora.services.system.settings import (
    AUDIT_RETENTION_KEY,
    AUDIT_RETENTION_MAX,
    AUDIT_RETENTION_MIN,
    REGISTRATION_MODE_KEY,
    REGISTRATION_MODES,
    audit_retention_days,
    get_setting,
    set_setting,
)
from finora.translation import lazy_gettext as _l


def set_registration_mode(session: Session, mode: str, *, default: str, by: User | None = None) -> bool:
    """Store open | approval | closed; True when it changed (and was audited)."""
    if mode not in REGISTRATION_MODES:
        raise FieldError("registration_mode", _l("Choose one of the offered modes."))
    before = get_setting(session, REGISTRATION_MODE_KEY, default) or default
    set_setting(session, REGISTRATION_MODE_KEY, mode)
    if before == mode:
        return False
    audit.record(
        session, "settings.registration_mode_changed", user=by, details={"from": before, "to": mode}
    )
    return True


def set_audit_retention(session: Session, days: int | None, *, by: User | None = None) -> bool:
    """Keep audit events this many days (30 to 3650); True when it changed."""
    if days is None or not AUDIT_RETENTION_MIN <= days <= AUDIT_RETENTION_MAX:
        raise FieldError(
            "retention_days",
            _l(
                "Enter a number of days from %(min)d to %(max)d.",
                min=AUDIT_RETENTION_MIN,
                max=AUDIT_RETENTION_MAX,
            ),
        )
    before = audit_retention_days(session)
    set_setting(session, AUDIT_RETENTION_KEY, str(days))
    if before == days:
        return False
    audit.record(
        session, "settings.audit_retention_changed", user=by, details={"from": before, "to": days}
    )
    return True


def save_smtp_settings(
    session: Session,
    *,
    host: str,
    port: int | None,
    security: str,
    username: str = "",
    password: str | None = None,
    sender: str = "",
    by: User | None = None,
) -> None:
    """Store the SMTP settings (password None keeps the stored one, "" removes it); the
    audit event names what changed, never the password itself."""
    if security not in SECURITIES:
        raise FieldError("security", _l("Choose one of the offered options."))
    if port is not None and not 1 <= port <= 65535:
        raise FieldError("port", _l("Enter a port from 1 to 65535."))
    store_smtp_settings(
        session, host=host, port=port, security=security, username=username,
        password=password, sender=sender,
    )
    session.flush()
    audit.record(
        session,
        "settings.smtp_changed",
        user=by,
        details={
            "host": host.strip(),
            "port": port,
            "security": security,
            "username": username.strip(),
            "sender": sender.strip(),
            "password": "unchanged" if password is None else ("removed" if password == "" else "changed"),
        },
    )


def smtp_form_values(session: Session) -> dict[str, object]:
    """The stored e-mail settings to fill the form, the password left out (never decrypted
    for the page, nor shown)."""
    values: dict[str, object] = {
        name: get_setting(session, f"smtp_{name}") or "" for name in ("host", "username", "sender")
    }
    values["security"] = get_setting(session, "smtp_security") or "starttls"
    port = get_setting(session, "smtp_port") or ""
    values["port"] = int(port) if port.isdigit() else None
    return values
