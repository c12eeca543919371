"""Applying a release for real, on the engine of this pass (SQLite, PostgreSQL, MariaDB).

The code is a copy of the repository's tracked files (no tests, no docs) with protected
paths added (.env, .venv, .git and the data directory, inside the code folder here); each
test has its own copy and its own migrated database. Packages are built and signed in the
test with a fresh key (passed as UPDATE_PUBLIC_KEY) and served by a local HTTP server on
127.0.0.1. A tampered package, a bad signature, a wrong size, an unsafe or protected member
are refused with nothing changed; a package whose migration fails leaves the code and the
database as they were; a good package replaces the files and migrates."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask_babel import force_locale
from sqlalchemy import inspect, select, text

from finora.extensions import db
from finora.models import AuditEvent, Backup
from finora.services.backups.errors import BackupError
from finora.services.system.settings import get_setting
from finora.services.updates import apply as apply_module
from finora.services.updates.apply import (
    ApplyRunningError,
    ContainerError,
    NotAdminError,
    NotNewerError,
    UnfinishedApplyError,
    apply_update,
    check_can_apply,
    last_apply,
)
from finora.services.updates.errors import UpdateError
from finora.services.updates.release import PackageRef, Release
from finora.services.updates.restart import request_restart
from finora.services.updates.signing import package_statement, public_key_text, sign
from finora.services.updates.versions import parse_version
from finora.version import __version__
from tests.backup_instance_factories import fill_instance, migrated_database, rows_of_every_table
from tests.conftest import SERVER
from tests.factories import create_user

REPO = Path(__file__).resolve().parents[2]
NEW_VERSION = f"{parse_version(__version__).major + 1}.0.0"
PROTECTED = {".env": "FINORA_UPDATE_TEST=kept\n", ".venv/marker": "venv", ".git/HEAD": "ref: x\n",
             "data/keep.txt": "the admin's file\n"}
# Rows the apply itself adds (the backup, its audit events, the last apply's record).
APPLY_TABLES = {"backups", "audit_events", "settings"}
PROBE_MIGRATION = '''"""update probe"""
import sqlalchemy as sa
from alembic import op

revision = "update_probe"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("update_probe", sa.Column("id", sa.Integer(), primary_key=True))
    {fail}


def downgrade():
    op.drop_table("update_probe")
'''


# ---------------------------------------------------------------- the code and packages


@pytest.fixture(scope="module")
def code_template(tmp_path_factory) -> Path:
    """The code committed at HEAD (no tests, no docs), once per module: a consistent tree,
    whatever is being edited in the working copy meanwhile."""
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=REPO,
                             capture_output=True, check=True).stdout
    root = tmp_path_factory.mktemp("code-template") / "code"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [member for member in tar.getmembers()
                   if member.name.split("/", 1)[0] not in {"tests", "docs"}]
        tar.extractall(root, members=members, filter="data")
    return root


@pytest.fixture(scope="module")
def files_server(tmp_path_factory):
    """An HTTP server on 127.0.0.1 serving a folder; yields (folder, base url)."""
    folder = tmp_path_factory.mktemp("served")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


def _head(code: Path) -> str:
    config = AlembicConfig()
    config.set_main_option("script_location", str(code / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def build_package(code: Path, path: Path, *, migration: str | None = None,
                  extra: dict[str, str] | None = None) -> Path:
    """A release of `code` with app.py changed, a new module, and optionally a migration
    ("ok" or "fail") and extra members."""
    changed = {
        "app.py": (code / "app.py").read_text() + f"\n# release {NEW_VERSION}\n",
        "finora/update_probe.py": '"""Added by the test release."""\n',
        "finora/version.py": f'"""The running version."""\n\n__version__ = "{NEW_VERSION}"\n',
        **(extra or {}),
    }
    if migration:
        fail = {
            "ok": "pass",
            "fail": 'raise RuntimeError("the probe migration fails on purpose")',
            # Holds a lock on an existing table, then outlives its timeout.
            "stuck": 'op.add_column("users", sa.Column("update_probe", sa.Integer()))\n'
                     '    op.execute("SELECT pg_sleep(120)")',
        }[migration]
        changed["migrations/versions/9999_update_probe.py"] = PROBE_MIGRATION.format(
            head=_head(code), fail=fail)
    with tarfile.open(path, "w:gz") as tar:
        for file in sorted(code.rglob("*")):
            name = file.relative_to(code).as_posix()
            if file.is_file() and name not in changed and name.split("/")[0] not in {
                    ".env", ".venv", ".git", "data"}:
                tar.add(file, arcname=name, recursive=False)
        for name, content in changed.items():
            data = content.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return path


def release_for(path: Path, url: str, key, *, size: int | None = None,
                signing_key=None) -> Release:
    """The release entry of a package: its sha256 and size, signed by `signing_key`."""
    data = path.read_bytes()
    sha256, size = hashlib.sha256(data).hexdigest(), len(data) if size is None else size
    signature = sign(signing_key or key, package_statement(NEW_VERSION, sha256, size))
    return Release(version=NEW_VERSION, date=None, channel="stable", notes={"en": "test"},
                   package=PackageRef(url=url, sha256=sha256, size=size, signature=signature))


def snapshot(code: Path) -> dict[str, str]:
    """Every code file and protected file with its hash; the data directory's own working
    folders (backups, updates, logs) are the apply's and left out."""
    found = {}
    for path in sorted(code.rglob("*")):
        name = path.relative_to(code).as_posix()
        parts = name.split("/")
        if "__pycache__" in parts or (parts[0] == "data" and name != "data/keep.txt"):
            continue
        if path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# ---------------------------------------------------------------- the instance


