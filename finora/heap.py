"""The garbage collector in a serving process (app.py: the development server and each
gunicorn worker).

CPython's full collections walk every object the collector tracks. A started worker holds
well over 100,000 of them (modules, SQLAlchemy mappers, compiled templates, Babel's locale
data) that live as long as the process, and a forecast or dashboard request allocates tens
of thousands more, so now and then a request pays a full collection of the whole heap
(about 75 ms on a small machine: the slow end of the page timings in `make bench`).

`gc.freeze()` moves every object alive at that moment out of the collector's view: they
are still freed by reference counting, only no longer walked. It is called once the app is
built and again after the first requests (which compile templates and fill caches), so a
full collection afterwards looks only at what later requests leave behind. Not used by the
tests, which build many apps in one process: a frozen cycle is never collected.
"""

from __future__ import annotations

import gc

from flask import Flask

# Freeze again after this many requests: by then the templates and caches a worker needs
# are built.
FREEZE_AFTER_REQUESTS = (1, 20, 200)


def freeze_long_lived() -> int:
    """Collect what is garbage now, then freeze everything left; returns how many objects
    were frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def settle_heap_when_serving(app: Flask) -> None:
    """Freeze the built app's objects now, and again as the request after the 1st, 20th
    and 200th begins (the finished requests' own objects are gone by then)."""
    freeze_long_lived()
    finished = 0

    @app.before_request
    def _freeze_after_warm_up() -> None:
        nonlocal finished
        if finished in FREEZE_AFTER_REQUESTS:
            frozen = freeze_long_lived()
            app.logger.debug("heap: %d objects frozen after %d requests", frozen, finished)
        finished += 1
