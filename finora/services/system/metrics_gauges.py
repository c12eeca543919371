"""The instance's figures for Prometheus, read from the database when /metrics is scraped.

Computed at scrape time rather than kept in process memory, so every gunicorn worker
answers the same numbers. Plain counts and ages only — never a name, an address or a
household id: the web layer (finora/web/metrics) turns them into metric families.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.models import Backup, BackupSchedule, Entry, Household, JobRun, User


@dataclass(frozen=True)
class InstanceGauges:
    households: int
    users_by_status: dict[str, int]
    entries: int
    # Seconds since the newest instance backup; None when there is none.
    instance_backup_age: float | None
    # Among households with an enabled backup schedule, the age of the stalest one's newest
    # backup (the figure to alert on); None when none of them has a backup yet.
    household_backup_oldest_age: float | None
    # Households with an enabled schedule and no backup at all (new schedules, or a
    # scheduler that never ran for them).
    households_without_backup: int
    # Seconds since each job's last successful run; jobs that never succeeded are absent.
    job_success_age: dict[str, float] = field(default_factory=dict)


def _good_backup():
    # A backup whose last verification failed is not one anybody can restore from.
    return or_(Backup.verified_ok.is_(None), Backup.verified_ok.is_(True))


def _age(moment: datetime | None, now: datetime) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # aggregates over UTC columns on some drivers come back naive
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (now - moment).total_seconds())


def read_instance_gauges(
    session: Session, jobs: Iterable[str], *, now: datetime | None = None
) -> InstanceGauges:
    """Seven small aggregate queries; `jobs` names the jobs that exist now (a renamed or
    removed job's old runs would otherwise age forever and raise a false alarm)."""
    now = now or now_utc()
    households = session.scalar(select(func.count()).select_from(Household)) or 0
    users = {
        status: count
        for status, count in session.execute(
            select(User.status, func.count()).group_by(User.status)
        )
    }
    entries = session.scalar(select(func.count()).select_from(Entry)) or 0

    instance_latest = session.scalar(
        select(func.max(Backup.created_at)).where(Backup.scope == "instance", _good_backup())
    )
    newest = (
        select(Backup.household_id, func.max(Backup.created_at).label("latest"))
        .where(Backup.scope == "household", _good_backup())
        .group_by(Backup.household_id)
        .subquery()
    )
    oldest, scheduled, backed_up = session.execute(
        select(func.min(newest.c.latest), func.count(BackupSchedule.id), func.count(newest.c.latest))
        .select_from(BackupSchedule)
        .outerjoin(newest, newest.c.household_id == BackupSchedule.household_id)
        .where(BackupSchedule.enabled.is_(True))
    ).one()

    names = sorted(set(jobs))
    job_ages: dict[str, float] = {}
    if names:
        rows = session.execute(
            select(JobRun.job, func.max(JobRun.finished_at))
            .where(
                JobRun.job.in_(names),
                JobRun.status == "success",
                JobRun.household_id.is_(None),
            )
            .group_by(JobRun.job)
        )
        for job, finished in rows:
            age = _age(finished, now)
            if age is not None:
                job_ages[job] = age

    return InstanceGauges(
        households=households,
        users_by_status=users,
        entries=entries,
        instance_backup_age=_age(instance_latest, now),
        household_backup_oldest_age=_age(oldest, now),
        households_without_backup=(scheduled or 0) - (backed_up or 0),
        job_success_age=job_ages,
    )
