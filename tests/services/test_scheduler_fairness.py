"""One household can never stop or starve another's scheduled posting: a rule at the calendar's
edge or a backlog of decades in one household leaves the next household's posting on time; a
household that fails is rolled back and recorded on its own job run; runs left "running" by a
killed process become "abandoned"; a clean stop gives the lease up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

import finora.jobs as jobs
from finora.extensions import db
from finora.jobs import LEASE_NAME, LEASE_TTL, acquire_lease, run_due_jobs, run_job
from finora.models import Entry, JobRun, SchedulerLease
from finora.services.planning.posting import POST_CAP
from tests.factories import create_user
from tests.planning_factories import make_rule

TODAY = date(2026, 3, 15)


@pytest.fixture(autouse=True)
def frozen():
    # Noon in São Paulo (the households' time zone) on TODAY.
    with time_machine.travel(datetime(2026, 3, 15, 15, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def first(app):
    return create_user().memberships[0].household


@pytest.fixture
def second(app, first):
    household = create_user().memberships[0].household
    assert household.id > first.id  # taken after `first` in household order
    return household


def entries_of(household) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Entry).where(Entry.household_id == household.id)
    )


def posting_run() -> JobRun:
    return run_job(db.session, "post_recurring", "here")


def test_a_rule_from_year_one_does_not_stop_anyone_posting(first, second):
    make_rule(first, name="Ancient", anchor_date=date(1, 1, 1), business_day_policy="next")
    make_rule(first, name="Far end", anchor_date=date(2026, 1, 10), end_date=date(9999, 12, 31),
              business_day_policy="previous")
    make_rule(second, name="Rent", anchor_date=date(2026, 1, 10))
    run = posting_run()
    assert run.status == "success", run.error
    assert entries_of(second) == 3  # Jan 10, Feb 10, Mar 10
    # The ancient rule posts from the date window's start (1900), never from year 1.
    first_dates = db.session.scalars(
        select(Entry.date).where(Entry.household_id == first.id).order_by(Entry.date)
    ).all()
    assert first_dates and first_dates[0] >= date(1900, 1, 1)


def test_a_backlog_of_decades_does_not_starve_the_next_household(first, second):
    make_rule(first, name="Coffee", frequency="daily", anchor_date=date(1990, 1, 1),
              amount=Decimal("5.00"))
    make_rule(second, name="Rent", anchor_date=date(2026, 1, 10))
    run = posting_run()
    assert run.status == "success"
    assert entries_of(second) == 3, "the second household waited behind the first's backlog"
    assert entries_of(first) == POST_CAP  # the first gets its own share, and the rest later
    assert run.items == POST_CAP + 3


def test_each_household_gets_its_share_of_every_run(app, first, second):
    third = create_user().memberships[0].household
    for household in (first, second, third):
        make_rule(household, name="Coffee", frequency="daily", anchor_date=date(2020, 1, 1))
    posting_run()
    assert [entries_of(h) for h in (first, second, third)] == [POST_CAP] * 3


def test_a_backlog_is_expanded_a_stretch_at_a_time(first):
    """A daily rule from 1900 costs one share of dates per run, not 46,000 of them."""
    from finora.business_days import BusinessCalendar
    from finora.services.planning.posting import due_occurrences

    rule = make_rule(first, name="Old", frequency="daily", anchor_date=date(1900, 1, 1),
                     business_day_policy="next")
    found = due_occurrences(rule, frozenset(), TODAY, BusinessCalendar("BR"), limit=50)
    assert len(found) == 50 and found[0].nominal == date(1900, 1, 1)
    held = make_rule(first, name="Held", frequency="daily", anchor_date=date(1990, 1, 1),
                     hold_until=date(2026, 3, 1))
    found = due_occurrences(held, frozenset(), TODAY, BusinessCalendar(None), limit=50)
    assert [o.nominal for o in found][:1] == [date(2026, 3, 1)] and len(found) == 15


def test_a_failing_household_is_recorded_and_the_others_post(first, second, monkeypatch):
    make_rule(first, name="Rent", anchor_date=date(2026, 1, 10))
    make_rule(second, name="Rent", anchor_date=date(2026, 1, 10))
    real = jobs.post_household

    def flaky(session, household_id, **kwargs):
        created = real(session, household_id, **kwargs)  # writes, then fails: rolled back
        if household_id == first.id:
            raise RuntimeError("disk on fire")
        return created

    monkeypatch.setattr(jobs, "post_household", flaky)
    run = posting_run()
    assert (run.status, run.items) == ("success", 3)
    assert entries_of(first) == 0 and entries_of(second) == 3
    failures = db.session.scalars(select(JobRun).where(JobRun.household_id.is_not(None))).all()
    assert [(f.household_id, f.status) for f in failures] == [(first.id, "error")]
    assert "disk on fire" in failures[0].error and failures[0].finished_at is not None


def test_the_status_page_shows_a_households_failure(signed_in, user, monkeypatch):
    household = user.memberships[0].household
    make_rule(household, name="Rent", anchor_date=date(2026, 1, 10))

    def broken(session, household_id, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "post_household", broken)
    run_due_jobs(db.session, "web-1:123")
    page = signed_in.get("/admin/status").get_data(as_text=True)
    assert "Succeeded" in page
    assert "Failed for 1 household" in page and "disk on fire" in page
    assert f"#{household.id}" in page


def test_runs_left_running_by_a_killed_process_become_abandoned(app, frozen):
    now = datetime(2026, 3, 15, 15, tzinfo=UTC)
    killed = JobRun(job="post_recurring", holder="web-1:99:dead", started_at=now - timedelta(hours=1),
                    status="running")
    db.session.add(killed)
    db.session.commit()
    # The killed process's lease expires; this process takes it and runs.
    runs = run_due_jobs(db.session, "web-2:7:alive")
    assert runs and all(r.status == "success" for r in runs)
    db.session.expire_all()
    killed = db.session.get(JobRun, killed.id)
    assert killed.status == "abandoned" and killed.finished_at is not None


def test_the_abandoned_status_is_shown(signed_in):
    now = datetime(2026, 3, 15, 15, tzinfo=UTC)
    for job in jobs.JOBS:
        db.session.add(JobRun(job=job, holder="web-1:99:dead", started_at=now, status="abandoned",
                              finished_at=now))
    db.session.commit()
    page = signed_in.get("/admin/status").get_data(as_text=True)
    assert "Abandoned" in page


def test_a_run_that_lost_the_lease_stops(first, second, monkeypatch, frozen):
    make_rule(first, name="Rent", anchor_date=date(2026, 1, 10))
    make_rule(second, name="Rent", anchor_date=date(2026, 1, 10))
    real = jobs.post_household

    def then_paused(session, household_id, **kwargs):
        created = real(session, household_id, **kwargs)
        # Meanwhile this process was paused for longer than the lease and another took it.
        frozen.shift(LEASE_TTL)
        db.session.execute(
            SchedulerLease.__table__.update().values(
                holder="other", expires_at=datetime(2026, 3, 15, 18, tzinfo=UTC)
            )
        )
        return created

    monkeypatch.setattr(jobs, "post_household", then_paused)
    run = posting_run()
    assert run.status == "error" and "LeaseLost" in run.error
    assert entries_of(first) == 3 and entries_of(second) == 0  # the new holder goes on


def test_a_clean_stop_releases_the_lease(app_factory, monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    web = app_factory(SCHEDULER_ENABLED=True, SCHEDULER_TICK_SECONDS=3600)
    holder = web.extensions["finora_scheduler_holder"]
    scheduler = web.extensions["finora_scheduler"]
    with web.app_context():
        assert acquire_lease(db.session, holder)
    jobs.stop_scheduler(web)
    assert not scheduler.running
    with web.app_context():
        lease = db.session.get(SchedulerLease, LEASE_NAME)
        assert lease.expires_at <= datetime.now(UTC)
        # Another process takes over at once, not a lease's lifetime later.
        assert acquire_lease(db.session, "next-process")
        db.session.remove()
    jobs.stop_scheduler(web)  # a second stop (atexit after an explicit one) is harmless


def test_the_lease_lifetime_is_what_a_killed_process_costs(app):
    start = datetime(2026, 3, 15, 12, tzinfo=UTC)
    assert acquire_lease(db.session, "killed", now=start)
    assert not acquire_lease(db.session, "next", now=start + LEASE_TTL / 2)
    assert acquire_lease(db.session, "next", now=start + LEASE_TTL + timedelta(seconds=1))


def test_a_households_own_backlog_does_not_hold_back_its_other_rules(first):
    make_rule(first, name="Coffee", frequency="daily", anchor_date=date(1990, 1, 1))
    rent = make_rule(first, name="Rent", anchor_date=date(2026, 1, 10))
    posting_run()
    rents = db.session.scalar(select(func.count()).select_from(Entry).where(Entry.rule_id == rent.id))
    assert rents == 3 and entries_of(first) == POST_CAP
