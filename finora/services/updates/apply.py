"""Applying a release to a source install: backup, package, staging, install, migration,
and on any failure the code and the database put back (docs/updates.md, "Applying").

Steps, each reported: an instance backup (kind pre_update; it cannot be skipped, and if it
fails nothing else happens), the package downloaded and verified (signature, size,
sha256), extracted into a staging folder, copied over the code with a rollback copy of
every replaced file, then `flask db upgrade` in a subprocess. A refused package changes
nothing; a failed copy or migration puts the files back and, once the migration has run,
the database too, from the backup of the first step. Only one apply runs at a time (a
lock file in <DATA_DIR>/updates/). This service commits, unlike most: the migration runs
in another process, which must see the backup committed and find no transaction of ours
holding the tables.

Everything a rollback needs is imported with this module: after the install the files on
disk are the new release's, and a module imported for the first time then would be new
code running against the old."""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

import finora.services.backups.encryption  # noqa: F401 - loaded before the files change
from finora.dates import now_utc
from finora.models import Backup, User
from finora.services.backups.store import create_instance_backup
from finora.services.system.audit import record
from finora.services.system.settings import get_setting, set_setting
from finora.services.updates import database_rollback, install, migrate, package, staging
from finora.services.updates.apply_checks import (  # noqa: F401 - the refusals, re-exported
    FINISHED,
    LOCK_SLACK_SECONDS,
    ApplyRunningError,
    ChannelError,
    CodeNotWritableError,
    ContainerError,
    MinFromError,
    NotAdminError,
    NotNewerError,
    UnfinishedApplyError,
    check_can_apply,
    check_no_unfinished,
    take_lock,
)
from finora.services.updates.check import installed_version
from finora.services.updates.errors import SignatureError, UpdateError
from finora.services.updates.release import Release
from finora.services.updates.restart import gunicorn_master, reload_gunicorn
from finora.services.updates.signing import load_public_key
from finora.translation import gettext as _

log = logging.getLogger("finora.updates")

LAST_APPLY_KEY = "updates.last_apply"
VERIFY_ERRORS = (SignatureError, package.PackageSizeError, package.PackageChecksumError)


@dataclass
class Step:
    name: str  # backup, verify, download, stage, install, migrate, restore_files, restore_database, restart
    ok: bool
    detail: str = ""


@dataclass
class ApplyReport:
    status: str  # applied | rolled_back | refused | failed (the rollback itself failed)
    version: str
    from_version: str
    backup_id: int | None = None
    steps: list[Step] = field(default_factory=list)
    restart: str = "none"  # graceful | manual | none (nothing changed, or it must be repaired)
    reason: str = ""  # the failing step's error code (empty when applied)
    migration_output: str = ""  # the end of `flask db upgrade`'s output

    @property
    def ok(self) -> bool:
        return self.status == "applied"


def apply_update(
    session: Session, *, release: Release, user: User | None, code_dir: Path | None = None
) -> ApplyReport:
    """Apply `release` over the code (CODE_DIR unless `code_dir`); see the module docstring.
    Raises an UpdateError when refused before anything is done (nothing recorded but the
    refusal's audit event); otherwise returns the report of what happened."""
    config = current_app.config
    code_dir = Path(code_dir or config["CODE_DIR"]).resolve()
    installed = installed_version(config)  # the code on disk: an apply not yet restarted counts
    try:
        check_can_apply(config, release, installed, user)
        if not (code_dir / "app.py").is_file() or not os.access(code_dir, os.W_OK):
            raise CodeNotWritableError()
        folder = package.updates_dir(Path(config["DATA_DIR"]))
        stale_after = int(config["UPDATE_MIGRATION_TIMEOUT_SECONDS"]) * 2 + LOCK_SLACK_SECONDS
        lock = take_lock(folder, stale_after)
    except UpdateError as error:
        _record_refusal(session, release, user, installed, error)
        raise
    try:
        try:
            check_no_unfinished(folder)
        except UpdateError as error:
            _record_refusal(session, release, user, installed, error)
            raise
        return _Apply(session, release, user, installed, code_dir, folder, config).run()
    finally:
        lock.unlink(missing_ok=True)


def _record_refusal(session: Session, release: Release, user: User | None, installed: str,
                    error: UpdateError) -> None:
    session.rollback()
    record(session, "update.refused", user=user,
           details={"version": release.version, "from": installed, "reason": error.reason})
    session.commit()


