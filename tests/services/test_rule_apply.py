"""Categorisation rules applied to entries that exist: one rule to its past entries adds its
tags too, the household's rules on a selection (the Transactions page's "Apply rules"), and
the undo of both, which takes off exactly the tag links the change added."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from finora.extensions import db
from finora.models import Entry, EntryTag, Tag, UndoRecord
from finora.services.ledger.categorisation import RuleInput, create_rule
from finora.services.ledger.categorisation_preview import preview_rule
from finora.services.ledger.splits import SplitLine, split_entry
from finora.services.ledger.tags import set_entry_tags
from finora.services.undo.categorisation import apply_rule_with_undo
from finora.services.undo.errors import UndoConflictError
from finora.services.undo.records import undo
from finora.services.undo.rule_apply import NoRulesError, apply_rules_with_undo
from tests.ledger_factories import category, make_entry


def _rule(household, **values):
    rule = create_rule(db.session, household, RuleInput(**{"name": "Uber", "pattern": "uber", **values}))
    db.session.commit()
    return rule


def _tagged(household, description, names, **values):
    entry = make_entry(household, description=description, **values)
    set_entry_tags(db.session, household, entry, names)
    db.session.commit()
    return entry.id


def _state(entry_id):
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    return (entry.subcategory_id, entry.payee.name if entry.payee else None, entry.payment_method,
            [tag.name for tag in entry.tags])


def _undo(record, user):
    result = undo(db.session, db.session.get(UndoRecord, record.id), user)
    db.session.commit()
    return result


def test_applying_a_rule_adds_its_tags_and_undo_takes_off_only_those(app, household, user):
    fuel = category(household, "expense.transport.fuel")
    had_trip = _tagged(household, "UBER 1", ["kids", "trip"])
    bare = _tagged(household, "UBER 2", [])
    right_category = _tagged(household, "UBER 3", ["work"], category="expense.transport", subcategory=fuel)
    before = {entry_id: _state(entry_id) for entry_id in (had_trip, bare, right_category)}
    rule = _rule(household, category_id=fuel.id, tags="Trip, work")
    assert sorted(c.entry_id for c in preview_rule(db.session, household, rule).changes) == sorted(
        [had_trip, bare, right_category])

    record = apply_rule_with_undo(db.session, household, user, rule)
    db.session.commit()
    assert record is not None and (record.kind, record.count) == ("rule_apply", 3)
    assert _state(had_trip) == (fuel.id, None, "other", ["kids", "trip", "work"])
    assert _state(bare) == (fuel.id, None, "other", ["trip", "work"])
    assert _state(right_category) == (fuel.id, None, "other", ["trip", "work"])
    assert preview_rule(db.session, household, rule).count == 0

    assert _undo(record, user) == 3
    assert {entry_id: _state(entry_id) for entry_id in before} == before
    assert sorted(db.session.scalars(select(Tag.name))) == ["kids", "trip", "work"]  # none was created


def test_a_tags_only_rule_changes_the_entries_that_lack_a_tag_that_still_fits(app, household, user):
    lacking = _tagged(household, "uber eats", ["food"])
    complete = _tagged(household, "uber ride", ["Ride"])
    full = _tagged(household, "uber full", [f"t{n}" for n in range(20)])
    rule = _rule(household, tags="ride")
    assert [c.entry_id for c in preview_rule(db.session, household, rule).changes] == [lacking]
    record = apply_rule_with_undo(db.session, household, user, rule)
    db.session.commit()
    assert record.count == 1 and _state(lacking)[3] == ["food", "Ride"]
    assert len(_state(full)[3]) == 20 and _state(complete)[3] == ["Ride"]


def test_the_undo_is_refused_whole_when_an_added_tag_was_taken_off_since(app, household, user):
    entry_id = _tagged(household, "UBER", [])
    rule = _rule(household, payment_method="cash", tags="trip")
    record = apply_rule_with_undo(db.session, household, user, rule)
    db.session.commit()
    created = db.session.scalar(select(Tag.id).where(Tag.name == "trip"))
    db.session.execute(delete(EntryTag).where(EntryTag.tag_id == created))
    db.session.commit()
    with pytest.raises(UndoConflictError):
        undo(db.session, db.session.get(UndoRecord, record.id), user)
    db.session.rollback()
    assert _state(entry_id)[2] == "cash"  # nothing was put back
    assert db.session.get(UndoRecord, record.id).used_at is None


def test_the_households_rules_on_a_selection_first_match_wins_and_undo(app, household, user):
    fuel = category(household, "expense.transport.fuel")
    housing = category(household, "expense.housing")
    _rule(household, name="Rides", category_id=fuel.id, tags="trip")
    _rule(household, name="Any uber", payee_name="Uber", payment_method="credit_card", category_id=housing.id,
          tags="other")
    ride = _tagged(household, "UBER TRIP", ["kids"])
    split = make_entry(household, description="uber split", amount=Decimal("10.00"))
    split_entry(db.session, split, [SplitLine(housing.id, Decimal("4.00")),
                                    SplitLine(category(household, "expense.food").id, Decimal("6.00"))])
    db.session.commit()
    other = _tagged(household, "Bakery", [])
    ids = (ride, split.id, other)
    before = {entry_id: _state(entry_id) for entry_id in ids}
    entries = list(db.session.scalars(select(Entry).where(Entry.id.in_(ids))))

    record = apply_rules_with_undo(db.session, household, user, entries)
    db.session.commit()
    assert record is not None and record.count == 2
    assert _state(ride) == (fuel.id, "Uber", "credit_card", ["kids", "trip"])
    assert _state(split.id)[0] == before[split.id][0]  # its categories live in its lines
    assert _state(split.id)[1:] == ("Uber", "credit_card", ["trip"])
    assert _state(other) == before[other]
    entries = list(db.session.scalars(select(Entry).where(Entry.id.in_(ids))))
    assert apply_rules_with_undo(db.session, household, user, entries) is None

    assert _undo(record, user) == 2
    assert {entry_id: _state(entry_id) for entry_id in ids} == before
    assert list(db.session.scalars(select(Tag.name))) == ["kids"]  # "trip" was made by the change


def test_without_an_enabled_rule_there_is_nothing_to_apply(app, household, user):
    _rule(household, payment_method="cash", enabled=False)
    with pytest.raises(NoRulesError):
        apply_rules_with_undo(db.session, household, user, [db.session.get(Entry, _tagged(household, "uber", []))])
