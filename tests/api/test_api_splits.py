"""Splits through the API: entries carry their `lines`; POST and PUT write them through
the splits service the split page calls; a sum that differs, a bad line or a change the
lines would not add up to is a 422 naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from finora.api.ledger_json import EntryOut
from finora.extensions import db
from finora.models import Entry, EntrySplit
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import category, make_entry

D = Decimal


@pytest.fixture
def codes(household):
    return {c: category(household, c).id for c in
            ("expense.food", "expense.food.groceries", "expense.housing", "income.work")}


def _lines(codes, *specs):
    return [{"category_id": codes[c], "amount": a, **extra} for c, a, extra in specs]


def stored(entry_id):
    db.session.expire_all()
    return [(s.category_id, s.subcategory_id, s.amount, s.note) for s in
            db.session.scalars(select(EntrySplit).where(EntrySplit.entry_id == entry_id).order_by(EntrySplit.position))]


def test_adding_a_split_entry_returns_its_lines(signed_api, household, codes):
    response = signed_api.post("/entries", json={
        "type": "expense", "amount": "100.00", "date": "2026-03-10", "description": "Market",
        "lines": _lines(codes, ("expense.food", "70.00", {"subcategory_id": codes["expense.food.groceries"],
                                                          "note": "weekly"}),
                        ("expense.housing", "30.00", {}))})
    assert response.status_code == 201, response.get_data(as_text=True)
    data = EntryOut.model_validate(response.json["data"])
    assert data.category_id == codes["expense.food"] and data.subcategory_id == codes["expense.food.groceries"]
    assert [line.model_dump() for line in data.lines] == [
        {"category_id": codes["expense.food"], "subcategory_id": codes["expense.food.groceries"],
         "amount": "70.00", "note": "weekly"},
        {"category_id": codes["expense.housing"], "subcategory_id": None, "amount": "30.00", "note": None},
    ]
    listed = signed_api.get("/entries?year=2026&month=3").json["data"]
    assert [item["lines"] for item in listed] == [response.json["data"]["lines"]]
    assert signed_api.get(f"/entries/{data.id}").json["data"]["lines"] == response.json["data"]["lines"]


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([("expense.food", "70.00", {}), ("expense.housing", "30.01", {})], "lines"),
        ([("expense.food", "100.00", {})], "lines"),
        ([("expense.food", "70.00", {}), ("income.work", "30.00", {})], "lines.1.category_id"),
    ],
)
def test_a_split_that_does_not_add_up_writes_nothing(signed_api, household, codes, lines, field):
    response = signed_api.post("/entries", json={
        "type": "expense", "amount": "100.00", "date": "2026-03-10", "lines": _lines(codes, *lines)})
    body = assert_error(response, 422, "validation_error")
    assert field in body["fields"]
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_a_line_amount_is_validated_like_an_entrys(signed_api, household, codes):
    response = signed_api.post("/entries", json={
        "type": "expense", "amount": "100.00", "lines": _lines(codes, ("expense.food", "-1.00", {}),
                                                               ("expense.housing", "101.00", {}))})
    assert "lines.0.amount" in assert_error(response, 422, "validation_error")["fields"]


def test_put_replaces_the_lines_with_the_amount_and_unsplits(signed_api, household, codes):
    entry = make_entry(household, amount="100.00", date=date(2026, 3, 10), category="expense.food",
                       subcategory=None)
    response = signed_api.put(f"/entries/{entry.id}", json={
        "lines": _lines(codes, ("expense.housing", "40.00", {}), ("expense.food", "60.00", {}))})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["data"]["category_id"] == codes["expense.housing"]
    # Alone, the amount of a split entry cannot change: its lines would not add up.
    response = signed_api.put(f"/entries/{entry.id}", json={"amount": "120.00"})
    assert "amount" in assert_error(response, 422, "validation_error")["fields"]
    assert db.session.get(Entry, entry.id).amount == D("100.00")
    # With its lines it can, in one request.
    response = signed_api.put(f"/entries/{entry.id}", json={
        "amount": "120.00", "lines": _lines(codes, ("expense.housing", "40.00", {}),
                                            ("expense.food", "80.00", {"note": "more"}))})
    assert response.status_code == 200
    assert stored(entry.id) == [(codes["expense.housing"], None, D("40.00"), None),
                                (codes["expense.food"], None, D("80.00"), "more")]
    # Other fields change freely and keep the lines.
    response = signed_api.put(f"/entries/{entry.id}", json={"description": "Renamed"})
    assert response.status_code == 200 and len(response.json["data"]["lines"]) == 2
    response = signed_api.put(f"/entries/{entry.id}", json={"lines": []})
    assert response.status_code == 200 and response.json["data"]["lines"] == []
    assert stored(entry.id) == [] and db.session.get(Entry, entry.id).category_id == codes["expense.housing"]


def _body(codes):
    return {"lines": _lines(codes, ("expense.housing", "40.00", {}), ("expense.food", "60.00", {}))}


def test_a_viewer_cannot_split(api, household, codes):
    entry = make_entry(household, amount="100.00", category="expense.food", subcategory=None)
    assert viewer_api(api, household).put(f"/entries/{entry.id}", json=_body(codes)).status_code == 403
    assert stored(entry.id) == []


def test_another_households_entry_is_404(signed_api, household, codes):
    theirs = make_entry(stranger_household(), amount="100.00")
    assert signed_api.put(f"/entries/{theirs.id}", json=_body(codes)).status_code == 404
    assert stored(theirs.id) == []
