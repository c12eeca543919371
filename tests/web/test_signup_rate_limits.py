"""Sign-up has two budgets per client address: five sign-ups an hour that were answered
(an account made, or an answer about a taken address), and thirty forms an hour sent back
to correct. Mistakes do not use up the sign-ups; sign-ups do not use up the mistakes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import User
from tests.factories import create_user
from tests.web.test_signup import form


@pytest.fixture
def limited(app_factory):
    application = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with application.app_context():
        create_user()  # the admin exists: sign-ups below are ordinary ones (open mode)
        yield application


def _sign_up(application, n: int, **overrides):
    # A new browser each time (a signed-in one is sent to the dashboard), same address.
    return application.test_client().post(
        "/signup", data=form(email=f"person{n}@example.org", **overrides)
    )


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_mistakes_do_not_use_up_the_sign_ups(limited):
    client = limited.test_client()
    for _ in range(10):
        assert client.post("/signup", data=form(confirm="not the same")).status_code == 422
    statuses = [_sign_up(limited, n).status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]
    assert _users() == 1 + 5


def test_sign_ups_do_not_use_up_the_mistakes(limited):
    assert [_sign_up(limited, n).status_code for n in range(5)] == [302] * 5
    # The sign-up budget is spent: even a form with a mistake is now refused...
    assert _sign_up(limited, 99, confirm="not the same").status_code == 429
    # ...while another address still has both budgets.
    other = limited.test_client().post(
        "/signup", data=form(email="far@example.org"), environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 302


def test_a_taken_address_answer_counts_as_a_sign_up(limited):
    # Without mail the form says the address has an account: that is an answer about an
    # address, so it spends the strict budget (enumeration stays at five an hour).
    taken = create_user(email="taken@example.org")
    client = limited.test_client()
    statuses = [
        client.post("/signup", data=form(email=taken.email)).status_code for _ in range(6)
    ]
    assert statuses == [422] * 5 + [429]


def test_mistakes_alone_get_thirty_tries(limited):
    client = limited.test_client()
    statuses = [client.post("/signup", data=form(password="short", confirm="short")).status_code
                for _ in range(31)]
    assert statuses == [422] * 30 + [429]
    assert "Too many attempts" in client.post("/signup", data=form()).get_data(as_text=True)
    assert client.get("/signup").status_code == 200  # reading the page is not limited
