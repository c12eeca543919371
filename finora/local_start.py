"""A bare `python app.py`: serve only a database at this code's migration head.

On SQLite in development the server migrates its own database (and runs the bootstrap, as
`make migrate` does) before anything serves or the scheduler ticks, so a fresh clone with an
empty data directory opens on the sign-up page. Anywhere else (production, PostgreSQL,
MariaDB) migrating is the operator's decision: the server refuses to start with one line
that says what to run. gunicorn and `flask` import app.py and never come here.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import webbrowser
from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from config import Config, ConfigError, default_base_url, load_config, sqlite_path
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
        app = _create()
        _seed_default_user(app)
        return app
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


def _seed_default_user(app: Flask) -> None:
    """The default user of a local run (the bootstrap command does it after a migration)."""
    if not app.config.get("ENABLE_DEFAULT_USER_SEED"):
        return
    from finora.cli import seed_default_user_now
    from finora.extensions import db

    with app.app_context():
        try:
            seed_default_user_now()
        finally:
            db.session.remove()


def should_open_browser(
    config: Mapping, environ: Mapping[str, str], *, interactive: bool, reloader: bool
) -> bool:
    """Whether this `python app.py` opens the browser: FINORA_AUTO_OPEN_BROWSER is on, it
    runs from a terminal (`interactive`: stdout is a tty), not in a container, and this is
    the process that serves — with the reloader, its child (WERKZEUG_RUN_MAIN), never the
    parent that only watches the files. gunicorn never runs app.py's __main__ branch."""
    if not config.get("FINORA_AUTO_OPEN_BROWSER") or config.get("FINORA_IN_CONTAINER"):
        return False
    if not interactive:
        return False
    return not reloader or environ.get("WERKZEUG_RUN_MAIN") == "true"


def browser_url(config: Mapping) -> str:
    """Where `python app.py` serves, as a browser on this machine reaches it."""
    return default_base_url(config["FINORA_HOST"], int(config["FINORA_PORT"]))


def open_browser_when_listening(url: str, *, wait_seconds: float = 15.0) -> threading.Thread:
    """Open `url` in the desktop browser once something accepts connections at its host and
    port (the server is listening), from a daemon thread; gives up after `wait_seconds`."""

    def run() -> None:
        parts = urlsplit(url)
        address = (parts.hostname or "localhost", parts.port or 80)
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            try:
                socket.create_connection(address, timeout=0.5).close()
            except OSError:
                time.sleep(0.2)
                continue
            log.info("Opening %s in the browser (FINORA_AUTO_OPEN_BROWSER).", url)
            webbrowser.open(url)
            return
        log.warning("Did not open the browser: nothing answered at %s.", url)

    thread = threading.Thread(target=run, name="finora-open-browser", daemon=True)
    thread.start()
    return thread
