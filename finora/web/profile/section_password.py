"""Profile section "Password": change it with the current one; other sessions end."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import format_date, ngettext
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.services.people.auth import WrongCurrentPasswordError
from finora.services.people.password_change import change_password
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.auth.signin import SIGN_IN_LIMIT, client_source, current_user_session
from finora.web.form_errors import show_error
from finora.web.profile import bp
from finora.web.profile.account_forms import PasswordForm
from finora.web.profile.sections import Section, register


@bp.route("/profile/password", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def password():
    user = current_user._get_current_object()
    form = PasswordForm()
    if form.validate_on_submit():
        here = current_user_session()
        try:
            result = change_password(
                db.session, user, current=form.current_password.data,
                new=form.new_password.data, keep_session_id=here.id if here else None,
                source=client_source(),
            )
        except WrongCurrentPasswordError as error:
            db.session.commit()  # the failure counts toward the lockout
            show_error(form, error)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            message = _("Your password was changed.")
            if result["sessions_ended"]:
                message += " " + ngettext(
                    "%(num)d other session was signed out.",
                    "%(num)d other sessions were signed out.",
                    result["sessions_ended"],
                )
            flash(message, "success")
            return redirect(url_for("profile.password"))
    status = 422 if form.is_submitted() else 200
    return render_template("profile/password.html", form=form), status


def _summary(user) -> str | None:
    if user.password_changed_at is None:
        return None
    return _("Changed on %(date)s", date=format_date(user.password_changed_at))


register(Section("password", _l("Password"), "profile.password", "bi-key", 20, summary=_summary))
