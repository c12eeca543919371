"""Prometheus counters for scheduled jobs: how many runs ended in each status, and how long
they took. Recorded by finora.jobs.run_job in whichever process holds the lease; under
gunicorn the multiprocess files let every worker's /metrics report them.

prometheus_client is imported on the first run, not when the app is built.
"""

from __future__ import annotations

import functools
import logging

log = logging.getLogger("finora.metrics")

# From a purge that takes a blink to a catch-up posting or a large backup.
JOB_DURATION_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)


@functools.cache
def _families():
    from prometheus_client import Counter, Histogram

    runs = Counter(
        "finora_job_runs_total", "Scheduled job runs by job and outcome.", ("job", "status")
    )
    duration = Histogram(
        "finora_job_duration_seconds", "How long each scheduled job run took.", ("job",),
        buckets=JOB_DURATION_BUCKETS,
    )
    return runs, duration


def record_job_run(job: str, status: str, seconds: float) -> None:
    """Count one finished run. Never raises: a metrics problem must not fail a job."""
    try:
        runs, duration = _families()
        runs.labels(job=job, status=status).inc()
        duration.labels(job=job).observe(max(0.0, seconds))
    except Exception:  # logged; the job's own record is what matters
        log.warning("could not record the metrics of job %s", job, exc_info=True)
