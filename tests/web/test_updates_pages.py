"""/about: every member reads the version, only the global admin sees the channel, the
notes, the last check and the apply form; checking and applying are the admin's alone
(403 for anyone else), need the password and the confirmation, and go through the apply
service (a recorder here: tests/services/test_update_apply.py applies for real)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from finora.extensions import db
from finora.models import AuditEvent
from finora.services.system.settings import get_setting
from finora.services.updates.apply import ApplyReport, Step
from finora.services.updates.check import LAST_CHECK_KEY
from finora.web.updates.background import RECORD_KEY, THREAD_KEY
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member
from tests.update_code_dirs import make_code_dir, release_entry


@pytest.fixture
def code_dir(tmp_path):
    return make_code_dir(tmp_path / "code")


@pytest.fixture
def app(app_factory, code_dir):
    application = app_factory(CODE_DIR=code_dir)
    with application.app_context():
        yield application


@pytest.fixture
def admin(app):
    return create_user()  # the first user is the instance admin


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    return client


def client_for(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


class Recorder:
    """Stands in for apply_update: remembers its calls and returns a chosen report."""

    def __init__(self, status: str = "applied", restart: str = "manual") -> None:
        self.calls: list[dict] = []
        self.status, self.restart = status, restart

    def __call__(self, session, *, release, user, code_dir=None):
        self.calls.append({"version": release.version, "user_id": user.id if user else None})
        steps = [Step("backup", True, "Instance backup #7 made."), Step("download", True)]
        if self.status == "rolled_back":
            steps += [Step("migrate", False, "The migration failed: boom"),
                      Step("restore_files", True), Step("restore_database", True)]
        return ApplyReport(status=self.status, version=release.version, from_version="0.2.0",
                           backup_id=7, steps=steps, restart=self.restart,
                           migration_output="INFO  [alembic] Running upgrade" if self.status == "applied" else "")


@pytest.fixture
def recorder(monkeypatch):
    recording = Recorder()
    monkeypatch.setattr("finora.web.updates.background.apply_update", recording)
    return recording


def apply_and_wait(client, **overrides):
    """POST the form, wait for the apply's thread, and open the page it redirected to."""
    response = client.post("/about/apply", data=apply_data(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/about/update")
    client.application.extensions[THREAD_KEY].join(timeout=30)
    db.session.rollback()  # a new transaction sees the thread's commit (MariaDB: repeatable read)
    return client.get("/about/update")


def apply_data(**overrides):
    return {"version": "0.3.0", "password": PASSWORD, "confirm": "y", **overrides}


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
def test_members_read_the_version_only(app, admin, role, recorder):
    if role == "owner":
        member = create_user()  # an owner of their own household, not the admin
    else:
        member = add_member(household_of(admin), role)
    page = client_for(app, member).get("/about")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Installed version" in html and "0.2.0" in html
    for admin_only in ("Update channel", "Notes 0.3.0", "Check now", 'id="apply-form"',
                       "Last check", "docker compose"):
        assert admin_only not in html, admin_only
    assert "The administrator of this server installs updates." in html


def test_the_admin_reads_channel_notes_last_check_and_the_form(admin_client):
    html = admin_client.get("/about").get_data(as_text=True)
    assert 'id="about-channel"' in html and "Stable" in html
    assert "Notes 0.3.0 in English" in html
    assert "Update available" in html
    assert "Never checked yet" in html
    assert 'id="check-form"' in html
    assert 'id="apply-form"' in html and 'name="password"' in html and 'name="confirm"' in html
    assert "Apply update to 0.3.0" in html


def test_the_notes_are_in_the_readers_language(admin_client, admin):
    admin.locale = "pt"
    db.session.commit()
    html = admin_client.get("/about").get_data(as_text=True)
    assert "Notas 0.3.0 em português" in html
    assert "Notes 0.3.0 in English" not in html



@pytest.fixture
def three_releases(tmp_path):
    return make_code_dir(tmp_path / "code3", releases=[
        release_entry("0.4.0"), release_entry("0.3.0"), release_entry("0.2.0", package=False)])


def test_the_page_lists_each_newer_release_newest_first(app_factory, three_releases):
    application = app_factory(CODE_DIR=three_releases)
    with application.app_context():
        admin = create_user()
        html = client_for(application, admin).get("/about").get_data(as_text=True)
    assert html.index("Notes 0.4.0") < html.index("Notes 0.3.0")
    assert "Notes 0.2.0" not in html  # the installed one is not news
    assert "Apply update to 0.4.0" in html


def test_check_now_records_the_check(admin_client):
    response = admin_client.post("/about/check")
    assert response.status_code == 302
    assert get_setting(db.session, LAST_CHECK_KEY) is not None
    html = admin_client.get("/about").get_data(as_text=True)
    assert "Checked: the latest version on this channel is 0.3.0." in html
    assert "Never checked yet" not in html
    assert "from the list shipped with this version" in html


def test_a_failed_check_says_why(app_factory, code_dir, monkeypatch):
    monkeypatch.setattr("finora.services.updates.fetch.BACKOFF_SECONDS", 0.01)
    # Nothing listens on port 9 of the loopback: the check fails and is recorded, not raised.
    application = app_factory(CODE_DIR=code_dir, UPDATE_MANIFEST_URL="http://127.0.0.1:9/manifest.json")
    with application.app_context():
        admin = create_user()
        client = client_for(application, admin)
        client.post("/about/check")
        html = client.get("/about").get_data(as_text=True)
    assert "The check did not succeed" in html
    assert "from the release server" in html and "Failed" in html


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
def test_no_one_but_the_admin_checks_or_applies(app, admin, role, recorder):
    member = create_user() if role == "owner" else add_member(household_of(admin), role)
    client = client_for(app, member)
    assert client.post("/about/check").status_code == 403
    assert client.post("/about/apply", data=apply_data()).status_code == 403
    assert client.get("/about/update").status_code == 403
    assert recorder.calls == []
    assert get_setting(db.session, LAST_CHECK_KEY) is None


def test_signed_out_visitors_are_sent_to_sign_in(app, recorder):
    client = app.test_client()
    for method, url in (("GET", "/about"), ("POST", "/about/check"), ("POST", "/about/apply"),
                        ("GET", "/help")):
        response = client.open(url, method=method, data=apply_data() if method == "POST" else None)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert recorder.calls == []


def test_a_wrong_password_is_a_form_error_and_nothing_is_applied(admin_client, admin, recorder):
    response = admin_client.post("/about/apply", data=apply_data(password="not the password"))
    assert response.status_code == 422
    assert "The password is not correct." in response.get_data(as_text=True)
    assert recorder.calls == []
    # Counted like a failed sign-in (the lockout sees it).
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed",
                                                      AuditEvent.user_id == admin.id))


