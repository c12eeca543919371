"""`flask finora backup ...`: backups for cron users and disaster recovery — create, list,
verify, restore a household archive, restore a whole instance into an empty database.

Thin over services/backups (store, restores, instance_archive). Output is English; every
error is one line ("Error: ...") with exit code 1, so a script or a monitor can read it.
A refused restore leaves only its audit event (`backup.refused`), committed on its own."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from finora.cli_commands import EnglishCommand, fail
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Backup, Household, Membership, User

backup_cli = AppGroup("backup", help="Backups: create, list, verify and restore archives.")


class _BackupCommand(EnglishCommand):
    @staticmethod
    def error_message(error: FinoraError) -> str:
        return _message(error)


backup_cli.command_class = _BackupCommand

_HINTS = {
    "passphrase_needed": "Give it with --passphrase-file.",
    "passphrase": "Check the file given with --passphrase-file.",
}


def _message(error: FinoraError) -> str:
    hint = _HINTS.get(getattr(error, "reason", ""))
    return f"{error.message} {hint}" if hint else str(error.message)


passphrase_option = click.option(
    "--passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
    help="A file whose first line is the passphrase (kept out of the shell history).",
)


def _passphrase(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"Cannot read the passphrase file {path}: {getattr(error, 'strerror', None) or error}.") from None
    if not lines or not lines[0]:
        raise fail(f"The passphrase file {path} is empty.")
    return lines[0]


def _archive(value: str) -> tuple[Path, Backup | None]:
    """ARCHIVE: a file's path, or the id of a backup this instance keeps."""
    from finora.services.backups.store import backup_path

    path = Path(value)
    if path.exists() or not value.isdigit():
        if not path.is_file():
            raise fail(f"No such file: {value}.")
        return path, None
    backup = db.session.get(Backup, int(value))
    if backup is None:
        raise fail(f"No backup with the id {value} (and no file of that name).")
    return backup_path(backup), backup


def _household(household_id: int) -> Household:
    household = db.session.get(Household, household_id)
    if household is None:
        raise fail(f"No household with the id {household_id}.")
    return household


@backup_cli.command("create")
@click.option("--household", "household_id", type=int, help="Back up this household.")
@click.option("--instance", is_flag=True, help="Back up the whole instance.")
@passphrase_option
def create_command(household_id: int | None, instance: bool, passphrase_file: Path | None) -> None:
    """Make a backup now and print its file's path."""
    from finora.services.backups.store import (
        backup_path,
        create_household_backup,
        create_instance_backup,
    )

    if (household_id is None) == (not instance):
        raise fail("Give either --household ID or --instance.")
    passphrase = _passphrase(passphrase_file)
    if instance:
        backup = create_instance_backup(db.session, kind="manual", user=None, passphrase=passphrase)
    else:
        backup = create_household_backup(
            db.session, _household(household_id), kind="manual", user=None, passphrase=passphrase
        )
    db.session.commit()
    click.echo(str(backup_path(backup)))


