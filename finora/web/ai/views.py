"""The AI settings page (owners): key (never shown, blank keeps it), model, base URL, the
exact list of what is sent; removing the key; the refresh POST that answers on the
forecast page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.extensions import db
from finora.i18n import current_language
from finora.services.integrations.ai.insights import (
    ERROR_MESSAGES,
    RefreshFailedError,
    finish_refresh,
    start_refresh,
)
from finora.services.integrations.ai.settings import (
    AiSettingsData,
    has_key,
    remove_key,
    save_settings,
    settings_of,
)
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.web.ai import bp
from finora.web.ai.forms import AiSettingsForm
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm


@bp.route("", methods=["GET", "POST"])
def settings():
    household = require_household()
    stored = settings_of(db.session, household)
    form = AiSettingsForm(data={"model": stored.model if stored else "",
                                "base_url": (stored.base_url or "") if stored else ""})
    if form.validate_on_submit():
        data = AiSettingsData(form.api_key.data or "", form.model.data or "",
                              form.base_url.data or "")
        try:
            save_settings(db.session, household, data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("AI settings saved."), "success")
            return redirect(url_for("ai.settings"))
    form.api_key.data = ""  # never sent back to the browser
    status = 422 if form.is_submitted() else 200
    return render_template(
        "ai/settings.html", form=form, stored=stored, key_stored=has_key(stored),
        default_model=current_app.config["AI_DEFAULT_MODEL"],
        cooldown=current_app.config["AI_REFRESH_COOLDOWN_MINUTES"],
        error_messages=ERROR_MESSAGES, remove_form=EmptyForm(),
    ), status


@bp.post("/key/remove")
def remove():
    household = require_household()
    if not EmptyForm().validate_on_submit():
        abort(400)
    if remove_key(db.session, household):
        db.session.commit()
        flash(_("The API key was removed. The last insights stay on the forecast page."),
              "success")
    return redirect(url_for("ai.settings"))


@bp.post("/refresh")
def refresh_now():
    household = require_household()
    if not EmptyForm().validate_on_submit():
        abort(400)
    config = current_app.config
    try:
        start_refresh(db.session, household, now=now_utc(),
                      cooldown_minutes=config["AI_REFRESH_COOLDOWN_MINUTES"])
    except FinoraError as error:  # no key, or within the cooldown
        db.session.rollback()
        flash(str(error.message), "warning")
        return redirect(url_for("forecasting.index", _anchor="ai-insights"))
    db.session.commit()  # the attempt counts from now; no lock held during the call
    try:
        finish_refresh(db.session, household, user=current_user, locale=current_language(),
                       now=now_utc(), default_model=config["AI_DEFAULT_MODEL"],
                       timeout=config["AI_REQUEST_TIMEOUT_SECONDS"])
    except RefreshFailedError as error:
        db.session.commit()  # its code stays for the page; the old insights stay
        flash(str(error.message), "danger")
    except FinoraError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
    else:
        db.session.commit()
        flash(_("The AI insights were refreshed."), "success")
    return redirect(url_for("forecasting.index", _anchor="ai-insights"))
