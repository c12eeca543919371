"""The default user of a local run (ENABLE_DEFAULT_USER_SEED): created active with a
household by the sign-up service, once; skipped with one log line otherwise."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from finora.extensions import db
from finora.local_start import _seed_default_user
from finora.models import Account, Category, Household, Membership, User
from finora.services.people.default_user import seed_default_user
from finora.services.people.passwords import verify_password
from tests.factories import create_user

PASSWORD = "a lantern by the river"
SEED = {
    "ENV_NAME": "development",
    "ENABLE_DEFAULT_USER_SEED": True,
    "DEFAULT_USER_EMAIL": "Casa@Example.com",
    "DEFAULT_USER_NAME": "Casa Silva",
    "DEFAULT_USER_PASSWORD": PASSWORD,
}


@pytest.fixture
def seed_log(caplog):
    """Records of "finora.startup" (the "finora" logger does not propagate)."""
    logger = logging.getLogger("finora.startup")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="finora.startup")
    yield caplog
    logger.removeHandler(caplog.handler)


def _records(log) -> list[logging.LogRecord]:
    """Each record once (pytest's own capture may hand the same record over twice)."""
    return list({id(record): record for record in log.records}.values())


def _lines(log) -> list[str]:
    return [record.getMessage() for record in _records(log)]


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_creates_the_user_active_with_a_household(app, seed_log):
    user = seed_default_user(db.session, SEED)
    db.session.commit()
    assert user.email == "casa@example.com" and user.name == "Casa Silva"
    assert user.status == "active" and user.approved_at is not None
    assert user.is_admin  # the first user of the instance, as on sign-up
    assert verify_password(user.password_hash, PASSWORD)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.role == "owner"
    household = db.session.get(Household, membership.household_id)
    assert "Casa Silva" in household.name  # "Família de Casa Silva" once translated
    assert household.currency == "BRL"
    # What sign-up gives every household: the default categories and an account.
    assert db.session.scalar(select(func.count()).select_from(Category).where(
        Category.household_id == household.id)) > 10
    assert db.session.scalar(select(func.count()).select_from(Account).where(
        Account.household_id == household.id)) == 1
    assert _lines(seed_log) == [
        "Created the default user casa@example.com (the instance admin: the first user)."
    ]
    assert PASSWORD not in seed_log.text


def test_a_later_default_user_is_active_whatever_the_registration_mode(app):
    create_user()
    app.config["REGISTRATION_MODE"] = "closed"
    user = seed_default_user(db.session, SEED)
    db.session.commit()
    assert user.status == "active" and not user.is_admin


def test_is_idempotent(app, seed_log):
    seed_default_user(db.session, SEED)
    db.session.commit()
    seed_log.clear()
    again = seed_default_user(db.session, {**SEED, "DEFAULT_USER_PASSWORD": "another long secret"})
    assert again is None
    assert _users() == 1
    assert _lines(seed_log) == [
        "Default user casa@example.com exists; left as it is."
    ]
    user = db.session.scalar(select(User))
    assert verify_password(user.password_hash, PASSWORD)  # left as it is


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "DEFAULT_USER_PASSWORD is not set"),
        ("short1", "too weak (Use at least 10 characters.)"),
        ("password123", "too weak (This password is too common"),
        ("casa silva", "too weak (The password cannot be your name.)"),
        ("CASA@EXAMPLE.COM", "too weak (The password cannot be your e-mail address.)"),
    ],
)
def test_a_missing_or_weak_password_is_skipped_with_one_line(app, seed_log, password, reason):
    assert seed_default_user(db.session, {**SEED, "DEFAULT_USER_PASSWORD": password}) is None
    assert _users() == 0
    (record,) = _records(seed_log)
    assert record.levelno == logging.WARNING
    assert reason in record.getMessage()
    assert record.getMessage().startswith("Default user casa@example.com not created")
    if password:
        assert password not in seed_log.text


def test_a_missing_email_is_skipped_with_one_line(app, seed_log):
    assert seed_default_user(db.session, {**SEED, "DEFAULT_USER_EMAIL": " "}) is None
    assert _lines(seed_log) == [
        "Default user not created: DEFAULT_USER_EMAIL is not set."
    ]


def test_production_ignores_the_seed(app, seed_log):
    assert seed_default_user(db.session, {**SEED, "ENV_NAME": "production"}) is None
    assert _users() == 0
    (record,) = _records(seed_log)
    assert record.levelno == logging.WARNING
    assert "ignored in production" in record.getMessage()


def test_off_unless_enabled(app, seed_log):
    assert seed_default_user(db.session, {**SEED, "ENABLE_DEFAULT_USER_SEED": False}) is None
    assert _users() == 0 and not _records(seed_log)


def test_the_bootstrap_command_creates_it(app_factory):
    app = app_factory(**{key: value for key, value in SEED.items() if key != "ENV_NAME"})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        assert result.exit_code == 0, result.output
        assert db.session.scalar(select(User.email)) == "casa@example.com"
        again = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        assert again.exit_code == 0, again.output
        assert _users() == 1


def test_the_bootstrap_command_after_the_admin(app_factory):
    app = app_factory(
        BOOTSTRAP_ADMIN_EMAIL="boss@example.com", BOOTSTRAP_ADMIN_PASSWORD="a long unusual phrase",
        **{key: value for key, value in SEED.items() if key != "ENV_NAME"},
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["finora", "bootstrap"])
        assert result.exit_code == 0, result.output
        users = {u.email: u for u in db.session.scalars(select(User))}
        assert users["boss@example.com"].is_admin
        assert not users["casa@example.com"].is_admin
        assert users["casa@example.com"].status == "active"


def test_a_bare_python_app_py_at_head_creates_it(app_factory):
    """finora/local_start.py seeds it when the database needs no migration (a migration
    runs the bootstrap command, which does)."""
    app = app_factory(**{key: value for key, value in SEED.items() if key != "ENV_NAME"})
    _seed_default_user(app)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "casa@example.com" and user.status == "active"
