"""The `database.sqlite` member of an instance archive, opened to be read from.

The file is the archive's: it may be damaged, hand-edited or hostile. Before a row is read
it must be a sound SQLite database (quick_check) holding tables only — no triggers or
views, which would run or answer in place of the tables — with a migration this code
knows. An older file is brought to this code's head by the migrations themselves, run on
the private extracted copy (never on the running database), so its rows come out in the
current shape; a newer one is refused (update Finora first)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from finora.models.base import Base
from finora.services.backups.errors import (
    ArchiveTooNewError,
    DamagedArchiveError,
    UnsafeArchiveError,
)

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


@contextmanager
def open_sqlite_copy(path: Path) -> Iterator[Connection]:
    """A connection to the extracted copy at `path`, checked and migrated to head."""
    _check_file(path)
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    event.listen(engine, "connect", _untrusted)
    try:
        _migrate(engine)
        with engine.connect() as connection:
            yield connection
    except DBAPIError as error:
        raise DamagedArchiveError() from error
    finally:
        engine.dispose()


def _untrusted(dbapi_connection, _record) -> None:
    # Functions named in the file's schema run only when harmless (SQLite's own advice
    # for files from elsewhere).
    dbapi_connection.execute("PRAGMA trusted_schema=OFF")


def _check_file(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise DamagedArchiveError() from error
    try:
        connection.execute("PRAGMA trusted_schema=OFF")
        if connection.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise DamagedArchiveError()
        kinds = {kind for (kind,) in connection.execute("SELECT DISTINCT type FROM sqlite_master")}
        if kinds - {"table", "index"}:
            raise UnsafeArchiveError()
    except sqlite3.Error as error:  # "file is not a database", a broken page...
        raise DamagedArchiveError() from error
    finally:
        connection.close()


def _script() -> tuple[Config, ScriptDirectory]:
    # Imported here: a worker starts without alembic (services/system/schema.py says why).
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config, ScriptDirectory.from_config(config)


def _migrate(engine) -> None:
    """Upgrade the copy to this code's head when it is older; refuse one this code does
    not know (a newer Finora's)."""
    from alembic.runtime.environment import EnvironmentContext
    from alembic.util.exc import CommandError

    config, script = _script()
    head = script.get_current_head()
    with engine.connect() as connection:
        # Batch migrations recreate tables: with foreign keys on, dropping a parent table
        # would cascade-delete its children's rows. Off before the transaction begins.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        if version == head:
            return
        try:
            if version is None or script.get_revision(version) is None:
                raise DamagedArchiveError()
        except CommandError as error:  # not in this code's history: a newer Finora's
            raise ArchiveTooNewError() from error

        def upgrade(revision, _context):
            return script._upgrade_revs(head, revision)

        with EnvironmentContext(config, script, fn=upgrade, destination_rev=head) as environment:
            environment.configure(
                connection=connection, target_metadata=Base.metadata, render_as_batch=True
            )
            with environment.begin_transaction():
                environment.run_migrations()
        connection.commit()
