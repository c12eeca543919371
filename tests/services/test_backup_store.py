"""The backup files and their rows: private folders (0700) and files (0600) under random
dated names that carry nothing personal, a checksum that verify compares, delete that
removes file and row, retention that prunes only scheduled backups, a failure that leaves
nothing, and restores that back up what they replace and audit what they refuse."""

from __future__ import annotations

import os
import re
import stat
import time
import zipfile
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from finora.errors import NotFoundError
from finora.extensions import db
from finora.models import AuditEvent, Backup, Entry, Household
from finora.services.backups import store
from finora.services.backups.errors import (
    BackupArchiveError,
    BackupError,
    BackupMissingError,
    DamagedArchiveError,
    ForeignArchiveError,
    WrongPassphraseError,
)
from finora.services.backups.restores import restore_household_from_file
from finora.services.backups.store import (
    backup_path,
    create_household_backup,
    create_instance_backup,
    delete_backup,
    file_sha256,
    get_backup,
    list_backups,
    prune_scheduled,
    storage_dir,
    verify_backup,
    verify_message,
)
from tests.factories import create_user
from tests.ledger_factories import household_of, make_entry

NAME = re.compile(r"^finora-\d{8}T\d{6}Z-[0-9a-f]{10}\.zip(\.enc)?$")



def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def actions(household_id: int | None = None) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if household_id is not None:
        query = query.where(AuditEvent.household_id == household_id)
    return list(db.session.scalars(query))


def backup_of(household, user=None, **options) -> Backup:
    backup = create_household_backup(db.session, household, kind=options.pop("kind", "manual"),
                                     user=user, **options)
    db.session.commit()
    return backup


def entries_of(household) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Entry).where(Entry.household_id == household.id)
    )


def test_a_backup_is_a_private_file_with_a_random_dated_name_and_its_checksum(app, user, household):
    make_entry(household, description="Rent to Mrs Souza")
    backup = backup_of(household, user)
    path = backup_path(backup)
    assert path.parent == Path(app.config["BACKUP_STORAGE_DIR"]) / str(household.id)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert NAME.match(path.name) and backup.file_name == path.name
    for personal in (household.name, user.email, user.name, "Souza"):
        assert personal.lower() not in path.name.lower()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no .part left
    assert backup.size_bytes == path.stat().st_size and backup.sha256 == file_sha256(path)
    assert (backup.scope, backup.kind, backup.storage, backup.encrypted) == (
        "household", "manual", "portable", False)
    assert backup.created_by_id == user.id and backup.counts["entries"] == 1
    assert zipfile.is_zipfile(path)
    assert actions(household.id)[-1:] == ["backup.created"]


def test_two_backups_in_the_same_second_get_different_names(household):
    first, second = backup_of(household), backup_of(household)
    assert first.file_name != second.file_name


def test_an_encrypted_backup_verifies_with_its_passphrase_and_refuses_a_wrong_one(household):
    backup = backup_of(household, passphrase="long enough passphrase")
    assert backup.encrypted and backup.file_name.endswith(".zip.enc") and NAME.match(backup.file_name)
    assert not zipfile.is_zipfile(backup_path(backup)) and mode(backup_path(backup)) == 0o600
    assert [p.name for p in backup_path(backup).parent.iterdir()] == [backup.file_name]  # no plain copy
    verify_backup(db.session, backup, passphrase="long enough passphrase")
    assert backup.verified_ok is True and backup.verify_error is None
    with pytest.raises(WrongPassphraseError):
        verify_backup(db.session, backup, passphrase="not the one")
    assert backup.verified_ok is True  # a typing mistake does not mark the file bad
    # Without the passphrase the whole-file checksum is still checked.
    verify_backup(db.session, backup)
    assert backup.verified_ok is True


def test_verify_detects_a_changed_file_and_a_missing_one(household):
    backup = backup_of(household)
    verify_backup(db.session, backup)
    db.session.commit()
    assert backup.verified_ok is True and backup.verified_at is not None
    path = backup_path(backup)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    verify_backup(db.session, backup)
    db.session.commit()
    assert (backup.verified_ok, backup.verify_error) == (False, "checksum")
    with force_locale("en"):
        assert "checksum differs" in verify_message(backup)
    path.unlink()
    verify_backup(db.session, backup)
    assert (backup.verified_ok, backup.verify_error) == (False, "missing")
    with force_locale("en"):
        assert verify_message(backup) == "The backup file is no longer on disk."
    with pytest.raises(BackupMissingError):
        backup_path(backup)
    assert actions(household.id).count("backup.verified") == 3


