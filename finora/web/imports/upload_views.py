"""Step 1 of an import: the upload form with the target account, the list of imports
with their undo, and the saved profiles."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from finora.extensions import db
from finora.models import ImportProfile, User
from finora.services.imports.accounts import account_for_number
from finora.services.imports.batches import list_batches
from finora.services.imports.profiles import (
    delete_profile,
    list_profiles,
)
from finora.services.imports.rows import ImportFileError
from finora.services.imports.staging import save_staged, stage_upload
from finora.services.ledger.accounts import list_accounts, primary_account
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.forms import EmptyForm
from finora.web.imports import bp
from finora.web.imports.common import (
    account_choices,
    active_accounts,
    chosen_account,
    next_step,
)
from finora.web.imports.forms import (
    UploadForm,
)
from finora.web.permissions import can_write


@bp.route("/", methods=["GET", "POST"])
def index():
    household = require_household()
    accounts = active_accounts(household)
    form = UploadForm()
    account_choices(form.account_id, accounts)
    if not form.is_submitted():
        primary = primary_account(db.session, household)
        form.account_id.data = primary.id if primary else None
    status = 200
    if form.validate_on_submit():
        account = chosen_account(form.account_id, accounts)
        if account is not None:
            upload = form.file.data
            name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
            try:
                staged = stage_upload(
                    household, current_user._get_current_object(), name, upload.read()
                )
            except ImportFileError as error:
                form.file.errors = [*form.file.errors, str(error.message)]
            else:
                found = None
                if staged.account_number:
                    found = account_for_number(db.session, household, staged.account_number)
                staged.account_id = (
                    found.id if found is not None and not found.archived else account.id
                )
                save_staged(staged)
                return next_step(staged)
        status = 422
    elif form.is_submitted():
        status = 422
    return _index_page(household, form, accounts, status)


def _index_page(household, form, accounts, status=200):
    batches = list_batches(db.session, household)
    people_ids = {batch.created_by_id for batch in batches if batch.created_by_id}
    people = (
        {
            user.id: user.name
            for user in db.session.scalars(select(User).where(User.id.in_(people_ids)))
        }
        if people_ids
        else {}
    )
    account_names = {account.id: account.name for account in list_accounts(db.session, household)}
    return render_template(
        "imports/index.html",
        form=form,
        accounts=accounts,
        batches=batches,
        people=people,
        account_names=account_names,
        profiles=list_profiles(db.session, household),
        button=EmptyForm(formdata=None),
    ), status


@bp.post("/profiles/<int:profile_id>/delete")
def delete_profile_view(profile_id: int):
    profile = get_owned_or_404(ImportProfile, profile_id)
    form = EmptyForm()
    if form.validate_on_submit():
        name = profile.name
        delete_profile(db.session, profile)
        db.session.commit()
        flash(_("Profile “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("imports.index"))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A file beyond the server's request limit never reaches the form: the upload page
    again, with the limit named beside the file field."""
    if not current_user.is_authenticated or not can_write():
        return error  # refused as any page (the guards had no chance to run)
    household = require_household()
    accounts = active_accounts(household)
    form = UploadForm(formdata=None)
    account_choices(form.account_id, accounts)
    primary = primary_account(db.session, household)
    form.account_id.data = primary.id if primary else None
    limit = current_app.config["IMPORT_MAX_BYTES"] / (1024 * 1024)
    form.file.errors = [_("The file is larger than the limit of %(limit)s MB.", limit=f"{limit:g}")]
    return _index_page(household, form, accounts, 413)
