"""How many gunicorn workers Finora starts (gunicorn.conf.py, the one place that decides):
GUNICORN_WORKERS when set, otherwise min(2 x CPUs + 1, half the memory at 256 MB a worker),
and a single worker whenever rate limits are counted in memory://."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"
REDIS = {"RATELIMIT_STORAGE_URI": "redis://redis:6379/0"}
PLENTY_MB = 64 * 1024


@pytest.fixture
def conf(monkeypatch, tmp_path):
    """gunicorn.conf.py loaded as gunicorn loads it, in a sandboxed environment (the settings
    it reads or exports are restored afterwards)."""
    for name in ("GUNICORN_WORKERS", "RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GUNICORN_WORKERS", "3")  # restored by monkeypatch: the module exports it
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    spec = importlib.util.spec_from_file_location("finora_gunicorn_conf", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("cpus", "expected"), [(1, 3), (2, 5), (4, 9), (8, 17), (16, 33)])
def test_without_a_setting_the_workers_are_twice_the_cpus_plus_one(conf, cpus, expected):
    workers, why = conf.worker_rule(REDIS, cpus, PLENTY_MB)
    assert workers == expected
    assert why == f"2 x {cpus} CPU(s) + 1"


@pytest.mark.parametrize(
    ("cpus", "memory_mb", "expected"),
    [
        (2, 512, 1),  # a 512 MB box: one worker, never zero
        (2, 1024, 2),  # 512 MB for Finora: two workers of 256 MB
        (2, 2048, 4),
        (2, 4096, 5),  # enough memory: the CPUs decide
        (8, 4096, 8),
        (8, 16384, 17),
        (4, None, 9),  # memory unknown: the CPUs decide
    ],
)
def test_the_memory_caps_the_workers(conf, cpus, memory_mb, expected):
    workers, why = conf.worker_rule(REDIS, cpus, memory_mb)
    assert workers == expected
    if memory_mb is not None and expected < 2 * cpus + 1:
        assert f"{memory_mb} MB of memory" in why


@pytest.mark.parametrize("chosen", ["1", "4", " 6 ", "40"])
def test_gunicorn_workers_wins_over_the_rule(conf, chosen):
    assert conf.worker_rule({"GUNICORN_WORKERS": chosen, **REDIS}, 2, 1024) == (
        int(chosen), "GUNICORN_WORKERS",
    )


def test_an_empty_gunicorn_workers_means_the_rule(conf):
    # docker-compose.yml passes ${GUNICORN_WORKERS:-}: empty when .env leaves it out.
    assert conf.worker_rule({"GUNICORN_WORKERS": "", **REDIS}, 2, PLENTY_MB)[0] == 5


@pytest.mark.parametrize("chosen", ["0", "two", "-1", "2.5"])
def test_a_wrong_gunicorn_workers_is_refused(conf, chosen):
    with pytest.raises(conf.WorkerSettingError, match="GUNICORN_WORKERS must be a whole number"):
        conf.worker_rule({"GUNICORN_WORKERS": chosen}, 2, PLENTY_MB)


@pytest.mark.parametrize(
    "settings",
    [
        {},  # memory:// by default, rate limits on by default
        {"RATELIMIT_STORAGE_URI": "memory://"},
        {"RATELIMIT_STORAGE_URI": "MEMORY://", "RATELIMIT_ENABLED": "yes"},
        {"RATELIMIT_STORAGE_URI": "  ", "RATELIMIT_ENABLED": "1"},
    ],
)
def test_rate_limits_in_memory_get_a_single_worker(conf, settings):
    workers, why = conf.worker_rule({"GUNICORN_WORKERS": "4", **settings}, 8, PLENTY_MB)
    assert workers == 1
    assert "starting 1 worker instead of 4" in why and "RATELIMIT_STORAGE_URI" in why
    workers, why = conf.worker_rule(settings, 2, PLENTY_MB)
    assert workers == 1 and "instead of 5" in why


@pytest.mark.parametrize(
    "settings",
    [
        {"RATELIMIT_STORAGE_URI": "redis://redis:6379/0"},
        {"RATELIMIT_STORAGE_URI": "memcached://cache:11211"},
        {"RATELIMIT_ENABLED": "false"},
        {"RATELIMIT_ENABLED": "0", "RATELIMIT_STORAGE_URI": "memory://"},
    ],
)
def test_a_shared_store_or_no_rate_limits_keep_every_worker(conf, settings):
    assert conf.worker_rule({"GUNICORN_WORKERS": "4", **settings}, 2, PLENTY_MB) == (4, "GUNICORN_WORKERS")


def test_the_cpus_are_those_this_process_may_use(conf):
    assert conf.usable_cpus() <= len(os.sched_getaffinity(0))
    assert conf.usable_cpus() >= 1
    memory = conf.usable_memory_mb()
    assert memory is None or memory > 0


def test_loading_the_settings_exports_the_count_for_the_app(conf):
    # GUNICORN_WORKERS=3 with rate limits off (the fixture): three, read back by the app.
    assert conf.workers == 3
    assert os.environ["GUNICORN_WORKERS"] == "3"
    assert conf.timeout == 120


def _print_config(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "FINORA_DATA_DIR": str(tmp_path),
           **settings}
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(CONF), "--print-config"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )


def _setting(printed: str, name: str) -> str:
    line = next(line for line in printed.splitlines() if line.split("=")[0].strip() == name)
    return line.split("=", 1)[1].strip()


def test_gunicorn_itself_takes_the_rule(tmp_path, conf):
    done = _print_config(tmp_path, GUNICORN_TIMEOUT="90", **REDIS)
    assert done.returncode == 0, done.stderr
    expected = conf.worker_rule(REDIS, conf.usable_cpus(), conf.usable_memory_mb())[0]
    assert _setting(done.stdout, "workers") == str(expected)
    assert _setting(done.stdout, "timeout") == "90"

    done = _print_config(tmp_path, GUNICORN_WORKERS="4")  # rate limits in memory://
    assert _setting(done.stdout, "workers") == "1"

    done = _print_config(tmp_path, GUNICORN_WORKERS="two")
    assert done.returncode != 0
    assert "GUNICORN_WORKERS must be a whole number above 0, got 'two'" in done.stderr


def test_a_worker_builds_the_app_without_automatic_collections_then_collects_again(conf):
    import gc

    assert gc.isenabled()
    try:
        conf.post_fork(None, None)
        assert not gc.isenabled()
        conf.post_worker_init(None)
        assert gc.isenabled()
    finally:
        gc.enable()
