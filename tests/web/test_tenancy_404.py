"""Households are sealed: another household's account, entry, transfer or category is 404 on
every route (never 403: ids do not leak), a refused POST changes nothing, and forms refuse
their ids as field errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Account, CategorisationRule, Category, Entry, EntryTag, Tag, Transfer
from finora.services.ledger.catalogue import set_category_archived
from finora.services.ledger.categorisation import RuleInput, create_rule
from finora.services.ledger.tags import set_entry_tags
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    field_error,
    household_of,
    make_account,
    make_entry,
    make_transfer,
    select_options,
    snapshot,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
MISSING = 999_999


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mine(user):
    return household_of(user)


@pytest.fixture
def theirs(app):
    """Another household with one of everything (names all start with "Their")."""
    household = household_of(create_user(name="Their Owner", household_name="Their home"))
    checking = checking_account(household)
    account = make_account(household, name="Their savings", opening_balance="500")
    archived_account = make_account(household, name="Their old bank", archived=True)
    entry = make_entry(household, account=account, description="Their rent", amount="900")
    paid_entry = make_entry(
        household,
        account=account,
        kind="income",
        description="Their salary",
        amount="7000",
        paid_on=date(2026, 3, 5),
    )
    transfer = make_transfer(household, checking, account, amount="42", description="Their saving")
    card = make_account(household, name="Their card", kind="credit_card", closing_day=10, due_day=20)
    make_entry(household, account=card, description="Their purchase", amount="12", date=date(2026, 3, 2))
    food = category(household, "expense.food")
    leisure = category(household, "expense.leisure")
    set_category_archived(db.session, leisure, True)
    set_entry_tags(db.session, household, entry, ["Their trip", "Their kids"])
    catrule = create_rule(db.session, household, RuleInput(name="Their rule", pattern="rent", category_id=food.id))
    db.session.commit()
    return SimpleNamespace(
        catrule=catrule,
        household=household,
        checking=checking,
        account=account,
        archived_account=archived_account,
        entry=entry,
        paid_entry=paid_entry,
        transfer=transfer,
        card=card,
        category=food,
        subcategory=category(household, "expense.food.groceries"),
        archived_category=leisure,
        tag=entry.tags[0],
        other_tag=entry.tags[1],
    )


def _state(ns) -> dict:
    """Everything of the other household that a request could change."""
    rows = {
        name: snapshot(model, getattr(ns, name).id)
        for name, model in (
            ("checking", Account),
            ("account", Account),
            ("archived_account", Account),
            ("entry", Entry),
            ("paid_entry", Entry),
            ("transfer", Transfer),
            ("card", Account),
            ("category", Category),
            ("archived_category", Category),
            ("tag", Tag),
            ("other_tag", Tag),
            ("catrule", CategorisationRule),
        )
    }
    return {**rows, "counts": _counts(ns.household)}


def _counts(household) -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(
            select(func.count()).select_from(model).where(model.household_id == household.id)
        )
        for model in (Account, Entry, Transfer, Category, Tag)
    ) + (db.session.scalar(
        select(func.count()).select_from(EntryTag).join(Entry).where(Entry.household_id == household.id)
    ),)


def _entry_form(ns) -> dict:
    return {
        "kind": "expense",
        "amount": "1.00",
        "date": "2026-03-01",
        "description": "Hijacked",
        "account_id": str(ns.checking.id),
        "category_id": str(ns.category.id),
        "subcategory_id": str(ns.subcategory.id),
        "payment_method": "cash",
        "paid": "y",
    }


def _form(kind: str, ns) -> dict:
    """A POST body that would change the target if the route accepted it."""
    if kind == "account":
        return {
            "name": "Hijacked",
            "kind": "cash",
            "opening_balance": "1",
            "opening_date": "2026-01-01",
        }
    if kind == "entry":
        return _entry_form(ns)
    if kind == "transfer":
        return {
            "from_account_id": str(ns.account.id),
            "to_account_id": str(ns.checking.id),
            "amount": "1.00",
            "date": "2026-03-01",
            "description": "Hijacked",
        }
    if kind == "category":
        return {"name": "Hijacked"}
    if kind == "catrule":
        return {"name": "Hijacked", "match_field": "description", "match_kind": "contains", "pattern": "x",
                "entry_kind": "any", "payment_method": "cash", "save": "y"}
    if kind == "payment":
        return {"from_account_id": str(ns.checking.id), "amount": "1.00", "date": "2026-03-01",
                "description": "Hijacked"}
    if kind == "tag_merge":
        return {"target_id": str(ns.other_tag.id)}
    if kind == "split":
        return {"amount": "2.00", "lines-0-category_id": str(ns.category.id), "lines-0-amount": "1.00",
                "lines-0-note": "Hijacked", "lines-1-category_id": str(ns.category.id), "lines-1-amount": "1.00"}
    return {}


# (method, url, target, body): every household-owned route.
ROUTES = [
    ("get", "/accounts/{id}", "account", None),
    ("get", "/accounts/{id}?year=2026&month=3", "account", None),
    ("get", "/accounts/{id}/edit", "account", None),
    ("post", "/accounts/{id}/edit", "account", "account"),
    ("post", "/accounts/{id}/archive", "account", None),
    ("post", "/accounts/{id}/restore", "archived_account", None),
    ("get", "/accounts/{id}/statements", "card", None),
    ("get", "/accounts/{id}/statements.csv", "card", None),
    ("get", "/accounts/{id}/statements/2026-03/pay", "card", None),
    ("post", "/accounts/{id}/statements/2026-03/pay", "card", "payment"),
    ("get", "/entries/{id}/edit", "entry", None),
    ("post", "/entries/{id}/edit", "entry", "entry"),
    ("get", "/entries/{id}/duplicate", "entry", None),
    ("post", "/entries/{id}/duplicate", "entry", "entry"),
    ("post", "/entries/{id}/delete", "entry", None),
    ("post", "/entries/{id}/paid", "entry", None),
    ("post", "/entries/{id}/unpaid", "paid_entry", None),
    ("get", "/entries/{id}/split", "entry", None),
    ("post", "/entries/{id}/split", "entry", "split"),
    ("post", "/entries/{id}/unsplit", "entry", None),
    ("get", "/transfers/{id}/edit", "transfer", None),
    ("post", "/transfers/{id}/edit", "transfer", "transfer"),
    ("post", "/transfers/{id}/delete", "transfer", None),
    ("get", "/categories/{id}/edit", "category", None),
    ("post", "/categories/{id}/edit", "category", "category"),
    ("post", "/categories/{id}/archive", "category", None),
    ("post", "/categories/{id}/restore", "archived_category", None),
    ("get", "/categories/new?parent={id}", "category", None),
    ("post", "/categories/new?parent={id}", "category", "category"),
    ("get", "/tags/{id}", "tag", None),
    ("post", "/tags/{id}/rename", "tag", "category"),
    ("post", "/tags/{id}/merge", "tag", "tag_merge"),
    ("post", "/tags/{id}/delete", "tag", None),
    ("get", "/categorisation-rules/{id}", "catrule", None),
    ("get", "/categorisation-rules/{id}/edit", "catrule", None),
    ("post", "/categorisation-rules/{id}/edit", "catrule", "catrule"),
    ("post", "/categorisation-rules/{id}/apply", "catrule", None),
    ("post", "/categorisation-rules/{id}/up", "catrule", None),
    ("post", "/categorisation-rules/{id}/down", "catrule", None),
    ("post", "/categorisation-rules/{id}/delete", "catrule", None),
]


@pytest.mark.parametrize(
    ("method", "url", "target", "body"),
    ROUTES,
    ids=[f"{method.upper()} {url}" for method, url, _t, _b in ROUTES],
)
def test_another_households_row_is_404(signed_in, mine, theirs, method, url, target, body):
    before, my_counts = _state(theirs), _counts(mine)
    data = _form(body, theirs) if body else {}
    data["next"] = "/dashboard"
    kwargs = {"data": data} if method == "post" else {}

    response = getattr(signed_in, method)(url.format(id=getattr(theirs, target).id), **kwargs)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Their" not in page and "Hijacked" not in page

    # A missing id answers exactly the same: nothing tells "theirs" from "nobody's".
    missing = getattr(signed_in, method)(url.format(id=MISSING), **kwargs)
    assert missing.status_code == 404

    assert _state(theirs) == before
    assert _counts(mine) == my_counts


# Routes with no GET answer 405 whoever owns the id.
POST_ONLY = [
    ("/accounts/{id}/archive", "account"),
    ("/accounts/{id}/restore", "archived_account"),
    ("/entries/{id}/delete", "entry"),
    ("/entries/{id}/paid", "entry"),
    ("/entries/{id}/unpaid", "paid_entry"),
    ("/entries/{id}/unsplit", "entry"),
    ("/transfers/{id}/delete", "transfer"),
    ("/categories/{id}/archive", "category"),
    ("/categories/{id}/restore", "archived_category"),
    ("/tags/{id}/delete", "tag"),
]


@pytest.mark.parametrize(("url", "target"), POST_ONLY, ids=[url for url, _t in POST_ONLY])
def test_get_on_a_post_only_route_does_not_tell_ids_apart(signed_in, theirs, url, target):
    before = _state(theirs)
    status = signed_in.get(url.format(id=getattr(theirs, target).id)).status_code
    assert status == signed_in.get(url.format(id=MISSING)).status_code == 405
    assert _state(theirs) == before


# Forms: naming another household's ids is a field error, not a 404, and saves nothing.


def _my_entry_form(mine, **overrides) -> dict:
    data = {
        "kind": "expense",
        "amount": "10.00",
        "date": "2026-03-10",
        "description": "Mine",
        "account_id": str(checking_account(mine).id),
        "category_id": str(category(mine, "expense.food").id),
        "subcategory_id": str(category(mine, "expense.food.groceries").id),
        "payment_method": "cash",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "their_id", "message"),
    [
        ("account_id", "account", "Choose an account."),
        ("account_id", "checking", "Choose an account."),
        ("category_id", "category", "Choose a category."),
        ("subcategory_id", "subcategory", "Choose a subcategory of the chosen category."),
    ],
)
@pytest.mark.parametrize("route", ["new", "edit", "duplicate"])
def test_an_entry_naming_another_households_ids_is_refused(
    signed_in, mine, theirs, route, field, their_id, message
):
    overrides = {field: str(getattr(theirs, their_id).id)}
    if field == "category_id":  # their category with their subcategory
        overrides["subcategory_id"] = str(theirs.subcategory.id)
    own = make_entry(mine, description="Own entry")
    own_before = snapshot(Entry, own.id)
    before, my_counts = _state(theirs), _counts(mine)
    url = "/entries/new" if route == "new" else f"/entries/{own.id}/{route}"

    response = signed_in.post(url, data=_my_entry_form(mine, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    assert "Their" not in page

    assert _counts(mine) == my_counts and _state(theirs) == before
    assert snapshot(Entry, own.id) == own_before


@pytest.mark.parametrize(
    ("field", "their_id"),
    [("from_account_id", "account"), ("to_account_id", "account"), ("to_account_id", "checking")],
)
@pytest.mark.parametrize("route", ["new", "edit"])
def test_a_transfer_naming_another_households_account_is_refused(
    signed_in, mine, theirs, route, field, their_id
):
    wallet = make_account(mine, name="Wallet", kind="cash")
    own = make_transfer(mine, checking_account(mine), wallet, amount="5")
    own_before = snapshot(Transfer, own.id)
    before, my_counts = _state(theirs), _counts(mine)
    data = {
        "from_account_id": str(checking_account(mine).id),
        "to_account_id": str(wallet.id),
        "amount": "10.00",
        "date": "2026-03-10",
        "description": "Mine",
        field: str(getattr(theirs, their_id).id),
    }
    url = "/transfers/new" if route == "new" else f"/transfers/{own.id}/edit"

    response = signed_in.post(url, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field) == "Choose an account."
    assert "Their" not in page

    assert _counts(mine) == my_counts and _state(theirs) == before
    assert snapshot(Transfer, own.id) == own_before


def test_forms_and_lists_never_offer_another_households_rows(signed_in, mine, theirs):
    make_entry(mine, description="Mine")
    for url in (
        "/entries/new",
        "/transfers/new",
        "/accounts",
        "/dashboard/2026/3",
        "/categories",
        "/categories?kind=income",
    ):
        page = signed_in.get(url).get_data(as_text=True)
        assert "Their" not in page, url
    page = signed_in.get("/entries/new").get_data(as_text=True)

    def offered(field):
        return {int(value) for value, _label, _selected in select_options(page, field) if value}

    assert offered("account_id") == {checking_account(mine).id}
    their_categories = set(
        db.session.scalars(select(Category.id).where(Category.household_id == theirs.household.id))
    )
    assert offered("category_id") and offered("subcategory_id")
    assert not (offered("category_id") | offered("subcategory_id")) & their_categories


def test_a_tampered_session_household_is_ignored(signed_in, mine, theirs):
    with signed_in.session_transaction() as session:
        session["household_id"] = theirs.household.id
    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "Checking account" in page and "Their savings" not in page
    assert signed_in.get(f"/accounts/{theirs.account.id}").status_code == 404
    assert signed_in.get(f"/entries/{theirs.entry.id}/edit").status_code == 404
