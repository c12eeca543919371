"""gunicorn settings for Finora: how many workers, and Prometheus' multiprocess mode, so
/metrics answers the same totals whichever worker serves the scrape.

gunicorn reads this file by itself when started from the repository root (`gunicorn
app:app`), and docker/entrypoint.sh passes it with `-c`. Command-line flags still win
(`--workers 3` over the rule below) and decide the bind address and the rest.

Workers (the one place the count is decided; README, "Running with several workers"):
GUNICORN_WORKERS when set, otherwise min(2 x CPUs + 1, what the memory holds), where CPUs
are those this process may use (a container's cpuset and --cpus quota included) and the
memory holds one worker per WORKER_MEMORY_MB in half of it (the other half is left to the
database, Redis and the page cache). Whatever the count, rate limits counted in memory://
are per worker, so with them a single worker serves (and the log says why).

Each worker writes its counters and histograms to files in PROMETHEUS_MULTIPROC_DIR
(default <FINORA_DATA_DIR>/metrics); a scrape sums them. The folder is emptied when the
master starts — a new run starts from zero, as a single process would — and never on a
reload (SIGHUP), so counters keep counting through a graceful restart. A worker's files
stay after it exits (its requests happened); only its live gauges are dropped.
"""

from __future__ import annotations

import gc
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent
wsgi_app = "app:app"

# A worker holds about 110 MB once started (`make bench`: tests/bench/startup.py) and grows
# while it builds an export or a PDF report (pandas, openpyxl and reportlab load on first
# use); 256 MB each leaves room for that.
WORKER_MEMORY_MB = 256
_ON = {"", "1", "true", "yes", "on"}


class WorkerSettingError(ValueError):
    """GUNICORN_WORKERS is not a whole number above 0."""


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity: a container's cpuset), lowered by a
    cgroup v2 CPU quota (docker --cpus=1.5 gives 2)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cpus = min(cpus, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(1, cpus)


def usable_memory_mb() -> int | None:
    """The machine's memory, or the container's cgroup v2 limit when lower; None if unknown."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                found.append(int(line.split()[1]) // 1024)
    except (OSError, ValueError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            found.append(int(limit) // (1024 * 1024))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def worker_rule(environ: Mapping[str, str], cpus: int, memory_mb: int | None) -> tuple[int, str]:
    """How many workers to start, and why (one line for the log)."""
    chosen = environ.get("GUNICORN_WORKERS", "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            raise WorkerSettingError(f"GUNICORN_WORKERS must be a whole number above 0, got {chosen!r}")
        workers, why = int(chosen), "GUNICORN_WORKERS"
    else:
        workers = 2 * cpus + 1
        why = f"2 x {cpus} CPU(s) + 1"
        if memory_mb is not None:
            fits = max(1, memory_mb // 2 // WORKER_MEMORY_MB)
            if fits < workers:
                workers, why = fits, f"{memory_mb} MB of memory, {WORKER_MEMORY_MB} MB a worker in half of it"
    limits_on = environ.get("RATELIMIT_ENABLED", "").strip().lower() in _ON
    store = environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    if workers > 1 and limits_on and store.split("://", 1)[0].lower() in ("", "memory"):
        return 1, (
            f"rate limits are kept in memory:// (RATELIMIT_STORAGE_URI), which each worker counts "
            f"on its own: starting 1 worker instead of {workers}; set RATELIMIT_STORAGE_URI to a "
            f"shared store (redis://...) to run more"
        )
    return workers, why


def _load_dotenv() -> None:
    """The app reads .env (config.py); read it here too so the rule sees the same settings.
    The environment wins over the file, as in the app."""
    try:
        from dotenv import load_dotenv
    except ImportError:
        return
    load_dotenv(ROOT / ".env")


_load_dotenv()
try:
    workers, WORKERS_BECAUSE = worker_rule(os.environ, usable_cpus(), usable_memory_mb())
except WorkerSettingError as error:
    sys.exit(f"finora: {error}")
# The app reads the count back (finora/startup.py: its notes on rate limits and the pool).
os.environ["GUNICORN_WORKERS"] = str(workers)

# A worker silent this long is killed and replaced. The default leaves room for the slowest
# request a page makes on purpose: an AI refresh waits up to AI_REQUEST_TIMEOUT_SECONDS (30)
# for the model; gunicorn's own 30 would kill the worker at that very moment.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))


def _metrics_dir() -> Path:
    chosen = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if chosen:
        return Path(chosen)
    # config.data_dir()'s rule, without importing the app into the master.
    data = os.environ.get("FINORA_DATA_DIR") or Path(__file__).resolve().parent / "data"
    return Path(data).resolve() / "metrics"


METRICS_DIR = _metrics_dir()
# Set before any worker imports prometheus_client: it picks where values live on import,
# and the workers inherit the master's environment.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)


def on_starting(server) -> None:
    """Once per master start (not on reload): an empty folder, readable by its owner only."""
    METRICS_DIR.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new data folder
    METRICS_DIR.mkdir(mode=0o700, exist_ok=True)
    for stale in METRICS_DIR.glob("*.db"):
        stale.unlink(missing_ok=True)
    server.log.info("Prometheus multiprocess files in %s", METRICS_DIR)
    if server.cfg.workers == workers:
        said = server.log.warning if WORKERS_BECAUSE.startswith("rate limits") else server.log.info
        said("finora: %d worker(s): %s", workers, WORKERS_BECAUSE)
    else:  # --workers on the command line
        server.log.info("finora: %d worker(s), from the command line", server.cfg.workers)


def post_fork(server, worker) -> None:
    """In the new worker, before it imports the app: no automatic garbage collection while
    the app is built. Importing it creates some 100,000 long-lived objects, and the
    collector would walk them again and again (about 8 % of a worker's start-up CPU);
    finora/heap.py collects once and freezes them at the end anyway."""
    gc.disable()


def post_worker_init(worker) -> None:
    """The app is built: the collector runs again, over what requests leave behind."""
    gc.enable()


def child_exit(server, worker) -> None:
    """A worker is gone: drop its live gauges (its counters still count)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(METRICS_DIR))
