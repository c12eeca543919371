"""Shared fixtures: one test database per run (SQLite, PostgreSQL or MariaDB), app, clients."""

from __future__ import annotations

import functools
import gc
import os

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import delete, exists, literal_column, select, union_all
from werkzeug.routing import Map, Rule

from finora import create_app
from finora.extensions import db
from tests.dbutil import create_test_database, drop_test_database, server_url_from_env
from tests.factories import PASSWORD, create_user
from tests.mail_server import smtp_server  # noqa: F401 - the fixture, for every test

SERVER = server_url_from_env(os.environ.get("FINORA_TEST_DATABASE_URL"))


# A module naming one of these picks its database itself (a subprocess, a second engine):
# it runs in every pass even where its tests take no database fixture.
_OWN_DATABASE_WORDS = ("FINORA_TEST_DATABASE_URL", "SERVER", "server_url_from_env")
_uses_own_database: dict[str, bool] = {}


def _engine_independent(item) -> bool:
    """A test that takes no database (no `database_url` fixture, directly or through
    another) in a module that does not pick one itself, or one marked `one_engine` (it
    takes a database but always uses SQLite, or checks nothing a database does): its
    result is the same on every engine."""
    if item.get_closest_marker("one_engine") is not None:
        return True
    if "database_url" in getattr(item, "fixturenames", ()):
        return False
    path = str(item.path)
    if path not in _uses_own_database:
        source = item.path.read_text(encoding="utf-8")
        _uses_own_database[path] = any(word in source for word in _OWN_DATABASE_WORDS)
    return not _uses_own_database[path]


def pytest_collection_modifyitems(config, items) -> None:
    """The PostgreSQL and MariaDB passes run the tests that touch a database; the ones that
    cannot (pure functions, parsers, files) run once, in the SQLite pass."""
    if SERVER == "sqlite":
        return
    kept, engine_independent = [], []
    for item in items:
        (engine_independent if _engine_independent(item) else kept).append(item)
    if engine_independent:
        config.hook.pytest_deselected(items=engine_independent)
        items[:] = kept


def pytest_collection_finish(session) -> None:
    """The collector's full walks grow with the heap: the suite's modules, mappers and
    collected tests live as long as the run, so they are frozen out of the walks once
    collected (finora/heap.py does the same in a serving process), and the youngest
    generation is collected every 50,000 allocations instead of 700 (each test builds an
    app: hundreds of thousands of objects). Measured on tests/web/test_entries.py and
    test_budgets.py: 18 % less CPU, the same peak memory within 10 %. Cycles are still
    collected; only how often changes."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def pytest_report_header(config) -> str:
    if SERVER == "sqlite":
        return "database: SQLite (every test)"
    return (f"database: {SERVER.split('://', 1)[0]} (tests that use no database run in the "
            "SQLite pass only)")


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


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates shared by the suite's apps (one per test): jinja keys each by
    its name and source checksum, so an edited template compiles afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedTemplateCode()


class _HeldMap(Map):
    """A URL map that holds back the rules added to it while make_app builds an app."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.held: list | None = []

    def add(self, rulefactory) -> None:
        if self.held is None:
            super().add(rulefactory)
        else:
            self.held.append(rulefactory)


# Built maps by everything that makes one: the rules (class, path, endpoint, methods and
# options, in the order added), the converters and the map's settings.
_BUILT_MAPS: dict[tuple, Map] = {}
# The OpenAPI documents (language -> document) of each built map, by the same key.
_OPENAPI_DOCUMENTS: dict[tuple, dict] = {}


def _rule_key(rule: Rule) -> tuple:
    return (type(rule), rule.rule, rule.endpoint, tuple(sorted(rule.methods or ())),
            repr(sorted((rule.defaults or {}).items())), rule.subdomain, rule.host,
            rule.strict_slashes, rule.merge_slashes, repr(rule.redirect_to), rule.build_only,
            rule.alias, rule.websocket)


def _share_url_map(application) -> None:
    """Every test builds its own app, and adding its ~310 routes to a new map (binding and
    compiling each rule) cost 14-19 ms an app, the largest part of create_app left. No test
    adds a route, and the same rules, converters and settings make the same map: the app
    gets the map built for the first app with exactly these (a werkzeug Map keeps no
    reference to its app, and nothing changes a map once built). Apps that differ in any
    rule (a configuration that registers other routes) get a map of their own."""
    held_map = application.url_map
    rules, held_map.held = held_map.held, None
    if not isinstance(held_map, _HeldMap) or rules is None:
        return
    if not all(isinstance(rule, Rule) for rule in rules):
        for rule in rules:  # a RuleFactory that is not a rule: built as werkzeug would
            held_map.add(rule)
        return
    key = (
        tuple(_rule_key(rule) for rule in rules),
        tuple(sorted((name, id(kind)) for name, kind in held_map.converters.items())),
        held_map.host_matching, held_map.default_subdomain, held_map.strict_slashes,
        held_map.merge_slashes, held_map.redirect_defaults, held_map.sort_parameters,
    )
    built = _BUILT_MAPS.get(key)
    if built is None:
        for rule in rules:
            held_map.add(rule)
        built = _BUILT_MAPS[key] = held_map
    application.url_map = built
    # finora.api.openapi.document builds the OpenAPI document once per app and language
    # (~0.15 s of CPU): it depends only on the code and these routes, so apps sharing a map
    # share its documents too.
    application.extensions["finora_openapi_documents"] = _OPENAPI_DOCUMENTS.setdefault(key, {})


