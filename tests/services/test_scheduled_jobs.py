"""Jobs as the scheduler runs them (through JOBS, recorded on a JobRun): the daily update
check and the hourly purge of expired demos."""

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


def test_expired_demos_are_purged_every_hour_through_the_scheduler(app):
    from finora.dates import now_utc
    from finora.models import Household
    from finora.services.people.demo import create_demo

    assert JOBS["purge_expired_demos"][1] == timedelta(hours=1)
    _user, household = create_demo(db.session, now=now_utc() - timedelta(hours=25),
                                   ttl=timedelta(hours=24), locale="en")
    db.session.commit()
    household_id = household.id

    run = run_job(db.session, "purge_expired_demos", "here")

    assert run.status == "success", run.error
    assert run.items == 1 and db.session.get(Household, household_id) is None
