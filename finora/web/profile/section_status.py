"""Profile section "Status": how this Finora is doing, for the reader's part of it.

Everyone: the installed version and whether an update is out, and support shortcuts (help,
whom to write to). Owners: their household's last and next backup, the jobs that work on
households, and the household's recent system events. The global admin: the instance's
backups, every job and the scheduler lease, instance events, /admin/status and the log.
No one sees another household's name or errors here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_login import current_user

from finora.dates import now_utc
from finora.extensions import db
from finora.models import SchedulerLease
from finora.services.system.activity_rows import event_rows
from finora.services.system.job_status import JobStatus, job_statuses
from finora.services.system.status_overview import (
    admin_contact,
    backup_state,
    recent_system_events,
)
from finora.services.updates.check import update_status
from finora.services.updates.errors import UpdateError
from finora.tenancy import current_household
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.permissions import is_owner
from finora.web.profile import bp
from finora.web.profile.sections import Section, register

# The jobs whose work an owner's household depends on.
HOUSEHOLD_JOBS = ("post_recurring", "run_scheduled_backups", "email_import")


@dataclass(frozen=True)
class JobLine:
    """A job as one person may see it: an owner gets their own household's failure only."""

    status: JobStatus
    household_failed: bool
    household_error: str | None


def _update_status():
    try:
        return update_status(db.session)
    except UpdateError:  # an unreadable key or manifest: the page still opens
        current_app.logger.warning("status: the update status could not be read", exc_info=True)
        return None


def _job_lines(jobs: list[str], household_id: int | None) -> list[JobLine]:
    lines = []
    for status in job_statuses(db.session, jobs):
        own = next((f for f in status.failures if f.household_id == household_id), None)
        lines.append(JobLine(status, own is not None, own.run.error if own else None))
    return lines


@bp.get("/profile/status")
def status():
    from finora.jobs import JOBS, LEASE_NAME

    user = current_user._get_current_object()
    household = current_household()
    owner = household is not None and is_owner()
    admin = user.is_admin
    jobs: list[str] = list(JOBS) if admin else [j for j in HOUSEHOLD_JOBS if j in JOBS] if owner else []
    household_events = (
        event_rows(db.session, recent_system_events(db.session, household.id)) if owner else []
    )
    instance_events = event_rows(db.session, recent_system_events(db.session, None)) if admin else []
    return render_template(
        "profile/status.html",
        owner=owner,
        admin=admin,
        household=household,
        updates=_update_status(),
        household_backups=backup_state(db.session, household.id) if owner else None,
        instance_backups=backup_state(db.session, None) if admin else None,
        backup_scheduler_on=current_app.config.get("ENABLE_BACKUP_SCHEDULER", True),
        scheduler_on=current_app.config.get("SCHEDULER_ENABLED", True),
        jobs=_job_lines(jobs, household.id if household else None) if jobs else [],
        lease=db.session.get(SchedulerLease, LEASE_NAME) if jobs else None,
        household_events=household_events,
        instance_events=instance_events,
        contact=admin_contact(db.session, current_app.config.get("ADMIN_CONTACT_EMAIL")),
        now=now_utc(),
    )


def _summary(_user) -> str:
    updates = _update_status()
    version = current_app.config["VERSION"]
    if updates is not None and updates.available is not None:
        return _("Finora %(version)s · update %(new)s available", version=version,
                 new=updates.available.version)
    return _("Finora %(version)s", version=version)


register(Section("status", _l("Status"), "profile.status", "bi-activity", 90, summary=_summary))
