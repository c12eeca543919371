"""/metrics under a real gunicorn with two workers (gunicorn.conf.py's multiprocess mode):
requests spread over both workers, and one scrape — served by either — counts them all,
including those of a worker that has since exited.

Runs on the suite's database (SQLite, PostgreSQL or MariaDB), migrated by the fixture.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 40.0
# Settings from the caller's shell must not leak into the server's configuration.
_SETTING_PREFIXES = ("FINORA_", "FLASK_", "GUNICORN_", "LOG_", "RATELIMIT_", "PROMETHEUS_", "METRICS_")
_SETTINGS = {"SECRET_KEY", "APP_SECRET", "DATABASE_URL", "SCHEDULER_ENABLED", "TRUSTED_PROXIES",
             "FORWARDED_ALLOW_IPS", "APP_BASE_URL", "prometheus_multiproc_dir"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(_SETTING_PREFIXES) and key not in _SETTINGS
    }
    env.update(
        FINORA_ENV="production",
        SECRET_KEY="metrics-test-secret-key-0123456789abcdef",
        APP_SECRET="metrics-test-app-secret-0123456789abcdef",
        FINORA_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        SCHEDULER_ENABLED="false",
        RATELIMIT_ENABLED="false",
        HOME=str(data_dir),  # gunicorn's control socket lives under $HOME
    )
    env.pop("XDG_RUNTIME_DIR", None)
    return env


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


def _wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            _get(f"{base}/healthz")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise AssertionError("gunicorn did not serve in time:\n" + log.read_text(errors="replace"))


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _worker_pids(metrics_dir: Path) -> set[int]:
    """The processes that wrote HTTP metrics (only workers serve requests)."""
    return {
        int(match.group(1))
        for path in metrics_dir.glob("*.db")
        if (match := re.fullmatch(r"(?:counter|histogram|summary)_(\d+)\.db", path.name))
    }


def _count(scrape: str, family: str, **labels: str) -> float:
    total = 0.0
    for metric in text_string_to_metric_families(scrape):
        for sample in metric.samples:
            if sample.name == family and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def _spread(url: str, count: int) -> None:
    # Eight at once: while one worker is busy the other accepts, so both serve.
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _i: _get(url)[0], range(count)))
    assert statuses == [200] * count


def test_two_workers_one_scrape_counts_every_request(tmp_path, database_url):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    stale = metrics_dir / "counter_4242.db"
    stale.write_bytes(b"left by an earlier run")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "app:app"],
            cwd=ROOT, env=_env(tmp_path, database_url), stdin=subprocess.DEVNULL,
            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait_until_serving(base, process, log)
        # The master emptied the folder when it started: an earlier run counts nothing.
        assert not stale.exists()

        made = 0
        while len(_worker_pids(metrics_dir)) < 2 and made < 400:
            _spread(f"{base}/", 40)
            made += 40
        workers = _worker_pids(metrics_dir)
        assert len(workers) == 2, f"one worker served all {made} requests"

        status, scrape = _get(f"{base}/metrics")
        assert status == 200
        assert _count(scrape, "http_request_duration_seconds_count", handler="/", method="GET") == made
        assert _count(scrape, "http_requests_total", handler="/", method="GET", status="2xx") == made
        assert _count(scrape, "http_response_size_bytes_count", handler="/") == made
        assert _count(scrape, "http_request_duration_highr_seconds_count") >= made
        # Scraping again, whichever worker answers, reads the same totals.
        for _ in range(4):
            again = _get(f"{base}/metrics")[1]
            assert _count(again, "http_request_duration_seconds_count", handler="/", method="GET") == made

        # A worker that exits (recycled, killed) takes nothing with it: gunicorn starts a
        # new one and the old one's requests still count.
        gone = min(workers)
        os.kill(gone, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (
            _pid_alive(gone) or log.read_text(errors="replace").count("Booting worker") < 3
        ):
            time.sleep(0.2)
        assert not _pid_alive(gone)
        _spread(f"{base}/", 10)
        scrape = _get(f"{base}/metrics")[1]
        assert _count(scrape, "http_request_duration_seconds_count", handler="/", method="GET") == made + 10
    finally:
        _stop(process)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie until the master reaps it: count it as gone once it is one.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_the_container_starts_gunicorn_with_these_settings(tmp_path):
    from tests.test_docker_entrypoint import _decisions

    _said, gunicorn = _decisions(tmp_path)
    assert "args: -c gunicorn.conf.py " in gunicorn