@pytest.fixture
def instance(code_template, tmp_path, key):
    """A private copy of the code, a migrated database of this pass's engine filled with
    one of everything, and an app pointing at both."""
    code = tmp_path / "code"
    shutil.copytree(code_template, code, symlinks=True)
    for name, content in PROTECTED.items():
        (code / name).parent.mkdir(parents=True, exist_ok=True)
        (code / name).write_text(content)
    config = {"CODE_DIR": code, "DATA_DIR": code / "data",
              "BACKUP_STORAGE_DIR": code / "data" / "backups",
              "UPDATE_PUBLIC_KEY": public_key_text(key.public_key()),
              "UPDATE_MIGRATION_TIMEOUT_SECONDS": 300}
    with migrated_database(SERVER, tmp_path, **config) as application:
        with application.app_context():
            fill_instance()
            admin = create_user(is_admin=True)
            yield application, code, admin
            db.session.rollback()


def database_state() -> tuple[dict, str | None, bool]:
    rows = rows_of_every_table(whole_seconds=True)
    kept = {name: value for name, value in rows.items() if name not in APPLY_TABLES}
    revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    has_probe = inspect(db.engine).has_table("update_probe")
    db.session.rollback()
    return kept, revision, has_probe


def serve(files_server, package: Path) -> str:
    folder, base = files_server
    name = f"{package.stem}-{time.monotonic_ns()}.tar.gz"
    shutil.copy2(package, folder / name)
    return f"{base}/{name}"


def updates_folder(code: Path) -> list[str]:
    folder = code / "data" / "updates"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def run_apply(release, admin, **kwargs):
    with force_locale("en"):
        return apply_update(db.session, release=release, user=admin, **kwargs)


# ---------------------------------------------------------------- the tests


