"""gunicorn.conf.py as it is, plus what the load test measures inside each worker.

Per request (a sync worker serves one at a time, in its main thread): the CPU time of that
thread (time.thread_time: the request's own work, not the scheduler's thread nor anything
else on the machine) and each SQL statement's count and time. Each worker writes its totals
to FINORA_LOAD_PROFILE_DIR/<pid>.json when it exits; tests/load/run.py groups them by page.
Only requests with an X-Finora-Load header count (locust's; not the warm-up's).
"""

from __future__ import annotations

import json
import os
import runpy
import threading
import time
from collections import defaultdict
from pathlib import Path

# The production settings, as they are: wsgi_app, timeout, the metrics folder's hooks.
_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
globals().update(
    {name: value for name, value in runpy.run_path(str(_CONF)).items() if not name.startswith("__")}
)

_OUT = Path(os.environ["FINORA_LOAD_PROFILE_DIR"])
_requests: dict[str, dict] = defaultdict(lambda: {"requests": 0, "cpu_s": 0.0, "sql": 0,
                                                  "sql_s": 0.0, "wall_s": 0.0})
_statements: dict[str, dict] = defaultdict(lambda: {"count": 0, "seconds": 0.0})
_current: dict = {}


def post_fork(server, worker) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("finora_load_started", []).append(time.perf_counter())

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        seconds = time.perf_counter() - conn.info["finora_load_started"].pop()
        key = _current.get("key")
        if key is None or threading.get_ident() != _current["thread"]:  # the scheduler's thread
            return
        _current["sql"] += 1
        _current["sql_s"] += seconds
        row = _statements[f"{key} | {' '.join(statement.split())[:160]}"]
        row["count"] += 1
        row["seconds"] += seconds


def pre_request(worker, req) -> None:
    # Only locust's requests (the warm-up's are not the load's).
    if not any(name == "X-FINORA-LOAD" for name, _value in req.headers):
        return
    _current.update(key=f"{req.method} {req.path}", thread=threading.get_ident(), cpu=time.thread_time(),
                    wall=time.perf_counter(), sql=0, sql_s=0.0)


def post_request(worker, req, environ, resp) -> None:
    key = _current.pop("key", None)
    if key is None:
        return
    row = _requests[key]
    row["requests"] += 1
    row["cpu_s"] += time.thread_time() - _current["cpu"]
    row["wall_s"] += time.perf_counter() - _current["wall"]
    row["sql"] += _current["sql"]
    row["sql_s"] += _current["sql_s"]


def worker_exit(server, worker) -> None:
    (_OUT / f"{os.getpid()}.json").write_text(
        json.dumps({"requests": _requests, "statements": _statements})
    )
