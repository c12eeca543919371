"""Recording the audit trail: one AuditEvent per security or data change (DESIGN §4).

`record()` only adds the row to the session; it is written with the change it describes,
in the caller's transaction, so a rolled-back change leaves no event behind. Events of
failed attempts (a wrong password) are committed by the caller on their own.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from finora.models import AuditEvent, User


def _actor(user: User | None) -> User | None:
    if user is not None:
        return user
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def record(
    session: Session,
    action: str,
    *,
    user: User | None = None,
    household_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    details: dict[str, Any] | None = None,
    email: str | None = None,
) -> AuditEvent:
    """Add an event. `action` is a dotted verb ("entry.created", "auth.sign_in_failed");
    `user` defaults to the signed-in user; `email` names the actor when there is no user
    (a failed sign-in for an unknown address). The request's client address (after the
    trusted proxies) is kept."""
    actor = _actor(user)
    event = AuditEvent(
        user_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else email,
        household_id=household_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details or None,
        ip_address=(request.remote_addr or None) if has_request_context() else None,
    )
    session.add(event)
    return event
