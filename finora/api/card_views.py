"""A credit card's statements (docs/cards.md; docs/api.md "Accounts"): computed by the
service the statements page uses."""

from __future__ import annotations

from typing import Literal

from finora.api import bp
from finora.api.access import caller
from finora.api.envelope import many
from finora.api.pagination import page_params
from finora.api.serialize import day, money
from finora.api.spec import Day, Money, Out, documented
from finora.dates import today
from finora.extensions import db
from finora.models import Account
from finora.services.ledger.card_statements import Statement, card_statements
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l


class StatementOut(Out):
    key: str  # "2026-03": the month the statement closes in
    start: Day
    closing_date: Day
    due_date: Day
    total: Money
    paid: Money
    outstanding: Money
    entries: int
    status: Literal["upcoming", "open", "closed", "partly_paid", "paid", "overdue"]


def _statement(row: Statement) -> dict:
    return {
        "key": row.key,
        "start": day(row.start),
        "closing_date": day(row.closing),
        "due_date": day(row.due),
        "total": money(row.total),
        "paid": money(row.paid),
        "outstanding": money(row.outstanding),
        "entries": row.entries,
        "status": row.status,
    }


@bp.get("/accounts/<int:account_id>/statements")
@documented(
    _l("A credit card's statements"), tag="Accounts", response=StatementOut, many=True,
    description=_l(
        "Oldest first, from the first statement with an entry to the last (future "
        "installments), always with the current one; an empty list for a card without a "
        "closing and a due day or an account of another type."
    ),
)
def list_card_statements(account_id: int):
    account = get_owned_or_404(Account, account_id)
    rows = card_statements(db.session, account, today(caller().membership.household))
    page = page_params()
    return many([_statement(row) for row in page.cut(rows)], total=len(rows), limit=page.limit,
                offset=page.offset)
