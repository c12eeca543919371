"""Entries through the web: add, refuse bad input beside the field, edit, duplicate, delete,
mark paid or unpaid, and go back where the user was."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry
from finora.services.ledger.catalogue import set_category_archived
from tests.ledger_factories import (
    category,
    checking_account,
    entry_row,
    field_error,
    field_tag,
    input_value,
    make_account,
    make_entry,
    reload,
    select_options,
    selected_value,
    snapshot,
)

# 09:00 in São Paulo (the households' time zone): their "today" is 2026-03-15.
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
TODAY = date(2026, 3, 15)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def entry_form(household, **overrides) -> dict:
    """A valid expense as the browser posts it; an override of None leaves the field out."""
    data = {
        "kind": "expense",
        "amount": "1,234.56",
        "date": "2026-03-10",
        "description": "Weekly groceries",
        "account_id": str(checking_account(household).id),
        "category_id": str(category(household, "expense.food").id),
        "subcategory_id": str(category(household, "expense.food.groceries").id),
        "payment_method": "debit_card",
        "notes": "",
        "next": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def entry_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Entry))


def only_entry() -> Entry:
    db.session.expire_all()
    entries = list(db.session.scalars(select(Entry)))
    assert len(entries) == 1
    return entries[0]


# Adding


def test_add_an_expense(signed_in, user, household):
    response = signed_in.post("/entries/new", data=entry_form(household, notes=" From the fair "))
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/2026/3"

    entry = only_entry()
    assert entry.household_id == household.id and entry.created_by_id == user.id
    assert entry.kind == "expense" and entry.amount == Decimal("1234.56")
    assert entry.date == date(2026, 3, 10) and entry.paid_on is None
    assert entry.description == "Weekly groceries" and entry.notes == "From the fair"
    assert entry.account_id == checking_account(household).id
    assert entry.category_id == category(household, "expense.food").id
    assert entry.subcategory_id == category(household, "expense.food.groceries").id
    assert entry.payment_method == "debit_card"

    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert "Entry “Weekly groceries” added." in page
    row = entry_row(page, entry.id)
    assert "Weekly groceries" in row and "-R$1,234.56" in row
    assert "Food" in row and "Groceries" in row and "Checking account" in row
    assert "Debit card" in row


def test_add_a_paid_income_without_a_subcategory(signed_in, household):
    response = signed_in.post(
        "/entries/new",
        data=entry_form(
            household,
            kind="income",
            amount="5,000",
            date="2026-03-05",
            description="Salary",
            category_id=str(category(household, "income.work").id),
            subcategory_id="",
            payment_method="bank_transfer",
            paid="y",
            paid_on="2026-03-06",
        ),
    )
    assert response.status_code == 302
    entry = only_entry()
    assert entry.kind == "income" and entry.amount == Decimal("5000.00")
    assert entry.subcategory_id is None and entry.paid_on == date(2026, 3, 6)

    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert 'data-metric="received"><span class="money">R$5,000.00</span>' in page
    assert "Received" in entry_row(page, entry.id)  # income is received, not paid


# Bad input: 422, the message beside the right field, what was typed kept, nothing saved.

BAD_INPUT = [
    pytest.param(
        {"amount": "abc"}, "amount", "Enter a number, such as 1,234.56.", id="amount-letters"
    ),
    pytest.param(
        {"amount": "1,234.567"}, "amount", "Use at most two decimal places.", id="amount-3-decimals"
    ),
    pytest.param({"amount": "-5"}, "amount", "Enter a positive amount.", id="amount-negative"),
    pytest.param({"amount": "0"}, "amount", "Enter a positive amount.", id="amount-zero"),
    pytest.param({"amount": ""}, "amount", "Enter an amount.", id="amount-empty"),
    pytest.param(
        {"amount": "1e5"}, "amount", "Enter a number, such as 1,234.56.", id="amount-exponent"
    ),
    pytest.param(
        {"date": "2026-02-30"}, "date", "Enter a real date, such as 2026-03-31.", id="date-unreal"
    ),
    pytest.param({"date": ""}, "date", "Enter a date.", id="date-empty"),
    pytest.param(
        {"description": "   "}, "description", "Describe the entry.", id="description-blank"
    ),
    pytest.param(
        {"category_id": "", "subcategory_id": ""},
        "category_id",
        "Choose a category.",
        id="category-missing",
    ),
    pytest.param(
        {"subcategory_id": "@expense.housing.rent"},
        "subcategory_id",
        "Choose a subcategory of the chosen category.",
        id="subcategory-of-another-category",
    ),
    pytest.param(
        {"category_id": "@expense.food.groceries", "subcategory_id": ""},
        "category_id",
        "Choose a category.",
        id="subcategory-as-category",
    ),
    pytest.param(
        {"category_id": "@income.work", "subcategory_id": ""},
        "category_id",
        "Choose a category.",
        id="income-category-on-an-expense",
    ),
    pytest.param(
        {"kind": "income"}, "category_id", "Choose a category.", id="expense-category-on-an-income"
    ),
    pytest.param(
        {"category_id": "@archived-category", "subcategory_id": ""},
        "category_id",
        "This category is archived; choose another one.",
        id="archived-category",
    ),
    pytest.param(
        {"account_id": "@archived-account"},
        "account_id",
        "This account is archived; choose another one.",
        id="archived-account",
    ),
    pytest.param({"account_id": ""}, "account_id", "Choose an account.", id="account-missing"),
    pytest.param(
        {"account_id": "999999"}, "account_id", "Choose an account.", id="account-unknown"
    ),
    pytest.param(
        {"payment_method": "bitcoin"}, "payment_method", "Not a valid choice.", id="payment-method"
    ),
]


def _resolve(household, overrides: dict) -> dict:
    """Turn "@code" placeholders into this household's ids."""
    resolved = {}
    for key, value in overrides.items():
        if value == "@archived-account":
            value = str(make_account(household, name="Old bank", archived=True).id)
        elif value == "@archived-category":
            leisure = category(household, "expense.leisure")
            set_category_archived(db.session, leisure, True)
            db.session.commit()
            value = str(leisure.id)
        elif isinstance(value, str) and value.startswith("@"):
            value = str(category(household, value[1:]).id)
        resolved[key] = value
    return resolved


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_beside_its_field(signed_in, household, overrides, field, message):
    data = entry_form(household, **_resolve(household, overrides))
    response = signed_in.post("/entries/new", data=data)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    assert 'aria-invalid="true"' in field_tag(page, field)
    assert f"{field}-error" in field_tag(page, field)  # aria-describedby points at the message
    # What was typed comes back as typed.
    assert input_value(page, "amount") == data["amount"]
    if field != "description":
        assert input_value(page, "description") == "Weekly groceries"
    assert input_value(page, "date") == data["date"]
    assert entry_count() == 0