def make_app(database_url: str, tmp_path, **overrides):
    config = {
        "FINORA_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATA_DIR": tmp_path,
        "WTF_CSRF_ENABLED": False,
    }
    config.update(overrides)
    usual, Flask.url_map_class = Flask.url_map_class, _HeldMap
    try:
        application = create_app(config)
    finally:
        Flask.url_map_class = usual
    _share_url_map(application)
    application.test_client_class = FreshGlobalsClient
    application.jinja_env.bytecode_cache = _TEMPLATE_CODE
    return application


@pytest.fixture(autouse=True, scope="session")
def _hash_each_password_once():
    """scrypt is slow on purpose (about 0.1 s a check) and the suite signs in thousands of
    times: the users it registers get a real scrypt hash at a lower cost (n=2**10), made
    once per password, so signing in still verifies a real scrypt hash, cheaply. The
    production cost is checked in tests/unit/test_passwords.py."""
    from werkzeug.security import generate_password_hash

    import finora.services.people.registration as registration

    @functools.lru_cache(maxsize=64)
    def cheap_hash(password: str) -> str:
        return generate_password_hash(password, method="scrypt:1024:8:1")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registration, "hash_password", cheap_hash)
        yield


@pytest.fixture(autouse=True, scope="session")
def _share_url_builders():
    """Every test builds its own app, and werkzeug compiles two URL builder functions per
    route per app (about 40 ms an app): the same route compiles to the same code, so the
    suite keeps one per route shape. What a builder does is unchanged (it is werkzeug's own
    code, bound to each rule as before)."""
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder
    if not callable(original):  # werkzeug changed its internals: run without the cache
        yield
        return
    cache: dict = {}

    def compile_builder(self, append_unknown=True):
        defaults = tuple(sorted((self.defaults or {}).items(), key=lambda item: item[0]))
        key = (self.rule, tuple(self._trace), repr(defaults), append_unknown)
        unbound = cache.get(key)
        if unbound is None:
            unbound = cache[key] = original(self, append_unknown)
        return unbound

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", compile_builder)
        yield


@pytest.fixture(autouse=True, scope="session")
def _share_parsed_rules():
    """The other half of a route's compile, parsing its path into regex parts, is also the
    same for every app (about half of create_app): the suite parses each path once per set
    of converter classes, and each rule gets the parts, the trace, the converters and the
    argument names werkzeug's own parse gave. Converters keep no state between calls."""
    from werkzeug.routing.rules import Rule

    original = Rule._parse_rule
    if not callable(original):  # werkzeug changed its internals: run without the cache
        yield
        return
    cache: dict = {}

    def parse_rule(self, rule):
        # The converters as they stand, in the map's order (no sort: sorting them for each
        # of the ~310 rules of every app cost 8 ms a test; another order is only a miss).
        key = (rule, tuple(self.map.converters.items()))
        parsed = cache.get(key)
        if parsed is None:
            traced = len(self._trace)
            converters, arguments = dict(self._converters), set(self.arguments)
            parts = list(original(self, rule))
            parsed = cache[key] = (
                parts,
                self._trace[traced:],
                {k: v for k, v in self._converters.items() if k not in converters},
                self.arguments - arguments,
            )
            return iter(parts)
        parts, trace, found, names = parsed
        self._trace.extend(trace)
        self._converters.update(found)
        self.arguments.update(names)
        return iter(parts)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_parse_rule", parse_rule)
        yield


@pytest.fixture(autouse=True, scope="session")
def _cache_long_statements():
    """psycopg converts each statement's %(name)s placeholders to $n with a regex and keeps
    the result for statements up to 4 KB and 50 parameters; longer ones are converted again
    on every execution. Registering a user inserts its household's default categories in one
    such INSERT ... VALUES (...), (...) (the same text every time), 2 ms of parsing in each
    test on PostgreSQL: the suite caches statements of any length. The statement sent, and
    its parameters, are the same."""
    try:
        from psycopg import _queries
    except ImportError:  # no psycopg (SQLite only)
        yield
        return
    if not hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH"):  # psycopg changed: as it is
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 1_000_000)
        patch.setattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 100_000)
        yield