def test_without_the_confirmation_nothing_is_applied(admin_client, recorder):
    response = admin_client.post("/about/apply", data=apply_data(confirm=""))
    assert response.status_code == 422
    assert "Tick the box to confirm." in response.get_data(as_text=True)
    assert recorder.calls == []


def test_a_version_other_than_the_one_offered_is_not_applied(admin_client, recorder):
    response = admin_client.post("/about/apply", data=apply_data(version="0.1.5"))
    assert response.status_code == 409
    assert "A newer release is known now" in response.get_data(as_text=True)
    assert recorder.calls == []


def test_under_the_development_reloader_nothing_is_applied(admin_client, recorder, monkeypatch):
    # Werkzeug's reloader would restart the process as the files change, mid-install.
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    response = admin_client.post("/about/apply", data=apply_data())
    assert response.status_code == 409
    assert "development reloader" in response.get_data(as_text=True)
    assert recorder.calls == []


def test_the_apply_goes_through_the_service_and_reports_each_step(admin_client, admin, recorder):
    response = apply_and_wait(admin_client)
    assert response.status_code == 200
    assert recorder.calls == [{"version": "0.3.0", "user_id": admin.id}]
    html = response.get_data(as_text=True)
    assert "Finora 0.3.0 is installed (it was 0.2.0)." in html
    assert "Backup of the whole server" in html and "Instance backup #7 made." in html
    assert "instance backup #7" in html
    assert "Restart Finora now" in html
    assert "Running upgrade" in html  # the migration's output
    assert 'http-equiv="refresh"' not in html


def test_while_it_runs_the_page_reloads_itself_and_the_form_is_gone(admin_client, monkeypatch):
    import threading

    release_it = threading.Event()
    recording = Recorder()

    def slow(session, **kwargs):
        release_it.wait(timeout=30)
        return recording(session, **kwargs)

    monkeypatch.setattr("finora.web.updates.background.apply_update", slow)
    response = admin_client.post("/about/apply", data=apply_data())
    assert response.status_code == 302
    try:
        running = admin_client.get("/about/update").get_data(as_text=True)
        assert "Applying the update" in running and 'http-equiv="refresh"' in running
        about = admin_client.get("/about").get_data(as_text=True)
        assert 'id="applying"' in about and 'id="apply-form"' not in about
        again = admin_client.post("/about/apply", data=apply_data())
        assert again.status_code == 409
        assert "Finora 0.3.0 is being applied" in again.get_data(as_text=True)
    finally:
        release_it.set()
        admin_client.application.extensions[THREAD_KEY].join(timeout=30)
    assert len(recording.calls) == 1
    db.session.rollback()
    assert "Finora 0.3.0 is installed" in admin_client.get("/about/update").get_data(as_text=True)


def test_the_steps_are_in_the_admins_language(admin_client, admin, monkeypatch):
    from finora.translation import gettext as _

    def translated(session, *, release, user, code_dir=None):
        return ApplyReport(status="applied", version=release.version, from_version="0.2.0",
                           steps=[Step("backup", True, _("Sign out"))],  # an existing msgid
                           restart="manual")

    admin.locale = "es"
    db.session.commit()
    monkeypatch.setattr("finora.web.updates.background.apply_update", translated)
    html = apply_and_wait(admin_client).get_data(as_text=True)
    # The thread has no request: without the admin's language it would speak the default (pt).
    steps = html[html.index('id="update-steps"'):html.index("</ol>", html.index('id="update-steps"'))]
    assert "Cerrar sesión" in steps and "Sair" not in steps


