"""Scheduled jobs: APScheduler in the web process, a database lease electing one runner
among many processes, and a JobRun row for every run (DESIGN §5)."""

from __future__ import annotations

import atexit
import logging
import os
import random
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.extensions import db
from finora.models import JobRun, SchedulerLease
from finora.services.backups.schedules import run_scheduled_backups
from finora.services.imports.staging import purge_staging
from finora.services.integrations.email_import.runner import email_import_job
from finora.services.people.demo import purge_expired_demos_job
from finora.services.people.signup_verification import purge_unconfirmed_sign_ups
from finora.services.people.user_sessions import purge_old_sessions
from finora.services.planning.posting import households_to_post, post_household
from finora.services.system.audit_trail import purge_audit_events
from finora.services.system.form_tokens import purge_used_form_tokens
from finora.services.system.job_metrics import record_job_run
from finora.services.system.lock_conflicts import is_lock_conflict
from finora.services.system.schema import schema_state
from finora.services.updates.check import check_for_updates_job

log = logging.getLogger("finora.jobs")

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(minutes=2)
TICK_SECONDS = 60



class LeaseLost(RuntimeError):
    """Another process took the lease in the middle of a run: this one stops."""


def post_recurring(session: Session, holder: str) -> int:
    """Post every household's due occurrences, each household in its own transaction with
    its own share of the run (posting.POST_CAP). A household that fails is rolled back and
    recorded on a job run of its own (household_id set); the others carry on."""
    posted = 0
    renewed = None
    for household_id in households_to_post(session):
        # Renewed between households (every quarter of its lifetime): a long run keeps the
        # lease, and a process that lost it (paused, partitioned) stops instead of running
        # beside the new holder.
        started = now_utc()
        if renewed is None or started - renewed >= LEASE_TTL / 4:
            if not acquire_lease(session, holder):
                raise LeaseLost(f"lease taken by another process after {posted} item(s)")
            renewed = started
        try:
            posted += commit_with_retries(
                session, lambda s, household_id=household_id: post_household(s, household_id)
            )
        except Exception as error:  # noqa: BLE001 - recorded on the household's own run
            session.rollback()
            log.error("posting failed for household %s: %s", household_id, traceback.format_exc())
            try:
                session.add(
                    JobRun(
                        job="post_recurring", holder=holder, household_id=household_id,
                        started_at=started, finished_at=now_utc(), status="error",
                        error=_describe(error),
                    )
                )
                session.commit()
            except DBAPIError:  # the household was deleted meanwhile: nothing to record on
                session.rollback()
                log.warning("could not record the failure of household %s", household_id)
    return posted


def _in_one_transaction(body: Callable[[Session], int]) -> Callable[[Session, str], int]:
    return lambda session, _holder: commit_with_retries(session, body)


@dataclass(frozen=True)
class Configured:
    """An interval an administrator sets: `setting` (a whole number in the configuration)
    times `unit`, read each time the scheduler decides what is due."""

    setting: str
    unit: timedelta = timedelta(minutes=1)

    def resolve(self) -> timedelta:
        return self.unit * int(current_app.config[self.setting])


# name -> (body, minimum interval between successful runs: fixed, or Configured). A body
# takes the session and this process's holder name, does its work and commits it, and
# returns the number of items it handled.
JOBS: dict[str, tuple[Callable[[Session, str], int], timedelta | Configured]] = {
    "post_recurring": (post_recurring, timedelta(minutes=15)),
    # Deletes audit events older than the admin's retention setting (default 365 days).
    "purge_audit_events": (
        _in_one_transaction(lambda session: purge_audit_events(session)), timedelta(hours=24)
    ),
    # Deletes sign-in sessions ended over 30 days ago or unseen for a year.
    "purge_old_sessions": (
        _in_one_transaction(lambda session: purge_old_sessions(session)), timedelta(hours=24)
    ),
    # Deletes one-time form tokens used over two days ago (refused as too old by then).
    "purge_used_form_tokens": (
        _in_one_transaction(lambda session: purge_used_form_tokens(session)),
        timedelta(hours=24),
    ),
    # Deletes sign-ups whose address was never confirmed, a week after their last link
    # expired, with the household sign-up made for them (audited one by one).
    "purge_unconfirmed_sign_ups": (
        _in_one_transaction(lambda session: purge_unconfirmed_sign_ups(session)),
        timedelta(hours=24),
    ),
    # Deletes uploads left between the import's steps longer than IMPORT_STAGING_HOURS
    # (files on disk, nothing in the database).
    "purge_import_staging": (lambda _session, _holder: purge_staging(), timedelta(hours=24)),
    # Makes each household's due scheduled backup (its own transaction), then its retention.
    # Every five minutes: a backup starts at most five minutes after its local time, and the
    # job leaves 288 job runs a day, not 1,440.
    "run_scheduled_backups": (
        lambda session, holder: run_scheduled_backups(session, holder, renew_lease=acquire_lease),
        timedelta(minutes=5),
    ),
    # Reads the release manifest (UPDATE_MANIFEST_URL, else the bundled one) once a day and
    # records what it found; a failed fetch is recorded and reported as the run's error.
    "check_for_updates": (check_for_updates_job, timedelta(hours=24)),
    # Deletes demo households and their visitors once DEMO_TTL_HOURS have passed (each in
    # full: every row of the household, then the user).
    "purge_expired_demos": (purge_expired_demos_job, timedelta(hours=1)),
    # Reads each enabled e-mail import's mailbox (its own transaction) and sets its
    # account's balance from the newest bank e-mail; every EMAIL_IMPORT_INTERVAL_MINUTES.
    "email_import": (
        lambda session, holder: email_import_job(session, holder, renew_lease=acquire_lease),
        Configured("EMAIL_IMPORT_INTERVAL_MINUTES"),
    ),
}


