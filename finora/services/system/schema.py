"""Where the database's schema stands against this code's migrations: /healthz, /readyz, the
schema guard, the admin's status page and a bare `python app.py` all ask here.

The code's migration heads are read once per process (and per migrations folder): an update
replaces the files on disk while the old code still serves, and that process must keep
comparing against the migrations it was started with, not the new ones.

Neither side imports alembic (with mako, pygments and every SQLAlchemy dialect, about a
tenth of a worker's start): each migration file names its `revision` and `down_revision` on lines of
their own, which are read as text, and the database's revisions are one SELECT on
alembic_version. A file that does not say them plainly (a merge's tuple over several lines)
is left to alembic's ScriptDirectory, which reads the whole folder then.
"""

from __future__ import annotations

import ast
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

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
    links = _read_links(Path(folder) / "versions")
    if not links:  # alembic says what is wrong with a folder without any
        return _revisions_by_alembic(folder)
    named_down = {down for downs in links.values() for down in downs}
    # A head is a revision no other one names as its down_revision (alembic's `heads`).
    return tuple(sorted(set(links) - named_down)), frozenset(links)


# `revision = '0016'`, `down_revision: str | None = None`, as alembic's template writes them.
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def _read_links(versions: Path) -> dict[str, tuple[str, ...]] | None:
    """Each migration's revision and its down revisions, read from the files' text; None
    when a file does not say them plainly on one line (alembic reads the folder then)."""
    if not versions.is_dir():
        return None
    links: dict[str, tuple[str, ...]] = {}
    for path in sorted(versions.glob("*.py")):
        if path.name.startswith((".#", "__init__")):  # files alembic skips too
            continue
        found: dict[str, object] = {}
        for name, value in _ASSIGNMENT.findall(path.read_text(encoding="utf-8")):
            if name in found:
                return None
            try:
                found[name] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                return None
        revision, down = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str) or revision in links or "down_revision" not in found:
            return None
        downs = (down,) if isinstance(down, str) else down if down is not None else ()
        if not isinstance(downs, tuple | list) or not all(isinstance(d, str) for d in downs):
            return None
        links[revision] = tuple(downs)
    return links


def _revisions_by_alembic(folder: str) -> tuple[tuple[str, ...], frozenset[str]]:
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
    with engine.connect() as connection:
        return revisions_in(connection)


def revisions_in(connection: Connection) -> tuple[str, ...]:
    """database_revisions on an open connection (what alembic's get_current_heads reads)."""
    if not inspect(connection).has_table("alembic_version"):  # alembic's default name
        return ()
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return tuple(sorted(row[0] for row in rows))


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
