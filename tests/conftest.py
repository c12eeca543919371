"""Shared fixtures: one test database per run (SQLite, PostgreSQL or MariaDB), app, clients."""

from __future__ import annotations

import functools
import os

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import delete

from finora import create_app
from finora.extensions import db
from tests.dbutil import create_test_database, drop_test_database, server_url_from_env
from tests.factories import PASSWORD, create_user
from tests.mail_server import smtp_server  # noqa: F401 - the fixture, for every test

SERVER = server_url_from_env(os.environ.get("FINORA_TEST_DATABASE_URL"))


class FreshGlobalsClient(FlaskClient):
    """English by default, and each request starts with an empty `g`, as in production.

    Flask reuses the test's pushed app context for requests, so without this the user
    Flask-Login cached in `g` during one request would leak into the next.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Tests read English messages unless they ask for another language.
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def open(self, *args, **kwargs):
        context = _cv_app.get(None)
        if context is not None:
            context.g.__dict__.clear()
        return super().open(*args, **kwargs)


def make_app(database_url: str, tmp_path, **overrides):
    config = {
        "FINORA_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATA_DIR": tmp_path,
        "WTF_CSRF_ENABLED": False,
    }
    config.update(overrides)
    application = create_app(config)
    application.test_client_class = FreshGlobalsClient
    return application


@pytest.fixture(autouse=True, scope="session")
def _hash_each_password_once():
    """scrypt is slow on purpose; the suite hashes the same few passwords hundreds of times.
    Signing in still verifies against a real scrypt hash."""
    import finora.services.people.registration as registration

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            registration, "hash_password", functools.lru_cache(maxsize=64)(registration.hash_password)
        )
        yield


@pytest.fixture(autouse=True)
def _not_a_flask_command(monkeypatch):
    """Flask's CLI marks the whole process as a command run; tests build web apps."""
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh database for this run, migrated to head with Alembic, dropped at the end."""
    from flask_migrate import upgrade

    url = create_test_database(SERVER)
    app = make_app(url, tmp_path_factory.mktemp("migrate"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    drop_test_database(url)


def _empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


@pytest.fixture
def app_factory(database_url, tmp_path):
    """Build an app with extra configuration; tables are emptied after the test."""
    built = []

    def build(**overrides):
        application = make_app(database_url, tmp_path, **overrides)
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    application = app_factory()
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


class AuthActions:
    def __init__(self, client) -> None:
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        return self.client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user(app):
    """An active user (the first, so also the instance admin) with a household."""
    return create_user()


@pytest.fixture
def household(user):
    """`user`'s own household (a test module may define its own)."""
    from tests.ledger_factories import household_of

    return household_of(user)


@pytest.fixture
def signed_in(client, auth, user):
    """A client signed in as `user`."""
    response = auth.login(user.email)
    assert response.status_code == 302
    return client
