"""Accounts: list with balances, create, edit, archive, restore, one account's activity, and
its balance snapshots (set and delete)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import login_required

from finora.dates import today
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Account, BalanceSnapshot
from finora.services.ledger.account_activity import account_activity
from finora.services.ledger.account_archive import ArchiveNeedsConfirmationError, archive_account
from finora.services.ledger.accounts import (
    AccountData,
    account_balances,
    card_payers,
    consolidated_balance,
    create_account,
    list_accounts,
    set_account_archived,
    update_account,
)
from finora.services.ledger.snapshots import delete_snapshot, set_balance
from finora.services.planning.periods import month_bounds, shift_month
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.accounts import bp
from finora.web.accounts.forms import AccountForm, SnapshotForm
from finora.web.form_errors import show_error
from finora.web.form_token import first_submission
from finora.web.forms import EmptyForm


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.get("")
def index():
    household = require_household()
    accounts = list_accounts(db.session, household)
    day = today(household)
    balances = account_balances(db.session, household, day)
    return render_template(
        "accounts/index.html",
        active=[a for a in accounts if not a.archived],
        archived=[a for a in accounts if a.archived],
        balances=balances,
        total=consolidated_balance(balances, accounts),
        today=day,
        form=EmptyForm(),
    )


def _data(form: AccountForm) -> AccountData:
    card = form.kind.data == "credit_card"  # the card fields are ignored for other types
    return AccountData(
        name=form.name.data,
        kind=form.kind.data,
        opening_balance=form.opening_balance.data,
        opening_date=form.opening_date.data,
        include_in_forecast=form.include_in_forecast.data,
        closing_day=form.closing_day.data if card else None,
        due_day=form.due_day.data if card else None,
        credit_limit=form.credit_limit.data if card else None,
        payment_account_id=form.payment_account_id.data if card else None,
    )


def _offer_payers(form: AccountForm, household, account: Account | None) -> None:
    """The paying accounts a card may name: the household's active accounts that are not
    cards (another household's id, a card or an archived account is refused by the service)."""
    payers = card_payers(list_accounts(db.session, household, include_archived=False), account)
    form.payment_account_id.choices = [("", _("The primary account"))] + [(str(a.id), a.name) for a in payers]


@bp.route("/new", methods=["GET", "POST"])
def new():
    household = require_household()
    form = AccountForm()
    _offer_payers(form, household, None)
    if not form.is_submitted():
        form.opening_date.data = today(household)
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(url_for("accounts.index"))
        try:
            account = create_account(db.session, household, _data(form))
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Account “%(name)s” created.", name=account.name), "success")
            return redirect(url_for("accounts.index"))
    return render_template("accounts/form.html", form=form, account=None), 422 if form.errors or form.form_errors else 200


@bp.route("/<int:account_id>/edit", methods=["GET", "POST"])
def edit(account_id: int):
    account = get_owned_or_404(Account, account_id)
    form = AccountForm(obj=account)
    _offer_payers(form, require_household(), account)
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(url_for("accounts.index"))
        try:
            update_account(db.session, account, _data(form))
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Account “%(name)s” saved.", name=account.name), "success")
            return redirect(url_for("accounts.index"))
    return render_template("accounts/form.html", form=form, account=account), 422 if form.errors or form.form_errors else 200


@bp.post("/<int:account_id>/archive")
def archive(account_id: int):
    """Archive; an account that still holds money asks first (a page that says where the
    balance goes, posting back with confirm=1)."""
    account = get_owned_or_404(Account, account_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            archive_account(
                db.session, account, today(require_household()), confirmed=request.form.get("confirm") == "1"
            )
        except ArchiveNeedsConfirmationError as pending:
            db.session.rollback()
            return render_template("accounts/archive_confirm.html", account=account, impact=pending.impact, form=form)
        db.session.commit()
        flash(_("Account “%(name)s” archived. Its history is kept.", name=account.name), "success")
    return redirect(url_for("accounts.index"))


@bp.post("/<int:account_id>/restore")
def restore(account_id: int):
    account = get_owned_or_404(Account, account_id)
    if EmptyForm().validate_on_submit():
        set_account_archived(db.session, account, False)
        db.session.commit()
        flash(_("Account “%(name)s” restored.", name=account.name), "success")
    return redirect(url_for("accounts.index"))


@bp.get("/<int:account_id>")
def show(account_id: int):
    account = get_owned_or_404(Account, account_id)
    form = SnapshotForm()
    form.date.data = today(require_household())
    return _show(account, form)


def _show(account: Account, form: SnapshotForm, status: int = 200):
    household = require_household()
    day = today(household)
    year = request.args.get("year", type=int) or day.year
    month = request.args.get("month", type=int) or day.month
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        year, month = day.year, day.month
    start, end = month_bounds(year, month)
    balance = account_balances(db.session, household, min(day, end))[account.id]
    return render_template(
        "accounts/show.html",
        account=account,
        year=year,
        month=month,
        start=start,
        previous=shift_month(year, month, -1),
        following=shift_month(year, month, 1),
        activity=account_activity(db.session, account, start, end, upto=min(day, end)),
        balance=balance,
        balance_day=min(day, end),
        today=day,
        snapshot_form=form,
        delete_form=EmptyForm(),
    ), status


@bp.post("/<int:account_id>/snapshots")
def set_snapshot(account_id: int):
    account = get_owned_or_404(Account, account_id)
    form = SnapshotForm()
    if form.validate_on_submit():
        if form.date.data > today(require_household()):
            form.date.errors = [*form.date.errors, _("Set the balance for today or an earlier day.")]
        else:
            try:
                snapshot = set_balance(db.session, account, form.date.data, form.amount.data)
            except FinoraError as error:
                show_error(form, error)
            else:
                db.session.commit()
                flash(
                    _("Balance on %(date)s set.", date=format_date(snapshot.date, "long")),
                    "success",
                )
                return redirect(
                    url_for("accounts.show", account_id=account.id, year=snapshot.date.year, month=snapshot.date.month)
                )
    return _show(account, form, 422)


@bp.post("/<int:account_id>/snapshots/<int:snapshot_id>/delete")
def delete_snapshot_view(account_id: int, snapshot_id: int):
    account = get_owned_or_404(Account, account_id)
    snapshot = get_owned_or_404(BalanceSnapshot, snapshot_id)
    if snapshot.account_id != account.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    day = snapshot.date
    delete_snapshot(db.session, snapshot)
    db.session.commit()
    flash(_("Balance on %(date)s deleted.", date=format_date(day, "long")), "success")
    return redirect(url_for("accounts.show", account_id=account.id, year=day.year, month=day.month))
