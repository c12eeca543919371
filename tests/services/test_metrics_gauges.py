"""The instance figures /metrics reports, read from the database: counts, the backups' ages
(a failed verification is no backup), households whose schedule has produced nothing yet,
and each current job's time since its last success."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from finora.extensions import db
from finora.models import Backup, BackupSchedule, JobRun
from finora.services.system.metrics_gauges import read_instance_gauges
from tests.factories import create_user
from tests.ledger_factories import household_of, make_entry

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
_names = itertools.count(1)


def _backup(household=None, *, hours_ago: float, verified_ok: bool | None = None) -> Backup:
    backup = Backup(
        household_id=household.id if household is not None else None,
        scope="household" if household is not None else "instance",
        kind="scheduled" if household is not None else "manual",
        file_name=f"finora-20261206T000000Z-{next(_names):010x}.zip",
        size_bytes=1, sha256="0" * 64, app_version="0", migration_head="0",
        created_at=NOW - timedelta(hours=hours_ago), verified_ok=verified_ok,
    )
    db.session.add(backup)
    return backup


def _run(job: str, status: str, *, hours_ago: float, household=None) -> None:
    finished = NOW - timedelta(hours=hours_ago)
    db.session.add(JobRun(
        job=job, holder="test", status=status, started_at=finished - timedelta(seconds=5),
        finished_at=finished, household_id=household.id if household is not None else None,
    ))


def test_an_empty_instance_reports_zeros_and_no_ages(app):
    gauges = read_instance_gauges(db.session, ["post_recurring"], now=NOW)
    assert (gauges.households, gauges.entries, gauges.users_by_status) == (0, 0, {})
    assert gauges.instance_backup_age is None
    assert gauges.household_backup_oldest_age is None
    assert gauges.households_without_backup == 0
    assert gauges.job_success_age == {}


def test_counts_of_households_users_and_entries(app):
    first = create_user()
    create_user(status="pending")
    create_user(status="disabled")
    home = household_of(first)
    for _ in range(3):
        make_entry(home)
    gauges = read_instance_gauges(db.session, [], now=NOW)
    assert gauges.households == 3
    assert gauges.users_by_status == {"active": 1, "pending": 1, "disabled": 1}
    assert gauges.entries == 3


def test_backup_ages_follow_the_newest_good_backup(app):
    scheduled_fresh = household_of(create_user())
    scheduled_stale = household_of(create_user())
    scheduled_never = household_of(create_user())
    unscheduled_ancient = household_of(create_user())
    paused = household_of(create_user())
    for household in (scheduled_fresh, scheduled_stale, scheduled_never):
        db.session.add(BackupSchedule(household_id=household.id))
    db.session.add(BackupSchedule(household_id=paused.id, enabled=False))

    _backup(scheduled_fresh, hours_ago=30)
    _backup(scheduled_fresh, hours_ago=2)
    _backup(scheduled_stale, hours_ago=50)
    # Newer, but its verification failed: nobody can restore from it.
    _backup(scheduled_stale, hours_ago=1, verified_ok=False)
    _backup(unscheduled_ancient, hours_ago=900)  # no schedule: not this gauge's business
    _backup(paused, hours_ago=800)  # schedule switched off: neither
    _backup(hours_ago=10, verified_ok=True)
    _backup(hours_ago=5, verified_ok=False)
    _backup(hours_ago=20)
    db.session.commit()

    gauges = read_instance_gauges(db.session, [], now=NOW)
    assert gauges.instance_backup_age == 10 * 3600
    assert gauges.household_backup_oldest_age == 50 * 3600
    assert gauges.households_without_backup == 1


def test_job_ages_count_whole_runs_that_succeeded_of_current_jobs(app):
    home = household_of(create_user())
    _run("post_recurring", "success", hours_ago=3)
    _run("post_recurring", "success", hours_ago=1)
    _run("post_recurring", "error", hours_ago=0.1)
    # A household's failed part of a run is not the run.
    _run("run_scheduled_backups", "success", hours_ago=0.5, household=home)
    _run("run_scheduled_backups", "success", hours_ago=6)
    _run("purge_old_sessions", "error", hours_ago=2)
    _run("a_job_since_removed", "success", hours_ago=999)
    db.session.commit()

    gauges = read_instance_gauges(
        db.session, ["post_recurring", "run_scheduled_backups", "purge_old_sessions"], now=NOW
    )
    assert gauges.job_success_age == {"post_recurring": 3600.0, "run_scheduled_backups": 6 * 3600.0}
