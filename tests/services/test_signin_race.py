"""Simultaneous failed sign-ins are all counted: real concurrent requests to a threaded
server, and concurrent transactions on separate connections, against a database server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from finora.extensions import db
from finora.models import AuditEvent, User
from finora.models.security import SignInFailure
from finora.services.people.auth import record_failed_sign_in
from tests.conftest import SERVER
from tests.factories import create_user

pytestmark = pytest.mark.skipif(
    SERVER == "sqlite", reason="SQLite lets one writer in at a time: there is no race to lose"
)
TEN = 10


@pytest.fixture
def served(app_factory):
    """The app behind one trusted proxy, served by a threaded server on a free port."""
    app = app_factory(TRUSTED_PROXIES=1)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _post_login(base: str, email: str, address: str, start: threading.Barrier) -> int:
    body = urlencode({"email": email, "password": "wrong guess"}).encode()
    request = Request(f"{base}/login", data=body, headers={
        "X-Forwarded-For": address, "Accept-Language": "en",
        "Content-Type": "application/x-www-form-urlencoded",
    })
    start.wait()
    try:
        with urlopen(request, timeout=60) as response:
            return response.status
    except HTTPError as error:
        return error.code


def test_ten_simultaneous_wrong_passwords_count_ten(served):
    app, base = served
    with app.app_context():
        email, user_id = (user := create_user()).email, user.id
        db.session.remove()
    start = threading.Barrier(TEN)
    with ThreadPoolExecutor(TEN) as pool:
        statuses = list(pool.map(
            lambda n: _post_login(base, email, f"192.0.2.{n + 1}", start), range(TEN)
        ))
    assert statuses == [422] * TEN
    with app.app_context():
        assert db.session.get(User, user_id).failed_sign_ins == TEN
        assert db.session.scalar(select(func.sum(SignInFailure.failures))) == TEN
        failed = db.session.scalar(
            select(func.count()).where(AuditEvent.action == "auth.sign_in_failed")
        )
        assert failed == TEN


def test_ten_simultaneous_failures_from_one_place_count_ten_and_lock_once(app_factory):
    """Separate connections, all past the "is it locked?" check, count at the same time:
    the pair's row is made once, counts ten, and is locked by exactly one of them."""
    app = app_factory()
    with app.app_context():
        user_id = create_user().id
        db.session.remove()
    start = threading.Barrier(TEN)

    def fail() -> bool:
        with app.app_context(), Session(db.engine) as session:
            user = session.get(User, user_id)
            start.wait()
            locked = record_failed_sign_in(session, user, "203.0.113.5")
            session.commit()
            return locked

    with ThreadPoolExecutor(TEN) as pool:
        locks = list(pool.map(lambda _n: fail(), range(TEN)))
    assert locks.count(True) == 1
    with app.app_context():
        pair = db.session.scalar(select(SignInFailure))
        assert pair.failures == TEN and pair.locked_until is not None
        assert db.session.get(User, user_id).failed_sign_ins == TEN
        assert db.session.scalar(
            select(func.count()).where(AuditEvent.action == "auth.locked")
        ) == 1
