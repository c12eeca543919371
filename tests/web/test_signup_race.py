"""Two sign-ups for the same new address at the same moment: one account, no server error.

Both requests pass the "is this address free?" check before either inserts (a rendezvous
in the password hashing that sits between the two), so the second insert meets the unique
e-mail key; it must be answered like any sign-up for a taken address.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

import finora.services.people.registration as registration
from finora.extensions import db
from finora.models import Household, User
from tests.concurrency import at_once
from tests.factories import create_user
from tests.web.test_signup import form


@pytest.fixture
def checks_pass_together(monkeypatch):
    """Once armed, each sign-up waits after its address check until the other has checked."""

    def arm():
        together = threading.Barrier(2)
        real_hash = registration.hash_password

        def hash_password(password):
            together.wait(timeout=10)
            return real_hash(password)

        monkeypatch.setattr(registration, "hash_password", hash_password)

    return arm


@pytest.mark.parametrize("mode", ["open", "approval"])
def test_two_sign_ups_for_one_new_address_make_one_account(app_factory, checks_pass_together, mode):
    application = app_factory(REGISTRATION_MODE=mode)
    with application.app_context():
        create_user(email="admin@example.com")  # the first user is activated at once
        clients = [application.test_client() for _ in range(2)]
        checks_pass_together()
        data = form(email="twice@example.com")
        responses = at_once([lambda c=c: c.post("/signup", data=data) for c in clients])
        # An exception raised by a request (not a response) is shown whole.
        assert not [r for r in responses if isinstance(r, BaseException)], responses
        assert sorted(r.status_code for r in responses) == [302, 422]
        [refused] = [r for r in responses if r.status_code == 422]
        assert "An account with this e-mail already exists" in refused.get_data(as_text=True)
        db.session.rollback()
        users = db.session.scalar(
            select(func.count()).select_from(User).where(User.email == "twice@example.com")
        )
        assert users == 1
        # The refused sign-up left no household behind.
        assert db.session.scalar(select(func.count()).select_from(Household)) == 2
