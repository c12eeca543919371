"""Instance settings (sign-up mode, activity retention) and the SMTP server with a test e-mail."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db
from finora.services.system.admin_settings import (
    save_smtp_settings,
    set_audit_retention,
    set_registration_mode,
    smtp_form_values,
)
from finora.services.system.mail import MailDeliveryError, mail_configured, send_mail
from finora.services.system.settings import audit_retention_days, get_setting, registration_mode
from finora.translation import gettext as _
from finora.web.admin import bp
from finora.web.admin.forms import InstanceSettingsForm, SmtpForm
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm


def _admin():
    return current_user._get_current_object()


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    default_mode = current_app.config["REGISTRATION_MODE"]
    form = InstanceSettingsForm()
    if not form.is_submitted():
        form.registration_mode.data = registration_mode(db.session, default_mode)
        form.retention_days.data = audit_retention_days(db.session)
    if form.validate_on_submit():
        try:
            set_registration_mode(db.session, form.registration_mode.data, default=default_mode, by=_admin())
            set_audit_retention(db.session, form.retention_days.data, by=_admin())
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.settings"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/settings.html", form=form), status


@bp.route("/mail", methods=["GET", "POST"])
def mail():
    form = SmtpForm()
    if not form.is_submitted():
        form.process(data=smtp_form_values(db.session))
    if form.validate_on_submit():
        password = "" if form.clear_password.data else (form.password.data or None)
        try:
            save_smtp_settings(
                db.session, host=form.host.data or "", port=form.port.data,
                security=form.security.data, username=form.username.data or "",
                password=password, sender=form.sender.data or "", by=_admin(),
            )
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("E-mail settings saved."), "success")
            return redirect(url_for("admin.mail"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/mail.html", form=form, test_form=EmptyForm(),
        has_password=bool(get_setting(db.session, "smtp_password")),
        configured=mail_configured(db.session),
    ), status


@bp.post("/mail/test")
def send_test_mail():
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("admin.mail"))
    admin = _admin()
    text = _("This is a test e-mail from Finora. If you can read it, the e-mail settings work.")
    try:
        result = send_mail(admin.email, _("Finora test e-mail"), text, session=db.session)
    except MailDeliveryError as error:
        flash(str(error.message), "danger")
    else:
        if result.logged:
            flash(_("No SMTP server is set up: the test e-mail went to the server log."), "warning")
        else:
            flash(_("Test e-mail sent to %(email)s.", email=admin.email), "success")
    return redirect(url_for("admin.mail"))
