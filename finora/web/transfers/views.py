"""Transfers between the household's accounts: add, edit, delete."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from finora.dates import today
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Transfer
from finora.services.ledger.accounts import list_accounts, primary_account
from finora.services.ledger.transfers import (
    TransferData,
    create_transfer,
    update_transfer,
)
from finora.services.undo.actions import delete_with_undo
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.form_errors import show_error
from finora.web.form_token import first_submission
from finora.web.forms import EmptyForm
from finora.web.navigation import safe_next
from finora.web.transfers import bp
from finora.web.transfers.forms import TransferForm
from finora.web.undo_offer import flash_undo


@bp.before_request
@login_required
def _signed_in():
    return None


def _back() -> str:
    target = request.form.get("next") or request.args.get("next")
    return safe_next(target, "accounts.index") if target else url_for("accounts.index")


def _prepare(form: TransferForm, transfer: Transfer | None) -> None:
    accounts = [a for a in list_accounts(db.session, require_household()) if not a.archived]
    if transfer is not None:
        for account in (transfer.from_account, transfer.to_account):
            if account.archived and account not in accounts:
                accounts.append(account)
    form.set_accounts(accounts)


def _data(form: TransferForm) -> TransferData:
    return TransferData(
        from_account_id=form.from_account_id.data,
        to_account_id=form.to_account_id.data,
        amount=form.amount.data,
        date=form.date.data,
        description=form.description.data,
    )


def _render(form, transfer):
    status = 422 if form.is_submitted() else 200
    return render_template("transfers/form.html", form=form, transfer=transfer), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    household = require_household()
    form = TransferForm()
    _prepare(form, None)
    if not form.is_submitted():
        form.date.data = today(household)
        form.next.data = request.args.get("next", "")
        # From the account new entries start on, to the first other one.
        primary = primary_account(db.session, household)
        ids = [int(choice.value) for choice in form.from_account_id.choices]
        if primary is not None and len(ids) >= 2:
            form.from_account_id.data = primary.id
            form.to_account_id.data = next(i for i in ids if i != primary.id)
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(_back())
        try:
            create_transfer(db.session, household, _data(form), user=current_user)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Transfer recorded."), "success")
            return redirect(_back())
    return _render(form, None)


@bp.route("/<int:transfer_id>/edit", methods=["GET", "POST"])
def edit(transfer_id: int):
    transfer = get_owned_or_404(Transfer, transfer_id)
    form = TransferForm(obj=transfer)
    _prepare(form, transfer)
    if not form.is_submitted():
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(_back())
        try:
            update_transfer(db.session, transfer, _data(form))
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Transfer saved."), "success")
            return redirect(_back())
    return _render(form, transfer)


@bp.post("/<int:transfer_id>/delete")
def delete(transfer_id: int):
    transfer = get_owned_or_404(Transfer, transfer_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    record = delete_with_undo(
        db.session, require_household(), current_user._get_current_object(),
        label=transfer.description or f"{transfer.from_account.name} → {transfer.to_account.name}",
        transfers=[transfer],
    )
    db.session.commit()
    flash_undo(_("Transfer deleted."), record)
    return redirect(_back())
