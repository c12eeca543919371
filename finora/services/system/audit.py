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


# What the trail keeps of each household object, so every change to one reads the same.
_SUMMARIES = {
    "account": lambda a: {"name": a.name},
    "entry": lambda e: {"description": e.description, "amount": str(e.amount), "kind": e.kind},
    "transfer": lambda t: {
        "amount": str(t.amount), "date": t.date.isoformat(),
        "from_account_id": t.from_account_id, "to_account_id": t.to_account_id,
    },
    "rule": lambda r: {
        "name": r.name, "amount": str(r.amount), "frequency": r.frequency,
        **({"scenario": True} if r.is_scenario else {}),
    },
    "budget": lambda b: {"category_id": b.category_id, "period": b.period, "amount": str(b.amount)},
    "goal": lambda g: {"name": g.name, "target_amount": str(g.target_amount)},
    "payee": lambda p: {"name": p.name},
    "tag": lambda t: {"name": t.name},
    "categorisation_rule": lambda r: {"name": r.name, "pattern": r.pattern},
}


def record(
    session: Session,
    action: str,
    *,
    object: Any = None,
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
    trusted proxies) is kept.

    `object` is a household row the action is about (an entry, a goal...): the event takes
    its household, type (the action's first word), id and summary, and `details` add to it.
    """
    actor = _actor(user)
    if object is not None:
        object_type = action.split(".", 1)[0]
        household_id, object_id = object.household_id, object.id
        details = {**_SUMMARIES[object_type](object), **(details or {})}
    event = AuditEvent(
        user_id=actor.id if actor is not None else None,
        # A typed address (a failed sign-in) can be longer than the column: keep its start.
        actor_email=actor.email if actor is not None else (email[:254] if email else email),
        household_id=household_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details or None,
        ip_address=(request.remote_addr or None) if has_request_context() else None,
    )
    session.add(event)
    return event
