"""Recurring rules: create, edit, hold, resume, end, delete, and their next occurrences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.business_days import BusinessCalendar, add_days
from finora.dates import check_date, today
from finora.errors import FieldError
from finora.forecast.recurrence import FREQUENCIES, Occurrence, occurrences
from finora.models import Entry, Household, RecurringRule, Skip
from finora.models.entry import PAYMENT_METHODS
from finora.models.rule import BUSINESS_DAY_POLICIES
from finora.services.ledger.ledger_refs import validate_ledger_refs
from finora.services.planning.posting import PostedNow, post_rule_now, rule_spec
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

# The policy chosen by the rule's kind when it is saved (income → previous, expense → next).
DEFAULT_POLICY = "default"
# How far ahead next_occurrences looks at most: past this a rule has no "next" worth showing.
_LOOKAHEAD_LIMIT = timedelta(days=366 * 30)
_FIRST_WINDOW = timedelta(days=62)


@dataclass(frozen=True)
class RuleData:
    name: str
    kind: str
    amount: Decimal | None
    account_id: int | None
    category_id: int | None
    frequency: str
    anchor_date: date | None
    subcategory_id: int | None = None
    payment_method: str = "other"
    end_date: date | None = None
    business_day_policy: str = DEFAULT_POLICY
    auto_post: bool = True
    mark_paid: bool = False


def calendar_of(household: Household) -> BusinessCalendar:
    """Weekends plus the household's country's public holidays, when it has a country."""
    try:
        return BusinessCalendar(household.country)
    except ValueError:
        return BusinessCalendar(None)


def list_rules(session: Session, household: Household) -> list[RecurringRule]:
    """The household's ledger rules (what-if scenario rules belong to the forecast)."""
    return list(
        session.scalars(
            select(RecurringRule)
            .where(RecurringRule.household_id == household.id, RecurringRule.is_scenario.is_(False))
            .order_by(RecurringRule.name, RecurringRule.id)
        ).unique()
    )


def list_scenarios(session: Session, household: Household) -> list[RecurringRule]:
    """The household's what-if rules."""
    return list(
        session.scalars(
            select(RecurringRule)
            .where(RecurringRule.household_id == household.id, RecurringRule.is_scenario.is_(True))
            .order_by(RecurringRule.name, RecurringRule.id)
        ).unique()
    )


def skips_by_rule(session: Session, household: Household) -> dict[int, frozenset[date]]:
    found: dict[int, set[date]] = {}
    for rule_id, day in session.execute(
        select(Skip.rule_id, Skip.occurrence_date).where(Skip.household_id == household.id)
    ):
        found.setdefault(rule_id, set()).add(day)
    return {rule_id: frozenset(days) for rule_id, days in found.items()}


def _validate(
    session: Session, household: Household, data: RuleData, current: RecurringRule | None
) -> None:
    if not (data.name or "").strip():
        raise FieldError("name", _l("Name the rule."))
    if data.kind not in ("income", "expense"):
        raise FieldError("kind", _l("Choose income or expense."))
    if data.amount is None or data.amount <= 0:
        raise FieldError("amount", _l("Enter a positive amount."))
    if data.payment_method not in PAYMENT_METHODS:
        raise FieldError("payment_method", _l("Choose a payment method."))
    if data.frequency not in FREQUENCIES:
        raise FieldError("frequency", _l("Choose how often it repeats."))
    if data.business_day_policy not in (DEFAULT_POLICY, *BUSINESS_DAY_POLICIES):
        raise FieldError("business_day_policy", _l("Choose what happens on non-business days."))
    if data.anchor_date is None:
        raise FieldError("anchor_date", _l("Enter the date of the first occurrence."))
    check_date(data.anchor_date, "anchor_date")
    check_date(data.end_date, "end_date")
    if data.end_date is not None and data.end_date < data.anchor_date:
        raise FieldError("end_date", _l("The end date cannot be before the first occurrence."))
    validate_ledger_refs(
        session,
        household,
        kind=data.kind,
        account_id=data.account_id,
        category_id=data.category_id,
        subcategory_id=data.subcategory_id,
        current=current,
    )


