"""The scheduled-backup job: a due schedule gets one backup and its next run, a run missed
while the server was off is made once, retention prunes only scheduled backups, one
household's failure is recorded on its own and never stops another, the switch turns it
off, two processes at once make one backup, and the admin status page shows its health."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import func, select, update

from finora.extensions import db
from finora.jobs import JOBS, run_job
from finora.models import Backup, BackupSchedule, JobRun, User
from finora.services.backups import schedules, store
from finora.services.backups.schedules import JOB, run_scheduled_backups, save_schedule
from finora.services.backups.store import backup_path, create_household_backup, list_backups
from finora.services.people.users import delete_unused_account
from tests.factories import create_user
from tests.ledger_factories import household_of

ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLDS = 6
SAVED = datetime(2026, 3, 7, 12, tzinfo=UTC)  # a Saturday, 09:00 in São Paulo
FIRST_SLOT = datetime(2026, 3, 8, 6, tzinfo=UTC)  # Sunday 03:00 in São Paulo



@pytest.fixture
def clock():
    with time_machine.travel(SAVED, tick=False) as traveller:
        yield traveller


def daily(household, *, at_time="03:00", retention_count=20, enabled=True) -> BackupSchedule:
    schedule = save_schedule(db.session, household, enabled=enabled, frequency="daily",
                             weekday=None, day_of_month=None, at_time=at_time,
                             retention_count=retention_count)
    db.session.commit()
    return schedule


def scheduled_backups(household) -> list[Backup]:
    return [b for b in list_backups(db.session, household.id) if b.kind == "scheduled"]


def the_job() -> JobRun:
    """The job as the scheduler runs it: through JOBS, recorded on a JobRun. Outside a
    request its messages take the instance's default language: English here, to read them."""
    with force_locale("en"):
        return run_job(db.session, JOB, "web-1:1:abc")


def test_the_job_is_registered_every_five_minutes():
    assert JOBS[JOB][1] == timedelta(minutes=5)


def test_a_due_schedule_gets_one_backup_and_its_next_run(clock, household):
    schedule = daily(household)
    assert schedule.next_run_at == FIRST_SLOT
    assert run_scheduled_backups(db.session, "here") == 0  # not due yet
    clock.move_to(FIRST_SLOT + timedelta(seconds=20))
    run = the_job()
    assert (run.status, run.items) == ("success", 1), run.error
    db.session.expire_all()
    [backup] = scheduled_backups(household)
    assert backup.created_by_id is None
    schedule = db.session.get(BackupSchedule, schedule.id)
    assert schedule.next_run_at == FIRST_SLOT + timedelta(days=1)
    assert schedule.last_run_at == schedule.last_success_at == FIRST_SLOT + timedelta(seconds=20)
    assert schedule.last_error is None
    clock.shift(timedelta(minutes=1))
    assert the_job().items == 0  # the next slot is tomorrow's


def test_a_run_missed_during_downtime_is_made_once_then_the_calendar_resumes(clock, household):
    schedule = daily(household)
    # The server was off for three days and starts again on Wednesday at 10:00 local.
    back = datetime(2026, 3, 11, 13, tzinfo=UTC)
    clock.move_to(back)
    assert the_job().items == 1
    assert the_job().items == 0
    db.session.expire_all()
    schedule = db.session.get(BackupSchedule, schedule.id)
    assert schedule.next_run_at == datetime(2026, 3, 12, 6, tzinfo=UTC)  # Thursday 03:00
    assert len(scheduled_backups(household)) == 1


def test_retention_keeps_the_newest_scheduled_backups_and_the_manual_ones(clock, household):
    daily(household, retention_count=2)
    manual = create_household_backup(db.session, household, kind="manual", user=None)
    db.session.commit()
    made = []
    for day in range(4):
        clock.move_to(FIRST_SLOT + timedelta(days=day, minutes=1))
        assert the_job().items == 1
        db.session.expire_all()
        made.append(max(scheduled_backups(household), key=lambda b: b.id).id)
    kept = list_backups(db.session, household.id)
    assert {b.id for b in kept} == {manual.id, made[2], made[3]}
    assert all(backup_path(b).is_file() for b in kept)
    assert len(list(backup_path(kept[0]).parent.iterdir())) == 3  # the pruned files are gone


