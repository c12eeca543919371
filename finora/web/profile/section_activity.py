"""Profile section "Activity": the user's own history (sign-ins, security, changes made)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from finora.extensions import db
from finora.services.system.activity_rows import event_rows
from finora.services.system.audit_trail import ACTION_GROUPS, user_events
from finora.services.system.settings import audit_retention_days
from finora.translation import lazy_gettext as _l
from finora.web.converters import page_arg
from finora.web.household.activity import chosen_group
from finora.web.profile import bp
from finora.web.profile.sections import Section, register

PER_PAGE = 50


@bp.get("/profile/activity")
def activity():
    group = chosen_group(ACTION_GROUPS)
    page = db.paginate(user_events(current_user.id, group or None), page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "profile/activity.html",
        page=page,
        rows=event_rows(db.session, page.items),
        groups=list(ACTION_GROUPS.items()),
        group=group,
        retention_days=audit_retention_days(db.session),
    )


register(Section("activity", _l("Activity"), "profile.activity", "bi-clock-history", 80))
