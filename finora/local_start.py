"""A bare `python app.py`: serve only a database at this code's migration head.

On SQLite in development the server migrates its own database (and runs the bootstrap, as
`make migrate` does) before anything serves or the scheduler ticks, so a fresh clone with an
empty data directory opens on the sign-up page. Anywhere else (production, PostgreSQL,
MariaDB) migrating is the operator's decision: the server refuses to start with one line
that says what to run. gunicorn and `flask` import app.py and never come here.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from config import Config, ConfigError, load_config, sqlite_path
from finora import create_app
from finora.services.system.schema import AHEAD, UNKNOWN, SchemaState, schema_state

log = logging.getLogger("finora.startup")

UPGRADE_COMMAND = "flask --app app db upgrade"


class StartRefused(SystemExit):
    """The server must not start: the one line to print (SystemExit prints it to stderr)."""


def refusal(config: Config, state: SchemaState) -> str | None:
    """Why this database cannot be served as it is, in one line; None when it is at head
    or the server may migrate it itself."""
    if state.at_head:
        return None
    where = make_url(config.SQLALCHEMY_DATABASE_URI).render_as_string(hide_password=True)
    if state.status == UNKNOWN:
        return (
            f"Finora cannot start: the database does not answer ({where}); check DATABASE_URL "
            "and that the database server is running."
        )
    if state.status == AHEAD:
        return (
            f"Finora cannot start: the database is at revision {', '.join(state.current)}, "
            "which this code does not know (a newer Finora migrated it); install that "
            "version again or restore the backup made before the update."
        )
    if may_migrate_itself(config):
        return None
    found = "is empty" if state.empty else f"is at migration {', '.join(state.current)}"
    return (
        f"Finora cannot start: the database {found} and this code needs migration "
        f"{', '.join(state.heads)}; run `{UPGRADE_COMMAND}` first."
    )


def may_migrate_itself(config: Config) -> bool:
    """Development on a SQLite file: nobody else's database, nothing to plan around."""
    return config.ENV_NAME == "development" and (
        sqlite_path(config.SQLALCHEMY_DATABASE_URI) is not None
    )


def build_local_app() -> Flask:
    """The app `python app.py` serves, its database migrated first when allowed; raises
    StartRefused (one line) otherwise."""
    try:
        config = load_config()
        config.finalise()  # creates the data directory and the empty SQLite file
    except ConfigError as error:
        raise StartRefused(_cannot_start(error)) from None
    engine = create_engine(config.SQLALCHEMY_DATABASE_URI, poolclass=NullPool)
    try:
        state = schema_state(engine)
    finally:
        engine.dispose()
    problem = refusal(config, state)
    if problem:
        raise StartRefused(problem)
    if state.at_head:
        return _create()
    # The scheduler starts once the tables are there, never in the middle of a migration.
    app = _create({"SCHEDULER_ENABLED": False})
    _migrate_and_bootstrap(app, state)
    if config.SCHEDULER_ENABLED:
        from finora.jobs import init_scheduler

        app.config["SCHEDULER_ENABLED"] = True
        init_scheduler(app)
    return app


def _create(overrides: dict | None = None) -> Flask:
    try:
        return create_app(overrides)
    except ConfigError as error:
        raise StartRefused(_cannot_start(error)) from None


def _cannot_start(error: Exception) -> str:
    text = str(error)
    return text if text.startswith("Finora cannot start") else f"Finora cannot start: {text}"


def _migrate_and_bootstrap(app: Flask, state: SchemaState) -> None:
    import click
    from flask_migrate import upgrade

    from finora.cli import bootstrap_command
    from finora.extensions import db

    with app.app_context():
        log.info(
            "migrating the SQLite database (%s) to %s",
            "new" if state.empty else "at " + ", ".join(state.current),
            ", ".join(state.heads),
        )
        upgrade()
        try:
            bootstrap_command.main(args=[], prog_name="flask finora bootstrap", standalone_mode=False)
        except click.ClickException as error:
            raise StartRefused(f"Finora cannot start: {error.format_message()}") from None
        finally:
            db.session.remove()
            db.engine.dispose()
