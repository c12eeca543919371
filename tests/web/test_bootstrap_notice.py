"""`flask finora bootstrap` without BOOTSTRAP_ADMIN_EMAIL/PASSWORD (run by every `make run`
and container start) speaks about the admin only while there is none."""

from __future__ import annotations

from finora.extensions import db
from tests.factories import create_user


def _bootstrap(app) -> str:
    result = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_empty_instance_says_the_first_user_becomes_admin(app):
    assert "first user to sign up becomes admin" in _bootstrap(app)


def test_nothing_is_said_once_an_admin_exists(app):
    create_user()  # the first user: the admin
    create_user()
    assert _bootstrap(app) == ""


def test_users_without_an_admin_are_told_how_to_restore_one(app):
    person = create_user()
    person.is_admin = False
    db.session.commit()
    output = _bootstrap(app)
    assert "first user" not in output
    assert "No account is the instance admin" in output and "BOOTSTRAP_ADMIN_EMAIL" in output