def test_verify_reads_the_archive_itself_when_the_row_was_written_for_a_broken_file(household):
    """A file broken before its checksum was taken (the row agrees with it): the archive's
    own checks find it."""
    backup = backup_of(household)
    path = backup_path(backup)
    path.write_bytes(b"not a zip at all")
    backup.sha256 = file_sha256(path)
    verify_backup(db.session, backup)
    assert backup.verified_ok is False and backup.verify_error in {"damaged", "foreign"}


def test_delete_removes_the_file_and_the_row_and_is_audited(user, household):
    backup = backup_of(household)
    path = backup_path(backup)
    delete_backup(db.session, backup, user=user)
    db.session.commit()
    assert not path.exists()
    assert db.session.scalar(select(func.count()).select_from(Backup)) == 0
    assert actions(household.id)[-1] == "backup.deleted"


def test_a_row_whose_file_name_was_tampered_with_names_no_file(household):
    backup = backup_of(household)
    backup.file_name = "../../finora.db"
    with pytest.raises(BackupMissingError):
        backup_path(backup)


def test_lists_and_lookups_stay_in_their_household(household):
    other = household_of(create_user())
    mine = [backup_of(household), backup_of(household)]
    theirs = backup_of(other)
    assert [b.id for b in list_backups(db.session, household.id)] == [mine[1].id, mine[0].id]
    assert get_backup(db.session, household.id, mine[0].id) is mine[0]
    for household_id, backup_id in ((household.id, theirs.id), (None, mine[0].id),
                                    (household.id, 10**9)):
        with pytest.raises(NotFoundError):
            get_backup(db.session, household_id, backup_id)
    assert list_backups(db.session, None) == []


def test_an_instance_backup_lives_in_its_own_folder(app, user, household):
    backup = create_instance_backup(db.session, kind="manual", user=user)
    db.session.commit()
    path = backup_path(backup)
    assert path.parent == Path(app.config["BACKUP_STORAGE_DIR"]) / "instance"
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert backup.household_id is None and backup.scope == "instance"
    expected = "sqlite" if db.engine.dialect.name == "sqlite" else "portable"
    assert backup.storage == expected
    assert list_backups(db.session, None) == [backup]
    assert list_backups(db.session, household.id) == []
    assert get_backup(db.session, None, backup.id) is backup
    with pytest.raises(NotFoundError):
        get_backup(db.session, household.id, backup.id)
    verify_backup(db.session, backup)
    assert backup.verified_ok is True


def test_a_writer_that_fails_leaves_no_file_and_no_row(monkeypatch, household):
    def half_then_fail(session, household, path):
        path.write_bytes(b"PK half of an archive")
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(store, "write_household_archive", half_then_fail)
    with pytest.raises(RuntimeError):
        create_household_backup(db.session, household, kind="manual", user=None)
    db.session.rollback()
    assert list(storage_dir(household.id).iterdir()) == []
    assert db.session.scalar(select(func.count()).select_from(Backup)) == 0


def test_a_folder_that_cannot_be_made_is_a_backup_error_without_paths(app, household):
    root = Path(app.config["BACKUP_STORAGE_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    (root / str(household.id)).write_text("in the way")
    with force_locale("en"), pytest.raises(BackupError) as refused:
        create_household_backup(db.session, household, kind="manual", user=None)
    message = str(refused.value)
    assert message.startswith("The backup could not be written (")
    assert str(root) not in message


def test_retention_keeps_the_newest_scheduled_backups_and_every_manual_one(household):
    manual = backup_of(household)
    scheduled = [backup_of(household, kind="scheduled") for _ in range(4)]
    pre_restore = backup_of(household, kind="pre_restore")
    paths = {b.id: backup_path(b) for b in [manual, *scheduled, pre_restore]}
    assert prune_scheduled(db.session, household.id, keep=2) == 2
    db.session.commit()
    left = {b.id for b in list_backups(db.session, household.id)}
    assert left == {manual.id, scheduled[2].id, scheduled[3].id, pre_restore.id}
    assert [paths[b.id].exists() for b in scheduled] == [False, False, True, True]
    assert prune_scheduled(db.session, household.id, keep=2) == 0
    deleted = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "backup.deleted")).all()
    assert len(deleted) == 2 and all(e.details["reason"] == "retention" for e in deleted)


