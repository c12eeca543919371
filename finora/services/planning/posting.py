"""Posting recurring rules: every due occurrence becomes a ledger entry, exactly once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, select
from sqlalchemy.orm import Session

from finora.business_days import BusinessCalendar, add_days
from finora.dates import date_window, today
from finora.forecast.recurrence import Occurrence, RuleSpec, occurrences
from finora.models import Entry, Household, RecurringRule, Skip
from finora.models.base import utcnow

# Occurrences posted per household and run at most: every household gets this share of
# each run, so one household's backlog of decades never delays another's posting; the rest
# of a longer backlog continues on the next run.
POST_CAP = 500
# A nominal date this many days back can still be moved forward into the due range by the
# business-day policy (weekends plus the longest holiday runs).
SHIFT_MARGIN = timedelta(days=10)
# The longest step between two occurrences, in days (a yearly rule on Feb 29 aside, which
# the margin covers): bounds how far ahead `due_occurrences` needs to look for `limit` dates.
_LONGEST_STEP = {"once": 1, "daily": 1, "weekly": 7, "biweekly": 14, "monthly": 31,
                 "quarterly": 92, "yearly": 366}


def rule_spec(rule: RecurringRule, skips: frozenset[date] = frozenset()) -> RuleSpec:
    return RuleSpec(
        frequency=rule.frequency,
        anchor=rule.anchor_date,
        end=rule.end_date,
        policy=rule.business_day_policy,
        hold_until=rule.hold_until,
        skips=skips,
        rule_id=rule.id,
    )


def due_occurrences(
    rule: RecurringRule,
    skips: frozenset[date],
    on: date,
    calendar: BusinessCalendar,
    limit: int | None = None,
) -> list[Occurrence]:
    """Occurrences due by `on` (adjusted date) that the posting job has not handled yet;
    with `limit`, the first `limit` of them (only that stretch of the backlog is expanded).

    Nothing dated before the date window (finora.dates.date_window) is posted: a rule saved
    with an anchor in year 1 starts at the window instead of walking two thousand years.
    """
    margin = SHIFT_MARGIN.days
    start = max(add_days(rule.anchor_date, -margin), date_window()[0])
    for after in (rule.posted_through, rule.hold_until):
        if after is not None:
            start = max(start, add_days(after, -margin))
    last = on
    if rule.end_date is not None:
        last = min(last, add_days(rule.end_date, margin))
    if rule.frequency == "once":
        last = min(last, add_days(rule.anchor_date, margin))
    spec = rule_spec(rule, skips)
    step = _LONGEST_STEP.get(rule.frequency, 366)
    found: list[Occurrence] = []
    # With a limit, the backlog is expanded a stretch at a time, each long enough for the
    # occurrences still wanted, so a rule decades behind costs `limit` dates, not decades.
    while start <= last and (limit is None or len(found) < limit):
        end = last if limit is None else min(last, add_days(start, (limit - len(found)) * step + 2 * margin))
        found.extend(
            o
            for o in occurrences(spec, start, end, calendar)
            if rule.posted_through is None or o.nominal > rule.posted_through
        )
        if end == date.max:
            break
        start = add_days(end, 1)
    return found if limit is None else found[:limit]


def households_to_post(session: Session) -> list[int]:
    """The ids of the households with auto-post ledger rules, in id order."""
    return list(
        session.scalars(
            select(RecurringRule.household_id)
            .where(RecurringRule.auto_post.is_(True), RecurringRule.is_scenario.is_(False))
            .distinct()
            .order_by(RecurringRule.household_id)
        )
    )


def post_household(session: Session, household_id: int, *, cap: int = POST_CAP) -> int:
    """Post what is due for one household's auto-post rules, `cap` occurrences at most;
    returns the entries created. Flushes; the caller commits (the scheduled job commits
    each household on its own, see finora.jobs).

    Safe to run twice, or in several processes at the same moment: each entry is inserted
    under the unique (rule_id, occurrence_date) key, and a clash means another run already
    posted it.
    """
    household = session.get(Household, household_id)
    if household is None:  # deleted since the list of households was read
        return 0
    rules = list(
        session.scalars(
            select(RecurringRule)
            .where(
                RecurringRule.household_id == household_id,
                RecurringRule.auto_post.is_(True),
                RecurringRule.is_scenario.is_(False),
            )
            .order_by(RecurringRule.id)
        ).unique()
    )
    if not rules:
        return 0
    on, calendar = today(household), calendar_for(household.country)
    skips_of: dict[int, frozenset[date]] = {}
    posted, budget = 0, cap
    # Two passes: each rule first gets an even part of the share, so the household's rent is
    # not left waiting behind its own daily rule decades behind; what is left goes in order.
    for part in (max(1, cap // len(rules)), None):
        for rule in rules:
            if budget <= 0:
                return posted
            if rule.id not in skips_of:
                skips_of[rule.id] = _skips_of(session, rule)
            limit = budget if part is None else min(part, budget)
            handled, created = _post_rule(session, rule, skips_of[rule.id], on, calendar, limit)
            posted += len(created)
            budget -= handled
    return posted


@dataclass(frozen=True)
class PostedNow:
    """What saving a rule posted at once: the occurrences that became entries (in date
    order), and whether more are due than one run posts (the scheduler posts the rest)."""

    occurrences: list[Occurrence] = field(default_factory=list)
    more_due: bool = False


def post_rule_now(session: Session, rule: RecurringRule, *, cap: int = POST_CAP) -> PostedNow:
    """Post the rule's due occurrences now, as the scheduled job would (same occurrences,
    same unique key, same date window, `cap` at most), so a rule saved with an occurrence
    due today or earlier is on the ledger in the same request. Nothing for a manual or
    what-if rule. Flushes; the caller commits."""
    if not rule.auto_post or rule.is_scenario:
        return PostedNow()
    household = session.get_one(Household, rule.household_id)  # a non-null foreign key
    on, calendar = today(household), calendar_for(household.country)
    skips = _skips_of(session, rule)
    _handled, created = _post_rule(session, rule, skips, on, calendar, cap)
    more = bool(due_occurrences(rule, skips, on, calendar, limit=1))
    return PostedNow(sorted(created, key=lambda o: (o.date, o.nominal)), more)


def _skips_of(session: Session, rule: RecurringRule) -> frozenset[date]:
    return frozenset(session.scalars(select(Skip.occurrence_date).where(Skip.rule_id == rule.id)))


def _post_rule(
    session: Session,
    rule: RecurringRule,
    skips: frozenset[date],
    on: date,
    calendar: BusinessCalendar,
    limit: int,
) -> tuple[int, list[Occurrence]]:
    """Post up to `limit` of the rule's due occurrences; returns how many were handled and
    the ones this call created (another run may have posted the rest already)."""
    batch = due_occurrences(rule, skips, on, calendar, limit=limit)
    created = [occurrence for occurrence in batch if _post(session, rule, occurrence)]
    if batch:
        # Handled up to here; the rest of a capped backlog waits for the next run.
        rule.posted_through = max(o.nominal for o in batch)
        session.flush()
    return len(batch), created


def post_due_occurrences(session: Session, *, cap: int = POST_CAP) -> int:
    """Post what is due for every household (each with its own `cap`) in the caller's
    transaction; returns the entries created. The caller commits. The scheduled job does
    not use this: it gives each household its own transaction (finora.jobs)."""
    return sum(
        post_household(session, household_id, cap=cap)
        for household_id in households_to_post(session)
    )


def calendar_for(country: str | None) -> BusinessCalendar:
    """The household's business calendar; an unknown country code counts weekends only."""
    try:
        return BusinessCalendar(country)
    except ValueError:
        return BusinessCalendar(None)


