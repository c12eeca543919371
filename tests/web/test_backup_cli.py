"""`flask finora backup ...`: create prints the file's path, list shows the index, verify
says "OK <sha256>" or one line and exit 1 for each kind of damage, restore brings a
household archive back, restore-instance fills an empty database and refuses (audited,
nothing else written) a database in use or a bad archive."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import AuditEvent, Backup, Entry, Household, User
from finora.services.backups.store import file_sha256
from tests.backup_archives import (
    flip_byte,
    member_data_offset,
    truncate,
    with_name,
    write_archive,
    zip_bomb,
)
from tests.backup_instance_factories import fill_instance, migrated_database, rows_of_every_table
from tests.conftest import SERVER
from tests.factories import create_user
from tests.ledger_factories import household_of, make_entry


@pytest.fixture
def app(app_factory, tmp_path):
    application = app_factory(BACKUP_STORAGE_DIR=tmp_path / "backups")
    with application.app_context():
        yield application


def invoke(app, *args):
    """Run the command in `app` (Flask's CLI reuses an app context already pushed, so
    another app's context is pushed for it)."""
    runner = app.test_cli_runner()
    args = ["finora", "backup", *map(str, args)]
    if app is current_app._get_current_object():
        return runner.invoke(args=args)
    with app.app_context():
        return runner.invoke(args=args)


def _one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]


def _passphrase_file(tmp_path, value="correct horse battery staple") -> Path:
    path = tmp_path / f"passphrase-{len(list(tmp_path.glob('passphrase-*')))}.txt"
    path.write_text(value + "\n", encoding="utf-8")
    return path


def test_create_list_and_verify_an_instance_and_a_household_backup(app, tmp_path):
    owner = create_user()
    household = household_of(owner)
    make_entry(household, description="Padaria")

    made = invoke(app, "create", "--instance")
    assert made.exit_code == 0, made.output
    instance_file = Path(made.output.strip())
    assert instance_file.is_file() and stat.S_IMODE(instance_file.stat().st_mode) == 0o600

    made = invoke(app, "create", "--household", household.id)
    assert made.exit_code == 0, made.output
    household_file = Path(made.output.strip())
    assert household_file.parent.name == str(household.id)

    listed = invoke(app, "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split()[:3] == ["ID", "CREATED", "(UTC)"]
    assert len(lines) == 3
    assert any("instance" in line and "manual" in line and "never" in line for line in lines[1:])
    assert any(f"household {household.id}" in line for line in lines[1:])
    only = invoke(app, "list", "--household", household.id)
    assert len(only.output.splitlines()) == 2

    backup = db.session.scalar(select(Backup).where(Backup.scope == "household"))
    checked = invoke(app, "verify", backup.id)
    assert checked.output.strip() == f"OK {backup.sha256}"
    db.session.refresh(backup)
    assert backup.verified_ok is True
    checked = invoke(app, "verify", instance_file)
    assert checked.exit_code == 0
    assert checked.output.strip() == f"OK {file_sha256(instance_file)}"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "--household ID or --instance"),
        (("--instance", "--household", "1"), "--household ID or --instance"),
        (("--household", "999999"), "No household with the id 999999"),
        (("--household", "x"), "is not a valid integer"),
    ],
)
def test_create_needs_exactly_one_known_target(app, args, words):
    line = _one_error_line(invoke(app, "create", *args))
    assert words in line
    assert db.session.scalar(select(func.count()).select_from(Backup)) == 0


def test_an_encrypted_backup_needs_its_passphrase(app, tmp_path):
    household = household_of(create_user())
    secret = _passphrase_file(tmp_path)
    made = invoke(app, "create", "--household", household.id, "--passphrase-file", secret)
    assert made.exit_code == 0, made.output
    path = Path(made.output.strip())
    assert path.name.endswith(".zip.enc")

    line = _one_error_line(invoke(app, "verify", path))
    assert "encrypted" in line and "--passphrase-file" in line
    line = _one_error_line(
        invoke(app, "verify", path, "--passphrase-file", _passphrase_file(tmp_path, "wrong"))
    )
    assert "passphrase is wrong" in line
    assert invoke(app, "verify", path, "--passphrase-file", secret).output.startswith("OK ")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert "is empty" in _one_error_line(invoke(app, "verify", path, "--passphrase-file", empty))


