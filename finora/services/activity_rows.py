"""Audit events ready to show on an activity page: who, what it was about, how much."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import AuditEvent, Household
from finora.services.audit_trail import action_label

# Details shown as the event's subject, in this order of preference.
_SUBJECT_KEYS = ("name", "description", "email", "label", "role")


@dataclass(frozen=True)
class EventRow:
    id: int
    created_at: datetime
    actor: str
    action: str
    label: str
    subject: str
    amount: Decimal | None
    currency: str | None
    household: str | None
    ip_address: str | None


def event_rows(
    session: Session, events: list[AuditEvent], households: dict[int, Household] | None = None
) -> list[EventRow]:
    """The events with their translated action and subject; `households` (by id) saves the
    one query that otherwise loads the households they name."""
    if households is None:
        ids = {e.household_id for e in events if e.household_id is not None}
        households = (
            {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(ids)))}
            if ids else {}
        )
    rows = []
    for event in events:
        details = event.details or {}
        household = households.get(event.household_id) if event.household_id else None
        amount = _decimal(details.get("amount")) if household is not None else None
        rows.append(
            EventRow(
                id=event.id,
                created_at=event.created_at,
                actor=event.actor_email or "—",
                action=event.action,
                label=action_label(event.action),
                subject=next((str(details[k]) for k in _SUBJECT_KEYS if details.get(k)), ""),
                amount=amount,
                currency=household.currency if amount is not None else None,
                household=household.name if household else None,
                ip_address=event.ip_address,
            )
        )
    return rows


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
