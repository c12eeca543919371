"""An editor writes the ledger but not the owner's pages (the role matrices, which only read
and are refused, are in test_roles.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, Household
from tests.factories import PASSWORD
from tests.ledger_factories import category, checking_account
from tests.members_factories import two_households_with_members

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _entries() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Entry))


@pytest.fixture
def world(app):
    with time_machine.travel(NOW, tick=False):
        return two_households_with_members()


def _sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def test_an_editor_is_refused_the_owners_pages_but_keeps_the_ledger(client, world):
    _sign_in(client, world.editor)
    for path in ("/household", "/household/members"):
        assert client.get(path).status_code == 403
    assert client.post("/household", data={"name": "Taken over"}).status_code == 403
    assert client.post("/household/members/invite", data={"email": "x@example.com", "role": "editor"}).status_code == 403
    own = world.my_ids["membership_id"]
    theirs = world.their_ids["membership_id"]
    assert client.post(f"/household/members/{own}/remove").status_code == 403
    assert client.post(f"/household/members/{theirs}/remove").status_code == 404
    assert client.post(f"/household/invitations/{world.their_ids['invitation_id']}/cancel").status_code == 404
    assert db.session.get(Household, world.mine.id).name != "Taken over"

    before = _entries()
    response = client.post("/entries/new", data={
        "kind": "expense", "amount": "12.50", "date": "2026-03-10", "description": "Bread",
        "account_id": str(checking_account(world.mine).id),
        "category_id": str(category(world.mine, "expense.food").id),
        "payment_method": "cash",
    })
    assert response.status_code == 302, response.text[:500]
    assert _entries() == before + 1
    assert client.get(f"/entries/{world.my_ids['entry_id']}/edit").status_code == 200
    assert client.post(f"/goals/{world.my_ids['goal_id']}/delete").status_code == 302


