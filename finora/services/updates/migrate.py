"""`flask --app app db upgrade` of the code on disk, in a subprocess with a timeout.

A subprocess because the running process holds the old code: the migrations to run are the
new release's, imported fresh from the code folder. It gets the running app's database,
data folder and environment name explicitly, so it migrates exactly the database this
instance uses whatever the shell around it says. The database rollback runs the same
command over the old files to rebuild the old schema."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

OUTPUT_LIMIT = 20_000  # characters of output kept for the report (the end, where errors are)
# The name the migration's PostgreSQL connections carry: once it is stopped, the database
# rollback ends whatever they still run (a server notices a vanished client only when it
# next writes to it, and their transaction holds locks on the tables to be dropped).
APPLICATION_NAME = "finora-update-migration"


@dataclass(frozen=True)
class MigrationResult:
    ok: bool
    returncode: int | None  # None: stopped by the timeout
    output: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def subprocess_env(config: Mapping, database_url: str) -> dict[str, str]:
    """The environment of the migration: this one, plus the running app's own settings."""
    env = dict(os.environ)
    # Not a web worker: no app to pick up from the shell, no metrics files among the workers'.
    for name in ("FLASK_APP", "PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir"):
        env.pop(name, None)
    env.update({
        "DATABASE_URL": _named(database_url),
        "FINORA_DATA_DIR": str(config["DATA_DIR"]),
        "FINORA_ENV": str(config.get("ENV_NAME") or "production"),
        "BACKUP_STORAGE_DIR": str(config["BACKUP_STORAGE_DIR"]),
        "SCHEDULER_ENABLED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    for name in ("SECRET_KEY", "APP_SECRET"):
        if config.get(name):
            env[name] = str(config[name])
    return env


def _named(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return database_url
    return url.update_query_dict({"application_name": APPLICATION_NAME}).render_as_string(
        hide_password=False)


def run_upgrade(code_dir: Path, *, env: Mapping[str, str], timeout: int) -> MigrationResult:
    """Run the migrations of the code in `code_dir`; never raises for the command's own
    failure or its timeout (the result says), only when Python itself cannot start."""
    command = [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"]
    process = subprocess.Popen(  # noqa: S603 - our own Python, fixed arguments
        command, cwd=code_dir, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True, text=True, errors="replace",
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        output, _ = process.communicate()
        return MigrationResult(ok=False, returncode=None, output=_tail(output))
    except BaseException:  # interrupted: the migration (its own session) must not go on alone
        _kill_group(process)
        process.wait()
        raise
    return MigrationResult(ok=process.returncode == 0, returncode=process.returncode,
                           output=_tail(output))


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _tail(output: str | None) -> str:
    output = output or ""
    return output if len(output) <= OUTPUT_LIMIT else "…" + output[-OUTPUT_LIMIT:]