class _Apply:
    """One apply's state; run() walks the steps and always returns a report."""

    def __init__(self, session, release, user, installed, code_dir, folder, config) -> None:
        self.session, self.release, self.user = session, release, user
        self.code_dir, self.folder, self.config = code_dir, folder, config
        self.report = ApplyReport(status="refused", version=release.version, from_version=installed)
        self.backup: Backup | None = None
        self.stamp = now_utc().strftime("%Y%m%dT%H%M%SZ")
        self.staging = folder / f"staging-{package.package_name(release)[:-7]}-{self.stamp}"
        self.rollback_dir = folder / f"rollback-{release.version}-{self.stamp}"
        self.env = migrate.subprocess_env(
            config, session.get_bind().url.render_as_string(hide_password=False)
        )
        self.timeout = int(config["UPDATE_MIGRATION_TIMEOUT_SECONDS"])

    def step(self, name: str, ok: bool, detail: str = "") -> None:
        self.report.steps.append(Step(name, ok, str(detail)))

    def run(self) -> ApplyReport:
        if not self._backup():
            return self._finish("refused", "update.failed")
        try:
            archive = self._package()
            root = self._stage(archive) if archive else None
        except Exception as error:  # unforeseen, but the code is untouched: say so
            log.exception("update: preparing the package failed")
            self.report.reason = "failed"
            self.step("stage", False, _message(error, UpdateError.message))
            root = None
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            raise
        if root is None:  # the package was refused (or could not be prepared): code untouched
            shutil.rmtree(self.staging, ignore_errors=True)
            return self._finish("refused", "update.refused")
        try:
            return self._install_and_migrate(root)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _backup(self) -> bool:
        try:
            self.backup = create_instance_backup(self.session, kind="pre_update", user=self.user)
            self.report.backup_id = self.backup.id
            record(self.session, "update.started", user=self.user,
                   details={"version": self.release.version, "from": self.report.from_version,
                            "backup_id": self.backup.id})
            self._store_last("running")
            self.session.commit()
        except Exception as error:  # any failure stops the update here
            self.session.rollback()
            log.exception("update: the pre-update backup failed")
            self.report.reason = "backup"
            self.step("backup", False, _message(error, _("The pre-update backup failed.")))
            return False
        self.step("backup", True, _("Instance backup #%(id)s made.", id=self.backup.id))
        return True

    def _package(self) -> Path | None:
        ref = self.release.package
        try:
            key = load_public_key(self.config.get("UPDATE_PUBLIC_KEY"))
            package.verify_statement(self.release, key)
            path = package.fetch_package(
                self.release, self.folder, key=key,
                max_bytes=int(self.config["UPDATE_MAX_PACKAGE_BYTES"]),
                timeout=int(self.config["UPDATE_CHECK_TIMEOUT_SECONDS"]),
            )
        except UpdateError as error:
            self.report.reason = error.reason
            self.step("verify" if isinstance(error, VERIFY_ERRORS) else "download", False,
                      _message(error))
            return None
        self.step("download", True, _("%(size)s bytes downloaded.", size=ref.size))
        self.step("verify", True, _("Signature, size and checksum match."))
        return path

    def _stage(self, archive: Path) -> Path | None:
        shutil.rmtree(self.staging, ignore_errors=True)
        try:
            root = staging.stage_package(
                archive, self.staging, max_files=int(self.config["UPDATE_MAX_FILES"]),
                max_bytes=int(self.config["UPDATE_MAX_UNPACKED_BYTES"]),
            )
        except UpdateError as error:
            self.report.reason = error.reason
            self.step("stage", False, _message(error))
            return None
        finally:
            archive.unlink(missing_ok=True)
        self.step("stage", True, _("Package unpacked."))
        return root

    def _install_and_migrate(self, root: Path) -> ApplyReport:
        protected = install.protected_paths(
            self.code_dir, [self.config["DATA_DIR"], self.config["BACKUP_STORAGE_DIR"]]
        )
        _remove_old_rollbacks(self.folder)
        try:
            result = install.install(root, self.code_dir, self.rollback_dir, protected)
        except install.ProtectedPathError as error:
            self.report.reason = error.reason
            self.step("install", False, _message(error))
            shutil.rmtree(self.rollback_dir, ignore_errors=True)
            return self._finish("refused", "update.refused")
        except Exception as error:  # install() already put the files back
            log.exception("update: copying the files failed")
            self.report.reason = getattr(error, "reason", "install")
            self.step("install", False, _message(error))
            self.step("restore_files", True, _("The code files are back as they were."))
            return self._finish("rolled_back", "update.rolled_back")
        self.step("install", True, _("%(replaced)s files replaced, %(added)s added.",
                                     replaced=len(result.replaced), added=len(result.added)))
        try:
            outcome = migrate.run_upgrade(self.code_dir, env=self.env, timeout=self.timeout)
        except OSError as error:  # Python could not even start
            outcome = migrate.MigrationResult(ok=False, returncode=-1, output=str(error))
        except BaseException:  # Ctrl-C on the CLI, the process told to exit: put back first
            self.report.reason = "interrupted"
            self.step("migrate", False, _("The migration was interrupted."))
            self._roll_back()
            raise
        self.report.migration_output = outcome.output
        if outcome.ok:
            self.step("migrate", True, _("The database is at the new release's schema."))
            return self._applied()
        self.report.reason = "migration_timeout" if outcome.timed_out else "migration"
        self.step("migrate", False, _migration_message(outcome))
        return self._roll_back()

    def _applied(self) -> ApplyReport:
        # The reload is asked for once the outcome is committed: the old worker may be
        # stopped (gracefully) soon after.
        master = gunicorn_master()
        self.report.restart = "graceful" if master is not None else "manual"
        self.step("restart", True, _("gunicorn was asked to reload gracefully.") if master is not None
                  else _("Restart Finora to run the new version."))
        report = self._finish("applied", "update.applied")
        if master is not None and not reload_gunicorn(master):
            report.restart = "manual"
            report.steps[-1] = Step("restart", False, _("Restart Finora to run the new version."))
        return report

    def _roll_back(self) -> ApplyReport:
        try:
            install.rollback(self.rollback_dir, self.code_dir)
        except Exception as error:
            log.exception("update: putting the code files back failed")
            self.step("restore_files", False, _message(error, _("The code files could not be put back.")))
            return self._finish("failed", "update.failed")
        self.step("restore_files", True, _("The code files are back as they were."))
        fields = _backup_fields(self.backup)
        try:
            database_rollback.restore_database(
                self.session, self.backup, code_dir=self.code_dir, env=self.env,
                timeout=self.timeout,
            )
        except Exception as error:
            log.exception("update: putting the database back failed")
            self.session.rollback()
            self.step("restore_database", False, _message(
                error, database_rollback.DatabaseRollbackError.message))
            return self._finish("failed", "update.failed")
        # The restored database predates the backup's own row: it is listed again.
        backup = self.session.scalar(select(Backup).where(Backup.file_name == fields["file_name"]))
        if backup is None:
            backup = Backup(**fields)
            self.session.add(backup)
            self.session.flush()
        self.backup, self.report.backup_id = backup, backup.id
        self.step("restore_database", True,
                  _("The database is back as the backup #%(id)s holds it.", id=backup.id))
        return self._finish("rolled_back", "update.rolled_back")

    def _finish(self, status: str, action: str) -> ApplyReport:
        self.report.status = status
        if status == "failed":
            self.report.restart = "none"  # and the rollback folder stays unfinished
        elif (self.rollback_dir / install.JOURNAL).is_file():
            (self.rollback_dir / FINISHED).write_text(status, encoding="utf-8")
        try:
            record(self.session, action, user=self.user, details={
                "version": self.release.version, "from": self.report.from_version,
                "backup_id": self.report.backup_id, "status": status,
                "reason": self.report.reason or None,
            })
            self._store_last(status)
            self.session.commit()
        except Exception:  # the report still reaches the admin
            self.session.rollback()
            log.exception("update: recording the outcome failed")
        level = logging.INFO if status == "applied" else logging.WARNING
        log.log(level, "update %s -> %s: %s (%s)", self.report.from_version, self.release.version,
                status, "; ".join(f"{s.name} {'ok' if s.ok else 'FAILED'}: {s.detail}"
                                  for s in self.report.steps))
        return self.report

    def _store_last(self, status: str) -> None:
        set_setting(self.session, LAST_APPLY_KEY, json.dumps({
            "version": self.release.version,
            "from": self.report.from_version,
            "status": status,
            "reason": self.report.reason or None,
            "backup_id": self.report.backup_id,
            "steps": [asdict(step) for step in self.report.steps],
            "finished_at": now_utc().isoformat() if status != "running" else None,
        }))