def job_interval(job: str) -> timedelta:
    """The job's own minimum interval between successful runs (a configured one read now)."""
    interval = JOBS[job][1]
    return interval.resolve() if isinstance(interval, Configured) else interval


def _describe(error: Exception) -> str:
    return f"{error.__class__.__name__}: {error}"[:2000]


def process_id() -> str:
    """This process's name in the lease and in job runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{_INSTANCE}"


_INSTANCE = uuid.uuid4().hex[:6]


def acquire_lease(session: Session, holder: str, now: datetime | None = None) -> bool:
    """Take or renew the lease; True when this holder has it until now + LEASE_TTL.

    One conditional UPDATE decides: it succeeds only if the lease has expired or is
    already ours, so two processes can never both hold it.
    """
    now = now or now_utc()
    expires = now + LEASE_TTL
    result = session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == LEASE_NAME,
            (SchedulerLease.expires_at < now) | (SchedulerLease.holder == holder),
        )
        .values(holder=holder, expires_at=expires)
    )
    if result.rowcount == 1:
        session.commit()
        return True
    session.rollback()
    if session.get(SchedulerLease, LEASE_NAME) is not None:
        return False
    try:
        session.execute(
            insert(SchedulerLease).values(name=LEASE_NAME, holder=holder, expires_at=expires)
        )
        session.commit()
        return True
    except IntegrityError:
        session.rollback()  # another process created it first; it holds the lease
        return False


def release_lease(session: Session, holder: str) -> None:
    """Give the lease up now (a clean stop), so another process need not wait out the TTL."""
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=now_utc() - timedelta(seconds=1))
    )
    session.commit()


def last_success(session: Session, job: str) -> datetime | None:
    return session.scalar(
        select(func.max(JobRun.finished_at)).where(
            JobRun.job == job, JobRun.status == "success", JobRun.household_id.is_(None)
        )
    )


def mark_abandoned(session: Session, holder: str, now: datetime | None = None) -> int:
    """Runs still "running" that no live process is running become "abandoned"; returns how
    many. Called by the lease holder before it runs anything: every other holder has lost
    the lease (killed, or stopped without finishing), and a run of its own older than the
    lease's lifetime was left by an earlier, crashed attempt."""
    now = now or now_utc()
    result = session.execute(
        update(JobRun)
        .where(
            JobRun.status == "running",
            (JobRun.holder != holder) | (JobRun.started_at < now - LEASE_TTL),
        )
        .values(status="abandoned", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount:
        log.warning("marked %d job run(s) left running by a stopped process as abandoned", result.rowcount)
    return result.rowcount


# Deadlocks and lock timeouts (finora.services.system.lock_conflicts): the transaction is
# rolled back and, the jobs being idempotent, simply tried again.
is_transient = is_lock_conflict


def commit_with_retries(session: Session, body: Callable[[Session], int], attempts: int = 5) -> int:
    """Run the body and commit; on a transient conflict roll back and run it again."""
    for attempt in range(1, attempts + 1):
        try:
            items = body(session)
            session.commit()
            return items
        except DBAPIError as error:
            session.rollback()
            if attempt == attempts or not is_transient(error):
                raise
            log.info("transient database conflict (%s); retrying", error.orig)
            time.sleep(random.uniform(0.02, 0.1) * attempt)  # noqa: S311 - retry jitter
    raise AssertionError("unreachable")


def run_job(session: Session, job: str, holder: str) -> JobRun:
    """Run one job now and record it; an error is recorded, not raised."""
    body, _interval = JOBS[job]
    run = JobRun(job=job, holder=holder, started_at=now_utc(), status="running")
    session.add(run)
    session.commit()
    run_id = run.id
    clock = time.perf_counter()
    try:
        items = body(session, holder)
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the run
        session.rollback()
        run = session.get(JobRun, run_id)
        run.status, run.error = "error", _describe(error)
        log.error("job %s failed: %s", job, traceback.format_exc())
    else:
        run = session.get(JobRun, run_id)
        run.status, run.items = "success", items
    run.finished_at = now_utc()
    session.commit()
    record_job_run(job, run.status, time.perf_counter() - clock)
    return run


def run_due_jobs(
    session: Session, holder: str, *, force: bool = False, interval: timedelta | None = None
) -> list[JobRun]:
    """If this process holds the lease, run every job whose interval (its own, or the one
    given) has passed since its last success."""
    if not acquire_lease(session, holder):
        return []
    mark_abandoned(session, holder)
    runs = []
    for job in JOBS:
        every = interval if interval is not None else job_interval(job)
        last = last_success(session, job)
        if force or last is None or now_utc() - last >= every:
            runs.append(run_job(session, job, holder))
    return runs


def init_scheduler(app: Flask) -> None:
    """Start the in-process scheduler (each worker starts one; the lease picks the runner)."""
    if not app.config.get("SCHEDULER_ENABLED"):
        return
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
        # `flask db upgrade`, `flask finora seed`, `flask finora jobs run`: one-shot
        # commands, no background thread (it would tick in the middle of a migration).
        return
    from apscheduler.schedulers.background import BackgroundScheduler

    holder = process_id()
    lock = threading.Lock()
    seconds = app.config.get("SCHEDULER_JOB_INTERVAL_SECONDS")
    job_interval = timedelta(seconds=int(seconds)) if seconds else None

    waiting = {"logged": False}

    def tick() -> None:
        if not lock.acquire(blocking=False):
            return
        try:
            with app.app_context():
                # Jobs write through this code's models: not against a schema it was not
                # written for (not migrated yet, or migrated by a newer Finora after an
                # update, until this process restarts). One line in the log, not one a minute.
                state = schema_state(db.engine)
                if not state.at_head:
                    if not waiting["logged"]:
                        log.warning("scheduler waits: the database schema is %s", state.status)
                        waiting["logged"] = True
                    return
                waiting["logged"] = False
                run_due_jobs(db.session, holder, interval=job_interval)
        except Exception:
            log.exception("scheduler tick failed")
        finally:
            lock.release()

    scheduler = BackgroundScheduler(daemon=True, timezone="UTC")
    tick_seconds = int(app.config.get("SCHEDULER_TICK_SECONDS", TICK_SECONDS))
    scheduler.add_job(
        tick, "interval", seconds=tick_seconds, next_run_time=now_utc() + timedelta(seconds=2),
        id="finora-tick", max_instances=1, coalesce=True,
    )
    scheduler.start()
    app.extensions["finora_scheduler"] = scheduler
    app.extensions["finora_scheduler_holder"] = holder
    # A clean exit (gunicorn stopping or recycling a worker, Ctrl-C) gives the lease up, so
    # the next process runs the jobs at once instead of after the lease's lifetime.
    at_exit = app.extensions["finora_scheduler_at_exit"] = lambda: stop_scheduler(app)
    atexit.register(at_exit)
    log.info("scheduler started in %s", holder)


def stop_scheduler(app: Flask) -> None:
    """Stop this process's scheduler (waiting for a run in progress) and release the lease
    if it holds it. Safe to call twice."""
    scheduler = app.extensions.pop("finora_scheduler", None)
    holder = app.extensions.pop("finora_scheduler_holder", None)
    at_exit = app.extensions.pop("finora_scheduler_at_exit", None)
    if at_exit is not None:
        atexit.unregister(at_exit)
    if scheduler is None:
        return
    try:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        with app.app_context():
            release_lease(db.session, holder)
            db.session.remove()
        log.info("scheduler stopped in %s; lease released", holder)
    except Exception:  # at exit, a database already gone is worth a line, not a failure
        log.warning("scheduler stop: could not release the lease", exc_info=True)