def resolved_policy(policy: str, kind: str) -> str:
    return BusinessCalendar.default_policy(kind) if policy == DEFAULT_POLICY else policy


def _apply(rule: RecurringRule, data: RuleData) -> None:
    # After _validate, which refused None for the amount, account, category and first date.
    rule.name = data.name.strip()
    rule.kind = data.kind
    rule.amount = cast(Decimal, data.amount)
    rule.account_id = cast(int, data.account_id)
    rule.category_id = cast(int, data.category_id)
    rule.subcategory_id = data.subcategory_id
    rule.payment_method = data.payment_method
    rule.frequency = data.frequency
    rule.anchor_date = cast(date, data.anchor_date)
    rule.end_date = data.end_date
    rule.business_day_policy = resolved_policy(data.business_day_policy, data.kind)
    rule.auto_post = data.auto_post
    rule.mark_paid = data.mark_paid


def create_rule(
    session: Session, household: Household, data: RuleData, *, scenario: bool = False
) -> RecurringRule:
    """A ledger rule, or with `scenario` a what-if rule: only on the forecast's scenario
    line, never posted."""
    _validate(session, household, data, None)
    rule = RecurringRule(household_id=household.id, is_scenario=scenario)
    _apply(rule, data)
    if scenario:
        rule.auto_post = False
        rule.mark_paid = False
    session.add(rule)
    session.flush()
    audit.record(session, "rule.created", object=rule)
    return rule


def _schedule(rule: RecurringRule) -> tuple:
    return (rule.frequency, rule.anchor_date, rule.end_date, rule.business_day_policy)


def _has_posted(session: Session, rule: RecurringRule) -> bool:
    if rule.posted_through is not None:
        return True
    return session.scalar(select(Entry.id).where(Entry.rule_id == rule.id).limit(1)) is not None


def update_rule(session: Session, rule: RecurringRule, data: RuleData) -> None:
    """Save new values; occurrences already posted, or already past, are left as they are."""
    household = session.get_one(Household, rule.household_id)
    _validate(session, household, data, rule)
    before = _schedule(rule)
    _apply(rule, data)
    if rule.is_scenario:
        rule.auto_post = False
        rule.mark_paid = False
    if _schedule(rule) != before and _has_posted(session, rule):
        # A new anchor gives new nominal dates the unique key cannot match with the old
        # ones: mark everything up to yesterday as handled so none of it is posted again.
        yesterday = today(household) - timedelta(days=1)
        rule.posted_through = max(rule.posted_through or yesterday, yesterday)
    session.flush()
    audit.record(session, "rule.updated", object=rule)


def hold_rule(session: Session, rule: RecurringRule, until: date | None) -> None:
    """Pause the rule: no occurrence before `until` is projected or posted."""
    if until is None:
        raise FieldError("until", _l("Enter the date the rule starts again."))
    check_date(until, "until")
    rule.hold_until = until
    session.flush()
    audit.record(session, "rule.updated", object=rule, details={"hold_until": until.isoformat()})


def pause_rule(session: Session, rule: RecurringRule, until: date | None) -> None:
    """The pause a person asks for: from today until `until`, never a date already past
    (that would pause nothing ahead and silently drop occurrences behind)."""
    household = session.get_one(Household, rule.household_id)
    if until is not None and until < today(household):
        raise FieldError("until", _l("Choose today or a later date: the pause starts now."))
    hold_rule(session, rule, until)


def resume_rule(session: Session, rule: RecurringRule) -> None:
    """Lift the hold. The occurrences it held back stay skipped: resuming never back-posts."""
    if rule.hold_until is None:
        return
    household = session.get_one(Household, rule.household_id)
    held_through = min(rule.hold_until, today(household)) - timedelta(days=1)
    if held_through >= rule.anchor_date:
        rule.posted_through = max(rule.posted_through or held_through, held_through)
    rule.hold_until = None
    session.flush()
    audit.record(session, "rule.updated", object=rule, details={"hold_until": None})


