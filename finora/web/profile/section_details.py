"""Profile section "Personal details": name, language and time zone."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db
from finora.services.people.profile_details import update_details
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.form_errors import show_error
from finora.web.profile import bp
from finora.web.profile.account_forms import DetailsForm
from finora.web.profile.sections import Section, register


@bp.route("/profile/details", methods=["GET", "POST"])
def details():
    user = current_user._get_current_object()
    form = DetailsForm(obj=user)
    if not form.is_submitted():
        form.timezone.data = user.timezone or ""
    if form.validate_on_submit():
        try:
            update_details(
                db.session, user, name=form.name.data, locale=form.locale.data,
                timezone=form.timezone.data,
            )
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            session["locale"] = user.locale
            flash(_("Your details were saved."), "success")
            return redirect(url_for("profile.details"))
    status = 422 if form.is_submitted() else 200
    return render_template("profile/details.html", form=form), status


register(
    Section(
        "details", _l("Personal details"), "profile.details", "bi-person", 10,
        summary=lambda user: user.name,
    )
)
