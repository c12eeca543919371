"""`flask finora update check|apply`: check prints the status (exit 1 when the check failed),
apply runs the apply service as the command line (user None) after a confirmation, prints
each step, and exits 1 unless the release was applied; refusals are one line."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import select

from finora.extensions import db
from finora.models import AuditEvent
from finora.services.system.settings import get_setting
from finora.services.updates.apply import ApplyReport, Step
from finora.services.updates.check import LAST_CHECK_KEY
from tests.update_code_dirs import make_code_dir, release_entry


@pytest.fixture
def code_dir(tmp_path):
    return make_code_dir(tmp_path / "code")


@pytest.fixture
def app(app_factory, code_dir):
    application = app_factory(CODE_DIR=code_dir)
    with application.app_context():
        yield application


def invoke(app, *args, input=None):
    runner = app.test_cli_runner()
    args = ["finora", "update", *args]
    if app is current_app._get_current_object():
        return runner.invoke(args=args, input=input)
    with app.app_context():
        return runner.invoke(args=args, input=input)


class Recorder:
    def __init__(self, status: str = "applied") -> None:
        self.status = status
        self.calls: list[dict] = []

    def __call__(self, session, *, release, user, code_dir=None):
        self.calls.append({"version": release.version, "user": user})
        steps = [Step("backup", True, "Instance backup #4 made."), Step("download", True)]
        if self.status == "rolled_back":
            steps += [Step("migrate", False, "The migration failed: no such table"),
                      Step("restore_files", True)]
        return ApplyReport(status=self.status, version=release.version, from_version="0.2.0",
                           backup_id=4, steps=steps,
                           restart="manual" if self.status == "applied" else "none")


@pytest.fixture
def recorder(monkeypatch):
    recording = Recorder()
    monkeypatch.setattr("finora.services.updates.apply.apply_update", recording)
    return recording


def test_check_prints_the_status_and_records_the_check(app):
    result = invoke(app, "check")
    assert result.exit_code == 0, result.output
    assert "Installed: 0.2.0 (channel stable)" in result.output
    assert "from the bundled manifest, ok" in result.output
    assert "Update available: 0.3.0" in result.output
    assert "0.3.0: Notes 0.3.0 in English" in result.output
    assert "flask finora update apply" in result.output
    assert get_setting(db.session, LAST_CHECK_KEY) is not None


def test_check_when_up_to_date(app_factory, tmp_path):
    application = app_factory(CODE_DIR=make_code_dir(
        tmp_path / "current", releases=[release_entry("0.2.0", package=False)]))
    with application.app_context():
        result = invoke(application, "check")
    assert result.exit_code == 0, result.output
    assert "Up to date." in result.output and "Update available" not in result.output


def test_a_failed_check_exits_1_and_says_why(app_factory, code_dir, monkeypatch):
    monkeypatch.setattr("finora.services.updates.fetch.BACKOFF_SECONDS", 0.01)
    # Nothing listens on port 9 of the loopback.
    application = app_factory(CODE_DIR=code_dir, UPDATE_MANIFEST_URL="http://127.0.0.1:9/m.json")
    with application.app_context():
        result = invoke(application, "check")
    assert result.exit_code == 1
    assert "from the release server, failed:" in result.output


def test_apply_with_nothing_newer_says_so(app_factory, tmp_path, monkeypatch):
    recording = Recorder()
    monkeypatch.setattr("finora.services.updates.apply.apply_update", recording)
    application = app_factory(CODE_DIR=make_code_dir(
        tmp_path / "current", releases=[release_entry("0.2.0", package=False)]))
    with application.app_context():
        result = invoke(application, "apply", "--yes")
    assert result.exit_code == 0
    assert "Nothing to apply" in result.output
    assert recording.calls == []


def test_apply_asks_first_and_a_no_applies_nothing(app, recorder):
    result = invoke(app, "apply", input="n\n")
    assert result.exit_code == 1
    assert "Apply Finora 0.3.0 over 0.2.0?" in result.output
    assert recorder.calls == []


def test_apply_runs_the_service_as_the_command_line(app, recorder):
    result = invoke(app, "apply", "--yes")
    assert result.exit_code == 0, result.output
    assert recorder.calls == [{"version": "0.3.0", "user": None}]
    assert "[ok] backup: Instance backup #4 made." in result.output
    assert "Pre-update backup: instance backup #4." in result.output
    assert "Applied Finora 0.3.0 (was 0.2.0)." in result.output
    assert "Restart the Finora server now" in result.output


def test_apply_a_chosen_version(app_factory, tmp_path, recorder):
    application = app_factory(CODE_DIR=make_code_dir(tmp_path / "code3", releases=[
        release_entry("0.4.0"), release_entry("0.3.0"), release_entry("0.2.0", package=False)]))
    with application.app_context():
        result = invoke(application, "apply", "--version", "0.3.0", "--yes")
    assert result.exit_code == 0, result.output
    assert recorder.calls[0]["version"] == "0.3.0"


def test_a_rolled_back_apply_exits_1(app, recorder):
    recorder.status = "rolled_back"
    result = invoke(app, "apply", "--yes")
    assert result.exit_code == 1
    assert "[FAILED] migrate: The migration failed: no such table" in result.output
    assert "Error: The update failed and was rolled back" in result.output


def test_an_unknown_version_is_one_line(app, recorder):
    result = invoke(app, "apply", "--version", "9.9.9", "--yes")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: No release with that version is known. Check for updates first."]
    assert recorder.calls == []


def test_in_a_container_the_real_apply_refuses_in_one_line_and_audits_it(app_factory, code_dir):
    application = app_factory(CODE_DIR=code_dir, FINORA_IN_CONTAINER=True)
    with application.app_context():
        result = invoke(application, "apply", "--yes")
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: This instance runs in a container")
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update.refused"))
        assert event is not None and event.user_id is None
        assert event.details["reason"] == "container"
