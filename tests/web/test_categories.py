"""The category catalogue page: list by kind, add, rename, archive and restore."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Account, Category, Entry, Household
from finora.services.ledger.catalogue import default_label
from finora.services.ledger.entries import EntryData, create_entry, entry_data
from tests.factories import PASSWORD, create_user

DUPLICATE = "There is already a category with this name here."


def _household_id(user) -> int:
    return user.memberships[0].household_id


def _seeded(user, code: str) -> Category:
    db.session.expire_all()
    return db.session.scalar(
        select(Category).where(Category.household_id == _household_id(user), Category.code == code)
    )


def _named(user, name: str) -> Category | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Category).where(Category.household_id == _household_id(user), Category.name == name)
    )


def _count(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Category)
        .where(Category.household_id == _household_id(user))
    )


def _card(page: str, category: Category) -> str:
    """The HTML of one top-level category's card (its header and subcategory list)."""
    start = page.index(f'aria-labelledby="category-{category.id}"')
    return page[start : page.index("</article>", start)]


def test_the_page_lists_the_seeded_tree_by_kind(signed_in, user):
    page = signed_in.get("/categories").get_data(as_text=True)
    food = _seeded(user, "expense.food")
    assert "Groceries" in _card(page, food)
    assert 'aria-label="Subcategories of Food"' in page
    assert 'aria-label="Rename Groceries"' in page and 'aria-label="Archive Groceries"' in page
    assert "Salary" not in page
    assert "Add category" in page

    income = signed_in.get("/categories?kind=income").get_data(as_text=True)
    assert "Salary" in _card(income, _seeded(user, "income.work"))
    assert "Groceries" not in income
    assert signed_in.get("/categories?kind=transfers").status_code == 404


def test_archived_categories_are_listed_with_a_restore_button(signed_in, user):
    groceries = _seeded(user, "expense.food.groceries")
    signed_in.post(f"/categories/{groceries.id}/archive")
    card = _card(signed_in.get("/categories").get_data(as_text=True), _seeded(user, "expense.food"))
    assert 'aria-label="Restore Groceries"' in card
    assert 'aria-label="Archive Groceries"' not in card
    assert "Archived" in card
    assert 'aria-label="Archive Food"' in card  # the parent stays active


def test_visitors_are_sent_to_sign_in(client):
    for url in ("/categories", "/categories/new", "/categories/1/edit"):
        assert "/login" in client.get(url).headers["Location"]
    for url in ("/categories/1/archive", "/categories/1/restore"):
        assert "/login" in client.post(url).headers["Location"]


