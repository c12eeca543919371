"""The recovery key: shown once after sign-up, and resetting the password with it."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.models import User
from finora.services.people.recovery_key import (
    DecoyAccount,
    RecoveryFailedError,
    hold_for_display,
    recover_account,
    take_for_display,
)
from finora.web.auth import bp
from finora.web.auth.recovery_forms import RecoveryForm
from finora.web.auth.signin import sign_out
from finora.web.form_errors import show_error

_ONCE_KEY = "new_recovery_key"


def keep_key_for_display(key: str, user: User) -> None:
    """Hand a new key to the next page: it is held server-side (one-time record, committed
    here); the session keeps only a random reference to it."""
    reference = hold_for_display(db.session, user, key)
    db.session.commit()
    session[_ONCE_KEY] = reference


def keep_decoy_for_display(owner: User) -> None:
    """As keep_key_for_display, for a sign-up with `owner`'s address: a key that is never
    theirs, so the answer is the same as for a new address."""
    reference = hold_for_display(db.session, owner)
    db.session.commit()
    session[_ONCE_KEY] = reference


def _take_key_for_display() -> tuple[str, User | DecoyAccount] | None:
    shown = take_for_display(db.session, session.pop(_ONCE_KEY, None))
    db.session.commit()  # shown once: the record is gone even if the page fails later
    return shown


@bp.get("/signup/recovery-key")
def new_recovery_key():
    shown = _take_key_for_display()
    if shown is None:
        return redirect(url_for("dashboard.index" if current_user.is_authenticated else "auth.login"))
    key, user = shown
    next_url = url_for("dashboard.index") if user.is_active else url_for("auth.pending")
    return render_template("auth/recovery_key.html", key=key, user=user, next_url=next_url)


@bp.route("/recovery", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def recovery():
    form = RecoveryForm()
    if form.validate_on_submit():
        try:
            user, key = recover_account(
                db.session, form.email.data, form.recovery_key.data, form.password.data
            )
        except RecoveryFailedError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                sign_out()
            return render_template(
                "auth/recovery_key.html", key=key, user=user, next_url=url_for("auth.login"),
                after_recovery=True,
            )
    status = 422 if form.is_submitted() else 200
    return render_template("auth/recovery.html", form=form), status
