"""The backup files and their rows: where they live, making one, listing, checking,
deleting, and the retention of scheduled ones.

Files live under BACKUP_STORAGE_DIR/<household id>/ (instance backups under instance/),
folders 0700 and files 0600, named "finora-<UTC time>-<random>.zip[.enc]": nothing personal
in a name a directory listing or a download shows. A file is written as a hidden ".part"
beside its final name and renamed only once complete, so a crash never leaves a file that
looks like a backup and is half of one."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import private_dir
from finora.dates import now_utc
from finora.errors import NotFoundError
from finora.models import Backup, Household, User
from finora.models.backup import BACKUP_KINDS
from finora.services.backups.container import Manifest, open_archive
from finora.services.backups.errors import (
    ArchiveTooNewError,
    BackupArchiveError,
    BackupError,
    BackupMissingError,
    DamagedArchiveError,
    ForeignArchiveError,
    PassphraseNeededError,
    UnsafeArchiveError,
    WrongPassphraseError,
    WrongScopeError,
)
from finora.services.backups.household_archive import write_household_archive
from finora.services.backups.instance_archive import write_instance_archive
from finora.services.system.audit import record
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

INSTANCE_FOLDER = "instance"
WORK_FOLDER = ".work"
_NAME = re.compile(r"^finora-\d{8}T\d{6}Z-[0-9a-f]{10}\.zip(\.enc)?$")
_CHUNK = 1024 * 1024
# A .part file or scratch entry this old was left by a process killed while writing (no
# backup or restore takes hours): it is removed the next time its folder is used.
STALE_AFTER = timedelta(hours=6)

# What a failed verification recorded (Backup.verify_error holds the code, so the reader
# sees it in their own language).
VERIFY_MESSAGES = {
    "missing": BackupMissingError.message,
    "checksum": _l(
        "The file changed since it was made (its checksum differs): it cannot be trusted."
    ),
    **{
        error.reason: error.message
        for error in (
            DamagedArchiveError, UnsafeArchiveError, ForeignArchiveError, ArchiveTooNewError,
            WrongScopeError, PassphraseNeededError, WrongPassphraseError,
        )
    },
    "row": _l("A row of this backup is wrong: it cannot be restored."),
}


def _private(path: Path) -> Path:
    private_dir(path)
    os.chmod(path, 0o700)  # also when the folder was made by someone else's umask
    return path


def storage_root() -> Path:
    root = Path(current_app.config["BACKUP_STORAGE_DIR"])
    private_dir(root)  # may be an admin's own mount point: made private, not re-moded
    return root


def storage_dir(household_id: int | None) -> Path:
    """The household's folder (or the instance backups'), made owner-only."""
    name = INSTANCE_FOLDER if household_id is None else str(int(household_id))
    return _private(storage_root() / name)


def work_dir() -> Path:
    """A private scratch folder on the backups' disk: decrypted copies while they are
    read, uploads waiting to be restored. Use tempfile.mkdtemp(dir=work_dir())."""
    folder = _private(storage_root() / WORK_FOLDER)
    _remove_stale(list(folder.iterdir()))
    return folder


def _remove_stale(paths) -> int:
    """Remove the leftovers among `paths` older than STALE_AFTER; never raises (another
    process may remove the same leftover first)."""
    limit = time.time() - STALE_AFTER.total_seconds()
    removed = 0
    for path in paths:
        try:
            if path.lstat().st_mtime >= limit:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def _file_path(backup: Backup) -> Path:
    if not _NAME.match(backup.file_name or ""):
        # Never build a path from a name this code did not make (a tampered row).
        raise BackupMissingError()
    return storage_dir(backup.household_id) / backup.file_name


def backup_path(backup: Backup) -> Path:
    """The file of a backup; BackupMissingError when it is no longer on disk."""
    path = _file_path(backup)
    if not path.is_file():
        raise BackupMissingError()
    return path


def new_file_name(*, encrypted: bool) -> str:
    stamp = now_utc().strftime("%Y%m%dT%H%M%SZ")
    return f"finora-{stamp}-{secrets.token_hex(5)}.zip{'.enc' if encrypted else ''}"


def _create_private_file(path: Path) -> Path:
    """An empty 0600 file: the writers open it for writing and keep its mode."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)
    return path


