"""A lost race for a lock (a deadlock, a lock timeout) is told apart from other database
errors, and a sign-up that loses one on the new address is answered as for a taken
address, as when the unique key refuses it."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from finora.extensions import db
from finora.models import Household, User
from finora.services.people.registration import EmailTakenError, register_user
from finora.services.system.lock_conflicts import is_deadlock, is_lock_conflict
from tests.factories import create_user, signup_data


class _DriverError(Exception):
    """What a DB-API driver raises: MySQL's carry the error number first, psycopg's a sqlstate."""

    def __init__(self, *args, sqlstate: str | None = None) -> None:
        super().__init__(*args)
        self.sqlstate = sqlstate


def _error(*args, sqlstate: str | None = None) -> OperationalError:
    return OperationalError("INSERT INTO users ...", {}, _DriverError(*args, sqlstate=sqlstate))


@pytest.mark.parametrize("error, conflict", [
    (_error(1213, "Deadlock found when trying to get lock; try restarting transaction"), True),
    (_error(1205, "Lock wait timeout exceeded; try restarting transaction"), True),
    (_error("deadlock detected", sqlstate="40P01"), True),
    (_error("could not serialize access", sqlstate="40001"), True),
    (_error("database is locked"), True),
    (_error(2013, "Lost connection to MySQL server during query"), False),
    (_error("terminating connection due to administrator command", sqlstate="57P01"), False),
    (_error("disk I/O error"), False),
    (OperationalError("SELECT 1", {}, None), False),  # type: ignore[arg-type]
])
def test_a_lock_conflict_is_told_from_other_errors(error, conflict):
    assert is_lock_conflict(error) is conflict
    code = getattr(error.orig, "sqlstate", None) or (error.orig.args[0] if error.orig else None)
    assert is_deadlock(error) is (code in (1213, "40P01"))


@pytest.fixture
def flush_fails(app):
    """Arms the session to fail the flush that inserts a user with the given error."""
    armed: list[OperationalError] = []

    def before_flush(session, _context, _instances):
        if armed and any(isinstance(row, User) for row in session.new):
            raise armed.pop()

    event.listen(Session, "before_flush", before_flush)
    yield armed.append
    event.remove(Session, "before_flush", before_flush)


def test_a_sign_up_that_loses_a_deadlock_is_told_the_address_is_taken(app, flush_fails):
    create_user(email="admin@example.com")
    households = db.session.scalar(select(func.count()).select_from(Household))
    flush_fails(_error(1213, "Deadlock found when trying to get lock; try restarting transaction"))
    with pytest.raises(EmailTakenError):
        register_user(db.session, signup_data(email="twice@example.com"), mode="approval")
    db.session.rollback()  # as the sign-up page does
    assert db.session.scalar(select(func.count()).where(User.email == "twice@example.com")) == 0
    assert db.session.scalar(select(func.count()).select_from(Household)) == households


@pytest.mark.parametrize("error", [
    _error(2013, "Lost connection to MySQL server during query"),
    _error(1205, "Lock wait timeout exceeded; try restarting transaction"),  # any long writer
    _error("database is locked"),
])
def test_any_other_error_on_that_insert_is_not_mistaken_for_a_taken_address(app, flush_fails,
                                                                            error):
    create_user(email="admin@example.com")
    flush_fails(error)
    with pytest.raises(OperationalError):
        register_user(db.session, signup_data(email="twice@example.com"), mode="open")
    db.session.rollback()
