"""A credit card's statements ("faturas") and paying one (docs/cards.md)."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional

from finora.dates import today
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Account
from finora.money import ZERO
from finora.services.exports.statements_csv import statements_csv
from finora.services.ledger.accounts import list_accounts, paying_account
from finora.services.ledger.card_statements import Statement, card_statements, find_statement
from finora.services.ledger.transfers import TransferData, create_transfer
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.accounts import bp
from finora.web.fields import IdSelectField, LocalDateField, MoneyField
from finora.web.form_errors import show_error
from finora.web.form_token import FormTokenField, first_submission
from finora.web.forms import Form


class PayStatementForm(Form):
    from_account_id = IdSelectField(_l("Pay from"), validators=[InputRequired(_l("Choose an account."))])
    amount = MoneyField(_l("Amount"), validators=[InputRequired(_l("Enter an amount."))])
    date = LocalDateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    form_token = FormTokenField()


def _card(account_id: int) -> Account:
    account = get_owned_or_404(Account, account_id)
    if account.kind != "credit_card":
        abort(404)
    return account


@bp.get("/<int:account_id>/statements")
def statements(account_id: int):
    """The card's statements, newest first; another type of account goes to its own page."""
    account = get_owned_or_404(Account, account_id)
    if account.kind != "credit_card":
        return redirect(url_for("accounts.show", account_id=account.id))
    day = today(require_household())
    found = card_statements(db.session, account, day)
    # What the limit still allows: the limit less everything not yet paid (future
    # installments included, as a bank counts them).
    available = None
    if account.credit_limit is not None:
        available = account.credit_limit - sum((s.outstanding for s in found), ZERO)
    return render_template(
        "accounts/statements.html", account=account, statements=list(reversed(found)), today=day,
        available=available,
    )


@bp.get("/<int:account_id>/statements.csv")
def statements_csv_view(account_id: int):
    """The statements as CSV; only the header for an account without statements (as the API)."""
    account = get_owned_or_404(Account, account_id)
    day = today(require_household())
    filename = f"finora-statements-{account.id}-{day.isoformat()}.csv"
    return Response(
        statements_csv(card_statements(db.session, account, day)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _statement_or_404(account: Account, key: str, day: date) -> Statement:
    statement = find_statement(card_statements(db.session, account, day), key)
    if statement is None:
        abort(404)
    return statement


@bp.route("/<int:account_id>/statements/<key>/pay", methods=["GET", "POST"])
def pay_statement(account_id: int, key: str):
    """A transfer from a checking (or other) account into the card, prefilled with what is
    left to pay, on the due date (today once it has passed)."""
    account = _card(account_id)
    household = require_household()
    day = today(household)
    statement = _statement_or_404(account, key, day)
    form = PayStatementForm()
    active = list_accounts(db.session, household, include_archived=False)
    payers = [a for a in active if a.id != account.id]
    form.from_account_id.choices = [(str(a.id), a.name) for a in payers]
    if not form.is_submitted():
        # The card's paying account (docs/ledger.md, "Credit cards"), else the primary one.
        default = paying_account(account, active)
        if default is not None and default.id != account.id:
            form.from_account_id.data = default.id
        form.amount.data = statement.outstanding or None
        form.date.data = max(statement.due, day)
        form.description.data = _(
            "Statement %(card)s %(month)s", card=account.name, month=format_date(statement.closing, "MMM y")
        )
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(url_for("accounts.statements", account_id=account.id))
        try:
            create_transfer(
                db.session,
                household,
                TransferData(
                    from_account_id=form.from_account_id.data,
                    to_account_id=account.id,
                    amount=form.amount.data,
                    date=form.date.data,
                    description=form.description.data,
                ),
            )
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Payment of the statement recorded."), "success")
            return redirect(url_for("accounts.statements", account_id=account.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "accounts/pay_statement.html", account=account, statement=statement, form=form
    ), status
