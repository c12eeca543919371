"""Entry point: `app = create_app()`; `python app.py` serves on FINORA_HOST:FINORA_PORT
(127.0.0.1:5000; APP_BASE_URL then defaults to http://localhost:5000),
gunicorn serves `app:app`. Either way the process serves for long: its start-up objects
are taken out of the garbage collector's walks (finora/heap.py)."""

from __future__ import annotations

import os
import signal
import sys

from config import ConfigError
from finora import create_app
from finora.heap import settle_heap_when_serving

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"Finora cannot start: {error}")
settle_heap_when_serving(app)

if __name__ == "__main__":
    # SIGTERM (`kill`, a service manager) ends the process like Ctrl-C does, so exit
    # handlers run and the scheduler gives its lease up (finora/jobs.py stop_scheduler).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    app.run(
        host=app.config["FINORA_HOST"],
        port=app.config["FINORA_PORT"],
        debug=os.environ.get("FLASK_DEBUG") == "1",
    )
