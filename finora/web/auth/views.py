"""Sign-up, approval wait, "check your e-mail", sign-in and sign-out views."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.services.people.auth import InvalidCredentialsError, authenticate
from finora.services.people.recovery_key import create_recovery_key
from finora.services.people.registration import (
    EmailTakenError,
    SignupData,
    TakenAddressSignupError,
    register_user,
    signup_closed,
)
from finora.services.people.signup_verification import awaiting_verification
from finora.services.system.settings import registration_mode
from finora.translation import gettext as _
from finora.web.auth import bp
from finora.web.auth.forms import LoginForm, SignupForm
from finora.web.auth.recovery_views import keep_decoy_for_display, keep_key_for_display
from finora.web.auth.signin import (
    SIGN_IN_LIMIT,
    client_source,
    flash_welcome,
    log_in,
    sign_out,
    start_sign_in,
)
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm


def _mode() -> str:
    return registration_mode(db.session, current_app.config["REGISTRATION_MODE"])


# Two budgets per client address (docs/security.md): sign-ups answered as made (an account,
# a decoy for a taken address, or "this address has an account" without mail), and forms
# sent back to correct, which people get wrong more often and learn nothing from.
SIGNUP_LIMIT = "5 per hour"
SIGNUP_CORRECTIONS_LIMIT = "30 per hour"


def _counted_as_sign_up(_response) -> bool:
    return g.get("signup_outcome") == "answered"


def _counted_as_correction(_response) -> bool:
    return g.get("signup_outcome") == "corrected"


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(SIGNUP_LIMIT, methods=["POST"], scope="answered", deduct_when=_counted_as_sign_up)
@limiter.limit(
    SIGNUP_CORRECTIONS_LIMIT, methods=["POST"], scope="corrected",
    deduct_when=_counted_as_correction,
)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    if signup_closed(db.session, _mode()):
        return render_template("auth/signup_closed.html"), 403
    form = SignupForm()
    if form.is_submitted():
        g.signup_outcome = "corrected"  # until the sign-up is answered below
    if form.validate_on_submit():
        data = SignupData(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            household_name=form.household_name.data,
            currency=form.currency.data,
            locale=form.locale.data,
            timezone=form.timezone.data,
        )
        try:
            # The confirmation link is built from APP_BASE_URL, never the Host header.
            user = register_user(
                db.session, data, mode=_mode(),
                confirm_base_url=current_app.config["APP_BASE_URL"],
            )
        except TakenAddressSignupError as taken:
            g.signup_outcome = "answered"
            # Answered as a new sign-up (waiting for approval, or for its address to be
            # confirmed); committing e-mails the owner.
            db.session.commit()
            current_app.logger.info("sign-up for a taken address user=%s", taken.owner.id)
            session["locale"] = data.locale
            if taken.confirm:
                return redirect(url_for("auth.check_email"))
            keep_decoy_for_display(taken.owner)
            return redirect(url_for("auth.new_recovery_key"))
        except FinoraError as error:
            if isinstance(error, EmailTakenError):
                g.signup_outcome = "answered"  # it tells about an address: the strict budget
            show_error(form, error)
        else:
            g.signup_outcome = "answered"
            if awaiting_verification(db.session, user):
                # The recovery key comes when the address is confirmed; committing sends the link.
                db.session.commit()
                current_app.logger.info("sign-up user=%s awaiting confirmation", user.id)
                session["locale"] = data.locale
                return redirect(url_for("auth.check_email"))
            # The recovery key is shown once, on the next page, whatever the account's state.
            key = create_recovery_key(db.session, user)
            db.session.commit()
            current_app.logger.info("sign-up user=%s status=%s", user.id, user.status)
            if not user.is_active:
                session["locale"] = user.locale
            else:
                log_in(user, remember=False, method="signup")
                flash_welcome(user)
            keep_key_for_display(key, user)
            return redirect(url_for("auth.new_recovery_key"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/signup.html", form=form), status


@bp.get("/signup/pending")
def pending():
    return render_template("auth/pending.html")


@bp.get("/signup/check-email")
def check_email():
    return render_template("auth/check_email.html")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(
                db.session, form.email.data, form.password.data, client_source()
            )
        except InvalidCredentialsError as error:
            db.session.commit()  # the failure count, the lock and their audit events
            current_app.logger.info("sign-in failed")
            form.form_errors.append(str(error.message))
        except FinoraError as error:
            db.session.rollback()
            return render_template("auth/login.html", form=form, blocked=error.message), 403
        else:
            current_app.logger.info("sign-in user=%s", user.id)
            return start_sign_in(
                user, remember=form.remember.data, next_url=request.args.get("next")
            )
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    response = redirect(url_for("public.index"))
    if EmptyForm().validate_on_submit():
        sign_out()
        flash(_("You have signed out."), "info")
        # Nothing of this person stays in the browser: its HTTP cache, and the service
        # worker with its Cache Storage, localStorage and the rest of the site's storage (the
        # session cookie is already ended; the flash above rides in the new one).
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
