"""A web process for the kill -9 test: runs Finora's real scheduler and hangs mid-run.

    python -m tests.job_kill_worker <database-url> <marker-file> <hang-household-id>

Starts the in-process scheduler (lease, job run, per-household transactions: the real code)
with a lease of a few seconds, so that the test need not wait out the real lifetime after
the kill. Posting the given household flushes its entries and then hangs inside that
uncommitted transaction, after writing the marker file; the test then kills the process.
Only this helper is slowed down: production code is unchanged.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import finora.jobs as jobs
from finora import create_app

# Short, so the next holder can take over a few seconds after the kill.
SHORT_LEASE = timedelta(seconds=3)


def main(url: str, marker: str, hang_household: str) -> None:
    jobs.LEASE_TTL = SHORT_LEASE
    real = jobs.post_household

    def hanging(session, household_id, **kwargs):
        created = real(session, household_id, **kwargs)
        if household_id == int(hang_household):
            session.flush()  # the entries are written, not committed: then the kill comes
            Path(marker).write_text(str(created))
            time.sleep(600)
        return created

    jobs.post_household = hanging
    create_app(
        {
            "FINORA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "DATA_DIR": Path(tempfile.mkdtemp(prefix="finora-kill-")),
            "SCHEDULER_ENABLED": True,
            "SCHEDULER_TICK_SECONDS": 1,
        }
    )
    time.sleep(600)  # the scheduler's thread does the work; the test kills us


if __name__ == "__main__":
    main(*sys.argv[1:4])