def _post(session: Session, rule: RecurringRule, occurrence: Occurrence) -> int:
    """Insert the occurrence's entry unless it exists; 1 if this call created it."""
    values = {
        "household_id": rule.household_id,
        "account_id": rule.account_id,
        "kind": rule.kind,
        "amount": rule.amount,
        "date": occurrence.date,
        "paid_on": occurrence.date if rule.mark_paid else None,
        "description": rule.name,
        "category_id": rule.category_id,
        "subcategory_id": rule.subcategory_id,
        "payment_method": rule.payment_method,
        "rule_id": rule.id,
        "occurrence_date": occurrence.nominal,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }
    statement = _insert_ignoring_duplicates(session, values)
    if statement.is_dml and session.get_bind().dialect.name in ("postgresql", "sqlite"):
        # rowcount is not reliable there with RETURNING in play: count the returned row.
        return 1 if session.execute(statement.returning(Entry.__table__.c.id)).first() else 0
    return 1 if cast("CursorResult[Any]", session.execute(statement)).rowcount == 1 else 0


def _insert_ignoring_duplicates(session: Session, values: dict):
    """INSERT that leaves an existing (rule_id, occurrence_date) row alone, on each engine."""
    table = cast(Table, Entry.__table__)  # a declarative model's table is a Table
    dialect = session.get_bind().dialect.name
    # Each dialect's insert is imported here: its engine has loaded it already, and a
    # worker does not load the two other dialects at start.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).values(values).on_conflict_do_nothing(
            index_elements=["rule_id", "occurrence_date"]
        )
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).values(values).on_conflict_do_nothing(
            index_elements=["rule_id", "occurrence_date"]
        )
    if dialect in ("mysql", "mariadb"):
        # INSERT IGNORE reports 0 rows for the duplicate (a no-op ON DUPLICATE KEY UPDATE
        # would report 1 under the FOUND_ROWS flag SQLAlchemy connects with). The values
        # were checked when the rule was saved, so nothing else is there to ignore.
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        return mysql_insert(table).values(values).prefix_with("IGNORE")
    raise NotImplementedError(f"posting needs an insert-or-ignore for {dialect}")
