"""/healthz and /readyz on a lagging schema, the schema guard's 503 page instead of a 500,
and /readyz's scheduler lease. The lagging schema is a private database of this module,
migrated once and stamped to an older revision (or an unknown one) per test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from finora import create_app
from finora.dates import now_utc
from finora.extensions import db
from finora.models import SchedulerLease
from finora.services.system import schema as schema_service
from finora.services.system.schema import code_heads, schema_state
from finora.version import __version__
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database

UPGRADE = "flask --app app db upgrade"
DOWN = "postgresql+psycopg://postgres@127.0.0.1:1/finora"  # nothing listens on port 1


@dataclass(frozen=True)
class OwnDatabase:
    url: str
    head: str
    older: str


def _older_than(head: str) -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(schema_service.DEFAULT_MIGRATIONS))
    down = ScriptDirectory.from_config(config).get_revision(head).down_revision
    assert isinstance(down, str), "the head needs one parent for this test"
    return down


def _stamp(url: str, revision: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    engine.dispose()


@pytest.fixture(scope="module")
def own_database(tmp_path_factory):
    url = create_test_database(SERVER)
    app = make_app(url, tmp_path_factory.mktemp("own"))
    with app.app_context():
        upgrade()
        (head,) = code_heads()
        db.engine.dispose()
    yield OwnDatabase(url, head, _older_than(head))
    drop_test_database(url)


@pytest.fixture
def app_at(own_database, tmp_path):
    """An app on the module's database stamped at a revision ("older", "head" or any id)."""
    built = []

    def build(revision: str, **overrides):
        named = {"older": own_database.older, "head": own_database.head}
        _stamp(own_database.url, named.get(revision, revision))
        application = make_app(own_database.url, tmp_path, **overrides)
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    _stamp(own_database.url, own_database.head)


# -- the service -----------------------------------------------------------------------


def test_schema_state_compares_the_database_with_the_code(app_at, own_database):
    with app_at("older").app_context():
        state = schema_state()
        assert state.heads == (own_database.head,)
        assert state.current == (own_database.older,)
        assert (state.reachable, state.at_head, state.status) == (True, False, "behind")
    with app_at("head").app_context():
        assert schema_state().status == "ok" and schema_state().at_head
    with app_at("fff999").app_context():
        state = schema_state()
        assert (state.at_head, state.known, state.status) == (False, False, "ahead")


def test_schema_state_never_raises_on_an_unreachable_database(tmp_path):
    app = create_app({"FINORA_ENV": "testing", "DATA_DIR": tmp_path, "SQLALCHEMY_DATABASE_URI": DOWN})
    with app.app_context():
        state = schema_state()
    assert (state.reachable, state.at_head, state.status) == (False, False, "unknown")
    assert state.heads == code_heads()


# -- /healthz and /readyz ----------------------------------------------------------------


def test_healthz_is_degraded_on_a_lagging_schema(app_at):
    client = app_at("older").test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "degraded", "database": "ok", "schema": "behind", "version": __version__,
    }


def test_healthz_names_a_schema_from_a_newer_finora(app_at):
    response = app_at("fff999").test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["schema"] == "ahead"


def test_readyz_on_a_lagging_schema(app_at):
    response = app_at("older").test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not_ready",
        "checks": {"database": "ok", "schema": "behind", "scheduler": "disabled"},
        "version": __version__,
    }


def test_healthz_and_readyz_at_head(app_at):
    client = app_at("head").test_client()
    assert client.get("/healthz").get_json()["status"] == "ok"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {
        "database": "ok", "schema": "ok", "scheduler": "disabled",
    }


def test_readyz_when_the_database_is_unreachable(tmp_path):
    app = create_app({"FINORA_ENV": "testing", "DATA_DIR": tmp_path, "SQLALCHEMY_DATABASE_URI": DOWN})
    app.config["SCHEDULER_ENABLED"] = True
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "error", "schema": "unknown", "scheduler": "unknown",
    }


def _lease(expires_in: timedelta, holder: str = "db-host-7:4242:abcdef") -> None:
    db.session.add(SchedulerLease(name="scheduler", holder=holder, expires_at=now_utc() + expires_in))
    db.session.commit()


def test_readyz_wants_a_fresh_scheduler_lease_when_the_scheduler_is_on(app, client):
    # Switched on after the app is built: no scheduler thread runs in the test.
    app.config["SCHEDULER_ENABLED"] = True
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["scheduler"] == "missing"

    _lease(timedelta(seconds=90))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "schema": "ok", "scheduler": "ok"},
        "version": __version__,
    }
    # No host name, process id or other detail of the lease holder.
    assert "db-host-7" not in response.get_data(as_text=True)