def _sync(path: Path) -> None:
    """On disk before it is called a backup (a file's data, a folder's new name)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _disk_error(error: OSError) -> BackupError:
    return BackupError(
        _("The backup could not be written (%(reason)s).", reason=error.strerror or str(error))
    )


def _write(household_id: int | None, write, passphrase: str | None) -> tuple[Path, Manifest]:
    """Write an archive with `write(path) -> Manifest` into the folder of `household_id`
    under its final name (encrypted when a passphrase is given); returns the path and the
    manifest. On any failure nothing is left behind; a disk error (full, not writable) is
    a BackupError naming the cause, never the server's paths."""
    try:
        folder = storage_dir(household_id)
    except OSError as error:
        raise _disk_error(error) from error
    _remove_stale(list(folder.glob(".finora-*.part")))
    name = new_file_name(encrypted=bool(passphrase))
    final = folder / name
    plain, sealed = folder / f".{name}.part", folder / f".{name}.enc.part"
    try:
        manifest = write(_create_private_file(plain))
        if passphrase:
            # cryptography loads when a backup is encrypted, not with every web process.
            from finora.services.backups.encryption import encrypt_file

            encrypt_file(plain, _create_private_file(sealed), passphrase)
            plain.unlink()
            _sync(sealed)
            os.replace(sealed, final)
        else:
            _sync(plain)
            os.replace(plain, final)
        os.chmod(final, 0o600)
        _sync(folder)  # the rename itself survives a power cut
    except BaseException as error:
        for path in (plain, sealed, final):
            path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _disk_error(error) from error
        raise
    return final, manifest


def _add_row(
    session: Session, path: Path, manifest: Manifest, *, household_id: int | None, kind: str,
    user: User | None, encrypted: bool,
) -> Backup:
    try:
        backup = Backup(
            household_id=household_id,
            scope="instance" if household_id is None else "household",
            kind=kind,
            storage=manifest.storage,
            file_name=path.name,
            encrypted=encrypted,
            size_bytes=path.stat().st_size,
            sha256=file_sha256(path),
            counts=dict(manifest.counts) or None,
            app_version=manifest.app_version,
            migration_head=manifest.migration_head,
            created_at=now_utc(),
            created_by_id=user.id if user is not None else None,
        )
        session.add(backup)
        session.flush()
        record(
            session, "backup.created", user=user, household_id=household_id,
            object_type="backup", object_id=backup.id,
            details={"kind": kind, "scope": backup.scope, "size": backup.size_bytes,
                     "encrypted": encrypted, "sha256": backup.sha256},
        )
        session.flush()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return backup


def _check_kind(kind: str) -> None:
    if kind not in BACKUP_KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")


def create_household_backup(
    session: Session, household: Household, *, kind: str, user: User | None,
    passphrase: str | None = None,
) -> Backup:
    """Write the household's archive to its folder and add its row and audit event
    (flushed, not committed). A failure leaves no file."""
    _check_kind(kind)
    path, manifest = _write(
        household.id,
        lambda target: write_household_archive(session, household, target),
        passphrase,
    )
    return _add_row(session, path, manifest, household_id=household.id, kind=kind, user=user,
                    encrypted=bool(passphrase))


def create_instance_backup(
    session: Session, *, kind: str, user: User | None, passphrase: str | None = None
) -> Backup:
    """The whole instance (SQLite: the database file; otherwise every table, portable)."""
    _check_kind(kind)
    path, manifest = _write(
        None, lambda target: write_instance_archive(session, target), passphrase
    )
    return _add_row(session, path, manifest, household_id=None, kind=kind, user=user,
                    encrypted=bool(passphrase))


