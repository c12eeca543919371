"""The Transactions page: every entry and transfer of all time, filtered, sorted, paged by
keyset."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template, request, url_for
from flask_login import login_required

from finora.dates import today
from finora.extensions import db
from finora.ids import parse_id
from finora.services.ledger.accounts import list_accounts
from finora.services.ledger.catalogue import category_tree
from finora.services.ledger.payees import list_payees
from finora.services.ledger.tags import list_tags
from finora.services.ledger.transaction_list import (
    CursorError,
    has_transactions,
    list_transactions,
    parse_cursor,
)
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.web.transactions import bp
from finora.web.transactions.forms import BulkForm, TransactionFilterForm


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
    # After a refused bulk action the page comes back with the same rows ticked; links and
    # the forms' way back leave the ticks out.
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("selected", "bulk_category", "bulk_tags")]
    page_path = url_for("transactions.index") + ("?" + urlencode(kept) if kept else "")
    bulk_form = BulkForm(formdata=None)
    bulk_form.bulk_category.data = parse_id(request.args.get("bulk_category", ""))
    bulk_form.bulk_tags.data = request.args.get("bulk_tags", "")[:1100]
    bulk_form.next.data = page_path
    return render_template(
        "transactions/index.html",
        page_path=page_path,
        bulk_form=bulk_form,
        ticked=frozenset(request.args.getlist("selected")),
        household=household,
        form=form,
        accounts=accounts,
        filters=filters,
        page=page,
        notice=notice,
        today=day,
        expense_tree=expense_tree,
        income_tree=income_tree,
        tags=list_tags(db.session, household),
        payees=list_payees(db.session, household),
        anything=bool(page.rows) or has_transactions(db.session, household),
    )
