"""One timing of `make bench` on its own: a fresh database with only the 100,000-entry
household, the timing, then the database dropped (`python -m tests.bench.imports`, …)."""

from __future__ import annotations

import logging
import os
import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Flask


def run_alone(name: str, timed: Callable[[Flask, str], bool]) -> int:
    """Seed the big household as `make bench` does, run `timed(app, owner_email)` and
    return the exit status (0 when it met its floor)."""
    from flask_migrate import upgrade

    from finora import create_app
    from finora.dates import today
    from finora.extensions import db
    from finora.services.people.registration import register_user
    from finora.services.system.seed import refresh_statistics, seed_household
    from tests.bench.run import BIG_ENTRIES, YEARS, _signup
    from tests.bench.splits import add_splits
    from tests.dbutil import create_test_database, drop_test_database, server_url_from_env

    server = server_url_from_env(os.environ.get("FINORA_BENCH_DATABASE_URL"))
    tmpdir = Path(tempfile.mkdtemp(prefix=f"finora-bench-{name}-"))
    url = create_test_database(server)
    app = create_app({"FINORA_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": tmpdir,
                      "LOG_TO_FILE": False, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    logging.getLogger("finora.mail").setLevel(logging.WARNING)
    try:
        with app.app_context():
            upgrade()
            owner = register_user(db.session, _signup(0), mode="open")
            household = owner.memberships[0].household
            seed_household(db.session, household, years=YEARS, end=today(household),
                           rng=random.Random(2024), target_entries=BIG_ENTRIES)
            add_splits(db.session, household, random.Random(21))
            db.session.commit()
            refresh_statistics(db.session)
            email = owner.email
            db.session.remove()
        return 0 if timed(app, email) else 1
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_test_database(url)
        shutil.rmtree(tmpdir, ignore_errors=True)
