"""Undo as a person meets it: no browser dialog before a delete, an Undo button in the
message after it (and after a bulk change on the Transactions page), the row back after
the click; a second click, a late click, a viewer's or a stranger's click change nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, RecurringRule, Transfer, UndoRecord
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    input_value,
    make_account,
    make_entry,
    make_transfer,
    snapshot,
)
from tests.members_factories import add_member
from tests.planning_factories import make_rule

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
UNDO_FORM = re.compile(
    r'<form method="post" action="(/undo/\d+)"[^>]*>.*?name="form_token" value="([^"]*)"'
    r'.*?name="next" value="([^"]*)"', re.S,
)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _entries() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Entry))


def _undo_button(page: str) -> tuple[str, dict]:
    match = UNDO_FORM.search(page)
    assert match, "no Undo button on the page"
    action, token, back = match.groups()
    return action, {"form_token": token, "next": unescape(back)}


def _sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_deleting_an_entry_offers_undo_and_the_undo_brings_it_back(signed_in, household):
    entry = make_entry(household, description="Padaria", amount="12.34")
    before = snapshot(Entry, entry.id)
    page = signed_in.get("/transactions").text
    assert "data-confirm" not in page  # no browser dialog: the flash offers Undo instead
    response = signed_in.post(f"/entries/{entry.id}/delete", data={"next": "/transactions"},
                              follow_redirects=True)
    assert "Entry “Padaria” deleted." in response.text and _entries() == 0
    action, data = _undo_button(response.text)
    assert data["next"] == "/transactions"

    response = signed_in.post(action, data=data)
    assert response.status_code == 302 and response.location == "/transactions"
    assert snapshot(Entry, before["id"]) == before
    assert "Undone: “Padaria” is back." in signed_in.get("/transactions").text

    # The same button again (a double click): the form token saves nothing a second time.
    again = signed_in.post(action, data=data, follow_redirects=True)
    assert "already submitted" in again.text and _entries() == 1


def test_a_late_click_is_told_it_is_too_late(signed_in, household, frozen_time):
    entry = make_entry(household, description="Padaria")
    response = signed_in.post(f"/entries/{entry.id}/delete", follow_redirects=True)
    action, data = _undo_button(response.text)
    frozen_time.shift(timedelta(minutes=10, seconds=1))
    response = signed_in.post(action, data=data, follow_redirects=True)
    assert "too late to undo" in response.text and _entries() == 0


def test_a_used_undo_says_so(signed_in, household):
    entry = make_entry(household, description="Padaria")
    action, data = _undo_button(signed_in.post(f"/entries/{entry.id}/delete", follow_redirects=True).text)
    signed_in.post(action, data=data)
    # Another tab's button for the same deletion (its own form token).
    other_tab = input_value(signed_in.get("/transactions").text, "form_token")
    response = signed_in.post(action, data={**data, "form_token": other_tab}, follow_redirects=True)
    assert "This was already undone." in response.text and _entries() == 1


def test_deleting_a_transfer_and_a_rule_offers_undo(signed_in, household):
    transfer = make_transfer(household, checking_account(household), make_account(household, name="Poupança"))
    before = snapshot(Transfer, transfer.id)
    response = signed_in.post(f"/transfers/{transfer.id}/delete", follow_redirects=True)
    action, data = _undo_button(response.text)
    signed_in.post(action, data=data)
    assert snapshot(Transfer, before["id"]) == before

    rule = make_rule(household, name="Aluguel")
    rule_before = snapshot(RecurringRule, rule.id)
    response = signed_in.post(f"/rules/{rule.id}/delete", follow_redirects=True)
    assert "Rule “Aluguel” deleted" in response.text
    action, data = _undo_button(response.text)
    response = signed_in.post(action, data=data, follow_redirects=True)
    assert "Undone: “Aluguel” is back." in response.text
    assert snapshot(RecurringRule, rule_before["id"]) == rule_before


def test_only_the_person_who_deleted_can_undo_and_viewers_never(client, app):
    owner = create_user()
    home = household_of(owner)
    editor = add_member(home, "editor")
    viewer = add_member(home, "viewer")
    stranger = create_user()
    entry = make_entry(home, description="Padaria")
    _sign_in(client, owner)
    action, data = _undo_button(client.post(f"/entries/{entry.id}/delete", follow_redirects=True).text)
    client.post("/logout")

    _sign_in(client, viewer)
    assert client.post(action, data=data).status_code == 403
    client.post("/logout")
    _sign_in(client, editor)
    assert client.post(action, data=data).status_code == 404
    client.post("/logout")
    _sign_in(client, stranger)
    assert client.post(action, data=data).status_code == 404
    assert _entries() == 0


def _bulk(client, action: str, *values: str, **extra):
    data = {"action": action, "next": "/transactions", "selected": list(values), **extra}
    return client.post("/transactions/bulk", data=data)


def test_the_transactions_page_ticks_rows_for_a_bulk_change(signed_in, household):
    entry = make_entry(household, description="Padaria")
    transfer = make_transfer(household, checking_account(household), make_account(household))
    page = signed_in.get("/transactions").text
    assert 'id="bulk-form"' in page
    assert f'name="selected" value="e{entry.id}" form="bulk-form"' in page
    assert f'name="selected" value="t{transfer.id}" form="bulk-form"' in page
    assert 'aria-label="Tick Padaria"' in page
    # The month dashboard draws the same rows without boxes.
    assert 'name="selected"' not in signed_in.get("/dashboard/2026/3").text


def test_a_viewer_sees_no_boxes_and_is_refused_the_bulk_changes(client, app):
    owner = create_user()
    home = household_of(owner)
    viewer = add_member(home, "viewer")
    entry = make_entry(home)
    _sign_in(client, viewer)
    page = client.get("/transactions").text
    assert 'id="bulk-form"' not in page and 'name="selected"' not in page
    assert _bulk(client, "delete", f"e{entry.id}").status_code == 403
    assert _entries() == 1


def test_bulk_delete_and_its_undo(signed_in, household):
    entries = [make_entry(household, amount=f"{n}.99") for n in range(1, 3)]
    transfer = make_transfer(household, checking_account(household), make_account(household))
    before = [snapshot(Entry, e.id) for e in entries]
    response = _bulk(signed_in, "delete", *(f"e{e.id}" for e in entries), f"t{transfer.id}")
    assert response.status_code == 302
    page = signed_in.get(response.location).text
    assert "3 transactions deleted." in page and _entries() == 0
    action, data = _undo_button(page)
    signed_in.post(action, data=data)
    assert [snapshot(Entry, e["id"]) for e in before] == before
    assert db.session.get(Transfer, transfer.id) is not None


def test_bulk_categorise_mark_paid_and_undo(signed_in, household):
    housing = category(household, "expense.housing")
    entries = [make_entry(household), make_entry(household)]
    transfer = make_transfer(household, checking_account(household), make_account(household))
    response = _bulk(signed_in, "categorise", *(f"e{e.id}" for e in entries), f"t{transfer.id}",
                     bulk_category=str(housing.id))
    page = signed_in.get(response.location).text
    assert "Category set on 2 entries. 1 transfer left as it was." in page
    assert {snapshot(Entry, e.id)["category_id"] for e in entries} == {housing.id}
    action, data = _undo_button(page)
    signed_in.post(action, data=data)
    assert {snapshot(Entry, e.id)["category_id"] for e in entries} == {category(household, "expense.food").id}

    response = _bulk(signed_in, "mark_paid", *(f"e{e.id}" for e in entries))
    page = signed_in.get(response.location).text
    assert "2 entries marked as paid." in page
    assert {snapshot(Entry, e.id)["paid_on"] for e in entries} == {date(2026, 3, 15)}
    action, data = _undo_button(page)
    assert "2 entries are unpaid again." in signed_in.post(action, data=data, follow_redirects=True).text
    assert {snapshot(Entry, e.id)["paid_on"] for e in entries} == {None}


def test_a_refused_bulk_change_keeps_the_rows_ticked(signed_in, household):
    salary = make_entry(household, kind="income", description="Salário")
    response = _bulk(signed_in, "categorise", f"e{salary.id}",
                     bulk_category=str(category(household, "expense.housing").id))
    assert f"selected=e{salary.id}" in response.location
    page = signed_in.get(response.location).text
    assert "This is an expense category" in page
    assert f'value="e{salary.id}" form="bulk-form" aria-label="Tick Salário" checked' in page
    assert snapshot(Entry, salary.id)["category_id"] == category(household, "income.work").id
    assert db.session.scalar(select(func.count()).select_from(UndoRecord)) == 0
    # The page's own links and the forms' way back leave the ticks out.
    assert 'name="next" value="/transactions"' in page

    nothing = signed_in.get(_bulk(signed_in, "delete").location).text
    assert "Tick the transactions to change first." in nothing


def test_bulk_changes_of_another_households_rows_are_404(signed_in, household):
    theirs = make_entry(household_of(create_user()))
    mine = make_entry(household)
    assert _bulk(signed_in, "delete", f"e{mine.id}", f"e{theirs.id}").status_code == 404
    assert _bulk(signed_in, "delete", "e99999999").status_code == 404
    assert _bulk(signed_in, "delete", "x1").status_code == 400
    assert _bulk(signed_in, "explode", f"e{mine.id}").status_code == 400
    assert _entries() == 2


def test_bulk_add_tags_remove_a_tag_and_undo(signed_in, household):
    from finora.services.ledger.tags import set_entry_tags

    entries = [make_entry(household), make_entry(household)]
    set_entry_tags(db.session, household, entries[0], ["kids"])
    db.session.commit()
    transfer = make_transfer(household, checking_account(household), make_account(household))
    page = signed_in.get("/transactions").text
    assert 'id="bulk_tags"' in page and 'list="bulk-tag-options"' in page and '<option value="kids">' in page
    response = _bulk(signed_in, "tag_add", *(f"e{e.id}" for e in entries), f"t{transfer.id}", bulk_tags="trip, Beach")
    page = signed_in.get(response.location).text
    assert "Tags added to 2 entries. 1 transfer left as it was." in page
    db.session.expire_all()
    assert [t.name for t in db.session.get(Entry, entries[0].id).tags] == ["Beach", "kids", "trip"]
    action, data = _undo_button(page)
    assert "2 entries have their previous tags again." in signed_in.post(action, data=data, follow_redirects=True).text
    db.session.expire_all()
    assert [[t.name for t in db.session.get(Entry, e.id).tags] for e in entries] == [["kids"], []]

    kids = db.session.get(Entry, entries[0].id).tags[0]
    response = _bulk(signed_in, "tag_remove", *(f"e{e.id}" for e in entries), bulk_remove_tag=str(kids.id))
    page = signed_in.get(response.location).text
    assert "Tag removed from 1 entry." in page
    db.session.expire_all()
    assert db.session.get(Entry, entries[0].id).tags == []
    action, data = _undo_button(page)
    assert "“kids” is back on 1 entry." in signed_in.post(action, data=data, follow_redirects=True).text
    db.session.expire_all()
    assert [t.name for t in db.session.get(Entry, entries[0].id).tags] == ["kids"]


def test_a_refused_bulk_tag_change_keeps_what_was_typed(signed_in, household):
    entry = make_entry(household)
    transfer = make_transfer(household, checking_account(household), make_account(household))
    response = _bulk(signed_in, "tag_add", f"e{entry.id}", bulk_tags="x" * 51 + ", trip")
    page = signed_in.get(response.location).text
    assert "A tag has at most 50 characters." in page
    assert f'value="{"x" * 51}, trip"' in page
    assert f'value="e{entry.id}" form="bulk-form"' in page and "checked" in page
    page = signed_in.get(_bulk(signed_in, "tag_add", f"e{entry.id}", bulk_tags=" , ").location).text
    assert "Type the tags to add, separated by commas." in page
    page = signed_in.get(_bulk(signed_in, "tag_add", f"t{transfer.id}", bulk_tags="trip").location).text
    assert "Transfers have no category, tags or paid day" in page
    page = signed_in.get(_bulk(signed_in, "tag_remove", f"e{entry.id}").location).text
    assert "Choose the tag to remove." in page
    assert db.session.scalar(select(func.count()).select_from(UndoRecord)) == 0


def test_bulk_tags_viewer_403_and_another_households_404(client, app):
    from finora.services.ledger.tags import tags_named

    owner = create_user()
    home = household_of(owner)
    entry = make_entry(home)
    stranger = create_user()
    theirs = household_of(stranger)
    their_tag = tags_named(db.session, theirs, ["secret"])[0]
    their_entry = make_entry(theirs)
    db.session.commit()
    viewer = add_member(home, "viewer")
    _sign_in(client, viewer)
    assert _bulk(client, "tag_add", f"e{entry.id}", bulk_tags="trip").status_code == 403
    client.post("/logout")
    _sign_in(client, owner)
    assert _bulk(client, "tag_add", f"e{their_entry.id}", bulk_tags="trip").status_code == 404
    assert _bulk(client, "tag_remove", f"e{entry.id}", bulk_remove_tag=str(their_tag.id)).status_code == 404
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).tags == []
