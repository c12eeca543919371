"""What the admin's status page reports about this installation (read only, never raises)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from finora.extensions import db
from finora.services.system.schema import code_heads, revisions_in
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
    # Where backups are kept (BACKUP_STORAGE_DIR), often a disk of its own.
    backup_dir: str
    backup_disk_total: int | None
    backup_disk_free: int | None

    @property
    def up_to_date(self) -> bool:
        return self.reachable and set(self.migration_heads) == set(self.database_revisions)

    @property
    def free_percent(self) -> int | None:
        if not self.disk_total:
            return None
        return int(100 * (self.disk_free or 0) / self.disk_total)


def system_status() -> SystemStatus:
    engine = db.engine
    reachable, revisions, server_version = False, (), None
    try:
        with engine.connect() as connection:
            revisions = revisions_in(connection)
            info = connection.dialect.server_version_info
            server_version = ".".join(str(part) for part in info) if info else None
        reachable = True
    except SQLAlchemyError:
        current_app.logger.warning("status page: the database is unreachable", exc_info=True)
    data_dir = Path(current_app.config["DATA_DIR"])
    total, free = _disk_usage(data_dir)
    backup_dir = Path(current_app.config["BACKUP_STORAGE_DIR"])
    # Not made until the first backup: the disk it will be on is its nearest parent's.
    existing = next((p for p in (backup_dir, *backup_dir.parents) if p.exists()), backup_dir)
    backup_total, backup_free = _disk_usage(existing)
    return SystemStatus(
        version=__version__,
        engine=ENGINE_NAMES.get(engine.dialect.name, engine.dialect.name),
        server_version=server_version,
        reachable=reachable,
        # Read once per process: after an update replaced the files, this process still
        # runs (and compares against) the migrations it started with.
        migration_heads=code_heads(),
        database_revisions=revisions,
        data_dir=str(data_dir),
        disk_total=total,
        disk_free=free,
        backup_dir=str(backup_dir),
        backup_disk_total=backup_total,
        backup_disk_free=backup_free,
    )


def _disk_usage(path: Path) -> tuple[int | None, int | None]:
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return None, None
    return usage.total, usage.free
