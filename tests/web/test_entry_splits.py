"""The split page: split an entry into category lines without JavaScript, add a row,
see a refused line beside its row with what was typed, edit and unsplit; the lists show
one row with a split marker."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import Entry, EntrySplit
from finora.services.ledger.splits import SplitLine, split_entry
from tests.ledger_factories import category, entry_row, field_error, input_value, make_entry

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
D = Decimal


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bill(household):
    return make_entry(household, amount=D("100.00"), category="expense.food", subcategory=None,
                      date=date(2026, 3, 10), description="Supermarket")


def rows(*lines, amount="100.00", **extra):
    data = {"amount": amount, "next": "/transactions", **extra}
    for index, (category_id, line_amount, note) in enumerate(lines):
        data |= {f"lines-{index}-category_id": str(category_id or ""), f"lines-{index}-amount": line_amount,
                 f"lines-{index}-note": note}
    return data


def stored(entry_id):
    db.session.expire_all()
    return [(s.category_id, s.subcategory_id, s.amount, s.note) for s in
            db.session.scalars(select(EntrySplit).where(EntrySplit.entry_id == entry_id).order_by(EntrySplit.position))]


def test_the_page_starts_with_the_entrys_category_and_an_empty_row(signed_in, household, bill):
    page = signed_in.get(f"/entries/{bill.id}/split").get_data(as_text=True)
    assert input_value(page, "amount") == "100.00"
    assert input_value(page, "lines-0-amount") == "100.00"
    assert input_value(page, "lines-1-amount") == ""
    assert f'<option selected value="{category(household, "expense.food").id}">' in page
    # A subcategory is offered under its category, in one choice.
    assert "Food › Groceries" in page


def test_splitting_saves_the_lines_and_the_list_shows_one_row_marked_split(signed_in, household, bill):
    food, groceries, housing = (category(household, c).id for c in
                                ("expense.food", "expense.food.groceries", "expense.housing"))
    response = signed_in.post(f"/entries/{bill.id}/split", data=rows(
        (groceries, "70.00", "weekly shop"), (housing, "30.00", ""), (None, "", "")))
    assert response.status_code == 302 and response.headers["Location"] == "/transactions"
    assert stored(bill.id) == [(food, groceries, D("70.00"), "weekly shop"), (housing, None, D("30.00"), None)]
    page = signed_in.get("/transactions?year=2026&month=3").get_data(as_text=True)
    row = entry_row(page, bill.id)
    assert "split-marker" in row and "Split" in row
    assert page.count(f'data-entry-id="{bill.id}"') == 1
    # The edit page shows the lines and keeps the amount for the split page.
    edit = signed_in.get(f"/entries/{bill.id}/edit").get_data(as_text=True)
    assert "split-summary" in edit and "weekly shop" in edit and "readonly" in edit


def test_add_a_line_posts_back_with_one_more_row_and_keeps_what_was_typed(signed_in, household, bill):
    food = category(household, "expense.food").id
    response = signed_in.post(f"/entries/{bill.id}/split", data=rows(
        (food, "60,5", "typed"), (food, "", ""), add_line="Add a line"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert input_value(page, "lines-0-amount") == "60,5" and input_value(page, "lines-0-note") == "typed"
    assert input_value(page, "lines-2-amount") == ""
    assert stored(bill.id) == []


def test_a_sum_that_differs_is_refused_with_the_typed_values_kept(signed_in, household, bill):
    food, housing = category(household, "expense.food").id, category(household, "expense.housing").id
    response = signed_in.post(f"/entries/{bill.id}/split", data=rows((food, "60.00", "a"), (housing, "40.01", "b")))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The lines add up to" in page and "make them equal" in page
    assert input_value(page, "lines-1-amount") == "40.01"
    assert stored(bill.id) == []


def test_a_bad_line_is_shown_beside_its_row(signed_in, household, bill):
    food, salary = category(household, "expense.food").id, category(household, "income.work").id
    response = signed_in.post(f"/entries/{bill.id}/split", data=rows(
        (food, "50.00", ""), (None, "", ""), (salary, "50.00", "")))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, "lines-2-category_id") == "Choose a category."
    assert stored(bill.id) == []


def test_editing_the_amount_with_the_lines_and_unsplitting(signed_in, household, bill):
    food, housing = category(household, "expense.food").id, category(household, "expense.housing").id
    split_entry(db.session, bill, [SplitLine(housing, D("50.00")), SplitLine(food, D("50.00"))])
    db.session.commit()
    page = signed_in.get(f"/entries/{bill.id}/split").get_data(as_text=True)
    assert input_value(page, "lines-1-amount") == "50.00" and "Unsplit" in page
    response = signed_in.post(f"/entries/{bill.id}/split", data=rows(
        (housing, "50.00", ""), (food, "70.25", ""), amount="120.25"))
    assert response.status_code == 302
    assert db.session.get(Entry, bill.id).amount == D("120.25")
    # The edit form cannot change the amount of a split entry on its own.
    response = signed_in.post(f"/entries/{bill.id}/edit", data={
        "kind": "expense", "amount": "99.00", "date": "2026-03-10", "description": "Supermarket",
        "account_id": str(bill.account_id), "category_id": str(housing), "subcategory_id": "",
        "payment_method": "other"})
    assert response.status_code == 422
    assert "change its amount together with its lines" in response.get_data(as_text=True)
    response = signed_in.post(f"/entries/{bill.id}/unsplit", data={"next": "/transactions"})
    assert response.status_code == 302
    entry = db.session.get(Entry, bill.id)
    assert stored(bill.id) == [] and (entry.amount, entry.category_id) == (D("120.25"), housing)


def test_add_a_line_stops_at_the_most_lines_a_split_has(signed_in, household, bill):
    food = category(household, "expense.food").id
    data = rows(*[(food, "1.00", "") for _ in range(50)], add_line="Add a line")
    response = signed_in.post(f"/entries/{bill.id}/split", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert input_value(page, "lines-49-amount") == "1.00" and 'id="lines-50-amount"' not in page


def _duplicate_form(household, bill, **overrides):
    from tests.ledger_factories import checking_account

    data = {
        "kind": "expense", "amount": "100.00", "date": "2026-03-12", "description": "Supermarket again",
        "account_id": str(checking_account(household).id), "category_id": str(bill.category_id),
        "payment_method": "debit_card", "notes": "", "next": "/transactions", "payee": "Mercado",
        "tags": "home, weekly",
    }
    return data | overrides


def test_duplicating_a_split_entry_keeps_its_lines_payee_and_tags(signed_in, household, bill):
    from finora.services.ledger.tags import set_entry_tags

    food, groceries, housing = (category(household, c).id for c in
                                ("expense.food", "expense.food.groceries", "expense.housing"))
    split_entry(db.session, bill, [SplitLine(housing, D("60.00"), note="rent part"),
                                   SplitLine(food, D("40.00"), subcategory_id=groceries)])
    set_entry_tags(db.session, household, bill, ["home", "weekly"])
    db.session.commit()
    page = signed_in.get(f"/entries/{bill.id}/duplicate").get_data(as_text=True)
    assert 'id="split-summary"' in page and "The copy keeps these lines" in page
    assert 'value="home, weekly"' in page
    response = signed_in.post(f"/entries/{bill.id}/duplicate", data=_duplicate_form(household, bill))
    assert response.status_code == 302
    copy = db.session.scalar(select(Entry).where(Entry.description == "Supermarket again"))
    assert stored(copy.id) == [(housing, None, D("60.00"), "rent part"), (food, groceries, D("40.00"), None)]
    assert stored(bill.id) == stored(copy.id)
    db.session.expire_all()
    copy = db.session.get(Entry, copy.id)
    assert [t.name for t in copy.tags] == ["home", "weekly"] and copy.payee.name == "Mercado"


def test_a_copy_of_a_split_entry_with_another_amount_is_refused(signed_in, household, bill):
    food, housing = category(household, "expense.food").id, category(household, "expense.housing").id
    split_entry(db.session, bill, [SplitLine(housing, D("60.00")), SplitLine(food, D("40.00"))])
    db.session.commit()
    response = signed_in.post(f"/entries/{bill.id}/duplicate", data=_duplicate_form(household, bill, amount="90.00"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A copy of a split entry keeps its lines" in field_error(page, "amount")
    assert input_value(page, "amount") == "90.00"
    assert db.session.scalar(select(Entry).where(Entry.description == "Supermarket again")) is None
