"""Password reset by e-mailed link: ask for a link, follow it, choose a new password."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.services.people.password_reset import (
    InvalidResetLinkError,
    complete_password_reset,
    request_password_reset,
    valid_reset_token,
)
from finora.services.system.mail import mail_configured
from finora.translation import gettext as _
from finora.web.auth import bp
from finora.web.auth.recovery_forms import ForgotPasswordForm, ResetPasswordForm
from finora.web.auth.signin import sign_out
from finora.web.form_errors import show_error


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The link is built from APP_BASE_URL: a forged Host header cannot redirect it.
        request_password_reset(
            db.session, form.email.data, base_url=current_app.config["APP_BASE_URL"]
        )
        db.session.commit()
        return redirect(url_for("auth.forgot_password_sent"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form), status


@bp.get("/forgot-password/sent")
def forgot_password_sent():
    return render_template("auth/forgot.html", sent=True, logged=not mail_configured(db.session))


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def reset_password(token: str):
    try:
        valid_reset_token(db.session, token)
    except InvalidResetLinkError as error:
        return render_template("auth/reset.html", invalid=error.message), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            complete_password_reset(db.session, token, form.password.data)
        except InvalidResetLinkError as error:
            db.session.rollback()
            return render_template("auth/reset.html", invalid=error.message), 404
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                sign_out()  # this browser's session was ended with the others
            flash(_("Your password was changed, and every session was signed out. "
                    "Sign in with the new password."), "success")
            return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reset.html", form=form), status