def test_only_the_wrong_fields_are_marked(signed_in, household):
    response = signed_in.post(
        "/entries/new", data=entry_form(household, amount="abc", date="2026-13-01")
    )
    page = response.get_data(as_text=True)
    assert field_error(page, "amount") and field_error(page, "date")
    for fine in ("description", "account_id", "category_id", "subcategory_id"):
        assert field_error(page, fine) is None
        assert "aria-invalid" not in field_tag(page, fine)
    # The choices made are still selected.
    assert selected_value(page, "category_id") == str(category(household, "expense.food").id)
    assert selected_value(page, "subcategory_id") == str(
        category(household, "expense.food.groceries").id
    )
    assert selected_value(page, "payment_method") == "debit_card"


def test_a_portuguese_user_reads_errors_and_types_amounts_in_portuguese(signed_in, user, household):
    user.locale = "pt"
    db.session.commit()
    with force_locale("pt"):
        expected = gettext("Enter a number, such as %(example)s.", example="1.234,56")
    assert expected != "Enter a number, such as 1.234,56."  # the catalogue translates it

    response = signed_in.post("/entries/new", data=entry_form(household, amount="abc"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "amount") == expected
    assert "Enter a number" not in page
    assert entry_count() == 0

    response = signed_in.post("/entries/new", data=entry_form(household, amount="1.234,56"))
    assert response.status_code == 302
    assert only_entry().amount == Decimal("1234.56")


# The "Paid" switch


def test_paid_without_a_date_means_the_households_today(signed_in, household, frozen_time):
    # 02:00 UTC on the 16th is still the evening of the 15th in São Paulo.
    frozen_time.move_to(datetime(2026, 3, 16, 2, tzinfo=UTC))
    response = signed_in.post("/entries/new", data=entry_form(household, paid="y", paid_on=""))
    assert response.status_code == 302
    assert only_entry().paid_on == date(2026, 3, 15)


def test_paid_on_a_given_day(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, paid="y", paid_on="2026-03-12"))
    assert only_entry().paid_on == date(2026, 3, 12)


