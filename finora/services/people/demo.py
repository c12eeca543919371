"""One-click demo households (DEMO_MODE_ENABLED): a visitor gets an isolated household filled
with a realistic year, signed in without a sign-up, and everything is deleted once it expires.

A demo user has no usable password (a random one, never shown), so it can only be reached
through the session or token the demo endpoint hands out. `demo_expires_at` on the user and
the household marks both: the admin's lists leave such users out, the restricted pages
refuse them (finora.web), and `purge_expired_demos` deletes them completely.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from finora.dates import today_in
from finora.errors import FinoraError
from finora.models import Account, Category, Household, Membership, Setting, User
from finora.models.base import Base
from finora.services.people.passwords import hash_password
from finora.services.people.registration import set_up_household
from finora.services.planning.budgets import BudgetData, create_budget
from finora.services.planning.goals import GoalData, create_goal
from finora.services.planning.rules import RuleData, create_rule
from finora.translation import lazy_gettext as _l

DEMO_EMAIL_DOMAIN = "demo.invalid"  # reserved (RFC 2606): never a real mailbox
DEMO_ENTRIES = 900  # about a year of a household's everyday life, quick to insert
DEMO_TIMEZONE = "America/Sao_Paulo"  # the seeded ledger is a Brazilian household's
DEMO_CURRENCY = "BRL"
# The settings row every demo creation locks, so that counting the live demos and adding
# one happen one creation at a time (see _hold_creation_lock).
CREATION_LOCK_KEY = "demo.creation_lock"


class DemoCapacityError(FinoraError):
    message = _l("Too many demos are running right now. Try again later.")
    status = 429


def is_demo(user: User | None) -> bool:
    """A demo visitor (for the restrictions): no sign-up, deleted when the demo expires."""
    return user is not None and getattr(user, "demo_expires_at", None) is not None


def active_demo_count(session: Session, now: datetime, *, latest: bool = False) -> int:
    """How many demos are live at `now`. `latest`: read the latest committed rows even under
    MariaDB's repeatable read, whose plain reads see the transaction's first snapshot
    (a locking read; PostgreSQL and SQLite read the latest rows at each statement)."""
    query = select(func.count()).select_from(Household).where(Household.demo_expires_at > now)
    if latest and session.get_bind().dialect.name in ("mysql", "mariadb"):
        query = query.with_for_update(read=True)
    return session.scalar(query) or 0


def _insert_lock_row(dialect: str, now: datetime):
    values = {"key": CREATION_LOCK_KEY, "value": "", "updated_at": now}
    # Each dialect's insert is imported here (its engine has loaded it already).
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(Setting).values(values).on_conflict_do_nothing(index_elements=["key"])
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(Setting).values(values).on_conflict_do_nothing(index_elements=["key"])
    from sqlalchemy.dialects.mysql import insert as mysql_insert

    return mysql_insert(Setting).values(values).prefix_with("IGNORE")


def _hold_creation_lock(session: Session, now: datetime) -> None:
    """Take the demo creation lock until the transaction ends: a concurrent creation waits
    here until this one has committed (its demo then counts) or rolled back.

    The lock is the row lock an UPDATE takes on one settings row, the same on PostgreSQL
    and MariaDB; on SQLite the UPDATE takes the database's single write lock, which also
    makes the count that follows read after every earlier creation. The row is made once
    (the first demo of the instance); on a server database in its own short transaction,
    so two first creations do not deadlock on the gap where the row is missing."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(_insert_lock_row(dialect, now))  # holds the write lock from here
    else:
        engine = session.get_bind().engine  # an Engine also when bound to a Connection
        with engine.connect() as connection:
            missing = connection.scalar(
                select(Setting.key).where(Setting.key == CREATION_LOCK_KEY)) is None
        if missing:
            with engine.begin() as connection:
                connection.execute(_insert_lock_row(dialect, now))
    session.execute(
        update(Setting).where(Setting.key == CREATION_LOCK_KEY)
        .values(value=now.isoformat(), updated_at=now)
        .execution_options(synchronize_session=False)
    )


def create_demo(
    session: Session,
    *,
    now: datetime,
    ttl: timedelta,
    locale: str,
    max_active: int | None = None,
    rng: random.Random | None = None,
) -> tuple[User, Household]:
    """A new demo user who owns a new household holding a year of finances (accounts,
    categories, entries, transfers, rules, budgets, goals and a scenario), both expiring
    at `now + ttl`. Refused with DemoCapacityError once `max_active` demos are live.

    With `max_active`, creations run one at a time from the count to the commit (a lock
    held until the caller's transaction ends), so demos created at the same moment cannot
    all pass the count and go past the cap."""
    if max_active is not None:
        _hold_creation_lock(session, now)
        if active_demo_count(session, now, latest=True) >= max_active:
            raise DemoCapacityError()
    from finora.services.system.seed import seed_household  # large module: only when used

    expires = now + ttl
    with force_locale(locale):
        user_name = str(_l("Demo visitor"))
        household_name = str(_l("Demo household"))
    user = User(
        email=f"demo-{secrets.token_hex(8)}@{DEMO_EMAIL_DOMAIN}",
        name=user_name,
        password_hash=hash_password(secrets.token_urlsafe(32)),
        locale=locale,
        status="active",
        approved_at=now,
        demo_expires_at=expires,
    )
    household = Household(name=household_name, currency=DEMO_CURRENCY, timezone=DEMO_TIMEZONE,
                          country="BR", demo_expires_at=expires)
    session.add_all([user, household])
    session.add(Membership(user=user, household=household, role="owner"))
    session.flush()
    set_up_household(session, household, locale)
    today = today_in(household.timezone)
    seed_household(session, household, years=1, end=today, rng=rng or random.Random(),  # noqa: S311 - demo data
                   target_entries=DEMO_ENTRIES, locale=locale)
    _add_plans(session, household, today, locale)
    return user, household


