"""Request timing: the HTTP families issue 17 asks for, with the names, labels and buckets
of prometheus-fastapi-instrumentator's defaults, so dashboards built for those read Finora.

Labels are bounded on purpose: `handler` is the route template ("/entries/<int:entry_id>"),
"none" when no route matched (404, 405) — never the raw URL, which would carry ids and
let any client mint new series; `method` is one of the HTTP methods or "other"; `status`
is the class ("2xx"). No label ever names a person or a household.
"""

from __future__ import annotations

import functools
import logging
import time

from flask import Flask, Response, request

log = logging.getLogger("finora.metrics")
_warned: list[bool] = []

# The coarse histogram (instrumentator's default) for per-handler latency...
DURATION_BUCKETS = (0.1, 0.5, 1.0)
# ...and the fine one without labels, for quantiles of the whole app.
HIGHR_BUCKETS = (
    0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0,
    4.5, 5.0, 7.5, 10.0, 30.0, 60.0,
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
NO_HANDLER = "none"
_STARTED = "finora.metrics.started"


@functools.cache
def _families():
    # Imported on the first request: building the app (tests build hundreds) stays cheap.
    from prometheus_client import Counter, Histogram, Summary

    return (
        Counter(
            "http_requests_total", "Requests by handler, method and status class.",
            ("handler", "method", "status"),
        ),
        Histogram(
            "http_request_duration_seconds", "Request duration by handler and method.",
            ("handler", "method"), buckets=DURATION_BUCKETS,
        ),
        Histogram(
            "http_request_duration_highr_seconds",
            "Request duration of every request, with fine buckets and no labels.",
            buckets=HIGHR_BUCKETS,
        ),
        Summary(
            "http_response_size_bytes",
            "Response body size by handler (0 for streamed bodies of unknown length).",
            ("handler",),
        ),
    )


def handler_label() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else NO_HANDLER


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


def _start_clock() -> None:
    request.environ[_STARTED] = time.perf_counter()


def _observe(response: Response) -> Response:
    started = request.environ.get(_STARTED)
    if started is None:  # a hook that ran before ours failed: nothing to time
        return response
    seconds = time.perf_counter() - started
    handler = handler_label()
    method = method_label(request.method)
    try:
        requests, duration, highr, size = _families()
        requests.labels(handler, method, f"{response.status_code // 100}xx").inc()
        duration.labels(handler, method).observe(seconds)
        highr.observe(seconds)
        size.labels(handler).observe(response.content_length or 0)
    except Exception:  # e.g. PROMETHEUS_MULTIPROC_DIR names a missing folder
        # A page never fails for its metrics; say so once per process, not per request.
        if not _warned:
            _warned.append(True)
            log.warning("request metrics could not be recorded", exc_info=True)
    return response


def init_request_metrics(app: Flask) -> None:
    """Time every request of the app from its first before_request hook to its response
    (Flask runs after_request hooks for error pages too, 500s included)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start_clock)
    app.after_request(_observe)