def test_a_good_package_replaces_the_files_keeps_protected_paths_and_migrates(
        instance, files_server, key, tmp_path, monkeypatch):
    _app, code, admin = instance
    rows_before, head_before, _ = database_state()
    package = build_package(code, tmp_path / "good.tar.gz", migration="ok")
    before = snapshot(code)
    master, reloaded = _fake_gunicorn_master(tmp_path)
    monkeypatch.setattr(apply_module, "gunicorn_master", lambda: master.pid)

    try:
        report = run_apply(release_for(package, serve(files_server, package), key), admin)
        _wait_for(reloaded)
    finally:
        master.terminate()
        master.wait(timeout=10)

    assert report.status == "applied", report
    assert [step.name for step in report.steps] == [
        "backup", "download", "verify", "stage", "install", "migrate", "restart"]
    assert all(step.ok for step in report.steps)
    assert report.restart == "graceful" and reloaded.read_text() == "reloaded"
    after = snapshot(code)
    assert after["app.py"] != before["app.py"]
    assert "finora/update_probe.py" in after and "finora/update_probe.py" not in before
    for name in PROTECTED:
        assert (code / name).read_text() == PROTECTED[name]
    changed = {"app.py", "finora/version.py"}
    assert all(after[name] != before[name] for name in changed)
    assert {name: after[name] for name in before if name not in changed} == {
        name: digest for name, digest in before.items() if name not in changed}
    rows_after, head_after, has_probe = database_state()
    assert (head_before, head_after, has_probe) == (_head(REPO), "update_probe", True)
    assert rows_after == rows_before
    backup = db.session.get(Backup, report.backup_id)
    assert backup.kind == "pre_update" and backup.scope == "instance"
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("update.%")).order_by(AuditEvent.id)).all()
    assert actions == ["update.started", "update.applied"]
    stored = last_apply(db.session)
    assert stored["status"] == "applied" and stored["version"] == NEW_VERSION
    assert stored["backup_id"] == report.backup_id and stored["finished_at"]
    # Nothing left but this apply's rollback copy: no lock, no staging, no package.
    assert [name.split("-")[0] for name in updates_folder(code)] == ["rollback"]
    # Until the restart this process runs the old version, but the code on disk counts.
    with pytest.raises(NotNewerError):
        run_apply(release_for(package, serve(files_server, package), key), admin)


def test_a_failing_migration_puts_the_code_and_the_database_back(
        instance, files_server, key, tmp_path):
    _app, code, admin = instance
    rows_before, head_before, _ = database_state()
    package = build_package(code, tmp_path / "bad-migration.tar.gz", migration="fail")
    before = snapshot(code)

    report = run_apply(release_for(package, serve(files_server, package), key), admin)

    assert report.status == "rolled_back", report
    assert [(step.name, step.ok) for step in report.steps][-3:] == [
        ("migrate", False), ("restore_files", True), ("restore_database", True)]
    assert "fails on purpose" in report.migration_output
    assert report.reason == "migration"
    assert snapshot(code) == before
    rows_after, head_after, has_probe = database_state()
    assert rows_after == rows_before  # every row written before is there, as it was
    assert head_after == head_before and not has_probe
    # The backup the database came back from is still listed, and the story is told.
    backup = db.session.get(Backup, report.backup_id)
    assert backup is not None and backup.kind == "pre_update"
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("update.%"))).all()
    assert actions == ["update.rolled_back"]  # update.started went with the restored rows
    assert json.loads(get_setting(db.session, "updates.last_apply"))["status"] == "rolled_back"
    assert report.restart == "none" or report.restart == "manual"
    assert "apply.lock" not in updates_folder(code)


def _tampered(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("case", ["tampered", "bad_signature", "wrong_size", "unsigned"])
def test_a_package_that_fails_its_checks_is_refused_with_nothing_changed(
        instance, files_server, key, tmp_path, case):
    _app, code, admin = instance
    package = build_package(code, tmp_path / "package.tar.gz", migration="ok")
    release = release_for(package, "", key)
    if case == "tampered":  # signed, then changed on the way (same size)
        url = serve(files_server, _tampered(package))
    elif case == "bad_signature":
        url = serve(files_server, package)
        release = release_for(package, url, key, signing_key=Ed25519PrivateKey.generate())
    elif case == "wrong_size":  # a correctly signed statement of another size
        url = serve(files_server, package)
        release = release_for(package, url, key, size=package.stat().st_size + 10)
    else:
        url = serve(files_server, package)
        release = release_for(package, url, key)
        release = Release(**{**release.__dict__, "package": PackageRef(
            url=url, sha256=release.package.sha256, size=release.package.size, signature="")})
    if case == "tampered":
        release = Release(**{**release.__dict__, "package": PackageRef(
            url=url, sha256=release.package.sha256, size=release.package.size,
            signature=release.package.signature)})
    state, before = database_state(), snapshot(code)

    report = run_apply(release, admin)

    assert report.status == "refused"
    assert report.reason == {"tampered": "checksum", "bad_signature": "signature",
                             "wrong_size": "size", "unsigned": "signature"}[case]
    assert report.steps[-1].name == "verify" and not report.steps[-1].ok
    assert snapshot(code) == before and database_state()[1:] == state[1:]
    assert database_state()[0] == state[0]
    assert updates_folder(code) == []  # no .part, no package, no staging, no lock
    # The trail says it was refused (after the backup it made), not that something broke.
    assert db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("update.%")).order_by(AuditEvent.id)).all()[-1] == "update.refused"


