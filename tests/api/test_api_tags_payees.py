"""Entries in the API carry `payee` and `tags` (names): written on create and update, read
back, filtered by `tag_id` / `payee_id`; another household's tag or payee is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from finora.dates import today
from finora.extensions import db
from finora.models import Payee, Tag
from tests.api.planning_helpers import assert_error, stranger_household


def _create(api, **fields):
    response = api.post("/entries", json={"type": "expense", "amount": "12.50", **fields})
    assert response.status_code == 201, response.json
    return response.json["data"]


def test_create_with_a_payee_and_tags_and_read_them_back(signed_api, household):
    created = _create(signed_api, description="PAG*UBER TRIP 1234", payee="Uber", tags=["trip", "Work", "TRIP"])
    assert created["payee"] == "Uber" and created["tags"] == ["trip", "Work"]
    again = signed_api.get(f"/entries/{created['id']}").json["data"]
    assert again["payee"] == "Uber" and again["tags"] == ["trip", "Work"]
    plain = _create(signed_api)
    assert plain["payee"] is None and plain["tags"] == []


def test_an_update_changes_only_what_it_sends(signed_api, household):
    created = _create(signed_api, payee="Uber", tags=["trip"])
    kept = signed_api.put(f"/entries/{created['id']}", json={"amount": "13.00"}).json["data"]
    assert kept["payee"] == "Uber" and kept["tags"] == ["trip"]
    changed = signed_api.put(f"/entries/{created['id']}", json={"payee": None, "tags": ["home"]}).json["data"]
    assert changed["payee"] is None and changed["tags"] == ["home"]


def test_list_filters_by_tag_and_by_payee(signed_api, household):
    day = today(household)
    ride = _create(signed_api, date=day.isoformat(), payee="Uber", tags=["trip"])
    hotel = _create(signed_api, date=day.isoformat(), tags=["trip"])
    _create(signed_api, date=day.isoformat())
    trip = db.session.scalar(select(Tag.id).where(Tag.name == "trip"))
    uber = db.session.scalar(select(Payee.id).where(Payee.name == "Uber"))
    by_tag = signed_api.get(f"/entries?tag_id={trip}").json["data"]
    assert sorted(item["id"] for item in by_tag) == sorted([ride["id"], hotel["id"]])
    assert [item["id"] for item in signed_api.get(f"/entries?payee_id={uber}").json["data"]] == [ride["id"]]


def test_another_households_tag_filter_is_refused(signed_api, household):
    other = stranger_household()
    theirs = Tag(household_id=other.id, name="Secret", name_key="secret")
    db.session.add(theirs)
    db.session.commit()
    assert_error(signed_api.get(f"/entries?tag_id={theirs.id}"), 422, "validation_error")


def test_a_too_long_tag_is_a_validation_error_and_nothing_is_written(signed_api, household):
    response = signed_api.post("/entries", json={"type": "expense", "amount": "1", "tags": ["x" * 51]})
    assert_error(response, 422, "validation_error")
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 0
