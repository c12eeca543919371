"""Two owners demote each other at the same moment: the household keeps an owner.

Each request runs in its own thread with its own test client, app context, session and
database connection, so the two transactions really overlap on the server database. A
slow audit write (after the role change is flushed, before the commit) holds the window
open, the way a busy server would: without a lock both requests saw two owners and both
stepped down, leaving a household nobody could manage.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from finora.extensions import db
from finora.models import AuditEvent, Membership
from finora.services.people import members
from finora.web.household import members as member_views
from tests.concurrency import at_once
from tests.conftest import SERVER
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member, membership_of

pytestmark = pytest.mark.skipif(
    SERVER == "sqlite", reason="SQLite runs one writer at a time; the race needs a server database"
)

ROUNDS = 3


@pytest.fixture
def slow_audit(monkeypatch):
    """Both requests reach the service together (each past its owner check), and the
    audit write that follows the role change is slow."""
    real_record = members.record

    def record(*args, **kwargs):
        time.sleep(0.3)
        return real_record(*args, **kwargs)

    monkeypatch.setattr(members, "record", record)
    together = threading.Barrier(2)
    for name in ("change_role", "remove_member"):
        real = getattr(member_views, name)

        def rendezvous(*args, _real=real, **kwargs):
            together.wait(timeout=10)
            return _real(*args, **kwargs)

        monkeypatch.setattr(member_views, name, rendezvous)


def _signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _owners(household) -> list[int]:
    db.session.rollback()  # a fresh snapshot (MariaDB's repeatable read keeps the old one)
    return list(db.session.scalars(
        select(Membership.user_id).where(
            Membership.household_id == household.id, Membership.role == "owner"
        )
    ))


def _demote(client, membership_id):
    return lambda: client.post(
        f"/household/members/{membership_id}/role", data={f"m{membership_id}-role": "editor"}
    )


def _remove(client, membership_id):
    return lambda: client.post(f"/household/members/{membership_id}/remove")


def _two_owners(app):
    first = create_user()
    household = household_of(first)
    second = add_member(household, "owner")
    clients = (_signed_in(app, first.email), _signed_in(app, second.email))
    return household, (first, second), clients


def _told(client, text: str) -> bool:
    return text in client.get("/dashboard", follow_redirects=True).text


def test_two_owners_stepping_down_at_once_leave_one_owner(app, slow_audit):
    household, (first, second), (mine, theirs) = _two_owners(app)
    for _ in range(ROUNDS):
        responses = at_once([
            _demote(mine, membership_of(first, household).id),
            _demote(theirs, membership_of(second, household).id),
        ])
        assert sorted(r.status_code for r in responses) == [302, 409]
        [refused] = [r for r in responses if r.status_code == 409]
        assert "A household needs at least one owner." in refused.text
        assert len(_owners(household)) == 1
        for user in (first, second):  # both owners again for the next round
            membership_of(user, household).role = "owner"
            db.session.commit()


def test_two_owners_demoting_each_other_at_once_leave_one_owner(app, slow_audit):
    household, (first, second), (mine, theirs) = _two_owners(app)
    for _ in range(ROUNDS):
        responses = at_once([
            _demote(mine, membership_of(second, household).id),
            _demote(theirs, membership_of(first, household).id),
        ])
        assert [r.status_code for r in responses] == [302, 302]
        [owner] = _owners(household)
        # The one who lost the race had lost the owner role before their change ran.
        loser = theirs if owner == first.id else mine
        assert _told(loser, "You are no longer an owner of this household")
        for user in (first, second):
            membership_of(user, household).role = "owner"
            db.session.commit()


def test_an_owner_removed_while_demoting_the_other_leaves_one_owner(app, slow_audit):
    household, (first, second), (mine, theirs) = _two_owners(app)
    responses = at_once([
        _remove(mine, membership_of(second, household).id),
        _demote(theirs, membership_of(first, household).id),
    ])
    assert [r.status_code for r in responses] == [302, 302]
    assert len(_owners(household)) == 1


def test_a_double_clicked_removal_removes_once(app, slow_audit):
    household, (first, second), (mine, _theirs) = _two_owners(app)
    again = _signed_in(app, first.email)  # the same owner's second tab
    gone = membership_of(second, household).id
    assert [r.status_code for r in at_once([_remove(mine, gone), _remove(again, gone)])] == [302, 302]
    db.session.rollback()
    assert db.session.get(Membership, gone) is None
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "member.removed"))
    assert len(list(events)) == 1
