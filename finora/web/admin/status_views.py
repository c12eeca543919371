"""System status: database, version, migrations, scheduled jobs, free space."""

from __future__ import annotations

from flask import render_template
from flask_babel import format_decimal

from finora.dates import now_utc
from finora.extensions import db
from finora.models import SchedulerLease
from finora.web.admin import bp
from finora.web.admin.system_status import system_status

GIB = 1024**3


def _gib(size: int | None) -> str | None:
    return None if size is None else format_decimal(size / GIB, format="#,##0.0")


@bp.get("/status")
def status():
    """Real liveness: each job's last run and last success, who holds the lease, and the
    households whose scheduled backup last failed."""
    from finora.jobs import JOBS, LEASE_NAME
    from finora.services.backups.schedules import backup_health
    from finora.services.system.job_status import job_statuses
    from finora.web.backups.page import file_size

    system = system_status()
    return render_template(
        "admin/status.html",
        system=system,
        disk_free=_gib(system.disk_free),
        disk_total=_gib(system.disk_total),
        backup_disk_free=_gib(system.backup_disk_free),
        backup_disk_total=_gib(system.backup_disk_total),
        jobs=job_statuses(db.session, list(JOBS)),
        lease=db.session.get(SchedulerLease, LEASE_NAME),
        backups=backup_health(db.session),
        file_size=file_size,
        now=now_utc(),
    )