def test_retention_counts_one_household_only(household):
    other = household_of(create_user())
    backup_of(household, kind="scheduled")
    theirs = backup_of(other, kind="scheduled")
    assert prune_scheduled(db.session, household.id, keep=0) == 1
    assert list_backups(db.session, other.id) == [theirs]


# Restores ------------------------------------------------------------------------------


def test_restore_into_a_new_household_commits_it_owned_by_the_user(user, household):
    make_entry(household, description="Groceries")
    backup = backup_of(household)
    restored = restore_household_from_file(db.session, backup_path(backup), user=user, mode="new",
                                           household=None, passphrase=None)
    assert restored.id != household.id and restored.name == household.name
    db.session.expire_all()
    assert entries_of(restored) == 1 and entries_of(household) == 1
    assert [m.user_id for m in restored.memberships if m.role == "owner"] == [user.id]
    assert actions(restored.id)[-1] == "backup.restored"


def test_restore_replacing_backs_the_current_state_up_first(user, household):
    make_entry(household, description="Kept in the archive")
    archive = backup_of(household)
    make_entry(household, description="Made after the archive")
    restored = restore_household_from_file(db.session, backup_path(archive), user=user,
                                           mode="replace", household=household, passphrase=None)
    assert restored.id == household.id
    db.session.expire_all()
    assert entries_of(household) == 1
    [safety] = [b for b in list_backups(db.session, household.id) if b.kind == "pre_restore"]
    assert safety.counts["entries"] == 2  # the state the restore overwrote
    trail = actions(household.id)
    assert trail.index("backup.restored") > len(trail) - 1 - trail[::-1].index("backup.created")


def test_a_refused_archive_writes_nothing_and_is_audited_on_its_own(user, household, tmp_path):
    make_entry(household, description="Groceries")
    good = backup_path(backup_of(household))
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    foreign = tmp_path / "foreign.zip"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("holiday.txt", "photos")
    households = db.session.scalar(select(func.count()).select_from(Household))
    backups = db.session.scalar(select(func.count()).select_from(Backup))
    for path, error, mode in ((damaged, DamagedArchiveError, "replace"),
                              (foreign, ForeignArchiveError, "new")):
        with pytest.raises(error):
            restore_household_from_file(db.session, path, user=user, mode=mode,
                                        household=household, passphrase=None)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Household)) == households
    assert db.session.scalar(select(func.count()).select_from(Backup)) == backups  # no pre-restore
    assert entries_of(household) == 1
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "backup.refused").order_by(AuditEvent.id)
    ).all()
    assert [(e.details["reason"], e.details["mode"]) for e in refused] == [
        ("damaged", "replace"), ("foreign", "new")]
    # The scratch folder keeps nothing of the attempts.
    assert list(store.work_dir().iterdir()) == []


def test_leftovers_of_a_killed_process_are_removed_when_their_folder_is_next_used(household):
    folder = storage_dir(household.id)
    old_part = folder / ".finora-20260101T030000Z-0123456789.zip.part"
    fresh_part = folder / ".finora-20260101T030000Z-abcdefabcd.zip.part"
    old_scratch = store.work_dir() / "tmpold"
    for path in (old_part, fresh_part):
        path.write_bytes(b"half")
    old_scratch.mkdir()
    (old_scratch / "decrypted.zip").write_bytes(b"half")
    hours_ago = time.time() - 7 * 3600
    for path in (old_part, old_scratch):
        os.utime(path, (hours_ago, hours_ago))
    backup = backup_of(household)
    assert sorted(p.name for p in folder.iterdir()) == sorted([fresh_part.name, backup.file_name])
    assert list(store.work_dir().iterdir()) == []


def test_an_encrypted_archive_restores_with_its_passphrase_only(user, household):
    make_entry(household, description="Groceries")
    path = backup_path(backup_of(household, passphrase="long enough passphrase"))
    for wrong, reason in ((None, "passphrase_needed"), ("guess", "passphrase")):
        with pytest.raises(BackupArchiveError) as refused:
            restore_household_from_file(db.session, path, user=user, mode="new", household=None,
                                        passphrase=wrong)
        assert refused.value.reason == reason
    restored = restore_household_from_file(db.session, path, user=user, mode="new",
                                           household=None, passphrase="long enough passphrase")
    assert entries_of(restored) == 1
    assert actions().count("backup.refused") == 2
    assert list(store.work_dir().iterdir()) == []  # no decrypted copy left
