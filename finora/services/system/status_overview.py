"""What the profile's "Status" section reads: backups' last and next run, recent system
events and whom to contact. Read only; the page decides who sees which part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from finora.models import AuditEvent, Backup, BackupSchedule, User

# The actions a household's owner reads as "system events": what backups and schedules did.
HOUSEHOLD_SYSTEM_PREFIXES: tuple[str, ...] = ("backup.",)
# The instance's own events (no household): instance backups, updates, settings, and
# sign-ups a job deleted.
INSTANCE_SYSTEM_PREFIXES: tuple[str, ...] = ("backup.", "update.", "settings.", "user.unconfirmed_purged")


@dataclass(frozen=True)
class BackupState:
    last: Backup | None  # the newest backup of the scope (any kind)
    schedule_enabled: bool
    next_run_at: datetime | None  # None: no schedule, or off


def _newest_backup(session: Session, household_id: int | None) -> Backup | None:
    scope = (
        Backup.scope == "instance" if household_id is None
        else (Backup.scope == "household") & (Backup.household_id == household_id)
    )
    return session.scalar(
        select(Backup).where(scope).order_by(Backup.created_at.desc(), Backup.id.desc()).limit(1)
    )


def backup_state(session: Session, household_id: int | None) -> BackupState:
    """A household's backups (None: the instance's, which have no schedule of their own)."""
    last = _newest_backup(session, household_id)
    if household_id is None:
        return BackupState(last, False, None)
    schedule = session.scalar(
        select(BackupSchedule).where(BackupSchedule.household_id == household_id)
    )
    enabled = schedule is not None and schedule.enabled
    return BackupState(last, enabled, schedule.next_run_at if schedule is not None and enabled else None)


def recent_system_events(
    session: Session, household_id: int | None, *, limit: int = 8
) -> list[AuditEvent]:
    """The newest system events of a household, or of the instance (None), newest first."""
    scope: ColumnElement[bool]
    if household_id is None:
        prefixes, scope = INSTANCE_SYSTEM_PREFIXES, AuditEvent.household_id.is_(None)
    else:
        prefixes, scope = HOUSEHOLD_SYSTEM_PREFIXES, AuditEvent.household_id == household_id
    # Fixed prefixes only (no user text reaches LIKE).
    matches = [AuditEvent.action.like(f"{p}%") if p.endswith(".") else AuditEvent.action == p
               for p in prefixes]
    return list(session.scalars(
        select(AuditEvent).where(scope, or_(*matches))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
    ))


def admin_contact(session: Session, configured: str | None) -> str | None:
    """ADMIN_CONTACT_EMAIL when set, else the address of the instance admin (the oldest
    active one); None when there is none."""
    if configured:
        return configured
    return session.scalar(
        select(User.email).where(User.is_admin.is_(True), User.status == "active")
        .order_by(User.id).limit(1)
    )