def _good_archive(app, tmp_path) -> Path:
    household = household_of(create_user())
    make_entry(household, description="Padaria")
    made = invoke(app, "create", "--household", household.id)
    assert made.exit_code == 0, made.output
    return Path(made.output.strip())


def _damaged(kind: str, good: Path, tmp_path: Path) -> Path:
    target = tmp_path / f"{kind}.zip"
    if kind == "truncated":
        return truncate(good, target, good.stat().st_size // 2)
    if kind == "bit-flipped":
        return flip_byte(good, target, member_data_offset(good, "data/entries.jsonl") + 3)
    if kind == "renamed":
        target.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
        return target
    if kind == "foreign":
        return write_archive(target, {}, manifest={"format": "something-else"})
    if kind == "dot-dot":
        return with_name(target, "../../etc/cron.d/x")
    if kind == "bomb":
        return zip_bomb(target, actual=32 << 20, declared=10)
    if kind == "too-new":
        return write_archive(target, {"accounts": []}, format_version=99)
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("truncated", "damaged"),
        ("bit-flipped", "damaged"),
        ("renamed", "not a Finora backup"),
        ("foreign", "not a Finora backup"),
        ("dot-dot", "not a safe Finora backup"),
        ("bomb", "not a safe Finora backup"),
        ("too-new", "newer version of Finora"),
    ],
)
def test_verify_says_what_is_wrong_in_one_line(app, tmp_path, kind, words):
    path = _damaged(kind, _good_archive(app, tmp_path), tmp_path)
    assert words in _one_error_line(invoke(app, "verify", path))


def test_verify_of_a_changed_backup_by_id_records_the_failure(app, tmp_path):
    path = _good_archive(app, tmp_path)
    backup = db.session.scalar(select(Backup))
    path.write_bytes(path.read_bytes()[:-10])
    assert "checksum" in _one_error_line(invoke(app, "verify", backup.id))
    db.session.refresh(backup)
    assert backup.verified_ok is False
    assert "No backup with the id 424242" in _one_error_line(invoke(app, "verify", "424242"))
    assert "No such file" in _one_error_line(invoke(app, "verify", tmp_path / "nothing.zip"))


def test_restore_into_a_new_household_and_over_an_existing_one(app, tmp_path):
    owner = create_user()
    household = household_of(owner)
    make_entry(household, description="Padaria")
    path = _good_archive_of(app, household)
    new_owner = create_user()
    restored = invoke(app, "restore", path, "--new-household", "--owner-email", new_owner.email.upper())
    assert restored.exit_code == 0, restored.output
    new_id = int(re.search(r"\(id (\d+)\)", restored.output).group(1))
    assert new_id != household.id
    assert db.session.scalar(
        select(func.count()).select_from(Entry).where(Entry.household_id == new_id)
    ) == 1

    make_entry(household, description="After the backup")
    replaced = invoke(app, "restore", path, "--household", household.id)
    assert replaced.exit_code == 0, replaced.output
    descriptions = db.session.scalars(
        select(Entry.description).where(Entry.household_id == household.id)
    ).all()
    assert descriptions == ["Padaria"]
    kinds = db.session.scalars(select(Backup.kind).where(Backup.household_id == household.id)).all()
    assert sorted(kinds) == ["manual", "pre_restore"]


def _good_archive_of(app, household) -> Path:
    made = invoke(app, "create", "--household", household.id)
    assert made.exit_code == 0, made.output
    return Path(made.output.strip())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--household", "1", "--new-household"), "Give either"),
        (("--new-household",), "needs --owner-email"),
        (("--new-household", "--owner-email", "nobody@example.com"), "No user with the e-mail"),
    ],
)
def test_restore_options_are_checked_in_one_line(app, tmp_path, args, words):
    path = _good_archive(app, tmp_path)
    households = db.session.scalar(select(func.count()).select_from(Household))
    assert words in _one_error_line(invoke(app, "restore", path, *args))
    assert db.session.scalar(select(func.count()).select_from(Household)) == households


