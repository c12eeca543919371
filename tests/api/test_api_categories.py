"""/api/v1/categories: the catalogue as a flat list in tree order (kind in any case, archived
ones on request), creation of categories and subcategories, rename, archive and restore,
and a delete refused with 409 while anything uses the category."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from finora.api.plans_json import CategoryOut
from finora.extensions import db
from finora.models import AuditEvent, Budget, Category
from finora.services.ledger.catalogue import create_category, set_category_archived
from finora.services.planning.budgets import BudgetData, create_budget
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import category, make_entry
from tests.planning_factories import make_rule

NOT_HERE_EN = "Nothing with this id in your household."


def _mine(household, **where) -> list[Category]:
    stmt = select(Category).where(Category.household_id == household.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(Category, name) == value)
    return list(db.session.scalars(stmt.order_by(Category.id)))


def _all(api, query: str = "") -> list[dict]:
    response = api.get(f"/categories?limit=500{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["data"]


def test_the_list_is_the_whole_active_catalogue_in_tree_order(signed_api, household):
    data = _all(signed_api)
    for item in data:
        CategoryOut.model_validate(item)
    active = _mine(household, archived=False)
    assert sorted(item["id"] for item in data) == sorted(c.id for c in active)
    # Income first, then expenses; each subcategory right after its parent's group began.
    kinds = [item["kind"] for item in data]
    assert kinds == sorted(kinds, key=lambda kind: kind != "income")
    seen: set[int] = set()
    for item in data:
        if item["parent_id"] is not None:
            assert item["parent_id"] in seen
        seen.add(item["id"])
    food = category(household, "expense.food")
    shown = next(item for item in data if item["id"] == food.id)
    assert shown == {"id": food.id, "name": "Food", "kind": "expense", "parent_id": None,
                     "archived": False}


@pytest.mark.parametrize("word", ["expense", "EXPENSE", "Expense"])
def test_kind_is_read_in_any_case(signed_api, household, word):
    data = _all(signed_api, f"&kind={word}")
    assert data and {item["kind"] for item in data} == {"expense"}
    assert len(data) == len(_mine(household, kind="expense", archived=False))


def test_an_empty_kind_is_every_kind(signed_api, household):
    assert len(_all(signed_api, "&kind=&include_archived=")) == len(_mine(household, archived=False))


def test_archived_categories_are_listed_only_when_asked_for(signed_api, household):
    food = category(household, "expense.food")
    set_category_archived(db.session, food, True)
    db.session.commit()
    assert food.id not in {item["id"] for item in _all(signed_api)}
    listed = {item["id"]: item for item in _all(signed_api, "&include_archived=true")}
    assert listed[food.id]["archived"] is True
    assert len(listed) == len(_mine(household))


def test_pagination_cuts_the_list(signed_api, household):
    body = signed_api.get("/categories?limit=3&offset=2").json
    assert len(body["data"]) == 3
    assert body["meta"] == {"total": len(_mine(household, archived=False)), "limit": 3, "offset": 2}
    assert body["data"] == _all(signed_api)[2:5]


@pytest.mark.parametrize(("query", "field"), [
    ("kind=transfer", "kind"), ("include_archived=maybe", "include_archived"), ("limit=0", "limit"),
])
def test_bad_query_parameters_are_422(signed_api, query, field):
    body = assert_error(signed_api.get(f"/categories?{query}"), 422, "validation_error")
    assert field in body["fields"]


def test_an_empty_catalogue_lists_nothing(signed_api, household):
    for row in _mine(household, parent_id=None):
        db.session.delete(row)  # subcategories go with their parents
    db.session.commit()
    assert signed_api.get("/categories").json == {
        "data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}


def test_one_category(signed_api, household):
    groceries = category(household, "expense.food.groceries")
    response = signed_api.get(f"/categories/{groceries.id}")
    assert response.status_code == 200
    data = CategoryOut.model_validate(response.json["data"])
    assert (data.parent_id, data.kind) == (category(household, "expense.food").id, "expense")


def test_a_category_and_a_subcategory_are_created(signed_api, household):
    response = signed_api.post("/categories", json={"name": "  Pets ", "type": "EXPENSE"})
    assert response.status_code == 201, response.get_data(as_text=True)
    pets = CategoryOut.model_validate(response.json["data"])
    assert (pets.name, pets.kind, pets.parent_id, pets.archived) == ("Pets", "expense", None, False)
    response = signed_api.post("/categories", json={"name": "Vet", "parent_id": pets.id})
    assert response.status_code == 201
    vet = response.json["data"]
    assert (vet["kind"], vet["parent_id"]) == ("expense", pets.id)
    row = db.session.get(Category, vet["id"])
    assert (row.household_id, row.name) == (household.id, "Vet")


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "expense"}, "name"),
    ({"name": "   ", "kind": "expense"}, "name"),
    ({"name": "x" * 81, "kind": "expense"}, "name"),
    ({"name": "Pets"}, "kind"),
    ({"name": "Pets", "kind": "gift"}, "kind"),
    ({"name": "Food", "kind": "expense"}, "name"),  # the seeded "Food" already exists
    ({"name": "Pets", "kind": "expense", "parent_id": "x"}, "parent_id"),
])
def test_a_bad_category_is_422_on_its_field(signed_api, household, body, field):
    before = len(_mine(household))
    response = assert_error(signed_api.post("/categories", json=body), 422, "validation_error")
    assert field in response["fields"], response
    assert len(_mine(household)) == before


def test_a_subcategory_needs_an_active_top_level_parent_of_its_kind(signed_api, household):
    groceries = category(household, "expense.food.groceries")
    body = assert_error(signed_api.post("/categories", json={"name": "Deep", "parent_id": groceries.id}),
                        422, "validation_error")
    assert "parent_id" in body["fields"]
    food = category(household, "expense.food")
    body = assert_error(signed_api.post("/categories", json={"name": "Tips", "kind": "income",
                                                             "parent_id": food.id}),
                        422, "validation_error")
    assert "parent_id" in body["fields"]
    set_category_archived(db.session, food, True)
    db.session.commit()
    body = assert_error(signed_api.post("/categories", json={"name": "Snacks", "parent_id": food.id}),
                        422, "validation_error")
    assert "archived" in body["fields"]["parent_id"]


def test_another_households_parent_is_a_422_on_parent_id(signed_api):
    theirs = category(stranger_household(), "expense.food")
    assert assert_error(signed_api.post("/categories", json={"name": "Sneaky", "parent_id": theirs.id}),
                 422, "validation_error")["fields"] == {"parent_id": NOT_HERE_EN}
    assert db.session.scalar(select(func.count()).select_from(Category)
                             .where(Category.name == "Sneaky")) == 0


def test_rename_archive_and_restore(signed_api, household):
    food = category(household, "expense.food")
    response = signed_api.put(f"/categories/{food.id}", json={"name": "Groceries and meals"})
    assert response.status_code == 200
    assert CategoryOut.model_validate(response.json["data"]).name == "Groceries and meals"
    response = signed_api.put(f"/categories/{food.id}", json={"archived": True})
    assert response.json["data"]["archived"] is True
    children = _mine(household, parent_id=food.id)
    assert children and all(child.archived for child in children)  # subcategories follow
    response = signed_api.put(f"/categories/{children[0].id}", json={"archived": False})
    assert response.json["data"]["archived"] is False
    db.session.expire_all()
    assert db.session.get(Category, food.id).archived is False  # its parent comes back too


def test_an_empty_update_changes_nothing(signed_api, household):
    food = category(household, "expense.food")
    response = signed_api.put(f"/categories/{food.id}", json={})
    assert response.status_code == 200 and response.json["data"]["name"] == "Food"


@pytest.mark.parametrize(("body", "field"), [
    ({"name": ""}, "name"), ({"archived": "perhaps"}, "archived"), ({"name": "Housing"}, "name"),
])
def test_a_bad_update_is_422(signed_api, household, body, field):
    food = category(household, "expense.food")
    response = assert_error(signed_api.put(f"/categories/{food.id}", json=body), 422,
                            "validation_error")
    assert field in response["fields"]
    db.session.expire_all()
    assert db.session.get(Category, food.id).name is None  # still the seeded label


def test_an_unused_category_is_deleted_and_audited(signed_api, household):
    pets = create_category(db.session, household, kind="expense", name="Pets")
    db.session.commit()
    pets_id = pets.id
    response = signed_api.delete(f"/categories/{pets_id}")
    assert response.status_code == 204 and response.get_data() == b""
    db.session.expire_all()
    assert db.session.get(Category, pets_id) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "category.deleted"))
    assert (event.household_id, event.object_type, event.object_id) == (household.id, "category", pets_id)
    assert event.details["name"] == "Pets"
    assert_error(signed_api.delete(f"/categories/{pets_id}"), 404, "not_found")


def _in_use(household, use: str) -> Category:
    pets = create_category(db.session, household, kind="expense", name="Pets")
    vet = create_category(db.session, household, kind="expense", name="Vet", parent=pets)
    db.session.commit()
    if use == "entry":
        make_entry(household, category=pets, subcategory=None)
    elif use == "entry_subcategory":
        make_entry(household, category=pets, subcategory=vet)
        return vet
    elif use == "rule":
        make_rule(household, category_id=pets.id)
    elif use == "rule_subcategory":
        make_rule(household, category_id=pets.id, subcategory_id=vet.id)
        return vet
    elif use == "scenario":
        make_rule(household, category_id=pets.id, is_scenario=True)
    elif use == "budget":
        create_budget(db.session, household, BudgetData(vet.id, "monthly", Decimal("50.00")))
        db.session.commit()
        return vet
    return pets  # "subcategory": Vet is under it


@pytest.mark.parametrize("use", ["entry", "entry_subcategory", "rule", "rule_subcategory",
                                 "scenario", "budget", "subcategory"])
def test_a_category_in_use_is_409_with_the_hint_to_archive_it(signed_api, household, use):
    used = _in_use(household, use)
    used_id = used.id
    counts = (len(_mine(household)), db.session.scalar(select(func.count()).select_from(Budget)))
    body = assert_error(signed_api.delete(f"/categories/{used_id}"), 409, "conflict")
    assert "Archive it instead" in body["error"]
    db.session.expire_all()
    assert db.session.get(Category, used_id) is not None
    assert (len(_mine(household)), db.session.scalar(select(func.count()).select_from(Budget))) == counts
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "category.deleted")) == 0


def test_a_seeded_category_in_use_is_409_and_archiving_it_works(signed_api, household):
    food = category(household, "expense.food")
    assert_error(signed_api.delete(f"/categories/{food.id}"), 409, "conflict")  # has subcategories
    assert signed_api.put(f"/categories/{food.id}", json={"archived": True}).status_code == 200


def test_another_households_category_is_404(signed_api):
    theirs = category(stranger_household(), "expense.food")
    for method in ("GET", "PUT", "DELETE"):
        assert_error(signed_api.open(method, f"/categories/{theirs.id}", json={"name": "Mine"}),
                     404, "not_found")
    db.session.expire_all()
    assert db.session.get(Category, theirs.id).name is None


def test_a_viewer_reads_but_does_not_write(api, household):
    viewer = viewer_api(api, household)
    assert viewer.get("/categories").status_code == 200
    assert_error(viewer.post("/categories", json={"name": "Pets", "kind": "expense"}), 403, "forbidden")
    food = category(household, "expense.food")
    assert_error(viewer.delete(f"/categories/{food.id}"), 403, "forbidden")
