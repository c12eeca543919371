"""The load test's data: a seeded PostgreSQL template database, built once and copied per run.

The template holds the big household (100,000 entries over ten years, 200 recurring rules
for the forecast) and ten households of 10,000 entries each (FINORA_LOAD_SMALL=1: 200
entries and one more household), every household with a few signed-in people (owners:
the backup centre is for owners) sharing one known password, and a few auto-post rules
behind on their posting, so the scheduler posts during the run.

Its name carries the migration head, SEED_VERSION and the size: a run finds the template
its code would build and copies it (`CREATE DATABASE ... TEMPLATE`, seconds), and only a
new migration, a change here (bump SEED_VERSION) or another size seeds again. A template
is built under a temporary name and renamed when complete, so an interrupted build leaves
nothing a later run would take for a template.
"""

from __future__ import annotations

import logging
import random
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from finora import create_app
from finora.dates import today
from finora.extensions import db
from finora.models import Account, Category, Household, Membership, RecurringRule, User
from finora.services.people.passwords import hash_password
from finora.services.people.registration import SignupData, register_user
from finora.services.system.seed import refresh_statistics, seed_household

ROOT = Path(__file__).resolve().parents[2]
# Bump when what the template holds changes: older templates are then left alone (and
# `python -m tests.load.run --drop-templates` removes them).
SEED_VERSION = 1
TEMPLATE_PREFIX = "finora_load_tpl_"
PASSWORD = "load test password 2026"
YEARS = 10
FORECAST_RULES = 200
# Auto-post rules per household, behind on their posting when the template is made:
# the scheduler posts their backlog during the run, beside the API's schedule creations.
AUTO_POST = (("daily", 90), ("weekly", 120), ("monthly", 400))


@dataclass(frozen=True)
class Size:
    name: str
    big_entries: int
    small_entries: int
    small_households: int
    forecast_rules: int
    people_big: int  # signed-in people in the big household
    people_small: int  # and in each of the others
    years: int


FULL = Size("full", 100_000, 10_000, 10, FORECAST_RULES, 15, 5, YEARS)
SMALL = Size("small", 200, 200, 1, 10, 3, 3, 1)


def migration_head() -> str:
    return ScriptDirectory(str(ROOT / "migrations")).get_current_head() or "base"


def template_name(size: Size) -> str:
    head = "".join(c if c.isalnum() else "_" for c in migration_head().lower())
    return f"{TEMPLATE_PREFIX}{size.name}_v{SEED_VERSION}_{head}"[:63]


def admin_engine(server: str):
    url = make_url(server).set(database="postgres")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def database_exists(server: str, name: str) -> bool:
    engine = admin_engine(server)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ) is not None
    finally:
        engine.dispose()


def create_database(server: str, name: str, template: str | None = None) -> str:
    """A new database (a copy of `template` when given); returns its URL."""
    engine = admin_engine(server)
    clause = f' TEMPLATE "{template}"' if template else ""
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause} ENCODING \'UTF8\''))
    finally:
        engine.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    engine = admin_engine(server)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def drop_templates(server: str) -> list[str]:
    """Drop every load-test template (all sizes and versions); returns their names."""
    engine = admin_engine(server)
    try:
        with engine.connect() as connection:
            names = list(connection.scalars(
                text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                {"prefix": TEMPLATE_PREFIX + "%"},
            ))
    finally:
        engine.dispose()
    for name in names:
        drop_database(server, name)
    return names


def testing_app(url: str, data_dir: Path):
    return create_app({
        "FINORA_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "DATA_DIR": data_dir,
        "LOG_TO_FILE": False,
        "WTF_CSRF_ENABLED": False,
    })


def ensure_template(server: str, size: Size) -> tuple[str, float | None]:
    """The template's name, and the seconds its build took (None: it was there already)."""
    name = template_name(size)
    if database_exists(server, name):
        return name, None
    started = time.perf_counter()
    building = f"finora_load_build_{secrets.token_hex(5)}"
    url = create_database(server, building)
    try:
        _seed(url, size)
        engine = admin_engine(server)
        try:
            with engine.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
        finally:
            engine.dispose()
    except Exception:
        drop_database(server, building)
        if database_exists(server, name):  # another run built it at the same moment
            return name, None
        raise
    _drop_older_templates(server, size, keep=name)
    return name, time.perf_counter() - started


def _drop_older_templates(server: str, size: Size, keep: str) -> None:
    """Templates of this size for another migration head or seed version: nothing builds
    from them any more (a run still copying one keeps it: the drop is skipped)."""
    engine = admin_engine(server)
    try:
        with engine.connect() as connection:
            names = list(connection.scalars(
                text("SELECT datname FROM pg_database WHERE datname LIKE :prefix AND datname <> :keep"),
                {"prefix": f"{TEMPLATE_PREFIX}{size.name}_%", "keep": keep},
            ))
            for name in names:
                try:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                except DBAPIError:  # in use by a copy at this moment
                    continue
    finally:
        engine.dispose()


def _signup(n: int) -> SignupData:
    return SignupData(
        name=f"Load owner {n}", email=f"load{n}@example.com", password=PASSWORD,
        household_name=f"Load household {n}", currency="BRL", locale="pt",
        timezone="America/Sao_Paulo",
    )


def _seed(url: str, size: Size) -> None:
    from flask_migrate import upgrade

    from tests.bench.run import add_rules

    logging.getLogger("finora.mail").setLevel(logging.WARNING)
    app = testing_app(url, Path(tempfile.mkdtemp(prefix="finora-load-seed-")))
    with app.app_context():
        upgrade()
        password_hash = hash_password(PASSWORD)  # the production cost: sign-ins verify it
        for n in range(size.small_households + 1):
            started = time.perf_counter()
            owner = register_user(db.session, _signup(n), mode="open")
            household = owner.memberships[0].household
            end = today(household)
            report = seed_household(
                db.session, household, years=size.years, end=end, rng=random.Random(2026 + n),
                target_entries=size.big_entries if n == 0 else size.small_entries,
            )
            if n == 0:
                add_rules(household, size.forecast_rules, random.Random(7), end)
            _add_auto_post_rules(household, end)
            people = size.people_big if n == 0 else size.people_small
            for p in range(1, people):
                user = User(
                    email=f"load{n}.{p}@example.com", name=f"Load person {n}.{p}",
                    password_hash=password_hash, locale="pt", status="active",
                    approved_at=owner.approved_at,
                )
                db.session.add(user)
                db.session.add(Membership(user=user, household=household, role="owner"))
            db.session.commit()
            print(
                f"  household {n}: {report.entries:,} entries, {report.transfers:,} transfers, "
                f"{people} people ({time.perf_counter() - started:.1f} s)", flush=True,
            )
        refresh_statistics(db.session)
        db.session.remove()
        db.engine.dispose()


def _add_auto_post_rules(household: Household, end) -> None:
    account = db.session.scalar(
        select(Account.id).where(Account.household_id == household.id, Account.archived.is_(False))
        .order_by(Account.id).limit(1)
    )
    category = db.session.scalar(
        select(Category.id).where(
            Category.household_id == household.id, Category.kind == "expense",
            Category.parent_id.is_(None),
        ).order_by(Category.id).limit(1)
    )
    for frequency, days_behind in AUTO_POST:
        db.session.add(RecurringRule(
            household_id=household.id, name=f"Load auto-post {frequency}", kind="expense",
            amount=Decimal("12.34"), account_id=account, category_id=category,
            frequency=frequency, anchor_date=end - timedelta(days=days_behind),
            business_day_policy="none", auto_post=True, posted_through=None,
        ))
    db.session.flush()
