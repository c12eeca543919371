"""The household's activity trail (owners only): who changed what, paged and filtered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import abort, render_template, request
from sqlalchemy import select

from finora.extensions import db
from finora.i18n import money_filter
from finora.models import AuditEvent, Household
from finora.services.audit_trail import (
    ACTION_GROUPS,
    HOUSEHOLD_GROUPS,
    action_label,
    household_events,
)
from finora.services.settings import audit_retention_days
from finora.tenancy import require_household
from finora.web.household import bp
from finora.web.permissions import is_owner

PER_PAGE = 50
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
    amount: str | None
    household: str | None
    ip_address: str | None


def event_rows(events: list[AuditEvent], households: dict[int, Household] | None = None) -> list[EventRow]:
    """Events ready to show: translated action, what it was about, amount in its currency."""
    if households is None:
        ids = {e.household_id for e in events if e.household_id is not None}
        households = (
            {h.id: h for h in db.session.scalars(select(Household).where(Household.id.in_(ids)))}
            if ids else {}
        )
    rows = []
    for event in events:
        details = event.details or {}
        household = households.get(event.household_id) if event.household_id else None
        subject = next((str(details[k]) for k in _SUBJECT_KEYS if details.get(k)), "")
        rows.append(
            EventRow(
                id=event.id,
                created_at=event.created_at,
                actor=event.actor_email or "—",
                action=event.action,
                label=action_label(event.action),
                subject=subject,
                amount=_amount(details.get("amount"), household),
                household=household.name if household else None,
                ip_address=event.ip_address,
            )
        )
    return rows


def _amount(value, household: Household | None) -> str | None:
    if value in (None, "") or household is None:
        return None
    try:
        return money_filter(Decimal(str(value)), household.currency)
    except (InvalidOperation, ValueError):
        return None


def chosen_group(allowed) -> str:
    group = request.args.get("type", "")
    return group if group in allowed else ""


@bp.get("/household/activity")
def activity():
    household = require_household()
    # The role guard already keeps this blueprint to owners; the trail must never depend
    # on that list alone.
    if not is_owner():
        abort(403)
    group = chosen_group(HOUSEHOLD_GROUPS)
    page = db.paginate(household_events(household.id, group or None), per_page=PER_PAGE, error_out=False)
    return render_template(
        "household/activity.html",
        household=household,
        page=page,
        rows=event_rows(page.items, {household.id: household}),
        groups=[(key, ACTION_GROUPS[key]) for key in HOUSEHOLD_GROUPS],
        group=group,
        retention_days=audit_retention_days(db.session),
    )
