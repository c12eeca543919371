"""An update from the shell, end to end, in real processes: a copy of the code at HEAD runs
`flask finora update check` against a signed manifest served on 127.0.0.1, then
`flask finora update apply --yes`, on this pass's engine. A good release leaves the new
code and the new schema; a release whose migration fails exits non-zero with the code and
the database as they were. Nothing in this process is patched: the check (manifest and
signature), the apply (package, staging, install, migration, rollback) and the command
line are the shipped ones."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, inspect, text

from finora.services.updates.signing import public_key_text, sign
from tests.backup_instance_factories import migrated_database
from tests.conftest import SERVER
from tests.services import test_update_apply as shared
from tests.services.test_update_apply import (
    NEW_VERSION,
    PROTECTED,
    build_package,
    release_for,
    snapshot,
)

# The apply tests' module fixtures: the code at HEAD, the file server, the release key.
code_template, files_server, key = shared.code_template, shared.files_server, shared.key


@pytest.fixture
def installed(code_template, tmp_path):
    """A copy of the code with its protected paths, and its own migrated database (URL)."""
    code = tmp_path / "code"
    shutil.copytree(code_template, code, symlinks=True)
    for name, content in PROTECTED.items():
        (code / name).parent.mkdir(parents=True, exist_ok=True)
        (code / name).write_text(content)
    with migrated_database(SERVER, tmp_path / "setup") as application:
        yield code, application.config["SQLALCHEMY_DATABASE_URI"]


def publish(files_server, key, package) -> str:
    """Serve the package and a signed manifest announcing it; returns the manifest's URL."""
    folder, base = files_server
    name = f"finora-{NEW_VERSION}-{hashlib.sha256(package.read_bytes()).hexdigest()[:8]}.tar.gz"
    shutil.copy2(package, folder / name)
    ref = release_for(package, f"{base}/{name}", key).package
    manifest = json.dumps({
        "schema": 1, "app": "finora", "latest": NEW_VERSION,
        "releases": [{
            "version": NEW_VERSION, "date": "2026-12-06", "channel": "stable",
            "notes": {"en": "Test release.", "pt": "Versão de teste.", "es": "Versión de prueba."},
            "package": {"url": ref.url, "sha256": ref.sha256, "size": ref.size,
                        "signature": ref.signature},
        }],
    }).encode()
    manifest_name = f"manifest-{name}.json"
    (folder / manifest_name).write_bytes(manifest)
    (folder / f"{manifest_name}.sig").write_text(sign(key, manifest))
    return f"{base}/{manifest_name}"


def flask(code, database_url, manifest_url, key, *args) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "FINORA_ENV": "testing",  # plain HTTP on 127.0.0.1 is allowed in testing only
        "DATABASE_URL": database_url,
        "FINORA_DATA_DIR": str(code / "data"),
        "UPDATE_MANIFEST_URL": manifest_url,
        "UPDATE_PUBLIC_KEY": public_key_text(key.public_key()),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("FLASK_APP", None)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "finora", "update", *args],
        cwd=code, env=env, capture_output=True, text=True, timeout=600,
    )


def schema(database_url: str) -> tuple[str, bool, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
            backups = connection.scalar(text("SELECT count(*) FROM backups"))
            return revision, inspect(connection).has_table("update_probe"), backups
    finally:
        engine.dispose()


def test_check_then_apply_from_the_shell(installed, files_server, key, tmp_path):
    code, database_url = installed
    package = build_package(code, tmp_path / "good.tar.gz", migration="ok")
    url = publish(files_server, key, package)
    before = snapshot(code)

    checked = flask(code, database_url, url, key, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert NEW_VERSION in checked.stdout

    applied = flask(code, database_url, url, key, "apply", "--yes")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert f"Applied Finora {NEW_VERSION}" in applied.stdout
    assert snapshot(code)["app.py"] != before["app.py"]
    assert f'"{NEW_VERSION}"' in (code / "finora/version.py").read_text()
    for name, content in PROTECTED.items():
        assert (code / name).read_text() == content
    revision, has_probe, backups = schema(database_url)
    assert (revision, has_probe, backups) == ("update_probe", True, 1)


def test_a_release_whose_migration_fails_exits_non_zero_with_everything_back(
        installed, files_server, key, tmp_path):
    code, database_url = installed
    package = build_package(code, tmp_path / "bad.tar.gz", migration="fail")
    url = publish(files_server, key, package)
    assert flask(code, database_url, url, key, "check").returncode == 0
    head_before = schema(database_url)[0]
    before = snapshot(code)

    applied = flask(code, database_url, url, key, "apply", "--yes")

    assert applied.returncode != 0
    assert "rolled back" in applied.stdout + applied.stderr
    assert snapshot(code) == before
    revision, has_probe, backups = schema(database_url)
    assert (revision, has_probe, backups) == (head_before, False, 1)
