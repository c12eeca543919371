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


def test_payees_and_tags_are_listed_with_their_entry_counts(signed_api, household):
    _create(signed_api, payee="Uber", tags=["trip"])
    _create(signed_api, payee="Uber", tags=["trip", "work"])
    payees = signed_api.get("/payees").json
    assert payees["data"] == [{"id": payees["data"][0]["id"], "name": "Uber", "entries": 2}]
    tags = {item["name"]: item["entries"] for item in signed_api.get("/tags").json["data"]}
    assert tags == {"trip": 2, "work": 1}


def test_rename_and_merge_a_payee(signed_api, household):
    first = _create(signed_api, payee="Uber")
    second = _create(signed_api, payee="Uber Eats")
    ids = {item["name"]: item["id"] for item in signed_api.get("/payees").json["data"]}
    assert_error(signed_api.put(f"/payees/{ids['Uber Eats']}", json={"name": "UBER"}), 422, "validation_error")
    renamed = signed_api.put(f"/payees/{ids['Uber Eats']}", json={"name": "Uber (food)"}).json["data"]
    assert renamed["name"] == "Uber (food)"
    merged = signed_api.post(f"/payees/{ids['Uber Eats']}/merge", json={"into_id": ids["Uber"]})
    assert merged.status_code == 200 and merged.json["data"]["entries"] == 2
    assert signed_api.get(f"/entries/{second['id']}").json["data"]["payee"] == "Uber"
    assert signed_api.get(f"/entries/{first['id']}").json["data"]["payee"] == "Uber"


def test_another_households_payee_is_404_and_cannot_be_merged_into(signed_api, household):
    _create(signed_api, payee="Mine")
    mine = signed_api.get("/payees").json["data"][0]["id"]
    other = stranger_household()
    theirs = Payee(household_id=other.id, name="Theirs", name_key="theirs")
    db.session.add(theirs)
    db.session.commit()
    assert signed_api.put(f"/payees/{theirs.id}", json={"name": "x"}).status_code == 404
    assert_error(signed_api.post(f"/payees/{mine}/merge", json={"into_id": theirs.id}), 422, "validation_error")


def test_rename_merge_and_delete_a_tag(signed_api, household):
    first = _create(signed_api, tags=["trip", "travel"])
    second = _create(signed_api, tags=["trip", "kids"])
    ids = {item["name"]: item["id"] for item in signed_api.get("/tags").json["data"]}
    assert_error(signed_api.put(f"/tags/{ids['trip']}", json={"name": "KIDS"}), 422, "validation_error")
    renamed = signed_api.put(f"/tags/{ids['trip']}", json={"name": "Holiday"}).json["data"]
    assert renamed == {"id": ids["trip"], "name": "Holiday", "entries": 2}
    merged = signed_api.post(f"/tags/{ids['trip']}/merge", json={"into_id": ids["travel"]})
    assert merged.status_code == 200 and merged.json["data"]["entries"] == 2
    assert signed_api.get(f"/entries/{first['id']}").json["data"]["tags"] == ["travel"]
    assert signed_api.get(f"/entries/{second['id']}").json["data"]["tags"] == ["kids", "travel"]
    assert signed_api.delete(f"/tags/{ids['travel']}").status_code == 204
    assert signed_api.get(f"/entries/{second['id']}").json["data"]["tags"] == ["kids"]
    assert [item["name"] for item in signed_api.get("/tags").json["data"]] == ["kids"]


def test_a_viewer_is_refused_the_tag_writes(api, household):
    from tests.api.planning_helpers import viewer_api

    other = stranger_household()
    theirs = Tag(household_id=other.id, name="Theirs", name_key="theirs")
    mine = Tag(household_id=household.id, name="Mine", name_key="mine")
    db.session.add_all([theirs, mine])
    db.session.commit()
    viewer = viewer_api(api, household)
    assert_error(viewer.put(f"/tags/{mine.id}", json={"name": "x"}), 403, "forbidden")
    assert_error(viewer.delete(f"/tags/{mine.id}"), 403, "forbidden")
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 2


def test_a_tag_cannot_be_merged_into_another_households(signed_api, household):
    other = stranger_household()
    theirs = Tag(household_id=other.id, name="Theirs", name_key="theirs")
    mine = Tag(household_id=household.id, name="Mine", name_key="mine")
    db.session.add_all([theirs, mine])
    db.session.commit()
    assert signed_api.post(f"/tags/{theirs.id}/merge", json={"into_id": mine.id}).status_code == 404
    assert_error(signed_api.post(f"/tags/{mine.id}/merge", json={"into_id": theirs.id}), 422, "validation_error")
    assert_error(signed_api.post(f"/tags/{mine.id}/merge", json={"into_id": mine.id}), 422, "validation_error")
    assert signed_api.delete(f"/tags/{theirs.id}").status_code == 404
    assert signed_api.put(f"/tags/{theirs.id}", json={"name": "x"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 2
