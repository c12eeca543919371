"""Tags and payees through the web: the entry form's fields, the Transactions filters (flat
query counts), the payees page (rename, merge), and what bad input leaves behind."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, insert, select

from finora.extensions import db
from finora.models import Account, Category, Entry, EntryTag, Payee, PayeePattern, Tag
from tests.factories import create_user
from tests.ledger_factories import category, checking_account, household_of, make_entry
from tests.query_counts import queries_during_get

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def entry_form(household, **overrides) -> dict:
    data = {
        "kind": "expense", "amount": "25.00", "date": "2026-03-10", "description": "PAG*UBER TRIP 1234",
        "account_id": str(checking_account(household).id),
        "category_id": str(category(household, "expense.food").id),
        "payment_method": "debit_card", "notes": "", "next": "", "payee": "", "tags": "",
    }
    data.update(overrides)
    return data


def _entry(description: str) -> Entry:
    db.session.expire_all()
    return db.session.scalars(select(Entry).where(Entry.description == description)).one()


def _ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-entry-id="(\d+)"', page)]


def test_the_form_adds_a_payee_and_tags_and_shows_them_again(signed_in, household):
    response = signed_in.post(
        "/entries/new", data=entry_form(household, payee=" Uber ", tags="Trip, work ,trip")
    )
    assert response.status_code == 302, response.text
    entry = _entry("PAG*UBER TRIP 1234")
    assert entry.payee.name == "Uber"
    assert [tag.name for tag in entry.tags] == ["Trip", "work"]
    page = signed_in.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert 'value="Uber"' in page and 'value="Trip, work"' in page
    assert '<datalist id="payee-options"><option value="Uber">' in page


def test_a_known_name_in_any_case_reuses_the_payee_and_tag(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="One", payee="Uber", tags="Trip"))
    signed_in.post("/entries/new", data=entry_form(household, description="Two", payee="UBER", tags="TRIP"))
    assert db.session.scalar(select(func.count()).select_from(Payee)) == 1
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 1
    assert _entry("Two").payee_id == _entry("One").payee_id


def test_editing_clears_the_payee_and_tags(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="One", payee="Uber", tags="Trip"))
    entry = _entry("One")
    response = signed_in.post(f"/entries/{entry.id}/edit", data=entry_form(household, description="One"))
    assert response.status_code == 302
    entry = _entry("One")
    assert entry.payee_id is None and entry.tags == []


def test_a_too_long_tag_is_refused_and_nothing_is_written(signed_in, household):
    response = signed_in.post(
        "/entries/new", data=entry_form(household, payee="Newcomer", tags="ok, " + "x" * 51)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A tag has at most 50 characters." in page
    assert "Newcomer" in page  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0
    assert db.session.scalar(select(func.count()).select_from(Payee)) == 0
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 0


def test_transactions_filter_by_tag_and_by_payee(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="Ride", payee="Uber", tags="trip"))
    signed_in.post("/entries/new", data=entry_form(household, description="Hotel", tags="trip, work"))
    signed_in.post("/entries/new", data=entry_form(household, description="Bread"))
    ride, hotel, bread = _entry("Ride"), _entry("Hotel"), _entry("Bread")
    trip = db.session.scalar(select(Tag).where(Tag.name == "trip"))
    page = signed_in.get(f"/transactions?tag={trip.id}").get_data(as_text=True)
    assert sorted(_ids(page)) == sorted([ride.id, hotel.id])
    page = signed_in.get(f"/transactions?payee={ride.payee_id}").get_data(as_text=True)
    assert _ids(page) == [ride.id]
    page = signed_in.get("/transactions").get_data(as_text=True)
    assert bread.id in _ids(page) and "#trip" in page and "Uber" in page


def test_another_households_tag_filters_to_nothing(signed_in, household):
    make_entry(household, description="Mine")
    other = household_of(create_user(name="Other", household_name="Other home"))
    theirs = Tag(household_id=other.id, name="Secret", name_key="secret")
    db.session.add(theirs)
    db.session.commit()
    page = signed_in.get(f"/transactions?tag={theirs.id}").get_data(as_text=True)
    assert _ids(page) == [] and "Secret" not in page


def _bulk(household, count: int) -> None:
    """`count` entries, each with the payee and the two tags (inserted in bulk)."""
    account = db.session.scalar(
        select(Account).where(Account.household_id == household.id).order_by(Account.id)
    )
    food = db.session.scalar(
        select(Category).where(Category.household_id == household.id, Category.code == "expense.food")
    )
    payee = Payee(household_id=household.id, name="Market", name_key="market")
    tags = [Tag(household_id=household.id, name=n, name_key=n) for n in ("home", "trip")]
    db.session.add_all([payee, *tags])
    db.session.flush()
    now = datetime.now(UTC)
    db.session.execute(insert(Entry), [
        {"household_id": household.id, "account_id": account.id, "kind": "expense",
         "amount": Decimal("10.00"), "date": date(2026, 3, 1), "description": "Same",
         "category_id": food.id, "payment_method": "cash", "payee_id": payee.id,
         "created_at": now, "updated_at": now}
        for _ in range(count)
    ])
    ids = list(db.session.scalars(select(Entry.id).where(Entry.household_id == household.id)))
    db.session.execute(insert(EntryTag), [{"entry_id": i, "tag_id": t.id} for i in ids for t in tags])
    db.session.commit()


@pytest.mark.parametrize("query", ["", "?tag={tag}", "?payee={payee}"])
def test_a_filtered_page_costs_the_same_queries_with_10_or_1000_rows(app_factory, query):
    counts = []
    for size in (10, 1000):
        app = app_factory()
        with app.app_context():
            user = create_user(email=f"u{size}@example.com")
            household = household_of(user)
            _bulk(household, size)
            tag = db.session.scalar(select(Tag.id).where(Tag.household_id == household.id, Tag.name == "trip"))
            payee = db.session.scalar(select(Payee.id).where(Payee.household_id == household.id))
            client = app.test_client()
            client.post("/login", data={"email": user.email, "password": "correct horse battery"})
            url = "/transactions" + query.format(tag=tag, payee=payee)
            client.get(url)
            counts.append(queries_during_get(client, url))
            assert len(_ids(client.get(url).get_data(as_text=True))) == min(size, 50)
    assert counts[0] == counts[1]


def test_payees_page_lists_counts_and_renames(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="One", payee="Uber"))
    signed_in.post("/entries/new", data=entry_form(household, description="Two", payee="Uber"))
    payee = db.session.scalar(select(Payee))
    page = signed_in.get("/payees").get_data(as_text=True)
    row = re.search(rf'<tr data-payee-id="{payee.id}">.*?</tr>', page, re.S).group(0)
    assert "Uber" in row and ">2<" in row
    response = signed_in.post(f"/payees/{payee.id}/rename", data={"name": "  Uber rides "})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Payee, payee.id).name == "Uber rides"


def test_renaming_to_a_taken_name_is_refused_beside_the_field(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="One", payee="Uber"))
    signed_in.post("/entries/new", data=entry_form(household, description="Two", payee="99"))
    taxi = db.session.scalar(select(Payee).where(Payee.name == "99"))
    response = signed_in.post(f"/payees/{taxi.id}/rename", data={"name": "uber"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Another payee already has this name." in page and 'value="uber"' in page
    db.session.expire_all()
    assert db.session.get(Payee, taxi.id).name == "99"


def test_merging_moves_entries_and_patterns(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="One", payee="Uber"))
    signed_in.post("/entries/new", data=entry_form(household, description="Two", payee="Uber Eats"))
    uber = db.session.scalar(select(Payee).where(Payee.name == "Uber"))
    eats = db.session.scalar(select(Payee).where(Payee.name == "Uber Eats"))
    db.session.add(PayeePattern(household_id=household.id, payee_id=eats.id, pattern="uber eats"))
    db.session.commit()
    response = signed_in.post(f"/payees/{eats.id}/merge", data={"target_id": str(uber.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Payee, eats.id) is None
    assert _entry("Two").payee_id == uber.id
    assert db.session.scalar(select(PayeePattern.payee_id)) == uber.id


def test_merging_into_another_households_payee_is_404(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="One", payee="Uber"))
    mine = db.session.scalar(select(Payee))
    other = household_of(create_user(name="Other", household_name="Other home"))
    theirs = Payee(household_id=other.id, name="Theirs", name_key="theirs")
    db.session.add(theirs)
    db.session.commit()
    response = signed_in.post(f"/payees/{mine.id}/merge", data={"target_id": str(theirs.id)})
    assert response.status_code == 404
    db.session.expire_all()
    assert _entry("One").payee_id == mine.id
    assert signed_in.get(f"/payees/{theirs.id}").status_code == 404


def test_the_month_report_totals_each_tag(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="Ride", amount="25.00", tags="trip"))
    signed_in.post("/entries/new", data=entry_form(household, description="Hotel", amount="100.00",
                                                   tags="trip, work"))
    signed_in.post("/entries/new", data=entry_form(household, description="Bread", amount="5.00"))
    page = signed_in.get("/reports/month?year=2026&month=3").get_data(as_text=True)
    table = re.search(r'<table class="table table-sm" id="report-tags">.*?</table>', page, re.S).group(0)
    trip = db.session.scalar(select(Tag).where(Tag.name == "trip"))
    row = re.search(rf'<tr data-tag-id="{trip.id}">.*?</tr>', table, re.S).group(0)
    assert ">2<" in row and "125.00" in row
    assert "Bread" not in table and table.count("<tr data-tag-id") == 2
    assert f"tag={trip.id}" in row and "date_from=2026-03-01" in row


def test_the_year_report_totals_each_tag(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="Ride", amount="25.00", tags="trip"))
    page = signed_in.get("/reports/year?year=2026").get_data(as_text=True)
    table = re.search(r'<table class="table table-sm" id="report-tags">.*?</table>', page, re.S).group(0)
    assert "trip" in table and "25.00" in table and "date_to=2026-12-31" in table


def test_duplicating_keeps_the_payee_and_tags(signed_in, household):
    signed_in.post("/entries/new", data=entry_form(household, description="One", payee="Uber", tags="trip, work"))
    page = signed_in.get(f"/entries/{_entry('One').id}/duplicate").get_data(as_text=True)
    assert 'value="Uber"' in page and 'value="trip, work"' in page
