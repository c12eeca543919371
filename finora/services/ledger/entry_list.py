"""The month's list on the dashboard: its filters and numbered pages, over the transaction
list (entries and transfers) of finora.services.ledger.transaction_list."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from finora.models import Household
from finora.services.ledger.transaction_list import (
    KINDS,
    PER_PAGE,
    STATUSES,
    TransactionFilters,
    TransactionRow,
    transactions_by_offset,
)

__all__ = ["KINDS", "PER_PAGE", "SORTS", "STATUSES", "EntryFilters", "EntryPage", "list_entries"]

# The month's list sorts by date or amount (the Transactions page also by description).
SORTS = ("date_desc", "date_asc", "amount_desc", "amount_asc")


@dataclass(frozen=True)
class EntryFilters:
    kind: str = ""
    status: str = ""
    account_id: int | None = None
    category_id: int | None = None
    payment_method: str = ""
    search: str = ""
    sort: str = "date_desc"
    page: int = 1
    tag_id: int | None = None
    payee_id: int | None = None

    def with_page(self, page: int) -> EntryFilters:
        return replace(self, page=page)

    @property
    def active(self) -> bool:
        return bool(
            self.kind or self.status or self.account_id or self.category_id
            or self.payment_method or self.search or self.tag_id or self.payee_id
        )


@dataclass(frozen=True)
class EntryPage:
    items: list[TransactionRow]
    total: int
    page: int
    pages: int


def list_entries(
    session: Session, household: Household, start: date, end: date, filters: EntryFilters, today: date
) -> EntryPage:
    """One numbered page of the period's entries and transfers, plus the total count."""
    wanted = TransactionFilters(
        search=filters.search,
        kind=filters.kind,
        status=filters.status,
        account_id=filters.account_id,
        category_id=filters.category_id,
        payment_method=filters.payment_method,
        tag_id=filters.tag_id,
        payee_id=filters.payee_id,
        date_from=start,
        date_to=end,
        sort=filters.sort if filters.sort in SORTS else "date_desc",
    )
    rows, total, page = transactions_by_offset(session, household, wanted, today, filters.page)
    return EntryPage(items=rows, total=total, page=page, pages=max(1, -(-total // PER_PAGE)))
