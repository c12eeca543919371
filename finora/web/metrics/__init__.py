"""Prometheus /metrics: the scrape route, who may read it, and the request timing hooks.

Not here: the figures read from the database (services/system/metrics_gauges.py), the job
counters (services/system/job_metrics.py), gunicorn's multiprocess setup (gunicorn.conf.py).
docs/monitoring.md lists every family.
"""

from flask import Blueprint

bp = Blueprint("metrics", __name__)


@bp.record_once
def _install_hooks(state) -> None:
    # Registering the blueprint times every request of the app, not just the blueprint's.
    if state.app.config.get("METRICS_ENABLED", True):
        from finora.web.metrics.http import init_request_metrics

        init_request_metrics(state.app)


from finora.web.metrics import views  # noqa: E402,F401
