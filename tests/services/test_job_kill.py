"""A web process killed with SIGKILL in the middle of a posting run (the OOM killer, a host
crash, `docker kill`): its run does not stay "running" forever. The next lease holder marks
it abandoned, posts what the killed run had not committed, and posts nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from finora.business_days import BusinessCalendar
from finora.dates import today
from finora.extensions import db
from finora.jobs import run_due_jobs
from finora.models import Entry, Household, JobRun, RecurringRule
from finora.services.planning.posting import due_occurrences
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database
from tests.factories import create_user
from tests.planning_factories import make_rule

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def households(tmp_path):
    """A fresh database with three households, each with about two months of backlog."""
    url = create_test_database(SERVER)
    app = make_app(url, tmp_path)
    with app.app_context():
        upgrade()
        ids = []
        for _ in range(3):
            household = create_user().memberships[0].household
            start = today(household) - timedelta(days=60)
            make_rule(household, name="Coffee", frequency="daily", anchor_date=start,
                      amount=Decimal("6.00"), category_code="expense.food")
            make_rule(household, name="Rent", anchor_date=start)
            ids.append(household.id)
        expected = {h: _due(h) for h in ids}
        db.engine.dispose()
    yield app, url, ids, expected
    drop_test_database(url)


def _due(household_id: int) -> int:
    """What the household has due now, none of it posted yet."""
    on = today(db.session.get(Household, household_id))
    rules = db.session.scalars(
        select(RecurringRule).where(RecurringRule.household_id == household_id)
    ).unique()
    return sum(len(due_occurrences(rule, frozenset(), on, BusinessCalendar(None))) for rule in rules)


def _entries(household_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Entry).where(Entry.household_id == household_id)
    )


def _wait_until_hanging(app, worker: subprocess.Popen, marker: Path) -> JobRun:
    """The worker's posting run is recorded as running and it is inside a household."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the worker exited: {worker.communicate()[1][-2000:]}")
        if marker.exists():
            with app.app_context():
                run = db.session.scalar(
                    select(JobRun).where(JobRun.job == "post_recurring", JobRun.status == "running")
                )
                db.session.expunge_all()
                db.session.remove()
            if run is not None:
                return run
        time.sleep(0.1)
    worker.kill()
    pytest.fail(f"the worker never started posting: {worker.communicate()[1][-2000:]}")


def test_a_run_killed_mid_way_is_abandoned_and_the_next_run_posts_once(households, tmp_path):
    app, url, (first, second, third), expected = households
    marker = tmp_path / "hanging"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FLASK_RUN_FROM_CLI", None)  # a web process, not a flask command
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.job_kill_worker", url, str(marker), str(second)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        killed = _wait_until_hanging(app, worker, marker)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert int(marker.read_text()) > 0  # the second household's entries were written, uncommitted

    with app.app_context():
        # The first household was committed before the kill; the second's open transaction
        # died with the process; the third was never reached.
        assert [_entries(h) for h in (first, second, third)] == [expected[first], 0, 0]
        assert db.session.get(JobRun, killed.id).status == "running"
        db.session.remove()

        # The next process takes the lease once the killed one's has run out (the worker
        # holds it for a few seconds only) and runs the jobs.
        deadline = time.monotonic() + 20
        runs = run_due_jobs(db.session, "next-process")
        while not runs and time.monotonic() < deadline:
            time.sleep(0.3)
            runs = run_due_jobs(db.session, "next-process")
        assert runs, "the next process never got the lease"
        posting = next(r for r in runs if r.job == "post_recurring")
        assert posting.status == "success", posting.error
        assert posting.items == expected[second] + expected[third]

        db.session.expire_all()
        abandoned = db.session.get(JobRun, killed.id)
        assert abandoned.status == "abandoned" and abandoned.finished_at is not None
        assert abandoned.holder == killed.holder
        assert db.session.scalar(
            select(func.count()).select_from(JobRun).where(JobRun.status == "running")
        ) == 0
        assert [_entries(h) for h in (first, second, third)] == [expected[h] for h in (first, second, third)]
        duplicates = db.session.execute(
            select(Entry.rule_id, Entry.occurrence_date)
            .group_by(Entry.rule_id, Entry.occurrence_date)
            .having(func.count() > 1)
        ).all()
        assert duplicates == []
        db.session.remove()
        db.engine.dispose()
