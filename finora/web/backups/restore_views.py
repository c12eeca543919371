"""Restore: an uploaded archive or a stored backup, into a new household (the default) or in
place of this one (the password again; the restore service first backs the household up).

The archive is checked whole before anything is written (the service's job); a refusal is
shown beside the field it concerns, with what was chosen kept (never a password or a
passphrase, and a browser never refills a file input)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from finora.errors import FieldError, FinoraError
from finora.extensions import db
from finora.models import Household
from finora.services.backups import restores, store
from finora.services.backups.errors import BackupArchiveError, BackupMissingError
from finora.services.people.auth import WrongCurrentPasswordError, check_current_password
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.auth.signin import client_source
from finora.web.backups import bp
from finora.web.backups.forms import RestoreChoicesForm, RestoreUploadForm
from finora.web.backups.page import KIND_LABELS, RESTORED_KEY, centre_page, file_size, holdings
from finora.web.backups.views import owned_backup
from finora.web.form_errors import show_error
from finora.web.permissions import is_owner

PASSWORD_NEEDED = _l("Enter your password to replace this household.")
WRONG_PASSWORD = _l("The password is not correct.")
UPLOAD_CHUNK = 1024 * 1024


def save_upload(upload) -> Path:
    """The uploaded file copied in chunks to a new private file (mode 600, mkstemp)."""
    handle, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=store.work_dir())
    try:
        with os.fdopen(handle, "wb") as target:
            shutil.copyfileobj(upload.stream, target, UPLOAD_CHUNK)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _check_password(form: RestoreChoicesForm) -> None:
    """Replacing needs the owner's password, checked (and counted) as at sign-in."""
    if form.mode.data != "replace":
        return
    if not form.password.data:
        raise FieldError("password", PASSWORD_NEEDED)
    check_current_password(
        db.session, current_user._get_current_object(), form.password.data, client_source(),
        field="password", message=WRONG_PASSWORD,
    )


def _restore(form: RestoreChoicesForm, path: Path, file_field: str | None) -> Household | None:
    """Run the restore; on a refusal put the message on the form and give None."""
    household = require_household()
    try:
        _check_password(form)
        restored = restores.restore_household_from_file(
            db.session, path, user=current_user._get_current_object(), mode=form.mode.data,
            household=household if form.mode.data == "replace" else None,
            passphrase=form.passphrase.data or None,
        )
    except WrongCurrentPasswordError as error:
        db.session.commit()  # the failure counts toward the lockout
        show_error(form, error)
    except BackupArchiveError as error:
        # Refused whole (and audited by the service): beside the passphrase or the file.
        if error.field is None and file_field is not None:
            error.field = file_field
        show_error(form, error)
    except FinoraError as error:
        show_error(form, error)
    else:
        return restored
    return None


def _done(form: RestoreChoicesForm, restored: Household):
    if form.mode.data == "replace":
        flash(_("The household was restored from the backup. Its state before the restore was "
                "backed up first: that backup is in the list."), "success")
    else:
        session[RESTORED_KEY] = restored.id
        flash(_("The backup was restored into a new household, “%(name)s”.", name=restored.name),
              "success")
    return redirect(url_for("backups.index"))


@bp.post("/restore")
def restore_upload():
    household = require_household()
    form = RestoreUploadForm(prefix="restore")
    if form.validate_on_submit():
        try:
            path = save_upload(form.file.data)
        except OSError as error:  # the backups' disk is full or not writable
            form.file.errors = [*form.file.errors, _(
                "The file could not be saved on the server (%(reason)s).",
                reason=error.strerror or str(error.__class__.__name__),
            )]
        else:
            try:
                restored = _restore(form, path, "file")
            finally:
                path.unlink(missing_ok=True)
            if restored is not None:
                return _done(form, restored)
    return centre_page(household, 422, restore_form=form)


@bp.route("/<int:backup_id>/restore", methods=["GET", "POST"])
def restore_stored(backup_id: int):
    backup = owned_backup(backup_id)
    form = RestoreChoicesForm()
    status = 200
    if form.validate_on_submit():
        try:
            path = store.backup_path(backup)
        except BackupMissingError as error:
            show_error(form, error)
        else:
            restored = _restore(form, path, None)
            if restored is not None:
                return _done(form, restored)
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template(
        "backups/restore.html", backup=backup, form=form, kind_labels=KIND_LABELS,
        file_size=file_size, holdings=holdings,
    ), status


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """An archive beyond BACKUP_MAX_UPLOAD_BYTES never reaches the form: the centre again,
    with the limit named beside the file field."""
    if not current_user.is_authenticated or not is_owner():
        return error  # refused as any page (the guards had no chance to run)
    form = RestoreUploadForm(formdata=None, prefix="restore")
    limit = current_app.config["BACKUP_MAX_UPLOAD_BYTES"] / (1024 * 1024)
    form.file.errors = [_("The file is larger than the limit of %(limit)s MB.", limit=f"{limit:g}")]
    return centre_page(require_household(), 413, restore_form=form)
