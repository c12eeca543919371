"""The second sign-in step: a TOTP or backup code after a correct password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from finora.extensions import db, limiter
from finora.services.people.backup_codes import remaining_backup_codes
from finora.services.people.two_factor_sign_in import (
    SecondFactorLockedError,
    WrongSecondFactorError,
    verify_second_factor,
)
from finora.translation import gettext as _
from finora.translation import ngettext
from finora.web.auth import bp
from finora.web.auth.recovery_forms import TwoFactorForm
from finora.web.auth.signin import (
    clear_pending_sign_in,
    client_source,
    finish_sign_in,
    pending_sign_in_user,
)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def two_factor():
    pending = pending_sign_in_user()
    if pending is None:
        flash(_("Sign in again: the sign-in took too long or was not started."), "warning")
        return redirect(url_for("auth.login"))
    user, data = pending
    form = TwoFactorForm()
    if form.validate_on_submit():
        try:
            method = verify_second_factor(db.session, user, form.code.data, client_source())
        except SecondFactorLockedError as error:
            db.session.commit()  # the failure, the lock and their audit events
            clear_pending_sign_in()
            flash(str(error.message), "danger")
            return redirect(url_for("auth.login"))
        except WrongSecondFactorError as error:
            db.session.commit()
            form.code.errors = [*form.code.errors, str(error.message)]
        else:
            response = finish_sign_in(user, remember=bool(data.get("remember")), method=method)
            if method == "backup_code":
                left = remaining_backup_codes(db.session, user)
                flash(ngettext(
                    "You signed in with a backup code. %(num)d backup code is left.",
                    "You signed in with a backup code. %(num)d backup codes are left.",
                    left,
                ), "warning" if left <= 3 else "info")
            return response
    status = 422 if form.is_submitted() else 200
    return render_template("auth/two_factor.html", form=form), status
