"""`flask finora bootstrap` creates the configured admin; `flask finora jobs run` reports
every job and every household that failed, and exits non-zero then (for cron)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

import finora.jobs as jobs
from finora.dates import today
from finora.extensions import db
from finora.jobs import JOBS
from finora.models import Entry, User
from tests.factories import create_user
from tests.planning_factories import make_rule


def test_bootstrap_creates_the_admin(app_factory):
    app = app_factory(
        BOOTSTRAP_ADMIN_EMAIL="Boss@Example.com", BOOTSTRAP_ADMIN_PASSWORD="a long unusual phrase"
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        assert result.exit_code == 0, result.output
        admin = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        assert admin.is_admin and admin.status == "active" and admin.memberships
        again = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        assert "already exists" in again.output
        assert len(db.session.scalars(select(User)).all()) == 1


def test_bootstrap_promotes_an_existing_account(app_factory):
    app = app_factory(BOOTSTRAP_ADMIN_EMAIL="later@example.com", BOOTSTRAP_ADMIN_PASSWORD="x" * 12)
    with app.app_context():
        create_user()
        later = create_user(email="later@example.com", status="disabled")
        app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        db.session.refresh(later)
        assert later.is_admin and later.status == "active"


def test_bootstrap_refuses_a_weak_password(app_factory):
    app = app_factory(BOOTSTRAP_ADMIN_EMAIL="a@example.com", BOOTSTRAP_ADMIN_PASSWORD="short")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        assert result.exit_code != 0
        assert "at least 10 characters" in result.output.lower()
        assert db.session.scalar(select(User)) is None


def test_bootstrap_without_settings_explains(app):
    result = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
    assert result.exit_code == 0
    assert "first user to sign up becomes admin" in result.output


def _two_households_with_rent():
    first = create_user().memberships[0].household
    second = create_user().memberships[0].household
    for household in (first, second):
        make_rule(household, name="Rent", anchor_date=today(household) - timedelta(days=40))
    return first, second


def _entries(household) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Entry).where(Entry.household_id == household.id)
    )


def test_jobs_run_prints_each_job_and_exits_zero(app):
    first, second = _two_households_with_rent()
    result = app.test_cli_runner().invoke(args=["finora", "jobs", "run"])
    assert result.exit_code == 0, result.output
    for job in JOBS:
        assert f"{job}: success" in result.output
    assert "failed" not in result.output.lower()
    assert _entries(first) == _entries(second) == 2


def test_jobs_run_reports_a_failing_household_and_exits_non_zero(app, monkeypatch):
    first, second = _two_households_with_rent()
    real = jobs.post_household

    def flaky(session, household_id, **kwargs):
        created = real(session, household_id, **kwargs)  # written, then rolled back
        if household_id == first.id:
            raise RuntimeError("disk on fire")
        return created

    monkeypatch.setattr(jobs, "post_household", flaky)
    result = app.test_cli_runner().invoke(args=["finora", "jobs", "run"])
    assert result.exit_code == 1, result.output
    assert "post_recurring: success, 2 item(s)" in result.output
    assert f"household {first.id} failed: RuntimeError: disk on fire" in result.output
    assert f"household {second.id}" not in result.output
    assert _entries(first) == 0 and _entries(second) == 2  # the other household still posted


def test_jobs_run_exits_non_zero_when_a_job_fails(app, monkeypatch):
    def broken(session, holder):
        raise RuntimeError("no disk")

    monkeypatch.setitem(jobs.JOBS, "purge_old_sessions", (broken, timedelta(hours=24)))
    result = app.test_cli_runner().invoke(args=["finora", "jobs", "run"])
    assert result.exit_code == 1
    assert "purge_old_sessions: error" in result.output and "no disk" in result.output
