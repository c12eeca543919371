"""The rules service: validation, the next occurrences, editing after posting changes only
the future, hold/resume/end/delete, and a rule made from an entry."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from finora.business_days import BusinessCalendar
from finora.errors import FieldError
from finora.extensions import db
from finora.models import Entry, RecurringRule
from finora.services.planning.posting import post_due_occurrences
from finora.services.planning.rules import (
    RuleData,
    create_rule,
    create_rule_from_entry,
    delete_rule,
    end_rule,
    hold_rule,
    next_occurrences,
    resume_rule,
    update_rule,
)
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    make_account,
    make_entry,
)


def at(day: date):
    """Noon in São Paulo on that day (the households' time zone)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 15, tzinfo=UTC), tick=False)


@pytest.fixture
def home(app):
    return household_of(create_user())


def rule_data(home, **overrides) -> RuleData:
    values = {
        "name": "Rent",
        "kind": "expense",
        "amount": Decimal("1500.00"),
        "account_id": checking_account(home).id,
        "category_id": category(home, "expense.housing").id,
        "frequency": "monthly",
        "anchor_date": date(2026, 1, 31),
        "business_day_policy": "none",
    }
    values.update(overrides)
    return RuleData(**values)


def make(home, **overrides) -> RecurringRule:
    rule = create_rule(db.session, home, rule_data(home, **overrides))
    db.session.commit()
    return rule


def posted(rule_id: int) -> list[tuple[date, date, Decimal]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Entry.occurrence_date, Entry.date, Entry.amount)
        .where(Entry.rule_id == rule_id)
        .order_by(Entry.occurrence_date)
    )
    return [tuple(row) for row in rows]


def nexts(rule, on, policy_calendar=None):
    found = next_occurrences(rule, on, policy_calendar or BusinessCalendar())
    return [(o.nominal, o.date) for o in found]


# Next occurrences


def test_the_31st_keeps_its_day_and_clamps_in_short_months(home):
    rule = make(home, anchor_date=date(2027, 12, 31))
    assert [n for n, _ in nexts(rule, date(2027, 12, 1))] == [
        date(2027, 12, 31),
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
    ]


def test_weekends_move_by_the_policy(home):
    rule = make(home, business_day_policy="next")
    assert nexts(rule, date(2026, 1, 1)) == [
        (date(2026, 1, 31), date(2026, 2, 2)),  # Saturday → Monday
        (date(2026, 2, 28), date(2026, 3, 2)),
        (date(2026, 3, 31), date(2026, 3, 31)),
        (date(2026, 4, 30), date(2026, 4, 30)),
        (date(2026, 5, 31), date(2026, 6, 1)),
    ]


def test_the_household_countrys_holidays_count_when_set(home):
    rule = make(home, anchor_date=date(2026, 4, 21), frequency="yearly", business_day_policy="next")
    # Tiradentes (21 April) is a Brazilian public holiday: a Tuesday in 2026.
    assert nexts(rule, date(2026, 4, 1), BusinessCalendar("BR"))[0] == (
        date(2026, 4, 21),
        date(2026, 4, 22),
    )
    assert nexts(rule, date(2026, 4, 1))[0] == (date(2026, 4, 21), date(2026, 4, 21))


def test_sparse_rules_still_show_five_and_ended_rules_none(home):
    yearly = make(home, frequency="yearly", anchor_date=date(2026, 6, 1))
    assert len(nexts(yearly, date(2026, 1, 1))) == 5
    ended = make(home, anchor_date=date(2026, 1, 1), end_date=date(2026, 2, 1))
    assert nexts(ended, date(2026, 3, 1)) == []
    short = make(home, anchor_date=date(2026, 1, 1), end_date=date(2026, 3, 1))
    assert [n for n, _ in nexts(short, date(2026, 1, 15))] == [date(2026, 2, 1), date(2026, 3, 1)]
    once = make(home, frequency="once", anchor_date=date(2026, 5, 5))
    assert nexts(once, date(2026, 1, 1)) == [(date(2026, 5, 5), date(2026, 5, 5))]


def test_a_held_rule_shows_occurrences_from_the_hold_date(home):
    rule = make(home, anchor_date=date(2026, 1, 10))
    hold_rule(db.session, rule, date(2026, 4, 1))
    assert nexts(rule, date(2026, 2, 1))[0][0] == date(2026, 4, 10)


# Saving


def test_default_policy_follows_the_kind(home):
    expense = make(home, business_day_policy="default")
    income = make(
        home,
        kind="income",
        category_id=category(home, "income.work").id,
        business_day_policy="default",
    )
    assert (expense.business_day_policy, income.business_day_policy) == ("next", "previous")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"amount": None}, "amount"),
        ({"name": "  "}, "name"),
        ({"frequency": "hourly"}, "frequency"),
        ({"business_day_policy": "sideways"}, "business_day_policy"),
        ({"anchor_date": None}, "anchor_date"),
        ({"end_date": date(2026, 1, 30)}, "end_date"),
        ({"account_id": None}, "account_id"),
        ({"category_id": "income"}, "category_id"),
        ({"subcategory_id": "other parent"}, "subcategory_id"),
    ],
)
def test_bad_values_are_refused_by_field(home, overrides, field):
    if overrides.get("category_id") == "income":
        overrides = {"category_id": category(home, "income.work").id}
    if overrides.get("subcategory_id") == "other parent":
        overrides = {"subcategory_id": category(home, "expense.food.groceries").id}
    with pytest.raises(FieldError) as raised:
        create_rule(db.session, home, rule_data(home, **overrides))
    assert raised.value.field == field


