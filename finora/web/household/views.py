"""Household settings: name, time zone, holidays country, minimum safe balance."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from finora.errors import FinoraError
from finora.extensions import db
from finora.services.people.households import HouseholdSettings, update_household
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.web.form_errors import show_error
from finora.web.household import bp
from finora.web.household.forms import HouseholdForm


@bp.route("/household", methods=["GET", "POST"])
def settings():
    household = require_household()
    form = HouseholdForm(obj=household)
    if not form.is_submitted():
        form.country.data = household.country or ""
    if form.validate_on_submit():
        data = HouseholdSettings(
            form.name.data,
            form.timezone.data,
            form.country.data or None,
            form.minimum_safe_balance.data,
        )
        try:
            update_household(db.session, household, data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Household settings saved."), "success")
            return redirect(url_for("household.settings"))
    status = 422 if form.is_submitted() else 200
    return render_template("household/settings.html", form=form, household=household), status
