"""`flask finora bootstrap` creates the configured admin."""

from __future__ import annotations

from sqlalchemy import select

from finora.extensions import db
from finora.models import User
from tests.factories import create_user


def test_bootstrap_creates_the_admin(app_factory):
    app = app_factory(
        BOOTSTRAP_ADMIN_EMAIL="Boss@Example.com", BOOTSTRAP_ADMIN_PASSWORD="a long unusual phrase"
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        assert result.exit_code == 0, result.output
        admin = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        assert admin.is_admin and admin.status == "active" and admin.memberships
        again = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        assert "already exists" in again.output
        assert len(db.session.scalars(select(User)).all()) == 1


def test_bootstrap_promotes_an_existing_account(app_factory):
    app = app_factory(BOOTSTRAP_ADMIN_EMAIL="later@example.com", BOOTSTRAP_ADMIN_PASSWORD="x" * 12)
    with app.app_context():
        create_user()
        later = create_user(email="later@example.com", status="disabled")
        app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        db.session.refresh(later)
        assert later.is_admin and later.status == "active"


def test_bootstrap_refuses_a_weak_password(app_factory):
    app = app_factory(BOOTSTRAP_ADMIN_EMAIL="a@example.com", BOOTSTRAP_ADMIN_PASSWORD="short")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        assert result.exit_code != 0
        assert "at least 10 characters" in result.output.lower()
        assert db.session.scalar(select(User)) is None


def test_bootstrap_without_settings_explains(app):
    result = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
    assert result.exit_code == 0
    assert "first user to sign up becomes admin" in result.output
