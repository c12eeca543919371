"""The daily update check as the scheduler runs it: through JOBS, recorded on a JobRun."""

from __future__ import annotations

from datetime import timedelta

from finora.extensions import db
from finora.jobs import JOBS, run_job
from finora.services.updates.check import update_status


def test_the_update_check_runs_once_a_day_and_records_what_it_read(app):
    assert JOBS["check_for_updates"][1] == timedelta(hours=24)
    assert update_status(db.session).last_check is None

    run = run_job(db.session, "check_for_updates", "here")

    assert run.status == "success", run.error
    record = update_status(db.session).last_check
    assert record is not None and record.ok and record.source == "bundled"


def test_a_failed_check_is_the_runs_error_and_is_still_recorded(app_factory, monkeypatch):
    from finora.services.updates import fetch

    monkeypatch.setattr(fetch, "BACKOFF_SECONDS", 0)
    # Nothing listens on port 9 of loopback: the fetch fails at once, every attempt.
    app = app_factory(UPDATE_MANIFEST_URL="http://127.0.0.1:9/manifest.json")
    with app.app_context():
        run = run_job(db.session, "check_for_updates", "here")

        assert run.status == "error"
        record = update_status(db.session).last_check
        assert record is not None and not record.ok and record.source == "remote"