def test_a_refused_household_restore_writes_only_its_audit_event(app, tmp_path):
    owner = create_user()
    path = _damaged("bit-flipped", _good_archive(app, tmp_path), tmp_path)
    households = db.session.scalar(select(func.count()).select_from(Household))
    line = _one_error_line(invoke(app, "restore", path, "--new-household", "--owner-email", owner.email))
    assert "damaged" in line
    assert db.session.scalar(select(func.count()).select_from(Household)) == households
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "backup.refused"))
    assert event.details["reason"] == "damaged"


def test_restore_instance_refuses_a_database_in_use(app, tmp_path):
    fill_instance()
    made = invoke(app, "create", "--instance")
    path = Path(made.output.strip())
    before = rows_of_every_table()
    line = _one_error_line(invoke(app, "restore-instance", path))
    assert "The database is not empty" in line
    after = rows_of_every_table()
    refused = [row for row in after["audit_events"] if row["action"] == "backup.refused"]
    assert len(refused) == 1
    assert refused[0]["details"] == {"reason": "not_empty", "file": path.name, "scope": "instance"}
    after["audit_events"] = [row for row in after["audit_events"] if row["action"] != "backup.refused"]
    assert after == before


@pytest.fixture(scope="module")
def empty_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("empty")
    with migrated_database(SERVER, folder, BACKUP_STORAGE_DIR=folder / "backups") as application:
        yield application


def test_restore_instance_fills_an_empty_database_after_refusing_a_bad_archive(app, empty_app, tmp_path):
    fill_instance()
    secret = _passphrase_file(tmp_path)
    before = rows_of_every_table()  # the archive is made before its own audit event
    made = invoke(app, "create", "--instance", "--passphrase-file", secret)
    path = Path(made.output.strip())
    try:
        # A damaged copy first: refused, audited, and nothing else written.
        damaged = _damaged("truncated", path, tmp_path)
        line = _one_error_line(invoke(empty_app, "restore-instance", damaged, "--passphrase-file", secret))
        assert "damaged" in line
        line = _one_error_line(invoke(empty_app, "restore-instance", path))
        assert "encrypted" in line
        with empty_app.app_context():
            assert db.session.scalar(select(func.count()).select_from(User)) == 0
            refusals = db.session.scalars(select(AuditEvent.details).order_by(AuditEvent.id)).all()
        assert [details["reason"] for details in refusals] == ["damaged", "passphrase_needed"]

        restored = invoke(empty_app, "restore-instance", path, "--passphrase-file", secret)
        assert restored.exit_code == 0, restored.output
        assert re.search(r"3 users, 2 households, \d+ rows in \d+ tables\.$", restored.output.strip())
        with empty_app.app_context():
            after = rows_of_every_table()
            actions = [row["action"] for row in after["audit_events"]]
        # The archive's trail, then the two refusals and the restore itself.
        assert actions[-3:] == ["backup.refused", "backup.refused", "backup.restored"]
        after["audit_events"] = after["audit_events"][:-3]
        assert after == before
        details = json.loads(json.dumps(refusals[0]))
        assert details["file"] == "truncated.zip"
    finally:
        with empty_app.app_context():
            from tests.backup_instance_factories import empty_tables

            db.session.rollback()
            empty_tables()


def test_restore_instance_refuses_a_household_archive(app, empty_app, tmp_path):
    path = _good_archive(app, tmp_path)
    try:
        line = _one_error_line(invoke(empty_app, "restore-instance", path))
        assert "This is a household backup" in line and "flask finora backup restore" in line
        with empty_app.app_context():
            events = db.session.scalars(select(AuditEvent)).all()
            assert [(event.action, event.details["reason"]) for event in events] == [("backup.refused", "scope")]
            assert db.session.scalar(select(func.count()).select_from(Household)) == 0
    finally:
        with empty_app.app_context():
            from tests.backup_instance_factories import empty_tables

            db.session.rollback()
            empty_tables()
