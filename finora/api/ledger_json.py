"""Accounts, entries and transfers as the API writes them (docs/api.md, "Accounts, entries
and transfers"), with the response models that describe exactly those dicts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from finora.api.serialize import day, money, stamp
from finora.api.spec import Day, Money, Out, Stamp
from finora.models import Account, Entry, Transfer

# ---- response models -------------------------------------------------------------------


AccountKind = Literal["checking", "savings", "credit_card", "cash", "investment", "other"]
PaymentMethod = Literal["credit_card", "debit_card", "bank_transfer", "cash", "other"]


class AccountOut(Out):
    id: int
    name: str
    kind: AccountKind
    opening_balance: Money
    opening_date: Day
    include_in_forecast: bool
    archived: bool
    is_primary: bool
    balance: Money
    balance_date: Day
    created_at: Stamp
    closing_day: int | None
    due_day: int | None
    credit_limit: Money | None
    payment_account_id: int | None


class SplitLineOut(Out):
    category_id: int
    subcategory_id: int | None
    amount: Money
    note: str | None


class EntryOut(Out):
    id: int
    date: Day
    description: str
    amount: Money
    type: Literal["income", "expense"]
    status: Literal["paid", "pending", "overdue"]
    paid: bool
    paid_on: Day | None
    account_id: int
    category_id: int
    subcategory_id: int | None
    payment_method: PaymentMethod
    notes: str | None
    payee: str | None
    tags: list[str]
    rule_id: int | None
    occurrence_date: Day | None
    import_batch_id: int | None
    lines: list[SplitLineOut]
    created_at: Stamp
    updated_at: Stamp


class TransferOut(Out):
    id: int
    date: Day
    amount: Money
    description: str | None
    from_account_id: int
    to_account_id: int
    created_at: Stamp


# ---- objects ---------------------------------------------------------------------------


def account(row: Account, balance: Decimal, on: date) -> dict[str, Any]:
    """An account with its balance at the end of `on` (the accounts page's figure)."""
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "opening_balance": money(row.opening_balance),
        "opening_date": day(row.opening_date),
        "include_in_forecast": bool(row.include_in_forecast),
        "archived": bool(row.archived),
        "is_primary": bool(row.is_primary),
        "balance": money(balance),
        "balance_date": day(on),
        "created_at": stamp(row.created_at),
        # Credit cards (docs/cards.md); null on other accounts.
        "closing_day": row.closing_day,
        "due_day": row.due_day,
        "credit_limit": money(row.credit_limit),
        # The account the card's statements are paid from; null: the primary account.
        "payment_account_id": row.payment_account_id,
    }


def entry(row: Entry, today: date) -> dict[str, Any]:
    """An entry: `type` "income"/"expense", `amount` always positive, `status` paid,
    pending (unpaid, dated today or later) or overdue (unpaid, dated before today).
    `lines`: a split entry's category lines (they add up to `amount`; `category_id` is
    then the first line's), [] for an entry that is not split."""
    return {
        "id": row.id,
        "date": day(row.date),
        "description": row.description,
        "amount": money(row.amount),
        "type": row.kind,
        "status": row.status(today),
        "paid": row.paid_on is not None,
        "paid_on": day(row.paid_on),
        "account_id": row.account_id,
        "category_id": row.category_id,
        "subcategory_id": row.subcategory_id,
        "payment_method": row.payment_method,
        "notes": row.notes,
        "payee": row.payee.name if row.payee is not None else None,
        "tags": [tag.name for tag in row.tags],
        "rule_id": row.rule_id,
        "occurrence_date": day(row.occurrence_date),
        "import_batch_id": row.import_batch_id,
        "lines": [
            {
                "category_id": line.category_id,
                "subcategory_id": line.subcategory_id,
                "amount": money(line.amount),
                "note": line.note,
            }
            for line in row.splits
        ],
        "created_at": stamp(row.created_at),
        "updated_at": stamp(row.updated_at),
    }


def transfer(row: Transfer) -> dict[str, Any]:
    return {
        "id": row.id,
        "date": day(row.date),
        "amount": money(row.amount),
        "description": row.description,
        "from_account_id": row.from_account_id,
        "to_account_id": row.to_account_id,
        "created_at": stamp(row.created_at),
    }
