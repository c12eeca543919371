"""The container entrypoint, run for real: migrate, bootstrap the admin, serve with gunicorn.

No Docker engine is needed: docker/entrypoint.sh runs on the host with the virtualenv's
`flask` and `gunicorn` first on PATH, against a throwaway SQLite file.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from finora.version import __version__

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "quiet harbour lanterns drift at seven"
START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Settings from the caller's shell must not leak into the production configuration.
_SETTING_PREFIXES = ("FINORA_", "FLASK_", "BOOTSTRAP_", "GUNICORN_", "LOG_", "RATELIMIT_")
_SETTINGS = {
    "SECRET_KEY",
    "APP_SECRET",
    "DATABASE_URL",
    "PORT",
    "BIND_HOST",
    "FORWARDED_ALLOW_IPS",
    "SCHEDULER_ENABLED",
    "REGISTRATION_MODE",
    "SESSION_COOKIE_SECURE",
    "TRUSTED_PROXIES",
    "APP_BASE_URL",
}


def _entrypoint_env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_SETTING_PREFIXES) and key not in _SETTINGS
    }
    env.update(
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        FINORA_ENV="production",
        SECRET_KEY="entrypoint-test-secret-key-0123456789abcdef",
        APP_SECRET="entrypoint-test-app-secret-0123456789abcdef",
        FINORA_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'finora.db'}",
        PORT=str(port),
        BIND_HOST="127.0.0.1",
        GUNICORN_WORKERS="2",
        BOOTSTRAP_ADMIN_EMAIL=ADMIN_EMAIL,
        BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD,
        # gunicorn puts its control socket under $HOME/.gunicorn: keep it in the sandbox.
        HOME=str(tmp_path),
    )
    env.pop("XDG_RUNTIME_DIR", None)
    return env


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    try:
        return subprocess.Popen(
            [str(ENTRYPOINT)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        handle.close()  # the child keeps its own copy of the descriptor


def _stop(process: subprocess.Popen) -> None:
    """Terminate the whole process group (shell, flask, gunicorn master and workers)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)
    # Workers may outlive the master for a moment; make sure none is left behind.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait_for_health(url: str, process: subprocess.Popen, log: Path) -> tuple[int, dict]:
    deadline = time.monotonic() + START_TIMEOUT
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"entrypoint exited with {process.returncode} before serving:\n"
                + log.read_text(errors="replace")
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = error
            time.sleep(0.2)
    raise AssertionError(
        f"/healthz did not answer within {START_TIMEOUT:.0f}s ({last_error}):\n"
        + log.read_text(errors="replace")
    )


