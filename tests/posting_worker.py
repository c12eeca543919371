"""A separate process for the concurrency test: posts a shared backlog.

    python -m tests.posting_worker <database-url> scheduler <seconds>
        runs Finora's real in-process scheduler (lease and all) until a run succeeded
        somewhere, or for at most that long;
    python -m tests.posting_worker <database-url> direct <start-file>
        waits for the start file, then posts at once, bypassing the lease, and prints
        how many entries it created.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from finora import create_app
from finora.extensions import db


def main(url: str, mode: str, arg: str) -> None:
    overrides = {
        "FINORA_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "DATA_DIR": Path(tempfile.mkdtemp(prefix="finora-worker-")),
    }
    if mode == "scheduler":
        app = create_app({**overrides, "SCHEDULER_ENABLED": True, "SCHEDULER_TICK_SECONDS": 1})
        _wait_for_a_successful_run(app, timeout=float(arg))
        app.extensions["finora_scheduler"].shutdown(wait=True)
        return
    from finora.services.planning.posting import post_due_occurrences

    app = create_app(overrides)
    start = Path(arg)
    while not start.exists():
        time.sleep(0.005)
    from finora.jobs import commit_with_retries

    with app.app_context():
        created = commit_with_retries(db.session, lambda s: post_due_occurrences(s, cap=10_000))
    print(created)


def _wait_for_a_successful_run(app, timeout: float) -> None:
    """Keep the scheduler running until some process has posted (or the time is up),
    plus a few more ticks so that every process tries its luck with the lease."""
    from sqlalchemy import select

    from finora.models import JobRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            done = db.session.scalar(select(JobRun.id).where(JobRun.status == "success").limit(1))
            db.session.remove()
        if done is not None:
            time.sleep(3)
            return
        time.sleep(0.3)


if __name__ == "__main__":
    main(*sys.argv[1:4])