def test_another_households_account_or_category_is_refused(home):
    theirs = household_of(create_user())
    with pytest.raises(FieldError) as raised:
        create_rule(db.session, home, rule_data(home, account_id=checking_account(theirs).id))
    assert raised.value.field == "account_id"
    with pytest.raises(FieldError) as raised:
        create_rule(
            db.session, home, rule_data(home, category_id=category(theirs, "expense.housing").id)
        )
    assert raised.value.field == "category_id"


def test_an_archived_account_is_refused_for_new_rules_but_kept_on_old_ones(home):
    old = make_account(home, name="Old bank")
    rule = make(home, account_id=old.id)
    from finora.services.ledger.accounts import set_account_archived

    set_account_archived(db.session, old, True)
    db.session.commit()
    with pytest.raises(FieldError):
        create_rule(db.session, home, rule_data(home, account_id=old.id))
    db.session.rollback()
    update_rule(db.session, rule, rule_data(home, account_id=old.id, name="Still rent"))
    assert rule.name == "Still rent"


# Editing after posting


def test_editing_after_posting_changes_only_the_future(home):
    rule = make(home, anchor_date=date(2026, 1, 10))
    with at(date(2026, 3, 15)):
        assert post_due_occurrences(db.session) == 3
        db.session.commit()
        before = posted(rule.id)
        update_rule(
            db.session,
            rule,
            rule_data(home, amount=Decimal("1700.00"), anchor_date=date(2026, 1, 5)),
        )
        db.session.commit()
        # The new anchor's past dates (Jan 5, Feb 5, Mar 5) are never posted.
        assert post_due_occurrences(db.session) == 0
        db.session.commit()
    assert posted(rule.id) == before
    assert [amount for *_, amount in before] == [Decimal("1500.00")] * 3
    with at(date(2026, 4, 6)):
        assert post_due_occurrences(db.session) == 1
        db.session.commit()
    assert posted(rule.id)[-1] == (date(2026, 4, 5), date(2026, 4, 5), Decimal("1700.00"))


def test_resuming_does_not_post_what_the_hold_held_back(home):
    rule = make(home, anchor_date=date(2026, 1, 10))
    with at(date(2026, 1, 20)):
        post_due_occurrences(db.session)
        hold_rule(db.session, rule, date(2026, 6, 1))
        db.session.commit()
    with at(date(2026, 3, 20)):
        assert post_due_occurrences(db.session) == 0
        resume_rule(db.session, rule)
        db.session.commit()
        assert rule.hold_until is None
        assert post_due_occurrences(db.session) == 0
    with at(date(2026, 4, 10)):
        assert post_due_occurrences(db.session) == 1
        db.session.commit()
    assert [n for n, *_ in posted(rule.id)] == [date(2026, 1, 10), date(2026, 4, 10)]


def test_end_never_before_the_anchor(home):
    rule = make(home, anchor_date=date(2026, 3, 1))
    with pytest.raises(FieldError):
        end_rule(db.session, rule, date(2026, 2, 28))
    end_rule(db.session, rule, date(2026, 5, 1))
    assert rule.end_date == date(2026, 5, 1)


def test_deleting_a_rule_keeps_its_entries(home):
    rule = make(home, anchor_date=date(2026, 1, 10))
    with at(date(2026, 2, 15)):
        assert post_due_occurrences(db.session) == 2
        db.session.commit()
    ids = [e.id for e in db.session.scalars(select(Entry).where(Entry.rule_id == rule.id))]
    delete_rule(db.session, rule)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(RecurringRule, rule.id) is None
    entries = [db.session.get(Entry, entry_id) for entry_id in ids]
    assert all(e is not None and e.rule_id is None for e in entries)


# A rule from an entry


def test_a_rule_from_an_entry_starts_with_that_entry(home):
    with at(date(2026, 3, 10)):
        entry = make_entry(
            home, date=date(2026, 3, 10), amount="99.90", description="Internet", commit=False
        )
        rule, posted_now = create_rule_from_entry(db.session, entry, "monthly")
        assert posted_now.occurrences == [] and not posted_now.more_due
        db.session.commit()
        assert (rule.name, rule.amount, rule.anchor_date, rule.kind) == (
            "Internet",
            Decimal("99.90"),
            date(2026, 3, 10),
            "expense",
        )
        assert (entry.rule_id, entry.occurrence_date) == (rule.id, date(2026, 3, 10))
        assert post_due_occurrences(db.session) == 0
    with at(date(2026, 4, 10)):
        assert post_due_occurrences(db.session) == 1
        db.session.commit()
    assert [n for n, *_ in posted(rule.id)] == [date(2026, 3, 10), date(2026, 4, 10)]
