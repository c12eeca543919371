"""Putting the database back as the pre-update instance backup holds it, on any engine.

A failed migration can leave anything behind: half a new table on MariaDB (its DDL is not
transactional), a new column, a moved alembic revision. So nothing is repaired in place:
every table is dropped (found by reflection, whatever code made it), the OLD code's
migrations rebuild the old schema (`flask db upgrade` in a subprocess, run once the old
files are back), and the backup's rows are restored into it in this process
(restore_instance), committed once. Rows written between the backup and the failure are
lost: the backup is the state the admin was told the update would return to."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from finora.services.backups.container import open_archive
from finora.services.backups.instance_restore import restore_instance
from finora.services.backups.store import backup_path, work_dir
from finora.services.updates import migrate
from finora.services.updates.errors import UpdateError
from finora.translation import lazy_gettext as _l


class DatabaseRollbackError(UpdateError):
    message = _l(
        "The database could not be put back from the pre-update backup: restore it by hand "
        "(`flask finora backup restore-instance`)."
    )
    reason = "database_rollback"


def drop_all_tables(session: Session) -> list[str]:
    """Drop every table of the database (alembic_version included); returns their names."""
    # Ends our transaction (no lock of ours in the way) but keeps the session's objects
    # attached: they are read again from the restored rows, same ids.
    session.rollback()
    engine = cast(Engine, session.get_bind())  # the app's session is bound to its engine
    dialect = engine.dialect.name
    if dialect == "postgresql":
        _end_migration_sessions(engine)
    with engine.begin() as connection:
        names = inspect(connection).get_table_names()
        if dialect == "mysql":
            connection.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        elif dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        preparer = engine.dialect.identifier_preparer
        cascade = " CASCADE" if dialect == "postgresql" else ""
        for name in names:
            connection.execute(text(f"DROP TABLE IF EXISTS {preparer.quote(name)}{cascade}"))
        if dialect == "mysql":
            connection.execute(text("SET FOREIGN_KEY_CHECKS=1"))
        elif dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    engine.dispose()  # no pooled connection keeps a view of the dropped schema
    return names


def _end_migration_sessions(engine) -> None:
    """End the stopped migration's PostgreSQL sessions still running (see
    migrate.APPLICATION_NAME): the drops would wait for their locks."""
    with engine.begin() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = :name AND datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ), {"name": migrate.APPLICATION_NAME})


def restore_database(
    session: Session, backup, *, code_dir: Path, env: Mapping[str, str], timeout: int
) -> dict[str, int]:
    """Drop everything, rebuild the old schema with the code now in `code_dir`, restore
    `backup` (an instance backup) and commit. DatabaseRollbackError when a step fails."""
    archive = backup_path(backup)  # before the tables (and the row naming it) are gone
    scratch = work_dir()
    drop_all_tables(session)
    result = migrate.run_upgrade(code_dir, env=env, timeout=timeout)
    if not result.ok:
        raise DatabaseRollbackError()
    try:
        with open_archive(archive, work_dir=scratch) as reader:
            counts = restore_instance(session, reader, work_dir=scratch)
        session.commit()
    except Exception as error:
        session.rollback()
        raise DatabaseRollbackError() from error
    return counts
