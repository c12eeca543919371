"""Splitting an entry into category lines: the lines always add up to the entry's amount,
and a refused change leaves the entry and its lines as they were."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from finora.errors import FieldError
from finora.extensions import db
from finora.models import AuditEvent, Category, Entry, EntrySplit
from finora.services.ledger.entries import delete_entry, entry_data, update_entry
from finora.services.ledger.splits import SplitLine, SplitLineError, split_entry, unsplit_entry
from tests.factories import create_user
from tests.ledger_factories import category, household_of, make_entry

D = Decimal


@pytest.fixture
def groceries(household):
    return make_entry(household, amount=D("100.00"), category="expense.food", subcategory=None,
                      date=date(2026, 3, 10), description="Supermarket")


def lines(household, *specs):
    """SplitLines from (code, amount[, note[, subcode]])."""
    result = []
    for spec in specs:
        code, amount, *rest = spec
        note = rest[0] if rest else None
        sub = category(household, rest[1]).id if len(rest) > 1 else None
        result.append(SplitLine(category(household, code).id, D(amount), sub, note))
    return result


def stored(entry):
    db.session.expire_all()
    return [
        (s.position, s.category.code, s.subcategory_id, s.amount, s.note)
        for s in db.session.scalars(select(EntrySplit).where(EntrySplit.entry_id == entry.id).order_by(EntrySplit.position))
    ]


def test_split_stores_the_lines_in_order_and_takes_the_first_category(household, groceries):
    split_entry(db.session, groceries, lines(
        household, ("expense.housing", "30.10", " soap "), ("expense.food", "69.90", None, "expense.food.groceries")))
    db.session.commit()
    sub = category(household, "expense.food.groceries").id
    assert stored(groceries) == [
        (0, "expense.housing", None, D("30.10"), "soap"),
        (1, "expense.food", sub, D("69.90"), None),
    ]
    entry = db.session.get(Entry, groceries.id)
    assert entry.is_split and entry.amount == D("100.00")
    assert entry.category.code == "expense.housing" and entry.subcategory_id is None
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "entry.split"


@pytest.mark.parametrize(
    ("specs", "field", "message"),
    [
        ([("expense.food", "100.00")], "lines", "at least two lines"),
        ([("expense.food", "60.00"), ("expense.housing", "40.01")], "lines", "add up to R$100.01, not the entry’s R$100.00"),
        ([("expense.food", "100.00"), ("expense.housing", "0.00")], "amount", "positive amount"),
        ([("expense.food", "110.00"), ("expense.housing", "-10.00")], "amount", "positive amount"),
        ([("expense.food", "99.995"), ("expense.housing", "0.005")], "amount", "two decimal places"),
        ([("expense.food", "50.00"), ("income.work", "50.00")], "category_id", "Choose a category"),
        ([("expense.food", "50.00", "x" * 201), ("expense.housing", "50.00")], "note", "under 200"),
    ],
)
def test_a_refused_split_writes_nothing(household, groceries, specs, field, message):
    with pytest.raises(FieldError) as caught:
        split_entry(db.session, groceries, lines(household, *specs))
    with force_locale("en"):
        assert getattr(caught.value, "line_field", caught.value.field) == field
        assert message in str(caught.value.message)
    db.session.rollback()
    assert stored(groceries) == [] and not db.session.get(Entry, groceries.id).is_split


def test_a_line_error_names_its_line(household, groceries):
    specs = lines(household, ("expense.food", "50.00"), ("expense.food", "50.00"))
    bad = [specs[0], SplitLine(category(household, "expense.food").id, D("50.00"),
                               category(household, "expense.housing.rent").id)]
    with pytest.raises(SplitLineError) as caught:
        split_entry(db.session, groceries, bad)
    assert (caught.value.index, caught.value.line_field) == (1, "subcategory_id")
    assert caught.value.field == "lines.1.subcategory_id"


def test_another_households_category_is_refused(household, groceries):
    other = household_of(create_user())
    foreign = SplitLine(category(other, "expense.food").id, D("50.00"))
    with pytest.raises(SplitLineError) as caught:
        split_entry(db.session, groceries, [*lines(household, ("expense.food", "50.00")), foreign])
    assert caught.value.field == "lines.1.category_id"


def test_editing_lines_and_amount_together_keeps_the_sum(household, groceries):
    split_entry(db.session, groceries, lines(household, ("expense.food", "50.00"), ("expense.housing", "50.00")))
    db.session.commit()
    split_entry(db.session, groceries, lines(
        household, ("expense.housing", "20.00"), ("expense.food", "100.00"), ("expense.health", "0.50")),
        amount=D("120.50"))
    db.session.commit()
    assert [(p, c, a) for p, c, _s, a, _n in stored(groceries)] == [
        (0, "expense.housing", D("20.00")), (1, "expense.food", D("100.00")), (2, "expense.health", D("0.50"))]
    assert db.session.get(Entry, groceries.id).amount == D("120.50")
    # A new amount the lines do not reach is refused, and the old lines stay.
    with pytest.raises(FieldError):
        split_entry(db.session, groceries, lines(household, ("expense.food", "60.00"), ("expense.housing", "60.00")),
                    amount=D("120.01"))
    db.session.rollback()
    assert len(stored(groceries)) == 3 and db.session.get(Entry, groceries.id).amount == D("120.50")


def test_an_edit_of_a_split_entry_cannot_make_the_sum_differ(household, groceries):
    split_entry(db.session, groceries, lines(household, ("expense.food", "50.00"), ("expense.housing", "50.00")))
    db.session.commit()
    data = entry_data(groceries)
    for change, field in (({"amount": D("99.00")}, "amount"), ({"kind": "income"}, "kind"),
                          ({"category_id": category(household, "expense.health").id}, "category_id")):
        with pytest.raises(FieldError) as caught:
            update_entry(db.session, groceries, data.__class__(**{**data.__dict__, **change}))
        assert caught.value.field == field
        db.session.rollback()
    # Everything else changes freely and the lines stay.
    update_entry(db.session, groceries, data.__class__(**{**data.__dict__, "description": "Market", "paid_on": date(2026, 3, 11)}))
    db.session.commit()
    assert len(stored(groceries)) == 2 and db.session.get(Entry, groceries.id).description == "Market"


def test_unsplit_keeps_the_first_lines_category_and_the_amount(household, groceries):
    split_entry(db.session, groceries, lines(household, ("expense.housing", "50.00"), ("expense.food", "50.00")))
    db.session.commit()
    unsplit_entry(db.session, groceries)
    db.session.commit()
    entry = db.session.get(Entry, groceries.id)
    assert stored(groceries) == [] and not entry.is_split
    assert (entry.amount, entry.category.code) == (D("100.00"), "expense.housing")


def test_deleting_a_split_entry_deletes_its_lines(household, groceries):
    split_entry(db.session, groceries, lines(household, ("expense.housing", "50.00"), ("expense.food", "50.00")))
    db.session.commit()
    delete_entry(db.session, groceries)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(EntrySplit)) == 0


def test_a_category_used_only_by_a_line_is_in_use(household, groceries):
    from finora.services.ledger.catalogue import (
        CategoryInUseError,
        category_in_use,
        delete_category,
    )

    health = Category(household_id=household.id, kind="expense", name="Gifts")
    db.session.add(health)
    db.session.commit()
    assert not category_in_use(db.session, health)
    split_entry(db.session, groceries, [*lines(household, ("expense.food", "50.00")), SplitLine(health.id, D("50.00"))])
    db.session.commit()
    assert category_in_use(db.session, health)
    with pytest.raises(CategoryInUseError):
        delete_category(db.session, health)


def test_undoing_an_import_removes_the_lines_of_its_split_entries(household, groceries, user):
    from finora.models import ImportBatch
    from finora.services.imports.batches import undo_batch
    from tests.ledger_factories import checking_account

    batch = ImportBatch(household_id=household.id, account_id=checking_account(household).id,
                        file_name="extrato.csv", format="csv")
    db.session.add(batch)
    db.session.flush()
    groceries.import_batch_id = batch.id
    split_entry(db.session, groceries, lines(household, ("expense.food", "50.00"), ("expense.housing", "50.00")))
    db.session.commit()
    assert undo_batch(db.session, batch, user) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(EntrySplit)) == 0
