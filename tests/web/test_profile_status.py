"""The profile's Status section: owners read their household's backups, the household jobs
and its system events; the admin the instance's, every job, the lease, the log download;
everyone the version (and an update when one is out), the help and whom to write to.
Nobody reads another household's name, errors or events there."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from finora.dates import now_utc
from finora.extensions import db
from finora.models import JobRun, SchedulerLease
from finora.services.backups.schedules import save_schedule
from finora.services.backups.store import create_household_backup
from finora.services.system.audit import record
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member
from tests.update_code_dirs import make_code_dir


@pytest.fixture
def app(app_factory, tmp_path):
    application = app_factory(CODE_DIR=make_code_dir(tmp_path / "code"),
                              BACKUP_STORAGE_DIR=tmp_path / "backups")
    with application.app_context():
        yield application


def page_for(app, user) -> str:
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    response = client.get("/profile/status")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def job_run(job: str, status: str, *, household_id=None, error=None, minutes_ago=5) -> JobRun:
    started = now_utc() - timedelta(minutes=minutes_ago)
    run = JobRun(job=job, holder="host:1", household_id=household_id, started_at=started,
                 finished_at=started + timedelta(seconds=3), status=status, error=error)
    db.session.add(run)
    return run


@pytest.fixture
def admin(app):
    return create_user(name="Ada Admin")


@pytest.fixture
def owner(app, admin):
    return create_user(name="Olga Owner", household_name="Olga's house")


def test_the_section_is_on_the_profile_with_the_version(app, owner):
    client = app.test_client()
    client.post("/login", data={"email": owner.email, "password": PASSWORD})
    html = client.get("/profile").get_data(as_text=True)
    assert 'id="profile-status"' in html
    assert "Finora 0.2.0 · update 0.3.0 available" in html


def test_an_owner_reads_the_last_and_next_backup_of_their_household(app, owner):
    household = household_of(owner)
    save_schedule(db.session, household, enabled=True, frequency="daily", weekday=None,
                  day_of_month=None, at_time="03:00", retention_count=5)
    create_household_backup(db.session, household, kind="manual", user=owner)
    db.session.commit()
    html = page_for(app, owner)
    section = html[html.index('id="household-backups"'):]
    assert "Last backup" in section and "None yet." not in section[:400]
    assert "Next backup" in section and "No schedule" not in section[:600]
    assert "Olga&#39;s house" in html or "Olga's house" in html
    # The household's own backup event is among its system events.
    events = html[html.index('id="household-events"'):]
    assert 'data-action="backup.created"' in events


def test_without_backups_or_schedule_the_owner_is_told_so(app, owner):
    html = page_for(app, owner)
    section = html[html.index('id="household-backups"'):]
    assert "None yet." in section
    assert "No schedule: backups are made only by hand." in section


def test_an_owner_sees_the_household_jobs_only_and_never_another_households_failure(app, admin, owner):
    theirs = household_of(owner)
    other = household_of(admin)
    job_run("post_recurring", "success", minutes_ago=6)
    job_run("post_recurring", "error", household_id=other.id, error="secret failure of another")
    job_run("run_scheduled_backups", "success", minutes_ago=6)
    job_run("run_scheduled_backups", "error", household_id=theirs.id, error="disk full for Olga")
    job_run("purge_old_sessions", "success")
    db.session.commit()
    html = page_for(app, owner)
    assert 'data-job="post_recurring"' in html and 'data-job="run_scheduled_backups"' in html
    assert 'data-job="purge_old_sessions"' not in html
    assert "secret failure of another" not in html and other.name not in html
    assert "Failed for your household" in html and "disk full for Olga" in html


def test_the_admin_sees_every_job_the_lease_and_instance_events(app, admin):
    job_run("purge_old_sessions", "error", error="sessions table locked")
    db.session.add(SchedulerLease(name="scheduler", holder="web-1:42",
                                  expires_at=now_utc() + timedelta(minutes=2)))
    record(db.session, "update.applied", user=admin, details={"version": "0.3.0", "from": "0.2.0"})
    db.session.commit()
    html = page_for(app, admin)
    for job in ("post_recurring", "run_scheduled_backups", "purge_old_sessions", "purge_audit_events"):
        assert f'data-job="{job}"' in html
    assert "sessions table locked" in html
    assert "The scheduler is running." in html and "web-1:42" in html
    events = html[html.index('id="instance-events"'):]
    assert 'data-action="update.applied"' in events and "Update applied: 0.3.0" in text(events)
    assert 'id="instance-backups"' in html
    assert 'href="/admin/status"' in html
    # Tests log to the console only: no link to a file that is not there, but the reason.
    assert 'href="/admin/logs/download"' not in html
    assert "The logs go to the console (LOG_TO_FILE is off)" in text(html)
    app.config["LOG_TO_FILE"] = True
    html = page_for(app, admin)
    assert 'id="log-download"' in html and 'href="/admin/logs/download"' in html


def test_an_expired_lease_is_said(app_factory, tmp_path):
    application = app_factory(CODE_DIR=make_code_dir(tmp_path / "code2"))
    # Said as a web server with the scheduler on would (without starting its thread here).
    application.config["SCHEDULER_ENABLED"] = True
    with application.app_context():
        admin = create_user()
        db.session.add(SchedulerLease(name="scheduler", holder="web-1:42",
                                      expires_at=now_utc() - timedelta(minutes=30)))
        db.session.commit()
        assert "No process is running the jobs right now" in page_for(application, admin)


def test_with_the_scheduler_off_and_no_lease_cron_is_named(app, admin):
    assert "flask finora jobs run" in page_for(app, admin)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_members_read_the_version_help_and_contact_only(app, owner, role):
    member = add_member(household_of(owner), role)
    job_run("post_recurring", "success")
    db.session.commit()
    html = page_for(app, member)
    assert "Finora 0.2.0 is installed." in html and "Update available: 0.3.0" in html
    assert "The administrator of this server installs updates." in html
    assert 'href="/help"' in html
    for hidden in ('id="household-backups"', 'id="status-jobs"', 'id="household-events"',
                   'id="instance-events"', 'id="log-download"', 'href="/admin/status"'):
        assert hidden not in html, hidden


def test_an_owner_sees_no_instance_events_or_admin_links(app, admin, owner):
    record(db.session, "update.applied", user=admin, details={"version": "0.3.0"})
    db.session.commit()
    html = page_for(app, owner)
    assert 'data-action="update.applied"' not in html
    assert 'id="log-download"' not in html and 'href="/admin/status"' not in html


def test_without_a_configured_contact_the_admins_address_is_given(app, admin, owner):
    html = page_for(app, owner)
    contact = html[html.index('id="admin-contact"'):]
    assert f'href="mailto:{admin.email}"' in contact[:400]


def test_a_configured_contact_address_wins(app_factory, tmp_path):
    application = app_factory(CODE_DIR=make_code_dir(tmp_path / "code2"),
                              ADMIN_CONTACT_EMAIL="help@family.example")
    with application.app_context():
        admin_email = create_user().email
        owner = create_user()
        html = page_for(application, owner)
    contact = html[html.index('id="admin-contact"'):]
    assert "help@family.example" in contact[:400] and admin_email not in contact[:400]