def test_readyz_refuses_a_lease_nobody_renewed(app, client):
    app.config["SCHEDULER_ENABLED"] = True
    _lease(-timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["scheduler"] == "stale"


def test_readyz_allows_a_lease_just_expired(app, client):
    """A clean stop expires the lease at once; the next process takes it within a tick."""
    app.config["SCHEDULER_ENABLED"] = True
    _lease(-timedelta(seconds=20))
    assert client.get("/readyz").status_code == 200


def test_readyz_is_never_rate_limited(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True).test_client()
    assert {client.get("/readyz").status_code for _ in range(30)} == {200}


# -- the schema guard ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/signup", "/login", "/", "/dashboard", "/no-such-page"])
def test_every_page_answers_503_with_what_to_run(app_at, path):
    response = app_at("older").test_client().get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert "Finora is waiting for a database update" in page
    assert UPGRADE in page
    assert "navbar" not in page  # stands alone: the navigation would query the database


def test_posts_are_guarded_too(app_at):
    response = app_at("older").test_client().post(
        "/signup", data={"email": "new@example.com", "password": "a long passphrase here"}
    )
    assert response.status_code == 503


def test_the_schema_page_speaks_the_visitors_language(app_at):
    from flask_babel import force_locale

    from finora.translation import gettext

    app = app_at("older")
    page = app.test_client().get("/signup", headers={"Accept-Language": "pt"}).get_data(as_text=True)
    with app.test_request_context(), force_locale("pt"):
        title = gettext("Finora is waiting for a database update")
    assert '<html lang="pt"' in page
    assert f"<h1 class=\"h3\">{title}</h1>" in page
    assert UPGRADE in page


def test_scripts_get_json(app_at):
    response = app_at("older").test_client().get(
        "/signup", headers={"Accept": "application/json"}
    )
    assert response.status_code == 503
    body = response.get_json()
    assert body["schema"] == "behind" and body["command"] == UPGRADE and body["error"]


def test_static_files_health_and_metrics_pass(app_at):
    client = app_at("older").test_client()
    assert client.get("/static/css/finora.css").status_code == 200
    assert client.get("/healthz").status_code == 503  # its own answer, in JSON
    assert client.get("/healthz").is_json
    assert client.get("/readyz").is_json
    assert client.get("/metrics").status_code != 503


def test_a_container_is_told_to_restart(app_at):
    page = app_at("older", FINORA_IN_CONTAINER=True).test_client().get("/").get_data(as_text=True)
    assert "docker compose restart" in page
    assert UPGRADE not in page


def test_a_newer_databases_page_says_so(app_at):
    response = app_at("fff999").test_client().get("/signup")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "This database belongs to a newer Finora" in page
    assert UPGRADE not in page


def test_the_page_never_loads_the_signed_in_user(app_at, monkeypatch):
    """Behind the schema the users' tables may lack a column: loading the user from the
    session cookie would be the 500 the guard exists to avoid."""
    import finora.web.auth.signin as signin

    def broken_tables(_user_id):
        raise AssertionError("the user was loaded on a lagging schema")

    monkeypatch.setattr(signin, "load_session_user", broken_tables)
    client = app_at("older").test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:some-session-token"
        session["_fresh"] = True
    assert client.get("/dashboard").status_code == 503
    assert client.get("/healthz").status_code == 503


def test_an_empty_database_shows_the_page_not_a_500(tmp_path):
    url = create_test_database(SERVER)
    try:
        app = make_app(url, tmp_path)
        client = app.test_client()
        response = client.get("/signup")
        assert response.status_code == 503
        assert UPGRADE in response.get_data(as_text=True)
        assert client.get("/healthz").get_json()["schema"] == "behind"
        with app.app_context():
            upgrade()
        # Migrated by someone else meanwhile: the next request serves, no restart needed.
        assert client.get("/signup").status_code == 200
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_test_database(url)


def test_an_unreachable_database_shows_the_page_not_a_500(tmp_path):
    app = create_app({"FINORA_ENV": "testing", "DATA_DIR": tmp_path, "SQLALCHEMY_DATABASE_URI": DOWN})
    response = app.test_client().get("/signup", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Finora cannot reach its database" in page
    assert "127.0.0.1:1" not in page  # where the database is stays in the log


def test_a_healthy_instance_checks_once(app_at, monkeypatch):
    import finora.web.schema_guard as guard

    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return schema_state(*args, **kwargs)

    monkeypatch.setattr(guard, "schema_state", counted)
    client = app_at("head").test_client()
    for path in ("/", "/signup", "/login", "/signup"):
        assert client.get(path).status_code == 200
    assert len(calls) == 1


def test_a_lagging_instance_checks_every_request_until_migrated(app_at, own_database):
    client = app_at("older").test_client()
    assert client.get("/signup").status_code == 503
    _stamp(own_database.url, own_database.head)
    assert client.get("/signup").status_code == 200
