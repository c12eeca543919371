"""Entry point: `app = create_app()`; `python app.py` serves on FINORA_HOST:FINORA_PORT
(127.0.0.1:5000; APP_BASE_URL then defaults to http://localhost:5000),
gunicorn serves `app:app`. Either way the process serves for long: its start-up objects
are taken out of the garbage collector's walks (finora/heap.py).

A bare `python app.py` first makes sure the database is at this code's migration head: it
migrates a development SQLite database itself, and otherwise refuses to start with one line
saying what to run (finora/local_start.py)."""

from __future__ import annotations

import os
import signal
import sys

from config import ConfigError
from finora import create_app
from finora.heap import settle_heap_when_serving

if __name__ == "__main__":
    from finora.local_start import build_local_app

    app = build_local_app()
else:
    try:
        app = create_app()
    except ConfigError as error:
        sys.exit(f"Finora cannot start: {error}")
settle_heap_when_serving(app)

if __name__ == "__main__":
    # SIGTERM (`kill`, a service manager) ends the process like Ctrl-C does, so exit
    # handlers run and the scheduler gives its lease up (finora/jobs.py stop_scheduler).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    debug = os.environ.get("FLASK_DEBUG") == "1"  # debug runs the reloader too
    from finora.local_start import browser_url, open_browser_when_listening, should_open_browser

    if should_open_browser(app.config, os.environ, interactive=sys.stdout.isatty(), reloader=debug):
        open_browser_when_listening(browser_url(app.config))
    app.run(host=app.config["FINORA_HOST"], port=app.config["FINORA_PORT"], debug=debug)
