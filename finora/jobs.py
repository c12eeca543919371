"""Scheduled jobs: APScheduler in the web process, a database lease electing one runner
among many processes, and a JobRun row for every run (DESIGN §5)."""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.extensions import db
from finora.models import JobRun, SchedulerLease
from finora.services.audit_trail import purge_audit_events
from finora.services.posting import post_due_occurrences
from finora.services.user_sessions import purge_old_sessions

log = logging.getLogger("finora.jobs")

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(minutes=2)
TICK_SECONDS = 60

# name -> (body, minimum interval between successful runs). A body takes the session,
# does its work (flushing), and returns the number of items it handled.
JOBS: dict[str, tuple[Callable[[Session], int], timedelta]] = {
    "post_recurring": (lambda session: post_due_occurrences(session), timedelta(minutes=15)),
    # Deletes audit events older than the admin's retention setting (default 365 days).
    "purge_audit_events": (lambda session: purge_audit_events(session), timedelta(hours=24)),
    # Deletes sign-in sessions ended over 30 days ago or unseen for a year.
    "purge_old_sessions": (lambda session: purge_old_sessions(session), timedelta(hours=24)),
}


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
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=now_utc() - timedelta(seconds=1))
    )
    session.commit()


def last_success(session: Session, job: str) -> datetime | None:
    return session.scalar(
        select(func.max(JobRun.finished_at)).where(JobRun.job == job, JobRun.status == "success")
    )


# Deadlocks and lock timeouts (MariaDB 1213/1205, PostgreSQL 40P01/40001, SQLite "locked"):
# the transaction is rolled back and, the jobs being idempotent, simply tried again.
_TRANSIENT_CODES = {1213, 1205, "40P01", "40001"}


def is_transient(error: DBAPIError) -> bool:
    original = error.orig
    code = getattr(original, "sqlstate", None) or (original.args[0] if original.args else None)
    return code in _TRANSIENT_CODES or "database is locked" in str(original)


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
            time.sleep(random.uniform(0.02, 0.1) * attempt)
    raise AssertionError("unreachable")


def run_job(session: Session, job: str, holder: str) -> JobRun:
    """Run one job now and record it; an error is recorded, not raised."""
    body, _interval = JOBS[job]
    run = JobRun(job=job, holder=holder, started_at=now_utc(), status="running")
    session.add(run)
    session.commit()
    run_id = run.id
    try:
        items = commit_with_retries(session, body)
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the run
        session.rollback()
        run = session.get(JobRun, run_id)
        run.status, run.error = "error", f"{error.__class__.__name__}: {error}"
        log.error("job %s failed: %s", job, traceback.format_exc())
    else:
        run = session.get(JobRun, run_id)
        run.status, run.items = "success", items
    run.finished_at = now_utc()
    session.commit()
    return run


def run_due_jobs(
    session: Session, holder: str, *, force: bool = False, interval: timedelta | None = None
) -> list[JobRun]:
    """If this process holds the lease, run every job whose interval (its own, or the one
    given) has passed since its last success."""
    if not acquire_lease(session, holder):
        return []
    runs = []
    for job, (_body, own_interval) in JOBS.items():
        every = interval if interval is not None else own_interval
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

    def tick() -> None:
        if not lock.acquire(blocking=False):
            return
        try:
            with app.app_context():
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
    log.info("scheduler started in %s", holder)
