"""gunicorn settings for Finora: Prometheus' multiprocess mode, so /metrics answers the
same totals whichever worker serves the scrape.

gunicorn reads this file by itself when started from the repository root (`gunicorn
app:app`), and docker/entrypoint.sh passes it with `-c`. Command-line flags still decide
the bind address, the workers and the rest.

Each worker writes its counters and histograms to files in PROMETHEUS_MULTIPROC_DIR
(default <FINORA_DATA_DIR>/metrics); a scrape sums them. The folder is emptied when the
master starts — a new run starts from zero, as a single process would — and never on a
reload (SIGHUP), so counters keep counting through a graceful restart. A worker's files
stay after it exits (its requests happened); only its live gauges are dropped.
"""

from __future__ import annotations

import os
from pathlib import Path

wsgi_app = "app:app"

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


def child_exit(server, worker) -> None:
    """A worker is gone: drop its live gauges (its counters still count)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(METRICS_DIR))
