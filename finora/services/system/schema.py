"""Where the database's schema stands against this code's migrations: /healthz, /readyz, the
schema guard, the admin's status page and a bare `python app.py` all ask here.

The code's migration heads are read once per process (and per migrations folder): an update
replaces the files on disk while the old code still serves, and that process must keep
comparing against the migrations it was started with, not the new ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import Engine

log = logging.getLogger("finora.schema")

# Beside the finora package in the source tree, as create_app configures Flask-Migrate.
DEFAULT_MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"

# SchemaState.status values.
CURRENT, BEHIND, AHEAD, UNKNOWN = "ok", "behind", "ahead", "unknown"


@dataclass(frozen=True)
class SchemaState:
    """The code's heads, the database's revisions, and whether the database answered.
    `known` is False when the database names a revision this code has never heard of (a
    newer Finora migrated it)."""

    heads: tuple[str, ...]
    current: tuple[str, ...]
    reachable: bool
    known: bool = True

    @property
    def at_head(self) -> bool:
        return self.reachable and bool(self.heads) and set(self.current) == set(self.heads)

    @property
    def empty(self) -> bool:
        """A reachable database no migration ever ran on (a new install)."""
        return self.reachable and not self.current

    @property
    def status(self) -> str:
        """"ok", "behind" (migrations to apply, an empty database included), "ahead" (a
        newer code's revision) or "unknown" (the database does not answer)."""
        if not self.reachable or not self.heads:
            return UNKNOWN
        if self.at_head:
            return CURRENT
        return BEHIND if self.known else AHEAD


def migrations_folder() -> Path:
    """The app's migrations folder (Flask-Migrate's setting), else the source tree's."""
    from flask import current_app

    try:
        return Path(current_app.extensions["migrate"].directory)
    except (RuntimeError, KeyError, AttributeError):  # no app: app.py before create_app
        return DEFAULT_MIGRATIONS


@lru_cache(maxsize=8)
def _revisions(folder: str) -> tuple[tuple[str, ...], frozenset[str]]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", folder)
    scripts = ScriptDirectory.from_config(config)
    known = frozenset(script.revision for script in scripts.walk_revisions())
    return tuple(sorted(scripts.get_heads())), known


def code_heads(folder: Path | None = None) -> tuple[str, ...]:
    """The migration heads this code expects (read once per process)."""
    return _revisions(str(folder or migrations_folder()))[0]


def known_revisions(folder: Path | None = None) -> frozenset[str]:
    """Every revision in this code's migration history."""
    return _revisions(str(folder or migrations_folder()))[1]


def database_revisions(engine: Engine) -> tuple[str, ...]:
    """The revisions alembic_version holds; () for a database never migrated. Raises the
    driver's error when the database does not answer."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def schema_state(engine: Engine | None = None, folder: Path | None = None) -> SchemaState:
    """The schema's state; never raises (an unreachable database is `reachable=False`).
    Without an engine: the app's (inside an app context)."""
    try:
        heads, known = code_heads(folder), known_revisions(folder)
    except Exception:  # a broken migrations folder is "unknown", and logged
        log.exception("cannot read the migration heads of this code")
        heads, known = (), frozenset()
    try:
        if engine is None:
            from finora.extensions import db

            engine = db.engine
        current = database_revisions(engine)
    except Exception:  # any failure means "unreachable" to the caller
        # Debug only: a probe asks every few seconds, and its caller says what it means.
        log.debug("schema check: the database does not answer", exc_info=True)
        return SchemaState(heads=heads, current=(), reachable=False)
    return SchemaState(
        heads=heads,
        current=current,
        reachable=True,
        known=all(revision in known for revision in current),
    )
