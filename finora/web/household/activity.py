"""The household's activity trail (owners only): who changed what, paged and filtered."""

from __future__ import annotations

from flask import render_template, request

from finora.extensions import db
from finora.services.system.activity_rows import event_rows
from finora.services.system.audit_trail import ACTION_GROUPS, HOUSEHOLD_GROUPS, household_events
from finora.services.system.settings import audit_retention_days
from finora.tenancy import require_household
from finora.web.converters import page_arg
from finora.web.household import bp
from finora.web.permissions import owner_only

PER_PAGE = 50


def chosen_group(allowed) -> str:
    group = request.args.get("type", "")
    return group if group in allowed else ""


@bp.get("/household/activity")
@owner_only  # the role guard already keeps this blueprint to owners; never rely on that alone
def activity():
    household = require_household()
    group = chosen_group(HOUSEHOLD_GROUPS)
    page = db.paginate(household_events(household.id, group or None), page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "household/activity.html",
        household=household,
        page=page,
        rows=event_rows(db.session, page.items, {household.id: household}),
        groups=[(key, ACTION_GROUPS[key]) for key in HOUSEHOLD_GROUPS],
        group=group,
        retention_days=audit_retention_days(db.session),
    )