def _wait_for_log(log: Path, needle: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        output = log.read_text(errors="replace")
        if needle in output or time.monotonic() > deadline:
            assert needle in output, output
            return output
        time.sleep(0.1)


def test_entrypoint_migrates_bootstraps_and_serves(tmp_path):
    port = _free_port()
    log = tmp_path / "entrypoint.log"
    process = _start(_entrypoint_env(tmp_path, port), log)
    try:
        status, body = _wait_for_health(f"http://127.0.0.1:{port}/healthz", process, log)
        assert status == 200, body
        assert body == {"status": "ok", "database": "ok", "schema": "ok", "version": __version__}

        with sqlite3.connect(tmp_path / "finora.db") as connection:
            rows = connection.execute(
                "SELECT email, is_admin, status FROM users WHERE email = ?", (ADMIN_EMAIL,)
            ).fetchall()
        assert rows == [(ADMIN_EMAIL, 1, "active")]

        # gunicorn writes the access-log line just after the response: wait for it.
        output = _wait_for_log(log, "GET /healthz")
        assert f"Created the admin {ADMIN_EMAIL}." in output
        assert (tmp_path / "logs" / "finora.log").exists()
        # GUNICORN_WORKERS=2 on memory:// rate limits: one worker, and the log says why.
        assert "starting 1 worker instead of 2" in output
        assert output.count("Booting worker with pid") == 1
        assert "X-Forwarded-* trusted from: no one" in output
        # Owner-only files, whatever umask the container was started with.
        for path in (tmp_path / "finora.db", tmp_path / "logs" / "finora.log"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        # Secrets came from the environment: production never generates them.
        assert not (tmp_path / ".secret_key").exists()
        assert not (tmp_path / ".app_secret").exists()
    finally:
        _stop(process)


def test_entrypoint_refuses_production_without_secret_key(tmp_path):
    env = _entrypoint_env(tmp_path, _free_port())
    del env["SECRET_KEY"]
    process = subprocess.Popen(
        [str(ENTRYPOINT)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _stdout, stderr = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise AssertionError("the entrypoint kept running without SECRET_KEY") from None
    finally:
        if process.poll() is None:
            _stop(process)
    assert process.returncode != 0
    assert "SECRET_KEY" in stderr.decode("utf-8", errors="replace")
    assert not (tmp_path / ".secret_key").exists()


def _decisions(tmp_path: Path, **settings: str) -> tuple[str, str]:
    """Run the entrypoint with stand-ins for `flask` and `gunicorn` (first on PATH): what it
    says on stderr, and the arguments and environment gunicorn would have been given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "flask").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "gunicorn").write_text(
        "#!/bin/sh\n"
        'echo "args: $*"\n'
        'echo "env: GUNICORN_WORKERS=$GUNICORN_WORKERS FORWARDED_ALLOW_IPS=$FORWARDED_ALLOW_IPS"\n'
    )
    for tool in ("flask", "gunicorn"):
        (bin_dir / tool).chmod(0o755)
    env = _entrypoint_env(tmp_path, 8000)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env.update(settings)
    done = subprocess.run(
        [str(ENTRYPOINT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=20, check=True
    )
    return done.stderr, done.stdout


def test_the_worker_count_is_left_to_gunicorn_conf(tmp_path):
    # One rule in one place: gunicorn.conf.py (tests/unit/test_worker_rule.py) picks the
    # count from GUNICORN_WORKERS, the CPUs and memory, and the rate-limit store.
    said, gunicorn = _decisions(tmp_path, GUNICORN_WORKERS="4")
    assert "-c gunicorn.conf.py " in gunicorn
    assert "--workers" not in gunicorn and "worker" not in said
    assert "GUNICORN_WORKERS=4 " in gunicorn  # passed through untouched


def test_forwarded_headers_are_trusted_only_from_the_named_proxies(tmp_path):
    _said, gunicorn = _decisions(tmp_path)  # TRUSTED_PROXIES unset: no proxy
    assert "--forwarded-allow-ips= " in gunicorn and "FORWARDED_ALLOW_IPS=\n" in gunicorn

    said, gunicorn = _decisions(tmp_path, FORWARDED_ALLOW_IPS="*")
    assert "FORWARDED_ALLOW_IPS is ignored" in said
    assert "--forwarded-allow-ips= " in gunicorn

    said, gunicorn = _decisions(tmp_path, TRUSTED_PROXIES="1")
    assert "set FORWARDED_ALLOW_IPS to your proxy" in said
    assert "--forwarded-allow-ips=127.0.0.1,::1 " in gunicorn

    said, gunicorn = _decisions(tmp_path, TRUSTED_PROXIES="1", FORWARDED_ALLOW_IPS="172.18.0.0/16")
    assert "trusted from: 172.18.0.0/16" in said
    assert "--forwarded-allow-ips=172.18.0.0/16 " in gunicorn
    assert "FORWARDED_ALLOW_IPS=172.18.0.0/16" in gunicorn  # what the app reads too


def test_update_manifest_matches_the_running_version():
    manifest = json.loads((ROOT / "updates" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema"] == 1
    assert manifest["app"] == "finora"
    assert manifest["latest"] == __version__
    versions = [release["version"] for release in manifest["releases"]]
    assert __version__ in versions
    for release in manifest["releases"]:
        assert set(release["notes"]) >= {"en", "pt", "es"}
        assert all(note.strip() for note in release["notes"].values())
