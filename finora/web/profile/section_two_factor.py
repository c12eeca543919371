"""Profile section "Two-factor": set up TOTP with a QR code, backup codes, turn it off."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.services.people import totp
from finora.services.people.auth import WrongCurrentPasswordError
from finora.services.people.backup_codes import remaining_backup_codes
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.auth import two_factor_views  # noqa: F401 - registers the sign-in step's route
from finora.web.auth.signin import SIGN_IN_LIMIT, client_source
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm
from finora.web.profile import bp
from finora.web.profile.sections import Section, register
from finora.web.profile.two_factor_forms import BackupCodesForm, ConfirmTotpForm, DisableTotpForm


def _page(status: int = 200, *, codes: list[str] | None = None, **forms):
    user = current_user._get_current_object()
    context = {
        "confirm_form": forms.get("confirm_form") or ConfirmTotpForm(formdata=None),
        "disable_form": forms.get("disable_form") or DisableTotpForm(formdata=None),
        "codes_form": forms.get("codes_form") or BackupCodesForm(formdata=None),
        "button_form": EmptyForm(),
        "codes": codes,
        "enabled": user.totp_enabled,
        "remaining": remaining_backup_codes(db.session, user) if user.totp_enabled else 0,
    }
    secret = None if codes else totp.pending_secret(user)
    if secret is not None:
        context["secret"] = totp.grouped_secret(secret)
        context["qr_code"] = totp.qr_code_data_uri(totp.provisioning_uri(user, secret))
    return render_template("profile/two_factor.html", **context), status


@bp.get("/profile/two-factor")
def two_factor():
    return _page()


@bp.post("/profile/two-factor/setup")
def two_factor_setup():
    if EmptyForm().validate_on_submit():
        try:
            totp.begin_setup(db.session, current_user._get_current_object())
        except FinoraError as error:
            db.session.rollback()
            flash(str(error.message), "warning")
        else:
            db.session.commit()
    return redirect(url_for("profile.two_factor"))


@bp.post("/profile/two-factor/cancel")
def two_factor_cancel():
    if EmptyForm().validate_on_submit():
        totp.cancel_setup(db.session, current_user._get_current_object())
        db.session.commit()
    return redirect(url_for("profile.two_factor"))


@bp.post("/profile/two-factor/confirm")
@limiter.limit("10 per minute")
def two_factor_confirm():
    form = ConfirmTotpForm()
    if form.validate_on_submit():
        try:
            codes = totp.confirm_setup(db.session, current_user._get_current_object(), form.code.data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Two-factor sign-in is on. From now on Finora asks for a code after your password."), "success")
            return _page(codes=codes)
    return _page(422, confirm_form=form)


@bp.post("/profile/two-factor/backup-codes")
@limiter.limit("10 per minute")
def two_factor_backup_codes():
    form = BackupCodesForm()
    if form.validate_on_submit():
        try:
            codes = totp.regenerate_backup_codes(db.session, current_user._get_current_object(), form.code.data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("New backup codes were made; the old ones no longer work."), "success")
            return _page(codes=codes)
    return _page(422, codes_form=form)


@bp.post("/profile/two-factor/disable")
@limiter.limit(SIGN_IN_LIMIT)
def two_factor_disable():
    form = DisableTotpForm()
    if form.validate_on_submit():
        try:
            totp.disable_two_factor(
                db.session, current_user._get_current_object(),
                password=form.password.data, code=form.code.data, source=client_source(),
            )
        except WrongCurrentPasswordError as error:
            db.session.commit()  # the failure counts toward the lockout
            show_error(form, error)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Two-factor sign-in is off. Your backup codes no longer work."), "info")
            return redirect(url_for("profile.two_factor"))
    return _page(422, disable_form=form)


def _summary(user) -> str:
    return _("On") if user.totp_enabled else _("Off")


register(Section(
    "two_factor", _l("Two-factor sign-in"), "profile.two_factor", "bi-shield-lock", 50,
    summary=_summary,
))
