"""The Transactions page: every entry and transfer of all time, filtered, sorted, paged by
keyset."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from finora.dates import today
from finora.extensions import db
from finora.services.ledger.accounts import list_accounts
from finora.services.ledger.catalogue import category_tree
from finora.services.ledger.transaction_list import (
    CursorError,
    has_transactions,
    list_transactions,
    parse_cursor,
)
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.web.transactions import bp
from finora.web.transactions.forms import TransactionFilterForm


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.get("/transactions")
def index():
    household = require_household()
    day = today(household)
    accounts = list_accounts(db.session, household)
    expense_tree = category_tree(db.session, household, "expense", include_archived=True)
    income_tree = category_tree(db.session, household, "income", include_archived=True)
    # The account and category selects are drawn from these lists (with optgroups); the
    # form checks that each value is a whole id.
    form = TransactionFilterForm(formdata=request.args)
    filters = form.filters()
    notice = None
    try:
        after = parse_cursor(request.args.get("after"), filters.sort)
        before = None if after else parse_cursor(request.args.get("before"), filters.sort)
    except CursorError:
        after = before = None
        notice = _("That page link does not fit this list any more: here is its first page.")
    page = list_transactions(db.session, household, filters, day, after=after, before=before)
    if not page.rows and (after or before):
        # Nothing left beyond the cursor (rows deleted since the link was made): start over.
        notice = _("That page link does not fit this list any more: here is its first page.")
        page = list_transactions(db.session, household, filters, day)
    return render_template(
        "transactions/index.html",
        household=household,
        form=form,
        accounts=accounts,
        filters=filters,
        page=page,
        notice=notice,
        today=day,
        expense_tree=expense_tree,
        income_tree=income_tree,
        anything=bool(page.rows) or has_transactions(db.session, household),
    )