def test_a_graceful_restart_is_said(admin_client, recorder):
    recorder.restart = "graceful"
    html = apply_and_wait(admin_client).get_data(as_text=True)
    assert "Restarted gracefully" in html and "Restart Finora now" not in html


def test_a_rolled_back_apply_says_everything_is_back(admin_client, recorder):
    recorder.status, recorder.restart = "rolled_back", "none"
    html = apply_and_wait(admin_client).get_data(as_text=True)
    assert "The update failed and was rolled back" in html
    assert "The migration failed: boom" in html
    assert "Put the previous files back" in html and "Restore the database from the backup" in html
    assert "Restart Finora now" not in html


def test_a_refusal_in_the_service_is_shown_and_nothing_changes(admin_client, monkeypatch):
    from finora.services.updates.apply import ApplyRunningError

    def refuse(*args, **kwargs):
        raise ApplyRunningError()

    monkeypatch.setattr("finora.web.updates.background.apply_update", refuse)
    html = apply_and_wait(admin_client).get_data(as_text=True)
    assert "The update was not started: Another update is being applied right now" in html
    assert 'http-equiv="refresh"' not in html


def test_a_refusal_before_starting_is_on_the_form(admin_client, recorder, monkeypatch):
    from finora.services.updates.apply import MinFromError

    def refuse(*args, **kwargs):  # the service's own pre-check, whatever the page believed
        raise MinFromError()

    monkeypatch.setattr("finora.web.updates.views.check_can_apply", refuse)
    response = admin_client.post("/about/apply", data=apply_data())
    assert response.status_code == 422
    assert "cannot be applied over the installed version" in response.get_data(as_text=True)
    assert get_setting(db.session, RECORD_KEY) is None
    assert THREAD_KEY not in admin_client.application.extensions
    assert recorder.calls == []


def test_in_a_container_the_page_shows_the_commands_and_no_form(app_factory, code_dir, monkeypatch):
    recording = Recorder()
    monkeypatch.setattr("finora.web.updates.background.apply_update", recording)
    application = app_factory(CODE_DIR=code_dir, FINORA_IN_CONTAINER=True)
    with application.app_context():
        admin = create_user()
        client = client_for(application, admin)
        html = client.get("/about").get_data(as_text=True)
        assert "docker compose pull &amp;&amp; docker compose up -d" in html
        assert 'id="apply-form"' not in html
        assert "Notes 0.3.0 in English" in html  # it still reports what is new
        response = client.post("/about/apply", data=apply_data())
    assert response.status_code == 409
    assert THREAD_KEY not in application.extensions
    assert recording.calls == []


def test_without_an_apply_the_result_page_sends_back_to_about(admin_client):
    response = admin_client.get("/about/update")
    assert response.status_code == 302 and response.headers["Location"].endswith("/about")


def test_an_apply_that_never_ended_is_called_out(admin_client):
    from datetime import timedelta

    from finora.dates import now_utc
    from finora.services.system.settings import set_setting
    from finora.web.updates.background import ApplyOutcome

    started = now_utc() - timedelta(hours=5)
    set_setting(db.session, RECORD_KEY, ApplyOutcome("running", "0.3.0", "0.2.0", started_at=started).to_json())
    db.session.commit()
    html = admin_client.get("/about/update").get_data(as_text=True)
    assert "never reported an end" in html and 'http-equiv="refresh"' not in html
    # /about offers the form again: the stalled run holds nothing (the service's lock decides).
    assert 'id="apply-form"' in admin_client.get("/about").get_data(as_text=True)


def test_the_last_apply_is_on_the_page(admin_client):
    import json

    from finora.services.system.settings import set_setting

    set_setting(db.session, "updates.last_apply", json.dumps({
        "version": "0.3.0", "from": "0.2.0", "status": "rolled_back", "backup_id": 3,
        "steps": [{"name": "backup", "ok": True, "detail": ""}],
        "finished_at": "2026-12-01T10:00:00+00:00"}))
    db.session.commit()
    html = admin_client.get("/about").get_data(as_text=True)
    assert 'id="last-apply"' in html and "0.2.0 → 0.3.0" in html and "Rolled back" in html


def test_the_footer_links_to_about(admin_client):
    html = admin_client.get("/profile").get_data(as_text=True)
    assert 'href="/about"' in html


def test_help_lists_the_docs_and_shows_one(admin_client):
    index = admin_client.get("/help").get_data(as_text=True)
    assert 'href="/help/backups"' in index and 'href="/help/security"' in index
    page = admin_client.get("/help/backups")
    assert page.status_code == 200
    assert "# Backups and restore" in page.get_data(as_text=True)


@pytest.mark.parametrize("name", ["architecture", "..%2Fconfig.py", "backups.md", "BACKUPS", "x" * 300])
def test_help_opens_only_the_listed_pages(admin_client, name):
    assert admin_client.get(f"/help/{name}").status_code == 404
