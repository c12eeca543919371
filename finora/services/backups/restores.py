"""Restoring a household archive: the one sequence the pages and the CLI share — open and
check the whole archive, back up what a replacement overwrites, restore in one
transaction, and leave an audit event either way."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from finora.models import Household, User
from finora.services.backups.container import open_archive
from finora.services.backups.errors import ArchiveRowError, BackupArchiveError
from finora.services.backups.household_restore import (
    check_household_archive,
    restore_new_household,
    restore_replacing,
)
from finora.services.backups.schedules import reschedule
from finora.services.backups.store import create_household_backup, work_dir
from finora.services.system.audit import record

RESTORE_MODES = ("new", "replace")


def restore_household_from_file(
    session: Session,
    path: Path,
    *,
    user: User,
    mode: str,
    household: Household | None,
    passphrase: str | None,
) -> Household:
    """Restore the archive at `path` into a new household owned by `user` (mode "new") or
    over `household` (mode "replace"), and commit. Returns the household restored into.

    Nothing is written before the archive has passed every check. A replacement first
    makes (and commits) a "pre_restore" backup of the household's current state, so even a
    wrong archive restored on purpose can be undone. A refused archive rolls back, is
    audited ("backup.refused", committed on its own) and re-raised for the page or the CLI
    to show. Checking the user's password for a replacement is the caller's job."""
    if mode not in RESTORE_MODES:
        raise ValueError(f"unknown restore mode {mode!r}")
    replacing = household if mode == "replace" else None
    if mode == "replace" and replacing is None:
        raise ValueError("a replacing restore needs the household to replace")
    target_id = household.id if household is not None else None
    try:
        with tempfile.TemporaryDirectory(dir=work_dir()) as scratch:
            with open_archive(Path(path), passphrase=passphrase, work_dir=Path(scratch)) as reader:
                plan = check_household_archive(reader, session)
                if replacing is not None:
                    safety = create_household_backup(
                        session, replacing, kind="pre_restore", user=user
                    )
                    session.commit()
                    restored = restore_replacing(session, reader, plan, household=replacing)
                    reschedule(session, restored)  # the archive's time zone may differ
                else:
                    safety = None
                    restored = restore_new_household(session, reader, plan, owner=user)
                manifest = reader.manifest
                session.flush()
                record(
                    session, "backup.restored", user=user, household_id=restored.id,
                    object_type="household", object_id=restored.id,
                    details={
                        "mode": mode,
                        "archive_created_at": manifest.created_at.isoformat(),
                        "archive_app_version": manifest.app_version,
                        "rows": sum(manifest.counts.values()),
                        **({"pre_restore_backup_id": safety.id} if safety is not None else {}),
                    },
                )
                session.commit()
                return restored
    except BackupArchiveError as error:
        session.rollback()
        details: dict[str, object] = {"reason": error.reason, "mode": mode}
        if isinstance(error, ArchiveRowError):
            details.update(table=error.table, line=error.line)
        record(session, "backup.refused", user=user, household_id=target_id, details=details)
        session.commit()
        raise
    except BaseException:
        session.rollback()
        raise