def _scope(household_id: int | None):
    if household_id is None:
        return Backup.scope == "instance"
    return (Backup.scope == "household") & (Backup.household_id == household_id)


def list_backups(session: Session, household_id: int | None) -> list[Backup]:
    """A household's backups (None: the instance backups), newest first."""
    return list(
        session.scalars(
            select(Backup)
            .where(_scope(household_id))
            .order_by(Backup.created_at.desc(), Backup.id.desc())
        )
    )


def get_backup(session: Session, household_id: int | None, backup_id: int) -> Backup:
    """That household's backup (None: an instance backup); NotFoundError for any other."""
    backup = session.get(Backup, backup_id)
    if backup is None:
        raise NotFoundError()
    if household_id is None:
        if backup.scope != "instance":
            raise NotFoundError()
    elif backup.scope != "household" or backup.household_id != household_id:
        raise NotFoundError()
    return backup


def delete_backup(session: Session, backup: Backup, *, user: User | None, reason: str | None = None) -> None:
    """Remove the row (flushed, audited) and then the file. If the caller's commit then
    failed, the row would outlive its file and say so ("no longer on disk") — never the
    other way round, a file nobody can see."""
    path = _file_path(backup) if _NAME.match(backup.file_name or "") else None
    details = {"kind": backup.kind, "scope": backup.scope,
               "created_at": backup.created_at.isoformat(), "sha256": backup.sha256}
    if reason:
        details["reason"] = reason
    record(session, "backup.deleted", user=user, household_id=backup.household_id,
           object_type="backup", object_id=backup.id, details=details)
    session.delete(backup)
    session.flush()
    if path is not None:
        path.unlink(missing_ok=True)


def prune_scheduled(session: Session, household_id: int, keep: int) -> int:
    """Delete the household's scheduled backups beyond the newest `keep`; manual,
    pre-restore and pre-update ones stay until someone deletes them. Returns how many."""
    old = session.scalars(
        select(Backup)
        .where(_scope(household_id), Backup.kind == "scheduled")
        .order_by(Backup.created_at.desc(), Backup.id.desc())
        .offset(max(int(keep), 0))
    ).all()
    for backup in old:
        delete_backup(session, backup, user=None, reason="retention")
    return len(old)


def verify_message(backup: Backup) -> str | None:
    """The last failed verification, in the reader's language (None when none failed)."""
    if backup.verified_ok is not False:
        return None
    return str(VERIFY_MESSAGES.get(backup.verify_error or "", VERIFY_MESSAGES["damaged"]))


def _deep_check(path: Path, passphrase: str | None) -> None:
    with tempfile.TemporaryDirectory(dir=work_dir()) as scratch:
        with open_archive(path, passphrase=passphrase, work_dir=Path(scratch)) as reader:
            reader.verify()


def verify_backup(session: Session, backup: Backup, *, passphrase: str | None = None) -> Backup:
    """Check the file: its sha256 against the row, and — unless it is encrypted and no
    passphrase was given — the archive itself (manifest, every member's checksum).
    Records the outcome on the row and in the trail (flushed, not committed); damage is
    recorded, never raised. A wrong passphrase on an intact file is the reader's mistake,
    not damage: WrongPassphraseError is raised and nothing recorded."""
    error = None
    try:
        path = backup_path(backup)
    except BackupMissingError:
        error = "missing"
    else:
        if file_sha256(path) != backup.sha256:
            error = "checksum"
        elif not backup.encrypted or passphrase:
            try:
                _deep_check(path, passphrase if backup.encrypted else None)
            except WrongPassphraseError:
                raise
            except BackupArchiveError as refused:
                error = refused.reason
    backup.verified_at = now_utc()
    backup.verified_ok = error is None
    backup.verify_error = error
    record(session, "backup.verified", household_id=backup.household_id, object_type="backup",
           object_id=backup.id, details={"ok": error is None, "error": error,
                                         "deep": not backup.encrypted or bool(passphrase)})
    session.flush()
    return backup
