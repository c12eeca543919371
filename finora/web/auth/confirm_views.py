"""Following a sign-up's confirmation link: the account becomes active and is signed in."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user

from finora.extensions import db, limiter
from finora.services.people.recovery_key import create_recovery_key
from finora.services.people.signup_verification import (
    InvalidVerificationLinkError,
    confirm_email,
    valid_verification,
)
from finora.web.auth import bp
from finora.web.auth.recovery_views import keep_key_for_display
from finora.web.auth.signin import flash_welcome, log_in, sign_out
from finora.web.forms import EmptyForm


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def confirm_signup(token: str):
    # Opening the link only shows a button: mail scanners that fetch links spend nothing.
    try:
        valid_verification(db.session, token)
    except InvalidVerificationLinkError as error:
        return render_template("auth/confirm_email.html", invalid=error.message), 404
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            user = confirm_email(db.session, token)
        except InvalidVerificationLinkError as error:
            db.session.rollback()
            return render_template("auth/confirm_email.html", invalid=error.message), 404
        key = create_recovery_key(db.session, user)
        db.session.commit()  # also tells the admins of the sign-up
        current_app.logger.info("sign-up confirmed user=%s", user.id)
        if current_user.is_authenticated:
            sign_out()  # someone else was signed in in this browser
        log_in(user, remember=False, method="signup")
        flash_welcome(user)
        keep_key_for_display(key, user)
        return redirect(url_for("auth.new_recovery_key"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/confirm_email.html", form=form), status
