"""The Transactions page's "Apply rules": the household's categorisation rules run on the
ticked entries, the message says how many changed and offers Undo; viewers are refused,
another household's rows are 404; a rule's page applies its tags too."""

from __future__ import annotations

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import CategorisationRule, Entry, UndoRecord
from finora.services.ledger.categorisation import RuleInput, create_rule
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)
from tests.members_factories import add_member
from tests.web.test_undo_pages import _bulk, _sign_in, _undo_button


def _state(entry_id):
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    return (entry.subcategory_id, entry.payee.name if entry.payee else None, entry.payment_method,
            [tag.name for tag in entry.tags])


def _rides(household, **values):
    fuel = category(household, "expense.transport.fuel")
    data = {"name": "Rides", "pattern": "uber", "category_id": fuel.id, "payee_name": "Uber", "tags": "trip",
            **values}
    create_rule(db.session, household, RuleInput(**data))
    db.session.commit()
    return fuel


def test_apply_rules_to_the_ticked_entries_and_undo(signed_in, household):
    fuel = _rides(household)
    ride, bakery = make_entry(household, description="UBER TRIP"), make_entry(household, description="Bakery")
    transfer = make_transfer(household, checking_account(household), make_account(household))
    before = {e.id: _state(e.id) for e in (ride, bakery)}
    page = signed_in.get("/transactions").text
    assert 'id="bulk-apply-rules"' in page and 'value="apply_rules"' in page
    response = _bulk(signed_in, "apply_rules", f"e{ride.id}", f"e{bakery.id}", f"t{transfer.id}")
    page = signed_in.get(response.location).text
    assert "Rules applied: 1 entry changed. 1 transfer left as it was." in page
    assert _state(ride.id) == (fuel.id, "Uber", "other", ["trip"]) and _state(bakery.id) == before[bakery.id]
    action, data = _undo_button(page)
    done = signed_in.post(action, data=data, follow_redirects=True).text
    assert "Undone: 1 entry is as it was before the rules." in done
    assert {e_id: _state(e_id) for e_id in before} == before

    page = signed_in.get(_bulk(signed_in, "apply_rules", f"e{bakery.id}").location).text
    assert "Nothing to change: the rules match none of the ticked entries" in page


def test_without_rules_the_rows_stay_ticked(signed_in, household):
    entry = make_entry(household, description="UBER")
    response = _bulk(signed_in, "apply_rules", f"e{entry.id}")
    assert f"selected=e{entry.id}" in response.location
    assert "There is no enabled categorisation rule to apply" in signed_in.get(response.location).text
    assert db.session.scalar(select(func.count()).select_from(UndoRecord)) == 0


def test_apply_rules_viewer_403_and_another_households_404(client, app):
    owner = create_user()
    home = household_of(owner)
    _rides(home)
    entry = make_entry(home, description="UBER")
    their_entry = make_entry(household_of(create_user()), description="UBER")
    viewer = add_member(home, "viewer")
    _sign_in(client, viewer)
    assert _bulk(client, "apply_rules", f"e{entry.id}").status_code == 403
    client.post("/logout")
    _sign_in(client, owner)
    assert _bulk(client, "apply_rules", f"e{entry.id}", f"e{their_entry.id}").status_code == 404
    assert _state(entry.id)[1:] == (None, "other", []) and _state(their_entry.id)[1:] == (None, "other", [])
    assert _bulk(client, "apply_rules", f"e{entry.id}").status_code == 302  # the owner's own row alone
    assert _state(entry.id)[1:] == ("Uber", "other", ["trip"]) and _state(their_entry.id)[1:] == (None, "other", [])


def test_a_rules_page_applies_its_tags_and_undo_takes_them_off(signed_in, household):
    _rides(household, category_id=None, payee_name=None, tags="trip, work")
    entry = make_entry(household, description="UBER")
    rule = db.session.scalars(select(CategorisationRule)).one()
    page = signed_in.get(f"/categorisation-rules/{rule.id}").text
    assert "Apply to 1 entry" in page
    response = signed_in.post(f"/categorisation-rules/{rule.id}/apply")
    assert _state(entry.id)[3] == ["trip", "work"]
    page = signed_in.get(response.location).text
    assert "Rule “Rides” applied: 1 entry changed." in page
    action, data = _undo_button(page)
    signed_in.post(action, data=data)
    assert _state(entry.id)[3] == []