def _add_plans(session: Session, household: Household, today: date, locale: str) -> None:
    """What the seeded ledger lacks: rules, budgets, goals and a what-if scenario."""
    categories = dict(session.execute(
        select(Category.code, Category.id).where(Category.household_id == household.id,
                                                 Category.code.is_not(None))
    ).all())
    accounts = dict(session.execute(
        select(Account.kind, func.min(Account.id)).where(Account.household_id == household.id)
        .group_by(Account.kind)
    ).all())
    checking = accounts.get("checking")
    savings = accounts.get("savings")

    def category(*codes: str) -> int | None:
        return next((categories[c] for c in codes if c in categories), None)

    def parent_of(code: str) -> int | None:
        return category(code.rsplit(".", 1)[0], code)

    next_month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    with force_locale(locale):
        rules = [
            (_l("Salary"), "income", "5200.00", "income.work.salary", "monthly", next_month.replace(day=5)),
            (_l("Rent"), "expense", "1850.00", "expense.housing.rent", "monthly", next_month.replace(day=10)),
            (_l("Internet"), "expense", "119.90", "expense.telecom.internet", "monthly", next_month.replace(day=15)),
            (_l("Streaming subscription"), "expense", "39.90", "expense.leisure.subscriptions", "monthly",
             next_month.replace(day=20)),
            (_l("Car insurance"), "expense", "2400.00", "expense.insurance.vehicle", "yearly",
             next_month.replace(day=25)),
        ]
        for name, kind, amount, code, frequency, anchor in rules:
            create_rule(session, household, RuleData(
                name=str(name), kind=kind, amount=Decimal(amount), account_id=checking,
                category_id=parent_of(code), subcategory_id=categories.get(code),
                frequency=frequency, anchor_date=anchor))
        create_rule(session, household, RuleData(
            name=str(_l("New car financing (what if?)")), kind="expense", amount=Decimal("1450.00"),
            account_id=checking, category_id=parent_of("expense.transport.vehicle_payment"),
            subcategory_id=categories.get("expense.transport.vehicle_payment"),
            frequency="monthly", anchor_date=next_month.replace(day=12)), scenario=True)
        for code, amount in (("expense.food", "1800.00"), ("expense.leisure", "600.00"),
                             ("expense.transport", "900.00")):
            if code in categories:
                create_budget(session, household, BudgetData(
                    category_id=categories[code], period="monthly", amount=Decimal(amount)))
        create_goal(session, household, GoalData(
            name=str(_l("Emergency fund")), target_amount=Decimal("30000.00"),
            target_date=date(today.year + 1, today.month, 1), account_id=savings))
        create_goal(session, household, GoalData(
            name=str(_l("Holiday trip")), target_amount=Decimal("8000.00"),
            target_date=date(today.year + 1, 1, 15)))
    session.flush()


def delete_demo_household(session: Session, household_id: int) -> None:
    """Every row of the demo household and its demo users, nothing left behind."""
    from finora.services.backups.household_restore import delete_household_rows

    user_ids = list(session.scalars(
        select(Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.household_id == household_id, User.demo_expires_at.is_not(None))
    ))
    delete_household_rows(session, household_id)
    # Tables outside the backup (tokens, invitations, audit events, jobs...), then the
    # rows of the demo users, then the household and the users themselves.
    for table in reversed(Base.metadata.sorted_tables):
        if "household_id" in table.c and table.name != "memberships":
            session.execute(delete(table).where(table.c.household_id == household_id))
    if user_ids:
        for table in reversed(Base.metadata.sorted_tables):
            if "user_id" in table.c and table.name != "memberships":
                session.execute(delete(table).where(table.c.user_id.in_(user_ids)))
    session.execute(delete(Membership).where(Membership.household_id == household_id))
    session.execute(delete(Household).where(Household.id == household_id))
    if user_ids:
        session.execute(delete(Membership).where(Membership.user_id.in_(user_ids)))
        session.execute(delete(User).where(User.id.in_(user_ids)))
    session.flush()
    session.expire_all()


def purge_expired_demos(session: Session, now: datetime) -> int:
    """Delete every demo household (and its demo users) whose time is up; returns how many.
    Flushes; the caller commits."""
    expired = list(session.scalars(
        select(Household.id).where(Household.demo_expires_at.is_not(None),
                                   Household.demo_expires_at <= now)
    ))
    for household_id in expired:
        delete_demo_household(session, household_id)
    stray = list(session.scalars(
        select(User.id).where(User.demo_expires_at.is_not(None), User.demo_expires_at <= now)
    ))
    for table in reversed(Base.metadata.sorted_tables):
        if stray and "user_id" in table.c:
            session.execute(delete(table).where(table.c.user_id.in_(stray)))
    if stray:
        session.execute(delete(User).where(User.id.in_(stray)))
    session.flush()
    return len(expired)


def purge_expired_demos_job(session: Session, holder: str) -> int:
    """The scheduler job: delete the expired demos and commit; returns how many."""
    from finora.dates import now_utc

    purged = purge_expired_demos(session, now_utc())
    session.commit()
    return purged
