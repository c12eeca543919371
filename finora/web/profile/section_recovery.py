"""Profile section "Recovery key": when it was made, and making a new one (shown once)."""

from __future__ import annotations

from flask import flash, render_template
from flask_babel import format_date
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.services.people.auth import WrongCurrentPasswordError
from finora.services.people.recovery_key import regenerate_recovery_key
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.auth import recovery_views, reset_views  # noqa: F401 - register their routes
from finora.web.auth.signin import SIGN_IN_LIMIT, client_source
from finora.web.form_errors import show_error
from finora.web.profile import bp
from finora.web.profile.sections import Section, register
from finora.web.profile.two_factor_forms import RecoveryKeyForm


@bp.route("/profile/recovery-key", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def recovery_key():
    user = current_user._get_current_object()
    form = RecoveryKeyForm()
    if form.validate_on_submit():
        try:
            key = regenerate_recovery_key(db.session, user, form.password.data, client_source())
        except WrongCurrentPasswordError as error:
            db.session.commit()  # the failure counts toward the lockout
            show_error(form, error)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("A new recovery key was made; the old one no longer works."), "success")
            return render_template("profile/recovery.html", form=RecoveryKeyForm(formdata=None), key=key)
    status = 422 if form.is_submitted() else 200
    return render_template("profile/recovery.html", form=form), status


def _summary(user) -> str:
    if not user.recovery_key_hash or user.recovery_key_created_at is None:
        return _("None: make one")
    return _("Made on %(date)s", date=format_date(user.recovery_key_created_at))


register(Section(
    "recovery_key", _l("Recovery key"), "profile.recovery_key", "bi-life-preserver", 70,
    summary=_summary,
))
