"""The categorisation rule pages: add a rule (previewing the past entries it would change
before saving), a refused rule keeps what was typed, the list in order with up/down, apply a
saved rule to past entries and undo it, delete."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import CategorisationRule, Entry, UndoRecord
from finora.services.ledger.categorisation import RuleInput, create_rule, list_rules
from tests.ledger_factories import category, checking_account, input_value, make_entry
from tests.web.test_import_pages import OFX, token_of, upload
from tests.web.test_tags_payees import entry_form

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _form(household, **values) -> dict:
    return {"name": "Rides", "match_field": "description", "match_kind": "contains", "pattern": "uber",
            "entry_kind": "any", "category_id": str(category(household, "expense.transport").id),
            "payment_method": "", "enabled": "y", "save": "y", **values}


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(CategorisationRule))


def test_preview_before_saving_then_save(signed_in, household):
    make_entry(household, description="PAG*UBER TRIP 1")
    make_entry(household, description="Uber eats")
    make_entry(household, description="Bakery")
    data = _form(household)
    del data["save"]
    response = signed_in.post("/categorisation-rules/new", data={**data, "preview": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = re.search(r'id="rule-preview".*?</section>', page, re.S).group(0)
    assert re.search(r"\b2\b", preview)
    assert "Uber eats" in preview and "PAG*UBER TRIP 1" in preview and "Bakery" not in preview
    assert _count() == 0  # a preview saves nothing
    assert input_value(page, "pattern") == "uber"

    response = signed_in.post("/categorisation-rules/new", data=_form(household))
    assert response.status_code == 302
    rule = list_rules(db.session, household)[0]
    assert (rule.name, rule.pattern) == ("Rides", "uber")
    assert signed_in.get("/categorisation-rules").status_code == 200


def test_a_refused_rule_keeps_what_was_typed(signed_in, household):
    response = signed_in.post("/categorisation-rules/new", data=_form(household, match_kind="regex", pattern="(a+)+"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert input_value(page, "pattern") == "(a+)+"
    assert 'id="pattern-error"' in page
    assert _count() == 0
    response = signed_in.post("/categorisation-rules/new", data=_form(household, min_amount="10", max_amount="1"))
    assert response.status_code == 422 and 'id="max_amount-error"' in response.get_data(as_text=True)
    assert _count() == 0


def test_rules_are_listed_in_order_and_move(signed_in, household):
    first = create_rule(db.session, household, RuleInput(name="First", pattern="a", payment_method="cash"))
    second = create_rule(db.session, household, RuleInput(name="Second", pattern="b", payment_method="cash"))
    db.session.commit()
    page = signed_in.get("/categorisation-rules").get_data(as_text=True)
    assert page.index("First") < page.index("Second")
    assert signed_in.post(f"/categorisation-rules/{second.id}/up").status_code == 302
    page = signed_in.get("/categorisation-rules").get_data(as_text=True)
    assert page.index("Second") < page.index("First")
    signed_in.post(f"/categorisation-rules/{second.id}/down")
    assert [r.id for r in list_rules(db.session, household)] == [first.id, second.id]


def test_apply_to_past_entries_then_undo(signed_in, household):
    food = category(household, "expense.food")
    transport = category(household, "expense.transport")
    entry = make_entry(household, description="PAG*UBER TRIP 1")
    rule = create_rule(db.session, household, RuleInput(name="Rides", pattern="uber", category_id=transport.id))
    db.session.commit()
    page = signed_in.get(f"/categorisation-rules/{rule.id}").get_data(as_text=True)
    assert f'action="/categorisation-rules/{rule.id}/apply"' in page
    assert signed_in.post(f"/categorisation-rules/{rule.id}/apply").status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).category_id == transport.id
    record = db.session.scalars(select(UndoRecord)).one()
    assert record.count == 1
    page = signed_in.get(f"/categorisation-rules/{rule.id}").get_data(as_text=True)
    assert f'action="/categorisation-rules/{rule.id}/apply"' not in page  # nothing left to change
    assert signed_in.post(f"/undo/{record.id}", data={"next": "/categorisation-rules"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).category_id == food.id


def test_edit_and_delete(signed_in, household):
    rule = create_rule(db.session, household, RuleInput(name="Rides", pattern="uber", payment_method="cash"))
    db.session.commit()
    page = signed_in.get(f"/categorisation-rules/{rule.id}/edit").get_data(as_text=True)
    assert input_value(page, "name") == "Rides"
    response = signed_in.post(f"/categorisation-rules/{rule.id}/edit", data=_form(household, name="Taxi",
                                                                                   tags=" trip ,Trip, work"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (db.session.get(CategorisationRule, rule.id).name, db.session.get(CategorisationRule, rule.id).tags) == (
        "Taxi", "trip, work")
    assert input_value(signed_in.get(f"/categorisation-rules/{rule.id}/edit").text, "tags") == "trip, work"
    assert signed_in.post(f"/categorisation-rules/{rule.id}/delete").status_code == 302
    assert _count() == 0
    record = db.session.scalars(select(UndoRecord)).one()
    assert signed_in.post(f"/undo/{record.id}", data={"next": "/categorisation-rules"}).status_code == 302
    db.session.expire_all()
    back = db.session.get(CategorisationRule, rule.id)
    assert back is not None and back.name == "Taxi"


def test_the_import_review_shows_which_rule_set_the_category(signed_in, household):
    create_rule(db.session, household, RuleInput(name="Pharmacy", pattern="farmacia",
                                                 category_id=category(household, "expense.transport").id))
    db.session.commit()
    account = checking_account(household)
    token = token_of(upload(signed_in, OFX, name="extrato.ofx", account_id=account.id))
    page = signed_in.get(f"/imports/{token}/review").get_data(as_text=True)
    assert page.count('class="badge text-bg-light border import-rule"') == 1
    assert "Pharmacy" in page


def test_the_entry_form_fills_only_an_empty_payee_from_the_rules(signed_in, household):
    create_rule(db.session, household, RuleInput(name="Rides", pattern="uber", payee_name="Uber",
                                                 payment_method="credit_card"))
    db.session.commit()
    form = entry_form(household, description="Uber to work", payee="", payment_method="cash")
    assert signed_in.post("/entries/new", data=form).status_code == 302
    entry = db.session.scalars(select(Entry).where(Entry.description == "Uber to work")).one()
    assert entry.payee.name == "Uber" and entry.payment_method == "cash"
    signed_in.post("/entries/new", data=entry_form(household, description="Uber home", payee="Taxi"))
    assert db.session.scalars(select(Entry).where(Entry.description == "Uber home")).one().payee.name == "Taxi"