# Unsafe members, written into the archive by hand (tarfile's own add would refuse some):
# a path out of the code folder, an absolute path, and a link pointing out of it.
ABSOLUTE = "/tmp/finora-absolute-probe.py"  # noqa: S108 - a name in the archive, never written
UNSAFE = {"../outside.py": None, ABSOLUTE: None,
          "finora/outside_link.py": "../../outside.py"}


@pytest.mark.parametrize("member", [".env", "data/keep.txt", *UNSAFE])
def test_a_package_with_a_protected_or_unsafe_member_is_refused_with_nothing_changed(
        instance, files_server, key, tmp_path, member):
    _app, code, admin = instance
    unsafe = member in UNSAFE
    if unsafe:
        package = build_package(code, tmp_path / "package.tar.gz", migration="ok")
        with tarfile.open(package, "r:gz") as source:
            members = [(info, source.extractfile(info).read()) for info in source.getmembers()]
        with tarfile.open(package, "w:gz") as tar:
            for info, data in members:
                tar.addfile(info, io.BytesIO(data))
            info = tarfile.TarInfo(member)
            if UNSAFE[member] is None:
                info.size = 4
                tar.addfile(info, io.BytesIO(b"boom"))
            else:
                info.type, info.linkname = tarfile.SYMTYPE, UNSAFE[member]
                tar.addfile(info)
    else:
        package = build_package(code, tmp_path / "package.tar.gz", migration="ok",
                                extra={member: "overwritten"})
    state, before = database_state(), snapshot(code)

    report = run_apply(release_for(package, serve(files_server, package), key), admin)

    assert report.status == "refused"
    failed = report.steps[-1]
    assert (failed.name, failed.ok) == (("stage", False) if unsafe else ("install", False))
    assert member in failed.detail
    assert snapshot(code) == before and database_state() == state
    assert not (code.parent / "outside.py").exists()
    assert not Path(ABSOLUTE).exists()
    assert updates_folder(code) == []


def test_a_migration_past_its_timeout_is_stopped_and_everything_put_back(
        instance, files_server, key, tmp_path):
    application, code, admin = instance
    application.config["UPDATE_MIGRATION_TIMEOUT_SECONDS"] = 1
    rows_before, head_before, _ = database_state()
    package = build_package(code, tmp_path / "slow.tar.gz", migration="ok")
    release = release_for(package, serve(files_server, package), key)
    before = snapshot(code)
    real = apply_module.migrate.run_upgrade
    calls = []

    def upgrade(code_dir, *, env, timeout):
        calls.append(timeout)
        # The update's own run hits the timeout; the rollback's gets its time back.
        return real(code_dir, env=env, timeout=timeout if len(calls) == 1 else 300)

    apply_module.migrate.run_upgrade = upgrade
    try:
        report = run_apply(release, admin)
    finally:
        apply_module.migrate.run_upgrade = real
    assert report.status == "rolled_back" and report.reason == "migration_timeout", report
    assert snapshot(code) == before
    assert database_state() == (rows_before, head_before, False)


@pytest.mark.skipif(not SERVER.startswith("postgresql"), reason="PostgreSQL's transactional DDL")
def test_a_stuck_migration_s_session_is_ended_so_the_rollback_need_not_wait_for_it(
        instance, files_server, key, tmp_path):
    """Killing the migration's process does not end its PostgreSQL session at once: its
    transaction would hold the lock on `users` until the 120 s sleep ends, and dropping
    the tables would wait for it."""
    application, code, admin = instance
    application.config["UPDATE_MIGRATION_TIMEOUT_SECONDS"] = 10
    rows_before, head_before, _ = database_state()
    package = build_package(code, tmp_path / "stuck.tar.gz", migration="stuck")
    release = release_for(package, serve(files_server, package), key)
    started = time.monotonic()
    report = run_apply(release, admin)
    assert report.status == "rolled_back" and report.reason == "migration_timeout", report
    assert time.monotonic() - started < 80
    assert database_state() == (rows_before, head_before, False)
    assert "update_probe" not in {c["name"] for c in inspect(db.engine).get_columns("users")}