def test_add_a_category_then_a_subcategory(signed_in, user):
    response = signed_in.post("/categories/new?kind=expense", data={"name": "  Garden  "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/categories?kind=expense")
    garden = _named(user, "Garden")
    assert garden.kind == "expense" and garden.parent_id is None and not garden.archived

    response = signed_in.post(
        f"/categories/new?kind=expense&parent={garden.id}",
        data={"name": "Seeds"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "“Seeds” was added." in page
    assert "Seeds" in _card(page, garden)
    assert _named(user, "Seeds").parent_id == garden.id


def test_add_an_income_category(signed_in, user):
    form = signed_in.get("/categories/new?kind=income").get_data(as_text=True)
    assert "Add an income category" in form
    response = signed_in.post("/categories/new?kind=income", data={"name": "Pension"})
    assert response.headers["Location"].endswith("/categories?kind=income")
    assert _named(user, "Pension").kind == "income"
    assert "Pension" in signed_in.get("/categories?kind=income").get_data(as_text=True)
    assert "Pension" not in signed_in.get("/categories?kind=expense").get_data(as_text=True)


def test_a_subcategory_takes_its_parents_kind(signed_in, user):
    work = _seeded(user, "income.work")
    response = signed_in.post(f"/categories/new?parent={work.id}", data={"name": "Tips"})
    assert response.headers["Location"].endswith("/categories?kind=income")
    assert _named(user, "Tips").kind == "income"


def test_the_parent_must_be_a_top_level_category_of_the_same_kind(signed_in, user):
    food = _seeded(user, "expense.food")
    groceries = _seeded(user, "expense.food.groceries")
    assert signed_in.get(f"/categories/new?kind=income&parent={food.id}").status_code == 404
    assert signed_in.get(f"/categories/new?parent={groceries.id}").status_code == 404
    assert signed_in.get("/categories/new?parent=abc").status_code == 404
    assert signed_in.get("/categories/new?kind=other").status_code == 404


def test_an_archived_category_takes_no_new_subcategories(signed_in, user):
    food = _seeded(user, "expense.food")
    signed_in.post(f"/categories/{food.id}/archive")
    assert "Add subcategory" not in _card(signed_in.get("/categories").get_data(as_text=True), food)
    before = _count(user)
    response = signed_in.post(f"/categories/new?parent={food.id}", data={"name": "Snacks"})
    assert response.status_code == 422
    assert "Restore it before adding subcategories" in response.get_data(as_text=True)
    assert _count(user) == before


def test_rename(signed_in, user):
    food = _seeded(user, "expense.food")
    form = signed_in.get(f"/categories/{food.id}/edit").get_data(as_text=True)
    assert "Rename “Food”" in form and 'value="Food"' in form
    response = signed_in.post(
        f"/categories/{food.id}/edit", data={"name": "Eating"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "“Food” is now “Eating”." in page
    assert 'aria-label="Rename Eating"' in page
    assert _seeded(user, "expense.food").name == "Eating"


def test_rename_a_subcategory_and_change_only_the_case(signed_in, user):
    groceries = _seeded(user, "expense.food.groceries")
    response = signed_in.post(f"/categories/{groceries.id}/edit", data={"name": "GROCERIES"})
    assert response.status_code == 302
    assert _seeded(user, "expense.food.groceries").label == "GROCERIES"


def test_archive_a_category_archives_its_subcategories_and_restore_brings_the_parent(
    signed_in, user
):
    food = _seeded(user, "expense.food")
    response = signed_in.post(f"/categories/{food.id}/archive", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "“Food” was archived. Entries that use it keep it." in page
    card = _card(page, food)
    assert 'aria-label="Restore Food"' in card and 'aria-label="Restore Groceries"' in card
    assert 'aria-label="Archive' not in card
    assert _seeded(user, "expense.food").archived
    assert _seeded(user, "expense.food.groceries").archived

    response = signed_in.post(f"/categories/{_seeded(user, 'expense.food.groceries').id}/restore")
    assert response.headers["Location"].endswith("/categories?kind=expense")
    assert not _seeded(user, "expense.food.groceries").archived
    assert not _seeded(user, "expense.food").archived  # the parent came back with it
    assert _seeded(user, "expense.food.restaurants").archived  # its siblings did not

    signed_in.post(f"/categories/{food.id}/restore")
    assert not _seeded(user, "expense.food.restaurants").archived


def test_archive_and_restore_return_to_the_same_kind(signed_in, user):
    salary = _seeded(user, "income.work.salary")
    response = signed_in.post(f"/categories/{salary.id}/archive")
    assert response.headers["Location"].endswith("/categories?kind=income")
    response = signed_in.post(f"/categories/{salary.id}/restore", follow_redirects=True)
    assert "“Salary” was restored." in response.get_data(as_text=True)
    assert not _seeded(user, "income.work.salary").archived


def test_archive_and_restore_are_post_only(signed_in, user):
    food = _seeded(user, "expense.food")
    assert signed_in.get(f"/categories/{food.id}/archive").status_code == 405
    assert not _seeded(user, "expense.food").archived


@pytest.mark.parametrize("typed", ["groceries", "GROCERIES", "Groceries"])
def test_a_duplicate_name_under_the_same_parent_is_refused(signed_in, user, typed):
    food = _seeded(user, "expense.food")
    before = _count(user)
    response = signed_in.post(
        f"/categories/new?kind=expense&parent={food.id}", data={"name": typed}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert DUPLICATE in page and f'value="{typed}"' in page and 'aria-invalid="true"' in page
    assert _count(user) == before


def test_a_duplicate_of_a_households_own_category_is_refused(signed_in, user):
    signed_in.post("/categories/new?kind=expense", data={"name": "Garden"})
    response = signed_in.post("/categories/new?kind=expense", data={"name": " garden"})
    assert response.status_code == 422 and DUPLICATE in response.get_data(as_text=True)
    response = signed_in.post("/categories/new?kind=expense", data={"name": "food"})
    assert response.status_code == 422


def test_renaming_onto_a_siblings_name_is_refused(signed_in, user):
    restaurants = _seeded(user, "expense.food.restaurants")
    response = signed_in.post(f"/categories/{restaurants.id}/edit", data={"name": "groceries"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert DUPLICATE in page and 'value="groceries"' in page
    assert "Rename “Restaurants”" in page
    assert _seeded(user, "expense.food.restaurants").name is None


def test_the_same_name_under_another_parent_or_kind_is_fine(signed_in, user):
    housing = _seeded(user, "expense.housing")
    response = signed_in.post(f"/categories/new?parent={housing.id}", data={"name": "Groceries"})
    assert response.status_code == 302
    response = signed_in.post("/categories/new?kind=income", data={"name": "Food"})
    assert response.status_code == 302
    response = signed_in.post("/categories/new?kind=expense", data={"name": "Salary"})
    assert response.status_code == 302


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_name_is_refused(signed_in, user, typed):
    before = _count(user)
    response = signed_in.post("/categories/new?kind=expense", data={"name": typed})
    assert response.status_code == 422 and "Enter a name." in response.get_data(as_text=True)
    food = _seeded(user, "expense.food")
    response = signed_in.post(f"/categories/{food.id}/edit", data={"name": typed})
    assert response.status_code == 422 and "Enter a name." in response.get_data(as_text=True)
    assert _count(user) == before and _seeded(user, "expense.food").name is None


def test_a_name_longer_than_80_characters_is_refused(signed_in, user):
    response = signed_in.post("/categories/new?kind=expense", data={"name": "x" * 81})
    assert response.status_code == 422
    assert "Use at most 80 characters." in response.get_data(as_text=True)
    assert (
        signed_in.post("/categories/new?kind=expense", data={"name": "x" * 80}).status_code == 302
    )


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/categories/{id}/edit"),
        ("post", "/categories/{id}/edit"),
        ("post", "/categories/{id}/archive"),
        ("post", "/categories/{id}/restore"),
        ("get", "/categories/new?parent={id}"),
        ("post", "/categories/new?parent={id}"),
    ],
)
def test_another_households_category_is_404(signed_in, method, url):
    other = create_user()
    theirs = _seeded(other, "expense.food")
    groceries = _seeded(other, "expense.food.groceries")
    groceries.archived = True
    db.session.commit()
    before = _count(other)
    kwargs = {"data": {"name": "Mine now"}} if method == "post" else {}
    for target in (theirs, groceries):
        response = getattr(signed_in, method)(url.format(id=target.id), **kwargs)
        assert response.status_code == 404
    assert getattr(signed_in, method)(url.format(id=999999), **kwargs).status_code == 404
    theirs = _seeded(other, "expense.food")
    assert theirs.name is None and not theirs.archived
    assert _seeded(other, "expense.food.groceries").archived
    assert _count(other) == before


def test_a_renamed_seeded_category_shows_its_new_name_in_every_language(signed_in, user):
    food = _seeded(user, "expense.food")
    signed_in.post(f"/categories/{food.id}/edit", data={"name": "Comida de casa"})
    for locale in ("pt", "en", "es"):
        user.locale = locale
        db.session.commit()
        page = signed_in.get("/categories").get_data(as_text=True)
        assert f'<html lang="{locale}"' in page
        assert "Comida de casa" in _card(page, food)
        with force_locale(locale):
            housing = default_label("expense.housing")
        assert housing in _card(page, _seeded(user, "expense.housing"))


def test_renaming_back_to_the_default_name_follows_the_translations_again(signed_in, user):
    food = _seeded(user, "expense.food")
    signed_in.post(f"/categories/{food.id}/edit", data={"name": "Eating"})
    signed_in.post(f"/categories/{food.id}/edit", data={"name": "Food"})
    assert _seeded(user, "expense.food").name is None
    # Saving the form unchanged does not freeze the label in the current language either.
    signed_in.post(f"/categories/{food.id}/edit", data={"name": "Food"})
    assert _seeded(user, "expense.food").name is None


def test_an_archived_category_stays_on_an_existing_entry(signed_in, user):
    household = db.session.get(Household, _household_id(user))
    account = db.session.scalar(
        select(Account).where(Account.household_id == household.id).order_by(Account.id)
    )
    food = _seeded(user, "expense.food")
    groceries = _seeded(user, "expense.food.groceries")
    entry = create_entry(
        db.session,
        household,
        EntryData(
            kind="expense",
            amount=Decimal("123.45"),
            date=date(2025, 3, 10),
            description="Weekly shop",
            account_id=account.id,
            category_id=food.id,
            subcategory_id=groceries.id,
        ),
        user=user,
    )
    db.session.commit()
    before = entry_data(entry)

    assert signed_in.post(f"/categories/{food.id}/archive").status_code == 302
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.category.archived is True and entry.subcategory.archived is True
    assert entry.category.label == "Food" and entry.subcategory.label == "Groceries"
    assert entry_data(entry) == before


def test_buttons_carry_a_working_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = create_user()
        client = app.test_client()
        token = _csrf_token(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        food = _seeded(user, "expense.food")

        assert client.post(f"/categories/{food.id}/archive").status_code == 400
        assert not _seeded(user, "expense.food").archived

        token = _csrf_token(client.get("/categories").get_data(as_text=True))
        response = client.post(f"/categories/{food.id}/archive", data={"csrf_token": token})
        assert response.status_code == 302
        assert _seeded(user, "expense.food").archived


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
