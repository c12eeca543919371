"""A serving process takes its long-lived objects out of the garbage collector's walks."""

from __future__ import annotations

import gc

import pytest

from finora.heap import FREEZE_AFTER_REQUESTS, settle_heap_when_serving


@pytest.mark.one_engine  # the garbage collector's freezing, whatever the database
def test_a_serving_app_freezes_at_start_and_again_after_its_first_requests(app):
    client = app.test_client()
    try:
        settle_heap_when_serving(app)
        at_start = gc.get_freeze_count()
        assert at_start > 10_000  # the app, its modules and mappers

        assert client.get("/login").status_code == 200  # request 1
        built_by_warm_up = [[n] for n in range(5_000)]  # stands for templates and caches
        assert gc.get_freeze_count() <= at_start
        client.get("/login")  # request 2 begins after 1 finished: frozen again
        after_first = gc.get_freeze_count()
        assert after_first >= at_start + len(built_by_warm_up)

        between = [[n] for n in range(5_000)]
        for _ in range(FREEZE_AFTER_REQUESTS[1] - 2):  # requests 3 to 20
            client.get("/login")
        assert gc.get_freeze_count() < after_first + len(between)  # no freeze in between
        more = [[n] for n in range(5_000)]
        before = gc.get_freeze_count()
        client.get("/login")  # request 21 begins after 20 finished
        assert gc.get_freeze_count() >= before + len(more)
    finally:
        # The rest of the suite: its own long-lived objects frozen again (tests/conftest.py).
        gc.unfreeze()
        gc.collect()
        gc.freeze()