def test_one_household_failing_does_not_stop_another(app, clock, household):
    broken = household
    fine = household_of(create_user())
    daily(broken)
    daily(fine)
    # The broken household's folder cannot be made: a file sits where it belongs.
    root = Path(app.config["BACKUP_STORAGE_DIR"])
    root.mkdir(parents=True)
    (root / str(broken.id)).write_text("in the way")
    clock.move_to(FIRST_SLOT + timedelta(minutes=1))
    run = the_job()
    assert (run.status, run.items) == ("success", 1), run.error
    db.session.expire_all()
    assert len(scheduled_backups(fine)) == 1
    assert db.session.scalar(select(func.count()).select_from(Backup).where(
        Backup.household_id == broken.id)) == 0
    failed = db.session.scalar(select(BackupSchedule).where(BackupSchedule.household_id == broken.id))
    assert failed.last_error.startswith("The backup could not be written (")
    assert failed.last_success_at is None
    assert failed.next_run_at == FIRST_SLOT + timedelta(days=1)  # tried again at the next slot
    [failure] = db.session.scalars(select(JobRun).where(JobRun.household_id.is_not(None))).all()
    assert (failure.job, failure.household_id, failure.status) == (JOB, broken.id, "error")
    # Fixed, the next slot succeeds and the error is gone.
    (root / str(broken.id)).unlink()
    clock.move_to(FIRST_SLOT + timedelta(days=1, minutes=1))
    assert the_job().items == 2
    db.session.expire_all()
    failed = db.session.get(BackupSchedule, failed.id)
    assert failed.last_error is None and failed.last_success_at is not None


def test_a_writer_raising_for_one_household_is_rolled_back_and_recorded(monkeypatch, clock, household):
    other = household_of(create_user())
    real = store.write_household_archive

    def writer(session, target, path):
        if target.id == household.id:
            raise RuntimeError("simulated writer failure")
        return real(session, target, path)

    monkeypatch.setattr(store, "write_household_archive", writer)
    daily(household)
    daily(other)
    clock.move_to(FIRST_SLOT)
    assert the_job().items == 1
    db.session.expire_all()
    schedule = db.session.scalar(select(BackupSchedule).where(
        BackupSchedule.household_id == household.id))
    assert schedule.last_error == "RuntimeError: simulated writer failure"
    assert len(scheduled_backups(other)) == 1 and scheduled_backups(household) == []


def test_switched_off_or_disabled_nothing_runs(app, clock, household):
    other = household_of(create_user())
    daily(household)
    daily(other, enabled=False)
    db.session.execute(update(BackupSchedule).where(BackupSchedule.household_id == other.id)
                       .values(next_run_at=SAVED - timedelta(days=1)))
    db.session.commit()
    clock.move_to(FIRST_SLOT + timedelta(minutes=1))
    app.config["ENABLE_BACKUP_SCHEDULER"] = False
    assert the_job().items == 0
    app.config["ENABLE_BACKUP_SCHEDULER"] = True
    assert the_job().items == 1  # only the enabled schedule
    assert scheduled_backups(other) == []


def test_the_status_page_shows_the_backup_jobs_run_and_the_households_that_failed(
    app, clock, signed_in, user
):
    failing = [household_of(create_user()) for _ in range(2)]
    for household in failing:
        daily(household)
    daily(household_of(user))
    root = Path(app.config["BACKUP_STORAGE_DIR"])
    root.mkdir(parents=True)
    for household in failing:
        (root / str(household.id)).write_text("in the way")
    clock.move_to(FIRST_SLOT + timedelta(minutes=1))
    assert the_job().items == 1
    page = signed_in.get("/admin/status").get_data(as_text=True)
    assert "Make scheduled backups" in page
    health = re.search(r'<section[^>]*id="backup-health".*?</section>', page, re.S).group(0)
    assert "3 households have scheduled backups on." in health
    assert "The last scheduled backup failed for 2 households:" in health
    for household in failing:
        assert f"#{household.id} {household.name}" in health
    assert household_of(user).name not in health
    assert "The backup could not be written (" in health
    failures = re.search(r"<ul.*?</ul>", health, re.S).group(0)
    assert str(root) not in failures  # the errors name no server path
    assert f"<code class=\"text-break\">{root}</code>" in health  # the folder, for the admin
    assert "1 backup file, " in health and " GB free of " in health
    assert '<a href="/admin/backups">Instance backups</a>' in health
    block = re.search(r'<section[^>]*id="failures-run_scheduled_backups".*?</section>', page, re.S)
    assert "the others were backed up" in block.group(0)
    app.config["ENABLE_BACKUP_SCHEDULER"] = False
    page = signed_in.get("/admin/status").get_data(as_text=True)
    assert "Scheduled backups are off on this server" in page