def test_not_paid_ignores_a_typed_paid_on_date(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, paid_on="2026-03-12"))
    assert only_entry().paid_on is None


# The new-entry form's defaults


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "2026-03-15"),
        ("?year=2026&month=3", "2026-03-15"),
        ("?year=2026&month=5", "2026-05-01"),
        ("?year=2025&month=12", "2025-12-01"),
        ("?year=2026&month=13", "2026-03-15"),
    ],
)
def test_new_entry_date_is_today_in_this_month_else_the_first(signed_in, query, expected):
    page = signed_in.get(f"/entries/new{query}").get_data(as_text=True)
    assert input_value(page, "date") == expected


def test_new_entry_defaults(signed_in, household):
    page = signed_in.get("/entries/new?kind=income&next=/dashboard/2026/3").get_data(as_text=True)
    assert "checked" in field_tag(page, "kind-0") and "income" in field_tag(page, "kind-0")
    assert selected_value(page, "account_id") == str(checking_account(household).id)
    assert input_value(page, "next") == "/dashboard/2026/3"
    assert input_value(page, "amount") == ""
    assert "checked" not in field_tag(page, "paid")

    page = signed_in.get("/entries/new").get_data(as_text=True)
    assert "checked" in field_tag(page, "kind-1") and "expense" in field_tag(page, "kind-1")


# Edit, duplicate, delete, paid and unpaid


