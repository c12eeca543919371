"""Running test calls at the same moment, each in its own thread (own client, app context,
session and database connection), so their transactions really overlap."""

from __future__ import annotations

import threading
from collections.abc import Callable


def at_once(calls: list[Callable[[], object]], *, timeout: float = 20) -> list[object]:
    """Run each call in its own thread, all released together; their results in order.
    An exception in a call is returned in its place (and fails the test's assertions)."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait(timeout=timeout)
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
