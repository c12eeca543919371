"""The scheduler runs no job against a schema its code was not written for."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from finora import jobs
from finora.extensions import db
from finora.models import JobRun
from finora.services.system.schema import SchemaState


def _runs(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(JobRun))
        db.session.remove()
        return count


def test_the_scheduler_waits_while_the_schema_is_not_at_head_then_runs(
    app_factory, monkeypatch
):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    warnings = []
    monkeypatch.setattr(jobs.log, "warning", lambda message, *args: warnings.append(message % args))
    state = {"current": ("0013",)}
    monkeypatch.setattr(
        jobs, "schema_state",
        lambda engine=None: SchemaState(heads=("0014",), current=state["current"], reachable=True),
    )
    web = app_factory(SCHEDULER_ENABLED=True, SCHEDULER_TICK_SECONDS=1)
    try:
        time.sleep(4)  # the first tick comes after 2 s, then one a second
        assert _runs(web) == 0
        # Said once, not at every tick.
        assert warnings.count("scheduler waits: the database schema is behind") == 1

        state["current"] = ("0014",)
        deadline = time.monotonic() + 10
        while _runs(web) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _runs(web) >= 1
    finally:
        jobs.stop_scheduler(web)
