"""The backup centre: the list, back up now, download, verify, delete, and the schedule."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import format_datetime
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Backup
from finora.services.backups import schedules, store
from finora.services.backups.errors import BackupMissingError
from finora.services.system import audit
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.backups import bp
from finora.web.backups.forms import CreateBackupForm, ScheduleForm
from finora.web.backups.page import KIND_LABELS, centre_page, file_size, holdings
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm


def owned_backup(backup_id: int) -> Backup:
    """This household's backup, else 404 (another household's id, an instance backup)."""
    backup = get_owned_or_404(Backup, backup_id)
    if backup.scope != "household":
        abort(404)
    return backup


def download_response(backup: Backup):
    """The file itself, streamed as an attachment under its own (impersonal) name, after an
    audit event; a file gone from disk says so instead."""
    path = store.backup_path(backup)  # BackupMissingError when the file is gone
    audit.record(
        db.session, "backup.downloaded", household_id=backup.household_id,
        object_type="backup", object_id=backup.id, details={"file": backup.file_name},
    )
    db.session.commit()
    mimetype = "application/octet-stream" if backup.encrypted else "application/zip"
    return send_file(
        path, mimetype=mimetype, as_attachment=True, download_name=backup.file_name,
        conditional=False, etag=False, max_age=0,
    )


def verify_message(backup: Backup) -> tuple[str, str]:
    if backup.verified_ok:
        return _("The backup of %(date)s is intact.", date=_when(backup)), "success"
    return (
        _("The backup of %(date)s failed the check: %(error)s", date=_when(backup),
          error=store.verify_message(backup)),
        "danger",
    )


def _when(backup: Backup) -> str:
    return format_datetime(backup.created_at, "short")


@bp.get("/")
def index():
    return centre_page(require_household())


@bp.post("/create")
def create():
    household = require_household()
    form = CreateBackupForm(prefix="create")
    if form.validate_on_submit():
        try:
            backup = store.create_household_backup(
                db.session, household, kind="manual", user=current_user._get_current_object(),
                passphrase=form.passphrase.data or None,
            )
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Backup made (%(size)s). Download it to keep a copy away from this server.",
                    size=file_size(backup.size_bytes)), "success")
            return redirect(url_for("backups.index"))
    return centre_page(household, 422, create_form=form)


@bp.get("/<int:backup_id>/download")
def download(backup_id: int):
    backup = owned_backup(backup_id)
    try:
        return download_response(backup)
    except BackupMissingError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(url_for("backups.index"))


@bp.post("/<int:backup_id>/verify")
def verify(backup_id: int):
    backup = owned_backup(backup_id)
    if EmptyForm().validate_on_submit():
        backup = store.verify_backup(db.session, backup)
        db.session.commit()
        flash(*verify_message(backup))
    return redirect(url_for("backups.index"))


@bp.route("/<int:backup_id>/delete", methods=["GET", "POST"])
def delete(backup_id: int):
    backup = owned_backup(backup_id)
    form = EmptyForm()
    if form.validate_on_submit():
        when = _when(backup)
        store.delete_backup(db.session, backup, user=current_user._get_current_object())
        db.session.commit()
        flash(_("The backup of %(date)s was deleted.", date=when), "success")
        return redirect(url_for("backups.index"))
    return render_template(
        "backups/delete.html", backup=backup, form=form, kind_labels=KIND_LABELS,
        file_size=file_size, holdings=holdings,
    )


@bp.post("/schedule")
def schedule():
    household = require_household()
    form = ScheduleForm(prefix="schedule")
    if form.validate_on_submit():
        try:
            schedules.save_schedule(
                db.session, household,
                enabled=form.enabled.data,
                frequency=form.frequency.data,
                weekday=form.weekday.data if form.frequency.data == "weekly" else None,
                day_of_month=form.day_of_month.data if form.frequency.data == "monthly" else None,
                at_time=form.at_time.data,
                retention_count=form.retention_count.data,
            )
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Automatic backups saved.") if form.enabled.data
                  else _("Automatic backups are off."), "success")
            return redirect(url_for("backups.index"))
    return centre_page(household, 422, schedule_form=form)