@backup_cli.command("list")
@click.option("--household", "household_id", type=int, help="Only this household's backups.")
def list_command(household_id: int | None) -> None:
    """List the backups this instance keeps, newest first."""
    from finora.services.backups.store import list_backups

    if household_id is not None:
        backups = list_backups(db.session, _household(household_id).id)
    else:
        backups = db.session.scalars(
            select(Backup).order_by(Backup.created_at.desc(), Backup.id.desc())
        ).all()
    if not backups:
        click.echo("No backups.")
        return
    rows = [("ID", "CREATED (UTC)", "SCOPE", "KIND", "SIZE", "SHA256", "VERIFIED")]
    for backup in backups:
        rows.append((
            str(backup.id),
            backup.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "instance" if backup.scope == "instance" else f"household {backup.household_id}",
            backup.kind + (" (encrypted)" if backup.encrypted else ""),
            _size(backup.size_bytes),
            backup.sha256[:12],
            _verified(backup),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _verified(backup: Backup) -> str:
    if backup.verified_ok is None:
        return "never"
    when = backup.verified_at.strftime("%Y-%m-%d %H:%M") if backup.verified_at else ""
    return f"ok {when}" if backup.verified_ok else f"FAILED {when} ({backup.verify_error})"


@backup_cli.command("verify")
@click.argument("archive")
@passphrase_option
def verify_command(archive: str, passphrase_file: Path | None) -> None:
    """Check ARCHIVE (a path or a backup id): prints "OK <sha256>", or one line and exit 1."""
    from finora.services.backups.store import file_sha256, verify_backup, verify_message

    passphrase = _passphrase(passphrase_file)
    path, backup = _archive(archive)
    if backup is not None:
        verify_backup(db.session, backup, passphrase=passphrase)
        db.session.commit()
        if not backup.verified_ok:
            raise fail(verify_message(backup))
        suffix = " (checksum only: encrypted, no passphrase given)" if backup.encrypted and not passphrase else ""
        click.echo(f"OK {backup.sha256}{suffix}")
        return
    with _opened(path, passphrase) as (reader, _folder):
        reader.verify()
    click.echo(f"OK {file_sha256(path)}")


@contextmanager
def _opened(path: Path, passphrase: str | None):
    """open_archive with a private scratch folder (a decrypted or extracted copy lives
    there, removed after); yields (reader, folder)."""
    from finora.services.backups.container import open_archive
    from finora.services.backups.store import work_dir

    with tempfile.TemporaryDirectory(dir=work_dir()) as scratch:
        folder = Path(scratch)
        with open_archive(path, passphrase=passphrase, work_dir=folder) as reader:
            yield reader, folder


@backup_cli.command("restore")
@click.argument("archive")
@click.option("--new-household", is_flag=True, help="Restore into a new household (always safe).")
@click.option("--owner-email", help="With --new-household: the user who owns the new household.")
@click.option("--household", "household_id", type=int,
              help="Replace this household's data (a pre-restore backup of it is made first).")
@passphrase_option
def restore_command(archive: str, new_household: bool, owner_email: str | None,
                    household_id: int | None, passphrase_file: Path | None) -> None:
    """Restore a household archive (a path or a backup id)."""
    from finora.services.backups.restores import restore_household_from_file
    from finora.services.people.registration import normalise_email

    if new_household == (household_id is not None):
        raise fail("Give either --new-household --owner-email E or --household ID.")
    if new_household and not owner_email:
        raise fail("--new-household needs --owner-email: the user who will own it.")
    if household_id is not None and owner_email:
        raise fail("--owner-email applies to --new-household only.")
    passphrase = _passphrase(passphrase_file)
    path, _backup = _archive(archive)
    if new_household:
        owner = db.session.scalar(select(User).where(User.email == normalise_email(owner_email)))
        if owner is None:
            raise fail(f"No user with the e-mail {owner_email}.")
        restored = restore_household_from_file(
            db.session, path, user=owner, mode="new", household=None, passphrase=passphrase
        )
    else:
        household = _household(household_id)
        restored = restore_household_from_file(
            db.session, path, user=_owner_of(household), mode="replace", household=household,
            passphrase=passphrase,
        )
    click.echo(f"Restored {path.name} into the household {restored.name!r} (id {restored.id}).")


def _owner_of(household: Household) -> User:
    """The household's first owner: the replacement is recorded in their name."""
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.household_id == household.id, Membership.role == "owner")
        .order_by(Membership.id)
    )
    if membership is None:
        raise fail(f"The household {household.id} has no owner.")
    return membership.user


@backup_cli.command("restore-instance")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@passphrase_option
def restore_instance_command(archive: Path, passphrase_file: Path | None) -> None:
    """Restore an instance archive into this empty, migrated database (any engine)."""
    from finora.services.backups.errors import (
        ArchiveRowError,
        BackupArchiveError,
        NotEmptyDatabaseError,
    )
    from finora.services.backups.instance_archive import restore_instance
    from finora.services.system.audit import record

    if not archive.is_file():
        raise fail(f"No such file: {archive}.")
    passphrase = _passphrase(passphrase_file)
    try:
        with _opened(archive, passphrase) as (reader, folder):
            counts = restore_instance(db.session, reader, work_dir=folder)
            manifest = reader.manifest
    except (BackupArchiveError, NotEmptyDatabaseError) as error:
        db.session.rollback()
        details = {"reason": getattr(error, "reason", "not_empty"), "file": archive.name,
                   "scope": "instance"}
        if isinstance(error, ArchiveRowError):
            details.update(table=error.table, line=error.line)
        record(db.session, "backup.refused", details=details)
        db.session.commit()
        raise
    record(db.session, "backup.restored", details={
        "scope": "instance", "file": archive.name, "storage": manifest.storage,
        "archive_created_at": manifest.created_at.isoformat(),
        "archive_app_version": manifest.app_version, "rows": sum(counts.values()),
    })
    db.session.commit()
    click.echo(
        f"Restored the instance from {archive.name} ({manifest.storage}, made "
        f"{manifest.created_at:%Y-%m-%d %H:%M} UTC by Finora {manifest.app_version}): "
        f"{counts.get('users', 0)} users, {counts.get('households', 0)} households, "
        f"{sum(counts.values())} rows in {len(counts)} tables."
    )
