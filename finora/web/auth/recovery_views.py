"""The recovery key: shown once after sign-up, and resetting the password with it."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask_login import current_user

from finora.crypto import decrypt_secret, encrypt_secret
from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.models import User
from finora.services.recovery_key import RecoveryFailedError, recover_account, user_to_show_key
from finora.web.auth import bp
from finora.web.auth.recovery_forms import RecoveryForm
from finora.web.auth.signin import sign_out
from finora.web.form_errors import show_error

_ONCE_KEY = "new_recovery_key"


def keep_key_for_display(key: str, user: User) -> None:
    """Hand a new key to the next page (encrypted in the session cookie, read once)."""
    session[_ONCE_KEY] = {"user_id": user.id, "key": encrypt_secret(key)}


def _take_key_for_display() -> tuple[str, User] | None:
    kept = session.pop(_ONCE_KEY, None)
    if not isinstance(kept, dict):
        return None
    try:
        key = decrypt_secret(str(kept.get("key")))
    except FinoraError:
        return None
    user = user_to_show_key(db.session, kept.get("user_id"), key)
    return (key, user) if user is not None else None


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
