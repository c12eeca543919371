"""delete_category: a category nothing uses goes (audited); one an entry, a rule, a budget or
a subcategory uses is refused, also when the use appears between the check and the delete."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from finora.extensions import db
from finora.models import AuditEvent, Category
from finora.services.ledger import catalogue
from finora.services.ledger.catalogue import (
    CategoryInUseError,
    category_in_use,
    create_category,
    delete_category,
)
from finora.services.planning.budgets import BudgetData, create_budget
from tests.ledger_factories import make_entry
from tests.planning_factories import make_rule


def _pets(household) -> Category:
    pets = create_category(db.session, household, kind="expense", name="Pets")
    db.session.commit()
    return pets


def test_an_unused_category_is_deleted_with_an_audit_event(household):
    pets = _pets(household)
    pets_id = pets.id
    assert not category_in_use(db.session, pets)
    delete_category(db.session, pets)
    db.session.commit()
    assert db.session.get(Category, pets_id) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "category.deleted"))
    assert (event.household_id, event.object_id, event.details["kind"]) == (household.id, pets_id, "expense")


@pytest.mark.parametrize("use", ["entry", "subentry", "rule", "scenario", "budget", "child"])
def test_a_category_in_use_is_refused(household, use):
    pets = _pets(household)
    if use == "entry":
        make_entry(household, category=pets, subcategory=None)
    elif use == "subentry":
        vet = create_category(db.session, household, kind="expense", name="Vet", parent=pets)
        make_entry(household, category=pets, subcategory=vet)
        pets = vet
    elif use == "rule":
        make_rule(household, category_id=pets.id)
    elif use == "scenario":
        make_rule(household, category_id=pets.id, is_scenario=True)
    elif use == "budget":
        create_budget(db.session, household, BudgetData(pets.id, "yearly", Decimal("10.00")))
    else:
        create_category(db.session, household, kind="expense", name="Vet", parent=pets)
    db.session.commit()
    assert category_in_use(db.session, pets)
    with pytest.raises(CategoryInUseError) as raised:
        delete_category(db.session, pets)
    assert raised.value.status == 409
    db.session.rollback()
    assert db.session.get(Category, pets.id) is not None


def test_a_use_added_after_the_check_is_refused_by_the_database(household, monkeypatch):
    pets = _pets(household)
    make_entry(household, category=pets, subcategory=None)
    monkeypatch.setattr(catalogue, "category_in_use", lambda session, category: False)
    with pytest.raises(CategoryInUseError):
        delete_category(db.session, pets)
    db.session.rollback()
    assert db.session.get(Category, pets.id) is not None
