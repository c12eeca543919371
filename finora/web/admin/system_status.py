"""What the admin's status page reports about this installation (read only, never raises)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from finora.extensions import db
from finora.version import __version__

ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MySQL / MariaDB",
                "mariadb": "MariaDB"}


@dataclass(frozen=True)
class SystemStatus:
    version: str
    engine: str
    server_version: str | None
    reachable: bool
    migration_heads: tuple[str, ...]  # what this code expects
    database_revisions: tuple[str, ...]  # what the database is at
    data_dir: str
    disk_total: int | None
    disk_free: int | None

    @property
    def up_to_date(self) -> bool:
        return self.reachable and set(self.migration_heads) == set(self.database_revisions)

    @property
    def free_percent(self) -> int | None:
        if not self.disk_total:
            return None
        return int(100 * (self.disk_free or 0) / self.disk_total)


def _migration_heads() -> tuple[str, ...]:
    config = current_app.extensions["migrate"].migrate.get_config()
    return tuple(ScriptDirectory.from_config(config).get_heads())


def system_status() -> SystemStatus:
    engine = db.engine
    reachable, revisions, server_version = False, (), None
    try:
        with engine.connect() as connection:
            revisions = tuple(MigrationContext.configure(connection).get_current_heads())
            info = connection.dialect.server_version_info
            server_version = ".".join(str(part) for part in info) if info else None
        reachable = True
    except SQLAlchemyError:
        current_app.logger.warning("status page: the database is unreachable", exc_info=True)
    data_dir = Path(current_app.config["DATA_DIR"])
    try:
        usage = shutil.disk_usage(data_dir)
        total, free = usage.total, usage.free
    except OSError:
        total = free = None
    return SystemStatus(
        version=__version__,
        engine=ENGINE_NAMES.get(engine.dialect.name, engine.dialect.name),
        server_version=server_version,
        reachable=reachable,
        migration_heads=_migration_heads(),
        database_revisions=revisions,
        data_dir=str(data_dir),
        disk_total=total,
        disk_free=free,
    )