def last_apply(session: Session) -> dict | None:
    """What the last apply stored (version, from, status, reason, backup_id, steps,
    finished_at), or None."""
    value = get_setting(session, LAST_APPLY_KEY)
    try:
        return json.loads(value) if value else None
    except ValueError:
        return None


def _message(error: BaseException, default=None) -> str:
    message = getattr(error, "message", None)
    return str(message if message is not None else (default or error))


def _migration_message(outcome: migrate.MigrationResult) -> str:
    if outcome.timed_out:
        return _("The migration did not finish in time and was stopped.")
    lines = [line for line in outcome.output.strip().splitlines() if line.strip()]
    last = lines[-1][:300] if lines else ""
    return _("The migration failed: %(error)s", error=last)


def _backup_fields(backup: Backup | None) -> dict:
    if backup is None:  # a roll-back comes only after the pre-update backup was made
        raise RuntimeError("no pre-update backup to put back")
    names = ("household_id", "scope", "kind", "storage", "file_name", "encrypted", "size_bytes",
             "sha256", "counts", "app_version", "migration_head", "created_at", "created_by_id")
    return {name: getattr(backup, name) for name in names}


def _remove_old_rollbacks(folder: Path) -> None:
    """Only the latest finished apply's rollback copy is kept (for an admin who wants to
    look); an unfinished one never reaches here (_check_no_unfinished)."""
    for old in folder.glob("rollback-*"):
        if (old / FINISHED).exists() or not (old / install.JOURNAL).exists():
            shutil.rmtree(old, ignore_errors=True)