def test_an_interrupted_migration_puts_everything_back_then_lets_the_interruption_through(
        instance, files_server, key, tmp_path, monkeypatch):
    _app, code, admin = instance
    rows_before, head_before, _ = database_state()
    package = build_package(code, tmp_path / "good.tar.gz", migration="ok")
    release = release_for(package, serve(files_server, package), key)
    before = snapshot(code)
    real, calls = apply_module.migrate.run_upgrade, []

    def interrupted_once(code_dir, *, env, timeout):
        calls.append(code_dir)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real(code_dir, env=env, timeout=timeout)

    monkeypatch.setattr(apply_module.migrate, "run_upgrade", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        run_apply(release, admin)
    assert len(calls) == 2  # the rollback rebuilt the old schema
    assert snapshot(code) == before
    assert database_state() == (rows_before, head_before, False)
    stored = last_apply(db.session)
    assert (stored["status"], stored["reason"]) == ("rolled_back", "interrupted")
    assert "apply.lock" not in updates_folder(code)


def test_a_failed_backup_stops_the_update_before_anything(instance, files_server, key, tmp_path,
                                                         monkeypatch):
    _app, code, admin = instance
    package = build_package(code, tmp_path / "good.tar.gz", migration="ok")
    release = release_for(package, serve(files_server, package), key)

    def no_space(*args, **kwargs):
        raise BackupError("The backup could not be written (No space left on device).")

    monkeypatch.setattr(apply_module, "create_instance_backup", no_space)
    state, before = database_state(), snapshot(code)
    report = run_apply(release, admin)
    assert report.status == "refused" and report.reason == "backup"
    assert [(step.name, step.ok) for step in report.steps] == [("backup", False)]
    assert "No space left" in report.steps[0].detail
    assert snapshot(code) == before and database_state() == state
    assert db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("update.%"))).all() == ["update.failed"]


def test_refusals_before_anything_is_done(instance, files_server, key, tmp_path):
    application, code, admin = instance
    package = build_package(code, tmp_path / "good.tar.gz", migration="ok")
    release = release_for(package, serve(files_server, package), key)
    state, before = database_state(), snapshot(code)
    backups = db.session.scalars(select(Backup.id)).all()

    with pytest.raises(NotAdminError):
        run_apply(release, create_user())
    same = Release(**{**release.__dict__, "version": __version__})
    with pytest.raises(NotNewerError):
        run_apply(same, admin)
    application.config["FINORA_IN_CONTAINER"] = True
    with pytest.raises(ContainerError):
        run_apply(release, admin)
    application.config["FINORA_IN_CONTAINER"] = False
    lock = code / "data" / "updates" / "apply.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("{}")
    with pytest.raises(ApplyRunningError):
        run_apply(release, admin)
    assert lock.exists()  # another apply's lock is not ours to remove

    assert snapshot(code) == before
    assert db.session.scalars(select(Backup.id)).all() == backups  # no backup made
    assert database_state()[1:] == state[1:]
    reasons = [event.details["reason"] for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "update.refused").order_by(AuditEvent.id))]
    assert reasons == ["forbidden", "not_newer", "container", "running"]


def test_an_apply_that_never_finished_blocks_the_next_until_put_back(
        instance, files_server, key, tmp_path):
    """A process killed mid-install leaves a rollback copy with its journal and no
    "finished" mark: it is the only way back, so it is neither removed nor ignored."""
    _app, code, admin = instance
    package = build_package(code, tmp_path / "good.tar.gz", migration="ok")
    release = release_for(package, serve(files_server, package), key)
    left = code / "data" / "updates" / "rollback-0.9.0-20260101T000000Z"
    (left / "files").mkdir(parents=True)
    (left / "rollback.json").write_text('{"replaced": [], "added": [], "new_dirs": []}')
    state, before = database_state(), snapshot(code)
    with pytest.raises(UnfinishedApplyError):
        run_apply(release, admin)
    assert left.exists() and not (code / "data" / "updates" / "apply.lock").exists()
    assert snapshot(code) == before and database_state() == state

    (left / "finished").write_text("rolled_back")  # what a clean end writes
    assert run_apply(release, admin).status == "applied"
    assert not left.exists()  # an old, finished copy is cleared by the next install
    (current,) = (code / "data" / "updates").glob("rollback-*")
    assert (current / "finished").read_text() == "applied"


