"""A separate process for the backup job's concurrency tests.

    python -m tests.backup_job_worker <database-url> <backup-folder> direct <start-file>
        waits for the start file, then runs the scheduled-backup job's body at once
        (bypassing the scheduler's lease, so only the per-slot claim keeps the processes
        apart) and prints how many backups it made;
    python -m tests.backup_job_worker <database-url> <backup-folder> scheduler <seconds>
        runs Finora's real in-process scheduler (lease and all) until some process's
        scheduled-backup run made a backup, or for at most that long.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from finora import create_app
from finora.extensions import db


def main(url: str, folder: str, mode: str, arg: str) -> None:
    overrides = {
        "FINORA_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "DATA_DIR": Path(tempfile.mkdtemp(prefix="finora-worker-")),
        "BACKUP_STORAGE_DIR": Path(folder),
    }
    if mode == "scheduler":
        app = create_app({**overrides, "SCHEDULER_ENABLED": True, "SCHEDULER_TICK_SECONDS": 1})
        _wait_for_a_backup_run(app, timeout=float(arg))
        app.extensions["finora_scheduler"].shutdown(wait=True)
        return
    from finora.jobs import process_id
    from finora.services.backups.schedules import run_scheduled_backups

    app = create_app(overrides)
    start = Path(arg)
    with app.app_context():
        db.session.execute(db.select(1))  # connected before the start, like a warm worker
        db.session.commit()
        while not start.exists():
            time.sleep(0.005)
        made = run_scheduled_backups(db.session, process_id())
        db.session.remove()
    print(made)


def _wait_for_a_backup_run(app, timeout: float) -> None:
    """Keep the scheduler running until some process's backup run made a backup (or the
    time is up), plus a few more ticks so that every process tries its luck."""
    from sqlalchemy import select

    from finora.models import JobRun
    from finora.services.backups.schedules import JOB

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            done = db.session.scalar(
                select(JobRun.id).where(JobRun.job == JOB, JobRun.status == "success",
                                        JobRun.items > 0).limit(1)
            )
            db.session.remove()
        if done is not None:
            time.sleep(3)
            return
        time.sleep(0.3)


if __name__ == "__main__":
    main(*sys.argv[1:5])
