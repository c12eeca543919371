"""GET /api/v1/entries (a month, the dashboard's filters, paged), GET/POST/PUT/DELETE
/entries[/<id>], POST and DELETE /entries/<id>/paid: through the entries service the
pages call, the same entries the dashboard lists for the same filters."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from finora.api.ledger_json import EntryOut
from finora.dates import today
from finora.extensions import db
from finora.models import AuditEvent, Entry
from finora.services.ledger.entry_list import EntryFilters, list_entries
from finora.services.planning.periods import month_bounds, shift_month
from finora.services.planning.posting import post_rule_now
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import (
    category,
    checking_account,
    make_account,
    make_entry,
    make_transfer,
    reload,
)
from tests.planning_factories import make_rule


def _month(household, delta: int = 0) -> tuple[int, int, date]:
    """(year, month, its first day) `delta` months from the household's current one."""
    day = today(household)
    year, month = shift_month(day.year, day.month, delta)
    return year, month, date(year, month, 1)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json["data"]]


def test_no_entries_is_an_empty_page(signed_api, household):
    assert signed_api.get("/entries").json == {
        "data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}


def test_the_current_month_by_default_newest_first_with_every_field(signed_api, household):
    year, month, first = _month(household)
    _, last = month_bounds(year, month)
    early = make_entry(household, date=first, amount="12.30", notes="Market",
                       payment_method="cash")
    late = make_entry(household, kind="income", date=last, amount="1000", paid_on=first)
    make_entry(household, date=first - timedelta(days=1))  # the month before
    make_transfer(household, checking_account(household),
                  make_account(household, name="Pot"), date=first)  # not an entry
    response = signed_api.get("/entries")
    assert _ids(response) == [late.id, early.id]
    assert response.json["meta"]["total"] == 2
    shown = [EntryOut.model_validate(item) for item in response.json["data"]]
    assert shown[0].type == "income" and shown[0].paid and shown[0].status == "paid"
    assert shown[0].paid_on == first.isoformat() and shown[0].amount == "1000.00"
    e = shown[1]
    assert (e.type, e.amount, e.date, e.paid, e.paid_on) == (
        "expense", "12.30", first.isoformat(), False, None)
    assert e.category_id == category(household, "expense.food").id
    assert e.subcategory_id == category(household, "expense.food.groceries").id
    assert (e.notes, e.payment_method, e.rule_id, e.account_id) == (
        "Market", "cash", None, checking_account(household).id)
    assert signed_api.get(f"/entries?year={year}&month={month}").json == response.json


def test_another_month_and_the_same_entries_as_the_dashboard_for_each_filter(signed_api, household):
    year, month, first = _month(household, -1)  # past: unpaid entries are overdue
    wallet = make_account(household, name="Wallet", opening_date=first - timedelta(days=40))
    food = category(household, "expense.food")
    made = [
        make_entry(household, date=first, description="Rice and beans", payment_method="cash"),
        make_entry(household, date=first + timedelta(days=1), paid_on=first, account=wallet),
        make_entry(household, date=first + timedelta(days=2), kind="income",
                   description="Salary", paid_on=first),
        make_entry(household, date=first + timedelta(days=3), category="expense.housing",
                   subcategory=None, notes="the RICE cooker"),
        make_entry(household, date=first + timedelta(days=4), subcategory=None,
                   category=food, account=wallet),
    ]
    assert len(_ids(signed_api.get(f"/entries?year={year}&month={month}"))) == len(made)
    start, end = month_bounds(year, month)
    queries = [
        ("kind=EXPENSE", EntryFilters(kind="expense")),
        ("kind=Income", EntryFilters(kind="income")),
        (f"account_id={wallet.id}", EntryFilters(account_id=wallet.id)),
        (f"category_id={food.id}", EntryFilters(category_id=food.id)),
        (f"category_id={category(household, 'expense.food.groceries').id}",
         EntryFilters(category_id=category(household, "expense.food.groceries").id)),
        ("status=paid", EntryFilters(status="paid")),
        ("status=overdue", EntryFilters(status="overdue")),
        ("status=pending", EntryFilters(status="pending")),
        ("search=rice", EntryFilters(search="rice")),
        ("payment_method=CASH", EntryFilters(payment_method="cash")),
        (f"search=rice&account_id={wallet.id}", EntryFilters(search="rice", account_id=wallet.id)),
    ]
    day = today(household)
    for text, filters in queries:
        page = list_entries(db.session, household, start, end, filters, day)
        expected = [row.entry.id for row in page.items if row.entry is not None]
        assert _ids(signed_api.get(f"/entries?year={year}&month={month}&{text}")) == expected, text
    unpaid = _ids(signed_api.get(f"/entries?year={year}&month={month}&status=UNPAID"))
    assert unpaid == [made[4].id, made[3].id, made[0].id]
    assert signed_api.get(f"/entries?year={year}&month={month}&status=overdue").json[
        "data"][0]["status"] == "overdue"


def test_pending_is_unpaid_and_not_yet_due(signed_api, household):
    year, month, first = _month(household, 1)
    ahead = make_entry(household, date=first)
    make_entry(household, date=first, paid_on=today(household))
    assert _ids(signed_api.get(f"/entries?year={year}&month={month}&status=pending")) == [ahead.id]
    assert _ids(signed_api.get(f"/entries?year={year}&month={month}&status=unpaid")) == [ahead.id]
    assert signed_api.get(f"/entries/{ahead.id}").json["data"]["status"] == "pending"


def test_pages_in_sql(signed_api, household):
    year, month, first = _month(household)
    made = [make_entry(household, date=first, commit=False) for _ in range(5)]
    db.session.commit()
    newest_first = [e.id for e in sorted(made, key=lambda e: e.id, reverse=True)]
    page = signed_api.get("/entries?limit=2&offset=2").json
    assert page["meta"] == {"total": 5, "limit": 2, "offset": 2}
    assert [e["id"] for e in page["data"]] == newest_first[2:4]
    assert signed_api.get("/entries?offset=5").json["data"] == []


@pytest.mark.parametrize(("query", "field"), [
    ("month=13", "month"), ("month=0", "month"), ("year=abc", "year"), ("year=0", "year"),
    ("year=99999", "year"), ("kind=transfer", "kind"), ("status=late", "status"),
    ("account_id=x", "account_id"), ("category_id=-1", "category_id"),
    ("account_id=99999999", "account_id"), ("category_id=99999999", "category_id"),
    ("limit=501", "limit"), ("offset=-1", "offset"), ("search=a%00b", "search"),
    ("payment_method=cheque", "payment_method"), ("search=" + "x" * 201, "search"),
])
def test_bad_query_parameters_are_422_on_their_field(signed_api, household, query, field):
    body = assert_error(signed_api.get(f"/entries?{query}"), 422, "validation_error")
    assert field in body["fields"], body


def test_a_month_out_of_range_says_the_range(signed_api, household):
    body = assert_error(signed_api.get("/entries?month=13"), 422, "validation_error")
    assert body["fields"] == {"month": "Must be from 1 to 12."}


def test_another_households_account_or_category_as_a_filter_is_422(signed_api, household):
    other = stranger_household()
    for query, field in ((f"account_id={checking_account(other).id}", "account_id"),
                         (f"category_id={category(other, 'expense.food').id}", "category_id")):
        body = assert_error(signed_api.get(f"/entries?{query}"), 422, "validation_error")
        assert field in body["fields"]


def test_adding_an_entry_with_every_field(signed_api, household):
    day = today(household)
    wallet = make_account(household, name="Wallet", opening_date=day - timedelta(days=40))
    body = {
        "type": "expense", "amount": "45.9", "date": day.isoformat(), "description": " Pizza ",
        "account_id": wallet.id, "category_id": category(household, "expense.food").id,
        "subcategory_id": category(household, "expense.food.groceries").id,
        "paid_on": day.isoformat(), "notes": "Friday", "payment_method": "debit_card",
    }
    response = signed_api.post("/entries", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    data = EntryOut.model_validate(response.json["data"])
    assert (data.description, data.amount, data.account_id, data.paid, data.status) == (
        "Pizza", "45.90", wallet.id, True, "paid")
    stored = reload(Entry, data.id)
    assert stored.amount == Decimal("45.90") and stored.payment_method == "debit_card"
    assert stored.household_id == household.id and stored.notes == "Friday"
    assert stored.created_by_id is not None
    assert signed_api.get("/accounts").json["data"][-1]["balance"] == "-45.90"


def test_financeflows_minimal_entry_takes_the_defaults(signed_api, household):
    food = category(household, "expense.food")
    response = signed_api.post("/entries", json={"type": "EXPENSE", "amount": 12.5,
                                                 "category_id": food.id})
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.json["data"]
    assert data["description"] == food.label  # no description: the category's name
    assert data["date"] == today(household).isoformat() and data["paid"] is False
    assert data["account_id"] == checking_account(household).id  # the primary account
    assert data["subcategory_id"] is None and data["payment_method"] == "other"
    # No category at all: the kind's catch-all, as for imports and schedules.
    income = signed_api.post("/entries", json={"type": "Income", "amount": "3", "paid": True})
    shown = income.json["data"]
    assert shown["category_id"] == category(household, "income.other").id
    assert shown["description"] and shown["paid_on"] == today(household).isoformat()


def test_bad_entry_bodies_are_422_on_their_field(signed_api, household):
    food = category(household, "expense.food").id
    archived = make_account(household, name="Closed", archived=True)
    theirs = stranger_household()
    cases = [
        ({"amount": "1"}, "type"),
        ({"type": "transfer", "amount": "1"}, "type"),
        ({"type": "expense"}, "amount"),
        ({"type": "expense", "amount": "0"}, "amount"),
        ({"type": "expense", "amount": "-5"}, "amount"),
        ({"type": "expense", "amount": "1.001"}, "amount"),
        ({"type": "expense", "amount": "1", "date": "2026-02-30"}, "date"),
        ({"type": "expense", "amount": "1", "date": "1700-01-01"}, "date"),
        ({"type": "expense", "amount": "1", "category_id": category(household, "income.work").id},
         "category_id"),
        ({"type": "expense", "amount": "1", "category_id": food,
          "subcategory_id": category(household, "expense.housing").id}, "subcategory_id"),
        ({"type": "expense", "amount": "1", "account_id": archived.id}, "account_id"),
        ({"type": "expense", "amount": "1", "account_id": checking_account(theirs).id},
         "account_id"),
        ({"type": "expense", "amount": "1", "category_id": category(theirs, "expense.food").id},
         "category_id"),
        ({"type": "expense", "amount": "1", "payment_method": "cheque"}, "payment_method"),
        ({"type": "expense", "amount": "1", "description": "x" * 201}, "description"),
        ({"type": "expense", "amount": "1", "paid": "yes please"}, "paid"),
    ]
    for body, field in cases:
        response = signed_api.post("/entries", json=body)
        assert response.status_code == 422, (body, response.get_data(as_text=True))
        assert field in response.json["fields"], (body, response.json)
    assert db.session.query(Entry).count() == 0


def test_changing_only_the_fields_sent(signed_api, household):
    entry = make_entry(household, description="Groceries", amount="10.00", notes="keep",
                       date=today(household))
    data = signed_api.put(f"/entries/{entry.id}", json={"amount": "11.5"}).json["data"]
    assert (data["amount"], data["description"], data["notes"]) == ("11.50", "Groceries", "keep")
    data = signed_api.put(f"/entries/{entry.id}", json={"paid": True, "notes": None}).json["data"]
    assert data["paid_on"] == today(household).isoformat() and data["notes"] is None
    data = signed_api.put(f"/entries/{entry.id}", json={"paid_on": None}).json["data"]
    assert data["paid"] is False
    # A new type without a category: the new kind's catch-all category.
    data = signed_api.put(f"/entries/{entry.id}", json={"type": "INCOME"}).json["data"]
    assert data["type"] == "income"
    assert data["category_id"] == category(household, "income.other").id
    data = signed_api.put(f"/entries/{entry.id}", json={"description": ""}).json["data"]
    assert data["description"] == db.session.get(type(category(household, "income.other")),
                                                 data["subcategory_id"] or data["category_id"]).label
    stored = reload(Entry, entry.id)
    assert stored.kind == "income" and stored.amount == Decimal("11.50")
    EntryOut.model_validate(data)


def test_a_bad_change_is_422_and_changes_nothing(signed_api, household):
    entry = make_entry(household, amount="10.00")
    response = signed_api.put(f"/entries/{entry.id}", json={"amount": "5", "category_id":
                                                            category(household, "income.work").id})
    assert_error(response, 422, "validation_error")
    assert reload(Entry, entry.id).amount == Decimal("10.00")


def test_deleting_an_entry(signed_api, household):
    entry = make_entry(household)
    response = signed_api.delete(f"/entries/{entry.id}")
    assert response.status_code == 204 and response.get_data() == b""
    assert reload(Entry, entry.id) is None
    assert_error(signed_api.get(f"/entries/{entry.id}"), 404, "not_found")


def test_marking_paid_and_unpaid(signed_api, household):
    day = today(household)
    entry = make_entry(household, date=day)
    # No body at all: paid today, as the page's button.
    response = signed_api.client.post(f"/api/v1/entries/{entry.id}/paid",
                                      headers={"Authorization": f"Bearer {signed_api.token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert EntryOut.model_validate(response.json["data"]).paid_on == day.isoformat()
    # Already paid: it keeps the day it was paid on.
    again = signed_api.post(f"/entries/{entry.id}/paid",
                            json={"paid_on": (day - timedelta(days=2)).isoformat()})
    assert again.json["data"]["paid_on"] == day.isoformat()
    assert signed_api.delete(f"/entries/{entry.id}/paid").status_code == 204
    assert reload(Entry, entry.id).paid_on is None
    earlier = (day - timedelta(days=2)).isoformat()
    data = signed_api.post(f"/entries/{entry.id}/paid", json={"paid_on": earlier}).json["data"]
    assert data["paid_on"] == earlier and data["status"] == "paid"
    bad = signed_api.post(f"/entries/{entry.id}/paid", json={"paid_on": "someday"})
    assert "paid_on" in assert_error(bad, 422, "validation_error")["fields"]


def test_an_entry_posted_by_a_rule_names_it(signed_api, household):
    day = today(household)
    rule = make_rule(household, name="Rent", anchor_date=day - timedelta(days=1))
    post_rule_now(db.session, rule)
    db.session.commit()
    entry = db.session.query(Entry).filter_by(rule_id=rule.id).first()
    assert entry is not None
    data = signed_api.get(f"/entries/{entry.id}").json["data"]
    assert data["rule_id"] == rule.id and data["occurrence_date"] == entry.occurrence_date.isoformat()


def test_another_households_entry_is_404_even_with_a_bad_body(signed_api, household):
    theirs = make_entry(stranger_household())
    for method in ("PUT", "DELETE"):
        response = signed_api.open(method, f"/entries/{theirs.id}", json={"amount": "x"})
        assert_error(response, 404, "not_found")
    assert_error(signed_api.post(f"/entries/{theirs.id}/paid", json={"paid_on": "x"}), 404,
                 "not_found")
    assert reload(Entry, theirs.id).paid_on is None


def test_a_viewer_reads_but_cannot_write(api, household):
    entry = make_entry(household, date=today(household))
    viewer_api(api, household)
    assert _ids(api.get("/entries")) == [entry.id]
    assert api.get(f"/entries/{entry.id}").status_code == 200
    assert_error(api.post(f"/entries/{entry.id}/paid"), 403, "forbidden")
    assert reload(Entry, entry.id).paid_on is None


def test_writes_are_audited_as_on_the_pages(signed_api, household):
    created = signed_api.post("/entries", json={"type": "expense", "amount": "5"}).json["data"]
    signed_api.put(f"/entries/{created['id']}", json={"amount": "6"})
    signed_api.delete(f"/entries/{created['id']}")
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == created["id"],
                                        AuditEvent.action.like("entry.%"))
        .order_by(AuditEvent.id)).all()
    assert actions == ["entry.created", "entry.updated", "entry.deleted"]