@pytest.fixture(autouse=True, scope="session")
def _share_engines():
    """Every test builds its own app, and Flask-SQLAlchemy gives each app a new engine whose
    statement cache starts empty: the suite spent about a third of its time compiling the
    same SQL again. Apps with the same database URL and engine options share one engine
    (and so its compiled statements, and its pool of connections: see app_factory); the
    engines are disposed of when the run ends."""
    import sqlalchemy as sa

    engines: dict[str, sa.engine.Engine] = {}

    def make_engine(bind_key, options, app):
        key = repr(sorted((name, repr(value)) for name, value in options.items()))
        engine = engines.get(key)
        if engine is None:
            engine = engines[key] = sa.engine_from_config(options, prefix="")
        return engine

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "_make_engine", make_engine)
        yield
    for engine in engines.values():
        engine.dispose()


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


_FILLED_TABLES: dict[int, tuple] = {}


def _filled_tables_query():
    """The metadata's tables children first, and one statement naming (by position in that
    list) every one that holds a row: `SELECT 0 WHERE EXISTS (SELECT * FROM t0) UNION ALL
    SELECT 1 WHERE ...`. Built once per set of tables, so the shared engine compiles it once."""
    key = len(db.metadata.tables)
    if key not in _FILLED_TABLES:
        tables = list(reversed(db.metadata.sorted_tables))
        query = union_all(*(
            select(literal_column(str(index))).where(exists().select_from(table))
            for index, table in enumerate(tables)
        ))
        _FILLED_TABLES[key] = (tables, query)
    return _FILLED_TABLES[key]


def _empty_tables() -> None:
    """Delete every row the test left, children first. A test writes to a handful of the
    metadata's 42 tables, so one query asks the database which tables hold rows and only
    those get a DELETE: a DELETE for each table cost the suite's process about 4.4 ms a test
    on PostgreSQL and MariaDB and 3 ms on SQLite, this 1.5 ms. It asks the database itself,
    so rows written by a subprocess or raw SQL are found too; alembic_version, the only
    table the migrations make that the metadata lacks, is left alone, as before."""
    tables, query = _filled_tables_query()
    filled = {int(index) for index in db.session.execute(query).scalars()}
    for index in sorted(filled):
        db.session.execute(delete(tables[index]))
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
    # The pool's connections are kept for the next test (the engine is shared: see
    # _share_engines), as a serving process keeps them between requests: they come back
    # rolled back, holding no lock, and pool_pre_ping checks each as it is taken. Closing
    # them after every test made the next one open two new connections, on PostgreSQL two
    # new server processes that load their catalogue afresh: measured on 200 web and API
    # tests, keeping them halved PostgreSQL's CPU (about 30 ms a test) and took 10 ms a test
    # off the suite's process. A test that needs fresh connections (a restored or replaced
    # schema) disposes of the pool itself, as the code under test does
    # (finora/services/updates/database_rollback.py).
    for application in built:
        with application.app_context():
            db.session.remove()
            _empty_tables()
            db.session.remove()


@pytest.fixture(scope="module")
def module_app(database_url, tmp_path_factory):
    """One app for a whole module whose tests share one world and only read it (the role
    matrices: each request there is refused and writes nothing, which each test checks).
    Such a module overrides `app` with `shared_app` below; its tables are emptied when the
    module ends. Rate limits are off: a module signs in hundreds of times."""
    application = make_app(database_url, tmp_path_factory.mktemp("module"),
                           RATELIMIT_ENABLED=False)
    with application.app_context():
        yield application
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def shared_app(module_app):
    """`app` for a module on `module_app`: each test starts a new transaction, and the
    module's objects are read afresh (a rollback expires them; they stay in the session)."""
    db.session.rollback()
    yield module_app
    db.session.rollback()


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


def sign_in_client(client, user) -> None:
    """Sign `client` in as `user` as the sign-in page does after a good password (it calls
    finora.web.auth.signin.log_in: the server-side session, the cleared failures, the audit,
    Flask-Login's keys), without the page's request around it: about 6 ms less a test than
    posting the form, for the tests that only need to be signed in. Tests of signing in
    itself post to /login (the `auth` fixture)."""
    from flask import session as flask_session

    from finora.web.auth.signin import log_in

    with client.session_transaction() as cookie_session:
        with client.application.test_request_context(
            "/login", method="POST", environ_base=dict(client.environ_base)
        ):
            log_in(user, remember=False, method="password")
            cookie_session.clear()
            cookie_session.update(flask_session)


@pytest.fixture
def signed_in(client, user):
    """A client signed in as `user`."""
    sign_in_client(client, user)
    return client