def test_edit_shows_the_entry_and_saves_changes(signed_in, household):
    entry = make_entry(
        household,
        amount="1234.56",
        description="Rent",
        date=date(2026, 3, 5),
        category="expense.housing",
        subcategory="expense.housing.rent",
        paid_on=date(2026, 3, 5),
        notes="March",
        payment_method="bank_transfer",
    )
    page = signed_in.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert "Edit entry" in page
    assert input_value(page, "amount") == "1234.56"
    assert input_value(page, "description") == "Rent"
    assert input_value(page, "date") == "2026-03-05"
    assert input_value(page, "paid_on") == "2026-03-05"
    assert "checked" in field_tag(page, "paid")
    assert selected_value(page, "category_id") == str(category(household, "expense.housing").id)
    assert selected_value(page, "subcategory_id") == str(
        category(household, "expense.housing.rent").id
    )
    assert selected_value(page, "payment_method") == "bank_transfer"
    assert "March" in page

    wallet = make_account(household, name="Wallet", kind="cash")
    response = signed_in.post(
        f"/entries/{entry.id}/edit",
        data=entry_form(
            household,
            amount="1,300.00",
            description="Rent (new contract)",
            date="2026-03-06",
            account_id=str(wallet.id),
            category_id=str(category(household, "expense.housing").id),
            subcategory_id="",
            paid="y",
            paid_on="2026-03-07",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/2026/3"
    entry = reload(Entry, entry.id)
    assert entry.amount == Decimal("1300.00") and entry.description == "Rent (new contract)"
    assert entry.date == date(2026, 3, 6) and entry.paid_on == date(2026, 3, 7)
    assert entry.account_id == wallet.id and entry.subcategory_id is None
    assert entry_count() == 1


def test_edit_with_bad_input_changes_nothing(signed_in, household):
    entry = make_entry(household, description="Rent")
    before = snapshot(Entry, entry.id)
    response = signed_in.post(
        f"/entries/{entry.id}/edit",
        data=entry_form(household, amount="12,34,5", description="Changed"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "amount") == "Enter a number, such as 1,234.56."
    assert (
        input_value(page, "amount") == "12,34,5" and input_value(page, "description") == "Changed"
    )
    assert snapshot(Entry, entry.id) == before


def test_edit_unpaid_clears_the_paid_date(signed_in, household):
    entry = make_entry(household, paid_on=date(2026, 3, 10))
    signed_in.post(f"/entries/{entry.id}/edit", data=entry_form(household, paid_on="2026-03-10"))
    assert reload(Entry, entry.id).paid_on is None


def test_duplicate_prefills_the_form_but_not_the_payment(signed_in, household):
    source = make_entry(
        household,
        amount="89.90",
        description="Internet",
        date=date(2026, 3, 8),
        category="expense.telecom",
        subcategory="expense.telecom.internet",
        paid_on=date(2026, 3, 8),
        notes="Fibre",
        payment_method="credit_card",
    )
    before = snapshot(Entry, source.id)
    page = signed_in.get(f"/entries/{source.id}/duplicate?next=/dashboard/2026/3").get_data(
        as_text=True
    )
    assert "Duplicate entry" in page
    assert input_value(page, "amount") == "89.90"
    assert input_value(page, "description") == "Internet"
    assert input_value(page, "date") == "2026-03-08"
    assert selected_value(page, "category_id") == str(category(household, "expense.telecom").id)
    assert selected_value(page, "subcategory_id") == str(
        category(household, "expense.telecom.internet").id
    )
    assert selected_value(page, "payment_method") == "credit_card"
    assert "Fibre" in page
    assert "checked" not in field_tag(page, "paid")
    assert input_value(page, "paid_on") in (None, "")
    assert input_value(page, "next") == "/dashboard/2026/3"

    response = signed_in.post(
        f"/entries/{source.id}/duplicate",
        data=entry_form(
            household,
            amount="89.90",
            description="Internet",
            date="2026-04-08",
            category_id=str(category(household, "expense.telecom").id),
            subcategory_id=str(category(household, "expense.telecom.internet").id),
            next="/dashboard/2026/3",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/2026/3"
    assert entry_count() == 2
    assert snapshot(Entry, source.id) == before
    copy = db.session.scalar(select(Entry).where(Entry.id != source.id))
    assert copy.date == date(2026, 4, 8) and copy.amount == Decimal("89.90")
    assert copy.paid_on is None


def test_duplicate_with_bad_input_creates_nothing(signed_in, household):
    source = make_entry(household)
    response = signed_in.post(
        f"/entries/{source.id}/duplicate", data=entry_form(household, amount="")
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "amount") == "Enter an amount."
    assert entry_count() == 1


def test_delete(signed_in, household):
    keep = make_entry(household, description="Keep me")
    entry = make_entry(household, description="Bus fare", date=date(2026, 2, 3))
    response = signed_in.post(f"/entries/{entry.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/2026/2"
    assert reload(Entry, entry.id) is None
    assert reload(Entry, keep.id) is not None
    page = signed_in.get("/dashboard/2026/2").get_data(as_text=True)
    assert "Entry “Bus fare” deleted." in page


def test_mark_paid_and_unpaid(signed_in, household):
    entry = make_entry(household, description="Water bill", date=date(2026, 3, 1))
    response = signed_in.post(f"/entries/{entry.id}/paid")
    assert response.status_code == 302
    assert reload(Entry, entry.id).paid_on == TODAY
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert "“Water bill” marked as paid." in page
    assert 'aria-label="Mark Water bill as not paid"' in entry_row(page, entry.id)

    response = signed_in.post(f"/entries/{entry.id}/unpaid")
    assert response.status_code == 302
    assert reload(Entry, entry.id).paid_on is None
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert "“Water bill” marked as not paid." in page
    assert 'aria-label="Mark Water bill as paid"' in entry_row(page, entry.id)


def test_marking_an_already_paid_entry_keeps_the_day_it_was_paid(signed_in, household):
    """A second "paid" click from a stale tab must not move the payment date."""
    entry = make_entry(
        household, description="Rent", date=date(2026, 3, 5), paid_on=date(2026, 3, 6)
    )
    assert signed_in.post(f"/entries/{entry.id}/paid").status_code == 302
    assert reload(Entry, entry.id).paid_on == date(2026, 3, 6)


# Back where the user was

NEXT = "/dashboard/2026/3?kind=expense&page=2"
EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]


def _act(client, household, action: str, next_url: str):
    """Do one entry action with `next`; the entry is dated in January 2026."""
    entry = make_entry(household, description="Bakery", date=date(2026, 1, 20))
    january = entry_form(household, date="2026-01-20", next=next_url)
    if action == "add":
        return client.post("/entries/new", data=january)
    if action == "edit":
        return client.post(f"/entries/{entry.id}/edit", data=january)
    if action == "duplicate":
        return client.post(f"/entries/{entry.id}/duplicate", data=january)
    return client.post(f"/entries/{entry.id}/{action}", data={"next": next_url})


ACTIONS = ["add", "edit", "duplicate", "delete", "paid", "unpaid"]


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_go_back_to_the_next_page(signed_in, household, action):
    response = _act(signed_in, household, action, NEXT)
    assert response.status_code == 302
    assert response.headers["Location"] == NEXT


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_without_next_go_to_the_entrys_month(signed_in, household, action):
    response = _act(signed_in, household, action, "")
    assert response.headers["Location"] == "/dashboard/2026/1"


@pytest.mark.parametrize("evil", EVIL)
@pytest.mark.parametrize("action", ACTIONS)
def test_a_next_to_another_site_is_ignored_for_the_entrys_month(signed_in, household, action, evil):
    location = _act(signed_in, household, action, evil).headers["Location"]
    assert location == "/dashboard/2026/1"


@pytest.mark.parametrize("evil", EVIL)
@pytest.mark.parametrize("url", ["/entries/new", "/entries/{id}/edit", "/entries/{id}/duplicate"])
def test_the_cancel_link_never_leaves_finora(signed_in, household, url, evil):
    entry = make_entry(household)
    page = signed_in.get(url.format(id=entry.id), query_string={"next": evil}).get_data(
        as_text=True
    )
    cancel = re.search(r'<a [^>]*href="([^"]*)"[^>]*>Cancel</a>', page).group(1)
    assert cancel == "/dashboard"


def test_the_cancel_link_goes_back_to_next(signed_in, household):
    page = signed_in.get("/entries/new?next=/dashboard/2026/3%3Fpage%3D2").get_data(as_text=True)
    assert '<a class="btn btn-outline-secondary" href="/dashboard/2026/3?page=2">Cancel</a>' in page


# GET never changes anything


@pytest.mark.parametrize("action", ["delete", "paid", "unpaid"])
def test_get_on_a_state_changing_route_is_refused(signed_in, household, action):
    entry = make_entry(household, paid_on=date(2026, 3, 10) if action == "unpaid" else None)
    before = snapshot(Entry, entry.id)
    assert signed_in.get(f"/entries/{entry.id}/{action}").status_code == 405
    assert snapshot(Entry, entry.id) == before


def test_get_on_edit_and_duplicate_changes_nothing(signed_in, household):
    entry = make_entry(household)
    before = snapshot(Entry, entry.id)
    assert signed_in.get(f"/entries/{entry.id}/edit").status_code == 200
    assert signed_in.get(f"/entries/{entry.id}/duplicate").status_code == 200
    assert signed_in.get("/entries/new").status_code == 200
    assert snapshot(Entry, entry.id) == before
    assert entry_count() == 1


def test_visitors_are_sent_to_sign_in(client):
    for url in ("/entries/new", "/entries/1/edit", "/entries/1/duplicate"):
        assert "/login" in client.get(url).headers["Location"]
    for url in ("/entries/new", "/entries/1/delete", "/entries/1/paid", "/entries/1/unpaid"):
        assert "/login" in client.post(url).headers["Location"]


# Status is derived from the dates


def test_status_on_the_dashboard(signed_in, household):
    overdue = make_entry(household, description="Gas", date=date(2026, 3, 14))
    due_today = make_entry(household, description="Phone", date=TODAY)
    later = make_entry(household, description="School", date=date(2026, 3, 28))
    paid = make_entry(
        household, description="Rent", date=date(2026, 3, 1), paid_on=date(2026, 3, 2)
    )
    paid_early = make_entry(
        household, description="Gym", date=date(2026, 3, 30), paid_on=date(2026, 3, 14)
    )
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)

    def badge(entry):
        row = entry_row(page, entry.id)
        return row[row.index('<span class="badge') :].split(">", 1)[1].split("<", 1)[0]

    assert badge(overdue) == "Overdue"
    assert badge(due_today) == "Pending"
    assert badge(later) == "Pending"
    assert badge(paid) == "Paid"
    assert badge(paid_early) == "Paid"


def test_status_follows_the_households_clock(signed_in, household, frozen_time):
    entry = make_entry(household, description="Gas", date=date(2026, 3, 15))
    # 02:59 UTC on the 16th: still the 15th in São Paulo, so not overdue yet.
    frozen_time.move_to(datetime(2026, 3, 16, 2, 59, tzinfo=UTC))
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert "Pending" in entry_row(page, entry.id)
    frozen_time.move_to(datetime(2026, 3, 16, 3, 1, tzinfo=UTC))
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert "Overdue" in entry_row(page, entry.id)


def test_the_form_lists_only_active_accounts_and_categories_of_both_kinds(signed_in, household):
    make_account(household, name="Old bank", archived=True)
    make_account(household, name="Wallet", kind="cash")
    page = signed_in.get("/entries/new").get_data(as_text=True)
    accounts = [label for _value, label, _selected in select_options(page, "account_id")]
    assert accounts == ["Checking account", "Wallet"]
    categories = [label for _value, label, _selected in select_options(page, "category_id")]
    assert "Food" in categories and "Work" in categories
    assert "Groceries" not in categories  # subcategories have their own select