def test_a_stale_lock_left_by_a_dead_apply_is_taken_over(instance, files_server, key, tmp_path):
    _app, code, admin = instance
    package = _tampered(build_package(code, tmp_path / "package.tar.gz"))
    release = release_for(build_package(code, tmp_path / "real.tar.gz"), "", key)
    release = Release(**{**release.__dict__, "package": PackageRef(
        url=serve(files_server, package), sha256=release.package.sha256,
        size=release.package.size, signature=release.package.signature)})
    lock = code / "data" / "updates" / "apply.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("{}")
    old = time.time() - 3 * 3600
    os.utime(lock, (old, old))
    report = run_apply(release, admin)
    assert report.steps[0].name == "backup" and report.steps[0].ok  # it went ahead
    assert not lock.exists()


# ---------------------------------------------------------------- restart


_SIGHUP_CHILD = """
import signal, sys, time
def hup(*_):
    open(sys.argv[1], "w").write("reloaded")
signal.signal(signal.SIGHUP, hup)
print("ready", flush=True)
time.sleep(30)
"""


def _fake_gunicorn_master(tmp_path: Path, name: str = "gunicorn: master [app:app]"):
    """A process titled like gunicorn's master that writes a file when it gets SIGHUP."""
    marker = tmp_path / f"hup-{name.split(':')[0]}"
    child = subprocess.Popen([name, "-c", _SIGHUP_CHILD, str(marker)], executable=sys.executable,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    return child, marker


def _wait_for(path: Path, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("name, expected", [("gunicorn: master [app:app]", "graceful"),
                                            ("other-server", "manual")])
def test_request_restart_sends_sighup_to_a_gunicorn_master_only(tmp_path, name, expected):
    child, marker = _fake_gunicorn_master(tmp_path, name)
    try:
        assert request_restart(parent_pid=child.pid) == expected
        if expected == "graceful":
            _wait_for(marker)
        else:
            time.sleep(0.3)
        assert marker.exists() == (expected == "graceful")
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=10)


# ---------------------------------------------------------------- refusals, without a database


class _User:
    def __init__(self, is_admin: bool) -> None:
        self.is_admin = is_admin


def _release(version="2.0.0", channel="stable", min_from=None, package=True) -> Release:
    ref = PackageRef(url="https://example.org/p.tar.gz", sha256="0" * 64, size=1, signature="x")
    return Release(version=version, date=None, channel=channel, min_from=min_from,
                   package=ref if package else None)


@pytest.mark.parametrize(
    "config, release, user, refusal",
    [
        ({}, _release(), _User(False), "forbidden"),
        ({"FINORA_IN_CONTAINER": True}, _release(), None, "container"),
        ({}, _release(package=False), None, "no_package"),
        ({}, _release("1.0.0"), None, "not_newer"),
        ({}, _release("0.9.0"), None, "not_newer"),
        ({}, _release("1.1.0-beta.1", channel="beta"), None, "channel"),
        ({}, _release(min_from="1.0.1"), None, "min_from"),
        ({"UPDATE_CHANNEL": "beta"}, _release("1.1.0-beta.1", channel="beta"), None, None),
        ({}, _release(min_from="1.0.0"), _User(True), None),
    ],
)
def test_check_can_apply(config, release, user, refusal):
    if refusal is None:
        check_can_apply(config, release, "1.0.0", user)
        return
    with force_locale("en"), pytest.raises(UpdateError) as caught:
        check_can_apply(config, release, "1.0.0", user)
    assert caught.value.reason == refusal
    if refusal == "min_from":
        assert "1.0.1" in str(caught.value)
