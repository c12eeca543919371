"""Instance backups (global admin): every household and user in one archive, made, listed,
downloaded, verified and deleted here; restored with the CLI into an empty database."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from finora.errors import FinoraError, NotFoundError
from finora.extensions import db
from finora.models import Backup
from finora.services.backups import store
from finora.services.backups.errors import BackupMissingError
from finora.translation import gettext as _
from finora.web.admin import bp
from finora.web.backups.forms import CreateBackupForm
from finora.web.backups.page import KIND_LABELS, file_size, people_names
from finora.web.backups.views import download_response, verify_message
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm


def _instance_backup(backup_id: int) -> Backup:
    try:
        return store.get_backup(db.session, None, backup_id)
    except NotFoundError:
        abort(404)


def _page(form: CreateBackupForm | None = None, status: int = 200):
    backups = store.list_backups(db.session, None)
    return render_template(
        "admin/backups.html",
        backups=backups,
        people=people_names(backups),
        form=form or CreateBackupForm(formdata=None, prefix="create"),
        button=EmptyForm(formdata=None),
        engine=db.engine.dialect.name,
        kind_labels=KIND_LABELS,
        file_size=file_size,
        verify_text=store.verify_message,
    ), status


@bp.get("/backups")
def backups():
    return _page()


@bp.post("/backups/create")
def create_backup():
    form = CreateBackupForm(prefix="create")
    if form.validate_on_submit():
        try:
            backup = store.create_instance_backup(
                db.session, kind="manual", user=current_user._get_current_object(),
                passphrase=form.passphrase.data or None,
            )
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Instance backup made (%(size)s).", size=file_size(backup.size_bytes)), "success")
            return redirect(url_for("admin.backups"))
    return _page(form, 422)


@bp.get("/backups/<int:backup_id>/download")
def download_backup(backup_id: int):
    backup = _instance_backup(backup_id)
    try:
        return download_response(backup)
    except BackupMissingError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(url_for("admin.backups"))


@bp.post("/backups/<int:backup_id>/verify")
def verify_backup(backup_id: int):
    backup = _instance_backup(backup_id)
    if EmptyForm().validate_on_submit():
        backup = store.verify_backup(db.session, backup)
        db.session.commit()
        flash(*verify_message(backup))
    return redirect(url_for("admin.backups"))


@bp.post("/backups/<int:backup_id>/delete")
def delete_backup(backup_id: int):
    backup = _instance_backup(backup_id)
    if EmptyForm().validate_on_submit():
        store.delete_backup(db.session, backup, user=current_user._get_current_object())
        db.session.commit()
        flash(_("The instance backup was deleted."), "success")
    return redirect(url_for("admin.backups"))