def end_rule(session: Session, rule: RecurringRule, on: date | None) -> None:
    """The rule's last nominal date becomes `on` (inclusive)."""
    if on is None:
        raise FieldError("end_on", _l("Enter the last date."))
    check_date(on, "end_on")
    if on < rule.anchor_date:
        raise FieldError("end_on", _l("The end date cannot be before the first occurrence."))
    rule.end_date = on
    session.flush()
    audit.record(session, "rule.updated", object=rule, details={"end_date": on.isoformat()})


def delete_rule(session: Session, rule: RecurringRule) -> None:
    """Delete the rule; the entries it posted stay (the database sets their rule_id to NULL)."""
    audit.record(session, "rule.deleted", object=rule)
    session.delete(rule)
    session.flush()


def next_posting(
    session: Session, rule: RecurringRule, on: date, calendar: BusinessCalendar
) -> date | None:
    """The day the scheduler next posts an occurrence of an auto-post rule (its adjusted
    date: due occurrences are posted on their day), or None (manual, what-if or ended)."""
    if not rule.auto_post or rule.is_scenario:
        return None
    skips = frozenset(
        session.scalars(select(Skip.occurrence_date).where(Skip.rule_id == rule.id))
    )
    upcoming = next_occurrences(rule, on, calendar, count=1, skips=skips)
    return upcoming[0].date if upcoming else None


def is_ended(rule: RecurringRule, on: date) -> bool:
    return rule.end_date is not None and rule.end_date < on


def next_occurrences(
    rule: RecurringRule,
    on: date,
    calendar: BusinessCalendar,
    count: int = 5,
    skips: frozenset[date] = frozenset(),
) -> list[Occurrence]:
    """The next `count` occurrences from `on` (adjusted date, inclusive) that are not posted
    yet; none once the rule has ended."""
    if is_ended(rule, on):
        return []
    spec = rule_spec(rule, skips)
    handled = rule.posted_through
    window = _FIRST_WINDOW
    while True:
        # add_days stops at date.max: a rule ending on 9999-12-31 (saved before dates had a
        # window) must not break the page listing it.
        last = add_days(on, window.days)
        found = [
            o
            for o in occurrences(spec, on, last, calendar)
            if handled is None or o.nominal > handled
        ]
        if len(found) >= count or window >= _LOOKAHEAD_LIMIT or last == date.max:
            return found[:count]
        if spec.end is not None and last > add_days(spec.end, 31):
            return found[:count]
        window *= 4


def create_rule_from_entry(
    session: Session,
    entry: Entry,
    frequency: str,
    *,
    business_day_policy: str = DEFAULT_POLICY,
    end_date: date | None = None,
    auto_post: bool = True,
    mark_paid: bool = False,
) -> tuple[RecurringRule, PostedNow]:
    """A rule repeating the entry, with the entry linked as its first occurrence, and what
    it posted at once (an entry dated in the past may leave later occurrences due)."""
    household = session.get_one(Household, entry.household_id)
    if frequency not in FREQUENCIES or frequency == "once":
        raise FieldError("repeat", _l("Choose how often it repeats."))
    rule = create_rule(
        session,
        household,
        RuleData(
            name=entry.description[:120],
            kind=entry.kind,
            amount=entry.amount,
            account_id=entry.account_id,
            category_id=entry.category_id,
            subcategory_id=entry.subcategory_id,
            payment_method=entry.payment_method,
            frequency=frequency,
            anchor_date=entry.date,
            end_date=end_date,
            business_day_policy=business_day_policy,
            auto_post=auto_post,
            mark_paid=mark_paid,
        ),
    )
    # The entry is the first occurrence: the posting job starts after it.
    entry.rule_id = rule.id
    entry.occurrence_date = entry.date
    rule.posted_through = entry.date
    session.flush()
    # An entry dated in the past may leave later occurrences already due: posted now, as
    # on saving any rule, not at the scheduler's next run.
    return rule, post_rule_now(session, rule)
