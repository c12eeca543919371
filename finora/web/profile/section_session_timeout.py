"""Profile section "Session timeout", the keep-alive its warning calls, and the page state
the warning script reads (templates/profile/_session_timeout.html)."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.extensions import db
from finora.services.people import user_sessions
from finora.services.people.profile_details import set_session_timeout
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.auth.signin import current_user_session
from finora.web.form_errors import show_error
from finora.web.profile import bp
from finora.web.profile.account_forms import SessionTimeoutForm, timeout_label
from finora.web.profile.sections import Section, register

# The warning shows this long before the session would end (tests shorten it).
DEFAULT_WARNING_SECONDS = 60


@bp.route("/profile/session-timeout", methods=["GET", "POST"])
def session_timeout():
    user = current_user._get_current_object()
    form = SessionTimeoutForm()
    if not form.is_submitted():
        form.minutes.data = str(user.session_timeout_minutes or "")
    if form.validate_on_submit():
        try:
            minutes = int(form.minutes.data) if form.minutes.data else None
            set_session_timeout(db.session, user, minutes)
        except FinoraError as error:
            show_error(form, error)
        else:
            here = current_user_session()
            if here is not None:  # the new timeout counts from now
                user_sessions.touch(here, user, now_utc(), force=True)
            db.session.commit()
            flash(_("Session timeout saved."), "success")
            return redirect(url_for("profile.session_timeout"))
    status = 422 if form.is_submitted() else 200
    return render_template("profile/session_timeout.html", form=form), status


@bp.post("/profile/session-timeout/keep-alive")
def keep_alive():
    """The warning's "Stay signed in" button (POST with the X-CSRFToken header)."""
    user = current_user._get_current_object()
    here = current_user_session()
    if here is not None:
        user_sessions.touch(here, user, now_utc(), force=True)
        db.session.commit()
    return jsonify(seconds_left=_seconds_left())


def _seconds_left() -> int | None:
    here = current_user_session()
    if here is None or not current_user.is_authenticated:
        return None
    return user_sessions.seconds_left(here, current_user._get_current_object())


@bp.app_context_processor
def _session_timeout_state():
    def session_timeout_state() -> dict | None:
        """What the warning script needs on this page, or None without a timeout."""
        seconds = _seconds_left()
        if seconds is None:
            return None
        return {
            "session_id": current_user_session().id,
            "seconds_left": seconds,
            "minutes": current_user.session_timeout_minutes,
            "warning_seconds": int(
                current_app.config.get("SESSION_WARNING_SECONDS", DEFAULT_WARNING_SECONDS)
            ),
        }

    return {"session_timeout_state": session_timeout_state}


register(
    Section(
        "session_timeout", _l("Session timeout"), "profile.session_timeout", "bi-hourglass-split",
        30, summary=lambda user: str(timeout_label(user.session_timeout_minutes)),
    )
)
