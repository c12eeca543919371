"""Categorisation rules as services: the matcher (first rule wins per field), the checks on
a rule (a regex that could run away is refused), the preview of past entries it would
change, and applying it with Undo."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from finora.errors import FieldError
from finora.extensions import db
from finora.models import Entry, UndoRecord
from finora.services.imports.commit import commit_import
from finora.services.imports.review import build_review
from finora.services.imports.rows import ImportedRow, ParsedFile
from finora.services.ledger.categorisation import (
    RuleInput,
    categorise,
    compile_pattern,
    create_rule,
    household_matchers,
    list_rules,
    move_rule,
    update_rule,
)
from finora.services.ledger.categorisation_preview import preview_rule
from finora.services.undo.categorisation import apply_rule_with_undo
from finora.services.undo.records import undo
from tests.ledger_factories import category, checking_account, make_account, make_entry
from tests.services.test_import_commit import staged_for


def _rule(household, **values):
    data = {"name": "Uber", "pattern": "uber", **values}
    rule = create_rule(db.session, household, RuleInput(**data))
    db.session.commit()
    return rule


def _outcome(household, description, *, payee=None, amount="10", account_id=None, kind="expense"):
    return categorise(
        household_matchers(db.session, household), description=description, payee=payee,
        amount=Decimal(amount), account_id=account_id or checking_account(household).id, kind=kind,
    )


def test_the_first_rule_sets_a_field_and_later_ones_fill_only_the_rest(app, household):
    transport = category(household, "expense.transport")
    food = category(household, "expense.food")
    _rule(household, name="Rides", category_id=transport.id)
    _rule(household, name="Any uber", category_id=food.id, payee_name="Uber", payment_method="credit_card")
    outcome = _outcome(household, "PAG*UBER TRIP 1234")
    assert outcome.values == {"category": transport.id, "payee": "Uber", "payment_method": "credit_card"}
    assert outcome.category_rule == "Rides"
    assert outcome.rule_names["payee"] == "Any uber"
    assert _outcome(household, "Bakery").values == {}


def test_conditions_amount_account_kind_and_text_fields(app, household):
    savings = make_account(household, name="Savings")
    food = category(household, "expense.food")
    _rule(household, name="Big", pattern="market", match_kind="starts_with", match_field="either",
          min_amount=Decimal("100"), max_amount=Decimal("200.50"), account_id=savings.id, category_id=food.id)
    assert _outcome(household, "Market XY", amount="150", account_id=savings.id).category_rule == "Big"
    assert _outcome(household, "x", payee="Márket", amount="200.50", account_id=savings.id).category_rule == "Big"
    assert _outcome(household, "Super Market", amount="150", account_id=savings.id).values == {}
    assert _outcome(household, "Market", amount="99.99", account_id=savings.id).values == {}
    assert _outcome(household, "Market", amount="200.51", account_id=savings.id).values == {}
    assert _outcome(household, "Market", amount="150").values == {}  # another account
    # An expense category never goes on income.
    assert _outcome(household, "Market", amount="150", account_id=savings.id, kind="income").values == {}


def test_a_regex_is_checked_and_bounded(app, household):
    assert compile_pattern("regex", r"uber\s+(eats|trip)") is not None
    messages = set()
    for bad in (r"(a+)+$", r"(\w*)*x", "(", "x" * 201):
        with pytest.raises(FieldError) as error:
            compile_pattern("regex", bad)
        assert error.value.field == "pattern"
        messages.add(str(error.value.message))
    assert len(messages) == 3  # too long, not valid, runs away
    _rule(household, pattern=r"^pag\*uber (eats|trip)", match_kind="regex", payment_method="credit_card")
    assert _outcome(household, "PAG*UBER EATS 9").values == {"payment_method": "credit_card"}
    assert _outcome(household, "x " * 2000 + "PAG*UBER EATS").values == {}  # beyond the cap


def test_a_rule_is_refused_with_a_field_error_and_nothing_written(app, household):
    for values, field in (({"name": " "}, "name"), ({"pattern": ""}, "pattern"),
                          ({"min_amount": Decimal("5"), "max_amount": Decimal("1")}, "max_amount"),
                          ({}, "category_id"),
                          ({"category_id": category(household, "income.work").id, "entry_kind": "expense"},
                           "category_id")):
        with pytest.raises(FieldError) as error:
            create_rule(db.session, household, RuleInput(**{"name": "R", "pattern": "p", **values}))
        assert error.value.field == field
    db.session.rollback()
    assert list_rules(db.session, household) == []


def test_rules_move_up_and_down(app, household):
    first = _rule(household, name="A", payment_method="cash")
    second = _rule(household, name="B", payment_method="cash")
    move_rule(db.session, household, second, -1)
    assert [r.name for r in list_rules(db.session, household)] == ["B", "A"]
    move_rule(db.session, household, second, -1)  # already first: stays
    move_rule(db.session, household, first, 1)
    assert [r.name for r in list_rules(db.session, household)] == ["B", "A"]


def test_preview_counts_what_would_change_and_apply_can_be_undone(app, household, user):
    transport = category(household, "expense.transport")
    fuel = category(household, "expense.transport.fuel")
    first = make_entry(household, description="PAG*UBER TRIP 1")
    second = make_entry(household, description="Uber eats", payment_method="credit_card")
    make_entry(household, description="Bakery")
    make_entry(household, description="uber refund", kind="income")  # kind of the category: expense
    done = make_entry(household, description="uber done", category=transport, subcategory=fuel)
    rule = _rule(household, category_id=fuel.id)
    preview = preview_rule(db.session, household, rule)
    assert sorted(c.entry_id for c in preview.changes) == sorted([first.id, second.id])
    assert not preview.limited
    record = apply_rule_with_undo(db.session, household, user, rule)
    db.session.commit()
    assert record is not None and record.count == 2
    for entry_id in (first.id, second.id):
        entry = db.session.get(Entry, entry_id)
        assert (entry.category_id, entry.subcategory_id) == (transport.id, fuel.id)
    assert preview_rule(db.session, household, rule).count == 0
    assert db.session.get(Entry, done.id).category_id == transport.id
    undo(db.session, db.session.get(UndoRecord, record.id), user)
    db.session.commit()
    assert db.session.get(Entry, first.id).category_id == category(household, "expense.food").id


def test_apply_sets_payee_and_payment_method_and_nothing_to_do_is_none(app, household, user):
    entry = make_entry(household, description="Spotify 123")
    rule = _rule(household, name="Music", pattern="spotify", payee_name="Spotify", payment_method="credit_card")
    record = apply_rule_with_undo(db.session, household, user, rule)
    db.session.commit()
    assert record is not None
    changed = db.session.get(Entry, entry.id)
    assert changed.payee.name == "Spotify" and changed.payment_method == "credit_card"
    assert apply_rule_with_undo(db.session, household, user, rule) is None
    update_rule(db.session, household, rule, RuleInput(name="Music", pattern="spotify", payment_method="cash"))
    assert preview_rule(db.session, household, rule).count == 1


def test_an_import_review_takes_the_rules_category_payee_and_method_and_commit_keeps_them(app, household, user):
    fuel = category(household, "expense.transport.fuel")
    make_entry(household, description="PAG*UBER TRIP 1")  # history says Food › Groceries
    _rule(household, name="Rides", category_id=fuel.id, payee_name="Uber", payment_method="credit_card",
          tags="Trip, work")
    account = checking_account(household)
    rows = [
        ImportedRow(line=1, date=date(2026, 3, 10), amount=Decimal("-12.00"), description="PAG*UBER TRIP 1",
                    tags=("work", "Kids")),
        ImportedRow(line=2, date=date(2026, 3, 10), amount=Decimal("-5.00"), description="UBER EATS",
                    category="Food", subcategory="Restaurants", payment_method="cash"),
        ImportedRow(line=3, date=date(2026, 3, 10), amount=Decimal("-7.00"), description="Bakery"),
    ]
    parsed = ParsedFile(format="csv", rows=rows, errors=[], account_number=None)
    review = build_review(db.session, household, account, parsed)
    first, second, third = review.rows
    assert (first.category_source, first.rule_name) == ("rule", "Rides")
    assert (first.category_id, first.subcategory_id) == (fuel.parent_id, fuel.id)
    assert first.payee_name == "Uber" and first.row.payment_method == "credit_card"
    assert first.row.tags == ("work", "Kids", "Trip")  # the file's first, the rule's added once
    assert second.category_source == "file" and second.row.payment_method == "cash"  # the file wins
    assert second.payee_name == "Uber"  # the rule still gives what the file leaves out
    assert third.category_source != "rule" and third.rule_name is None
    batch = commit_import(db.session, household, user, account, staged_for(household, user, account), parsed, review)
    db.session.commit()
    added = {e.description: e for e in db.session.scalars(select(Entry).where(Entry.import_batch_id == batch.id))}
    uber = added["PAG*UBER TRIP 1"]
    assert (uber.subcategory_id, uber.payee.name, uber.payment_method) == (fuel.id, "Uber", "credit_card")
    assert sorted(tag.name for tag in uber.tags) == ["Kids", "Trip", "work"]