def _worker(url: str, folder: Path, mode: str, arg: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FLASK_RUN_FROM_CLI", None)  # these are web processes, not flask commands
    return subprocess.Popen(
        [sys.executable, "-m", "tests.backup_job_worker", url, str(folder), mode, arg],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _all_due(count: int) -> list[int]:
    """`count` households whose daily schedule was due a minute ago; their ids. The test's
    own session lets go of the database before the workers start."""
    households = [household_of(create_user()) for _ in range(count)]
    for household in households:
        daily(household)
    ids = [household.id for household in households]
    db.session.execute(update(BackupSchedule).values(
        next_run_at=datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)))
    db.session.commit()
    db.session.remove()
    return ids


def _finish(workers: list[subprocess.Popen]) -> list[str]:
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        outputs.append(out)
    return outputs


def test_two_processes_running_the_job_at_once_make_one_backup_each(app, database_url, tmp_path):
    """No lease here: the claim on each slot alone keeps the processes apart (several
    households, so the two really overlap on some)."""
    ids = _all_due(HOUSEHOLDS)
    folder = Path(app.config["BACKUP_STORAGE_DIR"])
    start = tmp_path / "go"
    workers = [_worker(database_url, folder, "direct", str(start)) for _ in range(2)]
    start.touch()
    made = [int(out.strip().splitlines()[-1]) for out in _finish(workers)]
    assert sum(made) == HOUSEHOLDS
    for household_id in ids:
        assert len(list_backups(db.session, household_id)) == 1
        assert len(list((folder / str(household_id)).iterdir())) == 1


def test_two_processes_with_the_scheduler_on_make_one_backup_each(app, database_url):
    """Each process starts Finora's scheduler; the lease and the claims leave one backup
    per household."""
    ids = _all_due(2)
    folder = Path(app.config["BACKUP_STORAGE_DIR"])
    _finish([_worker(database_url, folder, "scheduler", "40") for _ in range(2)])
    for household_id in ids:
        assert len(list_backups(db.session, household_id)) == 1
    runs = db.session.scalars(select(JobRun).where(JobRun.job == JOB)).all()
    assert sum(run.items or 0 for run in runs) == 2 and all(r.status == "success" for r in runs)


@pytest.mark.parametrize("broken", [
    {"frequency": "weekly", "weekday": None},
    {"frequency": "monthly", "day_of_month": None},  # was a TypeError from min(None, 31)
])
def test_a_schedule_row_no_form_could_save_fails_once_and_stops_until_saved_again(clock, household, broken):
    other = household_of(create_user())
    daily(household)
    daily(other)
    # A weekly schedule with no weekday, or a monthly one with no day (the form refuses
    # them; a hand-edited row has them).
    db.session.execute(update(BackupSchedule).where(BackupSchedule.household_id == household.id)
                       .values(**broken))
    db.session.commit()
    clock.move_to(FIRST_SLOT + timedelta(minutes=1))
    assert the_job().items == 1  # the other household's
    db.session.expire_all()
    broken = db.session.scalar(select(BackupSchedule).where(
        BackupSchedule.household_id == household.id))
    assert broken.next_run_at is None and broken.last_error.startswith("ValueError: no backup slot")
    clock.shift(timedelta(minutes=1))
    assert the_job().items == 0
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(
        JobRun.household_id == household.id)) == 1


def test_a_household_deleted_after_its_slot_is_claimed_is_no_failure(monkeypatch, caplog, clock, household):
    """The household (and its schedule with it) is deleted between the claim and the
    backup: nothing to back up, no error logged or recorded, the others carry on."""
    other = household_of(create_user())
    gone_user = create_user()
    gone = household_of(gone_user)
    for target in (household, gone, other):
        daily(target)
    gone_id = gone.id
    real_claim = schedules._claim

    def claim_then_delete(session, schedule_id, slot, following, now):
        claimed = real_claim(session, schedule_id, slot, following, now)
        if db.session.get(BackupSchedule, schedule_id).household_id == gone_id:
            delete_unused_account(session, session.get(User, gone_user.id))
            session.commit()
        return claimed

    monkeypatch.setattr(schedules, "_claim", claim_then_delete)
    logger = logging.getLogger("finora.backups")
    logger.addHandler(caplog.handler)
    try:
        clock.move_to(FIRST_SLOT + timedelta(minutes=1))
        run = the_job()
    finally:
        logger.removeHandler(caplog.handler)
    assert (run.status, run.items) == ("success", 2), run.error
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(
        JobRun.household_id.is_not(None))) == 0
    assert len(scheduled_backups(household)) == len(scheduled_backups(other)) == 1
