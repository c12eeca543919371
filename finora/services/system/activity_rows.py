"""Audit events ready to show on an activity page: who, what it was about, how much."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import AuditEvent, Household
from finora.services.system.audit_trail import ACTION_JOBS, action_label, role_label
from finora.services.system.job_status import job_label
from finora.translation import gettext as _

# Details shown as the event's subject, in this order of preference.
_SUBJECT_KEYS = ("name", "description", "email", "label", "version")


@dataclass(frozen=True)
class EventRow:
    id: int
    created_at: datetime
    actor: str
    action: str
    label: str
    subject: str
    detail: str  # e.g. the role a member was invited or moved to, translated
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
                actor=event.actor_email or _actor_job(event) or "—",
                action=event.action,
                label=action_label(event.action),
                subject=next((str(details[k]) for k in _SUBJECT_KEYS if details.get(k)), ""),
                detail=_detail(event.action, details),
                amount=amount,
                currency=household.currency if household is not None and amount is not None else None,
                household=household.name if household else None,
                ip_address=event.ip_address,
            )
        )
    return rows


def _actor_job(event: AuditEvent) -> str | None:
    """The scheduled job behind an event no person did."""
    job = ACTION_JOBS.get(event.action) if event.user_id is None else None
    return _("Scheduled job: %(job)s", job=job_label(job)) if job else None


def _detail(action: str, details: dict) -> str:
    """A member's role, translated: "Editor", or "Viewer → Editor" for a change."""
    if not action.startswith("member."):
        return ""
    if details.get("from") and details.get("to"):
        return f"{role_label(str(details['from']))} → {role_label(str(details['to']))}"
    if details.get("role"):
        return role_label(str(details["role"]))
    return ""


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
