"""GET /metrics in Prometheus' text format (or OpenMetrics when the scraper asks for it)."""

from __future__ import annotations

import logging

from flask import Response, abort, current_app, request

from finora.extensions import db, limiter
from finora.jobs import JOBS
from finora.web.metrics import bp
from finora.web.metrics.access import may_read_metrics
from finora.web.metrics.exposition import MetricsUnavailable, scrape

log = logging.getLogger("finora.metrics")


@bp.get("/metrics")
@limiter.exempt
def metrics():
    config = current_app.config
    if not config.get("METRICS_ENABLED", True) or not may_read_metrics(
        request.environ, request.headers.get("Authorization"), config.get("METRICS_TOKEN", "")
    ):
        abort(404)
    from prometheus_client.exposition import choose_encoder

    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    try:
        body = encode(scrape(db.session, list(JOBS), config["VERSION"]))
    except MetricsUnavailable as error:
        log.error("metrics: %s", error)
        return Response(f"{error}\n", status=503, content_type="text/plain; charset=utf-8")
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})
