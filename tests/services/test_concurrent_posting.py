"""Four processes post the same backlog: every occurrence ends up posted exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from finora.dates import today
from finora.extensions import db
from finora.models import Entry, JobRun
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database
from tests.factories import create_user
from tests.planning_factories import make_rule

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4


@pytest.fixture
def backlog(tmp_path):
    """A fresh database with a household whose rules have ~120 days of unposted backlog."""
    url = create_test_database(SERVER)
    app = make_app(url, tmp_path)
    with app.app_context():
        upgrade()
        household = create_user().memberships[0].household
        start = today(household) - timedelta(days=120)
        make_rule(household, name="Coffee", frequency="daily", anchor_date=start, amount=Decimal("6.00"))
        make_rule(household, name="Lunch", frequency="daily", anchor_date=start + timedelta(days=1),
                  amount=Decimal("25.00"), category_code="expense.food")
        make_rule(household, name="Salary", kind="income", frequency="monthly",
                  anchor_date=start, business_day_policy="previous", amount=Decimal("5000.00"))
        make_rule(household, name="Gym", frequency="weekly", anchor_date=start, business_day_policy="next")
        expected = _expected(household)
        db.engine.dispose()
    yield app, url, expected
    drop_test_database(url)


def _expected(household) -> int:
    from finora.business_days import BusinessCalendar
    from finora.models import RecurringRule
    from finora.services.planning.posting import due_occurrences

    on = today(household)
    rules = db.session.scalars(select(RecurringRule)).unique()
    return sum(len(due_occurrences(r, frozenset(), on, BusinessCalendar(None))) for r in rules)


def _worker(url: str, mode: str, arg: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FLASK_RUN_FROM_CLI", None)  # these are web processes, not flask commands
    return subprocess.Popen(
        [sys.executable, "-m", "tests.posting_worker", url, mode, arg],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _check(app, expected: int) -> int:
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Entry))
        duplicates = db.session.execute(
            select(Entry.rule_id, Entry.occurrence_date)
            .group_by(Entry.rule_id, Entry.occurrence_date)
            .having(func.count() > 1)
        ).all()
        runs = db.session.execute(select(JobRun.holder, JobRun.status)).all()
        db.engine.dispose()
    assert duplicates == []
    assert total == expected
    return len(runs)


def test_four_processes_posting_at_the_same_instant(backlog, tmp_path):
    """No lease here: the unique key alone keeps every occurrence single."""
    app, url, expected = backlog
    assert expected > 250
    start = tmp_path / "go"
    workers = [_worker(url, "direct", str(start)) for _ in range(PROCESSES)]
    start.touch()
    created = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        created.append(int(out.strip().splitlines()[-1]))
    _check(app, expected)
    assert sum(created) == expected  # each occurrence created by exactly one process


def test_four_processes_with_the_scheduler_on(backlog):
    """Each process starts Finora's scheduler; the lease lets one of them post."""
    app, url, expected = backlog
    workers = [_worker(url, "scheduler", "40") for _ in range(PROCESSES)]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    runs = _check(app, expected)
    assert runs >= 1
