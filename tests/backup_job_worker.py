"""A separate process for the backup job's concurrency test.

    python -m tests.backup_job_worker <database-url> <backup-folder> <start-file>
        waits for the start file, then runs the scheduled-backup job's body at once
        (bypassing the scheduler's lease, so only the per-slot claim keeps the processes
        apart) and prints how many backups it made.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from finora import create_app
from finora.extensions import db


def main(url: str, folder: str, start_file: str) -> None:
    app = create_app({
        "FINORA_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "DATA_DIR": Path(tempfile.mkdtemp(prefix="finora-worker-")),
        "BACKUP_STORAGE_DIR": Path(folder),
    })
    from finora.jobs import process_id
    from finora.services.backups.schedules import run_scheduled_backups

    start = Path(start_file)
    with app.app_context():
        db.session.execute(db.select(1))  # connected before the start, like a warm worker
        db.session.commit()
        while not start.exists():
            time.sleep(0.005)
        made = run_scheduled_backups(db.session, process_id())
        db.session.remove()
    print(made)


if __name__ == "__main__":
    main(*sys.argv[1:4])
