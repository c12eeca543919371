"""Posting recurring rules: every due occurrence becomes a ledger entry, exactly once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from finora.dates import BusinessCalendar, today
from finora.forecast.recurrence import Occurrence, RuleSpec, occurrences
from finora.models import Entry, Household, RecurringRule, Skip
from finora.models.base import utcnow

# Occurrences posted per run at most; a longer backlog continues on the next run.
POST_CAP = 500
# A nominal date this many days back can still be moved forward into the due range by the
# business-day policy (weekends plus the longest holiday runs).
SHIFT_MARGIN = timedelta(days=10)


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
    rule: RecurringRule, skips: frozenset[date], on: date, calendar: BusinessCalendar
) -> list[Occurrence]:
    """Occurrences due by `on` (adjusted date) that the posting job has not handled yet."""
    start = rule.anchor_date - SHIFT_MARGIN
    if rule.posted_through is not None:
        start = max(start, rule.posted_through - SHIFT_MARGIN)
    found = occurrences(rule_spec(rule, skips), start, on, calendar)
    if rule.posted_through is None:
        return found
    return [o for o in found if o.nominal > rule.posted_through]


def post_due_occurrences(session: Session, *, cap: int = POST_CAP) -> int:
    """Post what is due for every household's auto-post rules; returns the entries created.

    Safe to run twice, or in several processes at the same moment: each entry is inserted
    under the unique (rule_id, occurrence_date) key inside a savepoint, and a clash means
    another run already posted it. The caller commits.
    """
    rules = session.scalars(
        select(RecurringRule)
        .where(RecurringRule.auto_post.is_(True), RecurringRule.is_scenario.is_(False))
        .order_by(RecurringRule.household_id, RecurringRule.id)
    ).unique()
    posted, budget = 0, cap
    households: dict[int, tuple[date, BusinessCalendar]] = {}
    for rule in rules:
        if budget <= 0:
            break
        if rule.household_id not in households:
            household = session.get(Household, rule.household_id)
            households[rule.household_id] = (today(household), BusinessCalendar(household.country))
        on, calendar = households[rule.household_id]
        skips = frozenset(
            session.scalars(select(Skip.occurrence_date).where(Skip.rule_id == rule.id))
        )
        due = due_occurrences(rule, skips, on, calendar)
        batch = due[:budget]
        for occurrence in batch:
            posted += _post(session, rule, occurrence)
        budget -= len(batch)
        if batch:
            # Handled up to here; the rest of a capped backlog waits for the next run.
            rule.posted_through = max(o.nominal for o in batch)
            session.flush()
    return posted


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
    return 1 if session.execute(statement).rowcount == 1 else 0


def _insert_ignoring_duplicates(session: Session, values: dict):
    """INSERT that leaves an existing (rule_id, occurrence_date) row alone, on each engine."""
    table = Entry.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(table).values(values).on_conflict_do_nothing(
            index_elements=["rule_id", "occurrence_date"]
        )
    if dialect == "sqlite":
        return sqlite_insert(table).values(values).on_conflict_do_nothing(
            index_elements=["rule_id", "occurrence_date"]
        )
    if dialect in ("mysql", "mariadb"):
        # INSERT IGNORE reports 0 rows for the duplicate (a no-op ON DUPLICATE KEY UPDATE
        # would report 1 under the FOUND_ROWS flag SQLAlchemy connects with). The values
        # were checked when the rule was saved, so nothing else is there to ignore.
        return mysql_insert(table).values(values).prefix_with("IGNORE")
    raise NotImplementedError(f"posting needs an insert-or-ignore for {dialect}")
