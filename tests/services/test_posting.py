"""Posting due occurrences: on time, caught up after downtime, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.jobs import JOBS, LEASE_TTL, acquire_lease, run_due_jobs, stop_scheduler
from finora.models import Entry, JobRun, RecurringRule, Skip
from finora.services.planning.posting import post_due_occurrences
from tests.factories import create_user
from tests.planning_factories import make_rule


def at(day: date):
    """Noon in São Paulo on that day (the households' time zone)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 15, tzinfo=UTC), tick=False)


@pytest.fixture
def home(app):
    return create_user().memberships[0].household


def posted(rule) -> list[tuple[date, date]]:
    rows = db.session.execute(
        select(Entry.occurrence_date, Entry.date).where(Entry.rule_id == rule.id).order_by(Entry.date)
    )
    return [tuple(row) for row in rows]


def test_due_occurrences_become_entries_once(home):
    rule = make_rule(home, anchor_date=date(2026, 1, 31), business_day_policy="next", mark_paid=True)
    with at(date(2026, 3, 15)):
        assert post_due_occurrences(db.session) == 2
        db.session.commit()
        assert post_due_occurrences(db.session) == 0
        db.session.commit()
    # Jan 31 and Feb 28 2026 are Saturdays: posted on the next Mondays, keyed by the nominal date.
    assert posted(rule) == [(date(2026, 1, 31), date(2026, 2, 2)), (date(2026, 2, 28), date(2026, 3, 2))]
    entry = db.session.scalar(
        select(Entry).where(Entry.rule_id == rule.id).order_by(Entry.id).limit(1)
    )
    assert entry.paid_on == entry.date and entry.amount == Decimal("1500.00")
    assert entry.description == "Rent" and entry.payment_method == "bank_transfer"


def test_catch_up_after_ninety_days_of_downtime_with_a_cap(home):
    rule = make_rule(home, name="Coffee", frequency="daily", anchor_date=date(2026, 1, 1),
                     amount=Decimal("7.50"))
    with at(date(2026, 1, 1)):
        post_due_occurrences(db.session)
        db.session.commit()
    assert len(posted(rule)) == 1
    with at(date(2026, 4, 1)):  # the server was down for 90 days
        assert post_due_occurrences(db.session, cap=40) == 40
        db.session.commit()
        assert post_due_occurrences(db.session, cap=40) == 40
        db.session.commit()
        assert post_due_occurrences(db.session, cap=40) == 10
        db.session.commit()
        assert post_due_occurrences(db.session, cap=40) == 0
    dates = [d for d, _ in posted(rule)]
    assert len(dates) == 91 and len(set(dates)) == 91
    assert dates[0] == date(2026, 1, 1) and dates[-1] == date(2026, 4, 1)


def test_held_skipped_scenario_and_manual_rules_are_not_posted(home):
    held = make_rule(home, name="Gym", hold_until=date(2026, 3, 1))
    skipped = make_rule(home, name="Internet")
    db.session.add(Skip(household_id=home.id, rule_id=skipped.id, occurrence_date=date(2026, 2, 10)))
    scenario = make_rule(home, name="New car", is_scenario=True)
    manual = make_rule(home, name="Manual", auto_post=False)
    db.session.commit()
    with at(date(2026, 3, 15)):
        post_due_occurrences(db.session)
        db.session.commit()
    assert [d for d, _ in posted(held)] == [date(2026, 3, 10)]
    assert [d for d, _ in posted(skipped)] == [date(2026, 1, 10), date(2026, 3, 10)]
    assert posted(scenario) == [] and posted(manual) == []


def test_editing_a_rule_changes_future_occurrences_only(home):
    rule = make_rule(home)
    with at(date(2026, 2, 15)):
        post_due_occurrences(db.session)
        db.session.commit()
    rule.amount = Decimal("1650.00")
    db.session.commit()
    with at(date(2026, 3, 15)):
        post_due_occurrences(db.session)
        db.session.commit()
    amounts = db.session.scalars(
        select(Entry.amount).where(Entry.rule_id == rule.id).order_by(Entry.date)
    ).all()
    assert amounts == [Decimal("1500.00"), Decimal("1500.00"), Decimal("1650.00")]


def test_deleting_a_rule_keeps_its_entries(home):
    rule = make_rule(home)
    with at(date(2026, 2, 15)):
        post_due_occurrences(db.session)
        db.session.commit()
    db.session.delete(db.session.get(RecurringRule, rule.id))
    db.session.commit()
    kept = db.session.scalars(select(Entry).where(Entry.description == "Rent")).all()
    assert len(kept) == 2 and all(e.rule_id is None for e in kept)


def test_the_lease_elects_one_runner(app):
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert acquire_lease(db.session, "a", now=start)
    assert not acquire_lease(db.session, "b", now=start)
    assert acquire_lease(db.session, "a", now=start + LEASE_TTL / 2)  # renewal
    assert not acquire_lease(db.session, "b", now=start + LEASE_TTL)
    assert acquire_lease(db.session, "b", now=start + LEASE_TTL * 2)  # a stopped renewing


def test_a_run_is_recorded_and_the_interval_respected(home):
    make_rule(home)
    with at(date(2026, 3, 15)):
        runs = [r for r in run_due_jobs(db.session, "here") if r.job == "post_recurring"]
        assert [(r.job, r.status, r.items) for r in runs] == [("post_recurring", "success", 3)]
        assert run_due_jobs(db.session, "here") == []  # every job ran less than its interval ago
        assert len(run_due_jobs(db.session, "here", force=True)) == len(JOBS)
    posting_runs = select(func.count()).select_from(JobRun).where(JobRun.job == "post_recurring")
    assert db.session.scalar(posting_runs) == 2


def test_a_failing_job_is_recorded_as_an_error(home, monkeypatch):
    import finora.jobs as jobs

    def broken(_session, _holder):
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs.JOBS, "post_recurring", (broken, jobs.JOBS["post_recurring"][1]))
    run = run_due_jobs(db.session, "here")[0]
    assert run.status == "error" and "boom" in run.error and run.finished_at is not None


def test_the_cli_runs_the_jobs_once(app, home):
    make_rule(home)
    with at(date(2026, 3, 15)):
        result = app.test_cli_runner().invoke(args=["finora", "jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "post_recurring: success, 3 item(s)" in result.output


def test_admin_status_shows_liveness(signed_in, home):
    make_rule(home)
    run_due_jobs(db.session, "web-1:123")
    page = signed_in.get("/admin/status").get_data(as_text=True)
    assert "Post recurring entries" in page and "Succeeded" in page
    assert "Held by web-1:123" in page


def test_the_scheduler_starts_with_the_web_app_but_not_for_flask_commands(
    app_factory, monkeypatch
):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    web = app_factory(SCHEDULER_ENABLED=True, SCHEDULER_TICK_SECONDS=3600)
    scheduler = web.extensions["finora_scheduler"]
    assert scheduler.running
    stop_scheduler(web)
    assert not scheduler.running
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    command = app_factory(SCHEDULER_ENABLED=True)
    assert "finora_scheduler" not in command.extensions
    assert "finora_scheduler" not in app_factory().extensions  # tests: off by default


def test_a_configured_interval_replaces_each_jobs_own(home):
    make_rule(home)
    from datetime import timedelta

    assert len(run_due_jobs(db.session, "here")) == len(JOBS)
    assert run_due_jobs(db.session, "here") == []  # each job's own interval
    assert len(run_due_jobs(db.session, "here", interval=timedelta(0))) == len(JOBS)
