"""The default category tree (services/ledger/catalogue.py seed_default_catalogue): every
code under its parent and of its kind for a new household; run again, it leaves what is
there alone (ids, names the household gave) and puts back only what is missing."""

from __future__ import annotations

from sqlalchemy import delete, select

from finora.extensions import db
from finora.models import Category
from finora.models.category_defaults import EXPENSE, INCOME
from finora.services.ledger.catalogue import seed_default_catalogue
from tests.factories import create_user
from tests.ledger_factories import household_of

TREE = {kind: tree for kind, tree in (("income", INCOME), ("expense", EXPENSE))}


def _rows(household) -> dict[str, Category]:
    db.session.expire_all()
    return {c.code: c for c in db.session.scalars(
        select(Category).where(Category.household_id == household.id, Category.code.is_not(None)))}


def _assert_whole_tree(rows: dict[str, Category]) -> None:
    expected = 0
    for kind, tree in TREE.items():
        for code, _label, children in tree:
            parent = rows[code]
            assert (parent.kind, parent.parent_id, parent.archived) == (kind, None, False)
            assert parent.created_at is not None
            expected += 1 + len(children)
            for child_code, _child_label in children:
                child = rows[child_code]
                assert (child.kind, child.parent_id) == (kind, parent.id), child_code
    assert len(rows) == expected


def test_a_new_household_gets_every_default_category_under_its_parent(app):
    household = household_of(create_user())
    _assert_whole_tree(_rows(household))


def test_seeding_again_keeps_what_is_there_and_puts_back_only_what_is_missing(app):
    household = household_of(create_user())
    before = _rows(household)
    kept = before["expense.food.groceries"]
    kept.name = "Mercado da esquina"
    gone_parent = before["income.rent"]
    gone_child = before["expense.food.restaurants"]
    db.session.execute(delete(Category).where(Category.parent_id == gone_parent.id))
    db.session.execute(delete(Category).where(Category.id.in_([gone_parent.id, gone_child.id])))
    db.session.commit()

    seed_default_catalogue(db.session, household)
    seed_default_catalogue(db.session, household)  # a second run adds nothing
    db.session.commit()

    after = _rows(household)
    _assert_whole_tree(after)
    untouched = set(before) - {"income.rent", "income.rent.property", "expense.food.restaurants"}
    assert {code: after[code].id for code in untouched} == {code: before[code].id for code in untouched}
    assert after["expense.food.groceries"].name == "Mercado da esquina"
    assert after["income.rent"].id != gone_parent.id
    assert after["income.rent.property"].parent_id == after["income.rent"].id
