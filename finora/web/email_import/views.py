"""E-mail import pages: the list with each configuration's last run, new, edit, test (reads
the mailbox, saves nothing), on/off and delete."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from finora.errors import FinoraError
from finora.extensions import db
from finora.models import EmailImportConfig
from finora.services.integrations.email_import import configs
from finora.services.integrations.email_import.preview import preview
from finora.services.integrations.email_import.runner import household_locale
from finora.services.ledger.accounts import list_accounts
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.translation import ngettext
from finora.web.email_import import bp
from finora.web.email_import.forms import ConfigForm
from finora.web.email_import.messages import error_text
from finora.web.form_errors import show_error
from finora.web.form_token import first_submission
from finora.web.forms import EmptyForm


def _form_page(form: ConfigForm, config: EmailImportConfig | None, *, preview=None, status: int | None = None):
    if status is None:
        status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "email_import/form.html", form=form, config=config, preview=preview,
        preview_error=error_text(preview.error_code, preview.error_detail) if preview and preview.error_code else None,
        household=require_household(),
    ), status


def _form(config: EmailImportConfig | None = None) -> ConfigForm:
    household = require_household()
    form = ConfigForm(obj=config, editing=config is not None)
    # Active accounts; an import's archived account stays shown (a save asks for another).
    accounts = [a for a in list_accounts(db.session, household) if not a.archived or (config and a.id == config.account_id)]
    form.set_accounts(accounts)
    return form


@bp.get("/")
def index():
    household = require_household()
    minutes = current_app.config["EMAIL_IMPORT_INTERVAL_MINUTES"]
    return render_template(
        "email_import/index.html",
        household=household,
        configs=configs.list_configs(db.session, household),
        error_text=error_text,
        button=EmptyForm(),
        scheduler_on=current_app.config.get("SCHEDULER_ENABLED", True),
        every=_("every minute")
        if minutes == 1
        else ngettext("every %(num)d minute", "every %(num)d minutes", minutes),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    household = require_household()
    form = _form()
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(url_for("email_import.index"))
        try:
            config = configs.create_config(db.session, household, form.data_for_service())
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("E-mail import “%(name)s” saved.", name=config.name), "success")
            return redirect(url_for("email_import.index"))
    return _form_page(form, None)


@bp.route("/<int:config_id>/edit", methods=["GET", "POST"])
def edit(config_id: int):
    config = get_owned_or_404(EmailImportConfig, config_id)
    form = _form(config)
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(url_for("email_import.index"))
        try:
            configs.update_config(db.session, config, form.data_for_service())
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("E-mail import “%(name)s” saved.", name=config.name), "success")
            return redirect(url_for("email_import.index"))
    return _form_page(form, config)


def _test(config: EmailImportConfig | None):
    """Read the mailbox with the form's values as typed (the stored password when the field
    is blank) and show what the newest matching message would set. Nothing is saved."""
    household = require_household()
    form = _form(config)
    result = None
    if form.validate_for_test():
        try:
            settings = configs.trial_settings(db.session, household, form.data_for_service(), config)
        except FinoraError as error:
            show_error(form, error)
        else:
            result = preview(
                settings,
                locale=household_locale(db.session, household.id),  # as the job reads it
                time_zone=household.timezone,
                timeout=current_app.config["EMAIL_IMPORT_TIMEOUT_SECONDS"],
                ca_file=current_app.config.get("EMAIL_IMPORT_CA_FILE") or None,
            )
    db.session.rollback()  # a test writes nothing, whatever it loaded
    return _form_page(form, config, preview=result, status=200 if result is not None else 422)


@bp.post("/test")
def test_new():
    return _test(None)


@bp.post("/<int:config_id>/test")
def test_saved(config_id: int):
    return _test(get_owned_or_404(EmailImportConfig, config_id))


@bp.post("/<int:config_id>/switch")
def switch(config_id: int):
    """On or off, as the button says (enabled=1 or 0): pressing it twice changes nothing more."""
    config = get_owned_or_404(EmailImportConfig, config_id)
    if EmptyForm().validate_on_submit():
        enabled = request.form.get("enabled") == "1"
        try:
            configs.set_config_enabled(db.session, config, enabled)
        except FinoraError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("E-mail import “%(name)s” is on.", name=config.name) if enabled
                  else _("E-mail import “%(name)s” is off.", name=config.name), "success")
    return redirect(url_for("email_import.index"))


@bp.route("/<int:config_id>/delete", methods=["GET", "POST"])
def delete(config_id: int):
    config = get_owned_or_404(EmailImportConfig, config_id)
    form = EmptyForm()
    if form.validate_on_submit():
        name = config.name
        configs.delete_config(db.session, config)
        db.session.commit()
        flash(_("E-mail import “%(name)s” deleted.", name=name), "success")
        return redirect(url_for("email_import.index"))
    return render_template("email_import/delete.html", config=config, form=form)
