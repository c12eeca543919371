"""The bodies and query parameters of the ledger endpoints (accounts, entries, transfers):
money read as decimal strings (`read_amount`), `type` in any case (FinanceFlow's INCOME,
PyCashFlow's Income, Finora's income), dates as YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from finora.api.schemas import Body, Query
from finora.api.schemas_planning import Amount, Id, Kind
from finora.api.schemas_planning import read_amount as _positive_amount
from finora.models.account import ACCOUNT_KINDS
from finora.models.entry import PAYMENT_METHODS
from finora.translation import gettext as _

_ZERO = re.compile(r"0{1,12}(\.0{0,2})?")


def read_balance(value: Any) -> Decimal:
    """An amount that may also be zero or negative (an opening balance; a debt is negative),
    read as `read_amount` reads a positive one."""
    negative = False
    if isinstance(value, str) and value.strip().startswith("-"):
        negative, value = True, value.strip()[1:]
        if not value or value != value.strip() or value.startswith("-"):
            raise ValueError(_("Enter an amount, such as \"1500.00\"."))
    elif isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        negative, value = True, -value
    if (isinstance(value, int | float) and not isinstance(value, bool) and value == 0) or (
            isinstance(value, str) and _ZERO.fullmatch(value.strip())):
        return Decimal("0.00")
    amount = _positive_amount(value)
    return -amount if negative else amount


def _read_account_kind(value: Any) -> str:
    if isinstance(value, str):
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        if key in ACCOUNT_KINDS:
            return key
    raise ValueError(_("Must be one of %(values)s.", values=", ".join(ACCOUNT_KINDS)))


def _read_payment_method(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in PAYMENT_METHODS:
        return value.strip().lower()
    raise ValueError(_("Must be one of %(values)s.", values=", ".join(PAYMENT_METHODS)))


Balance = Annotated[Decimal, BeforeValidator(read_balance)]
AccountKind = Annotated[str, BeforeValidator(_read_account_kind)]
PaymentMethod = Annotated[str, BeforeValidator(_read_payment_method)]


def _trimmed(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


# ---- accounts --------------------------------------------------------------------------


class AccountBody(Body):
    """POST /accounts. `include_in_forecast` left out: by kind (checking and cash count)."""

    name: str = Field(min_length=1, max_length=80)
    kind: AccountKind = "checking"
    opening_balance: Balance = Decimal("0.00")
    opening_date: dt.date | None = None
    include_in_forecast: bool | None = None
    # Credit cards only (docs/cards.md): both days or neither; the limit optional.
    closing_day: int | None = None
    due_day: int | None = None
    credit_limit: Balance | None = None
    # Credit cards only: the account the statements are paid from (null: the primary one).
    payment_account_id: Id | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("Name the account."))
        return value.strip()


class AccountUpdateBody(Body):
    """PUT /accounts/<id>: only the fields sent change. `archived` archives or restores;
    archiving an account that still holds money needs `confirm: true`."""

    name: str | None = Field(default=None, min_length=1, max_length=80)
    kind: AccountKind | None = None
    opening_balance: Balance | None = None
    opening_date: dt.date | None = None
    include_in_forecast: bool | None = None
    closing_day: int | None = None  # null (sent) clears; left out keeps
    due_day: int | None = None
    credit_limit: Balance | None = None
    payment_account_id: Id | None = None  # null (sent) clears; left out keeps
    archived: bool | None = None
    confirm: bool = False

    @field_validator("name")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError(_("Name the account."))
        return _trimmed(value)


# ---- entries ---------------------------------------------------------------------------


class SplitLineBody(Body):
    """One line of a split entry: a top category of the entry's type, optionally one of
    its subcategories, a positive amount and a note."""

    category_id: Id
    subcategory_id: Id | None = None
    amount: Amount
    note: str | None = Field(default=None, max_length=200)


# At least two lines, at most fifty (services/ledger/splits.py checks both with its message).
SplitLines = Annotated[list[SplitLineBody], Field(max_length=50)]


class EntryBody(Body):
    """POST /entries. Left out: `date` today, `account_id` the primary account,
    `category_id` the kind's catch-all category, `description` the category's name;
    `paid: true` without `paid_on` is paid today. `lines` splits the entry between
    categories (two or more, adding up to `amount`; `category_id` is then the first
    line's). `payee` and `tags` are names: a new name adds the payee or tag."""

    type: Kind
    amount: Amount
    date: dt.date | None = None
    description: str | None = Field(default=None, max_length=200)
    account_id: Id | None = None
    category_id: Id | None = None
    subcategory_id: Id | None = None
    paid: bool | None = None
    paid_on: dt.date | None = None
    notes: str | None = Field(default=None, max_length=2000)
    payment_method: PaymentMethod | None = None
    lines: SplitLines | None = None
    payee: str | None = Field(default=None, max_length=100)
    tags: list[Annotated[str, Field(max_length=50)]] | None = Field(default=None, max_length=20)


class EntryUpdateBody(Body):
    """PUT /entries/<id>: only the fields sent change (`paid_on: null` or `paid: false`
    marks it unpaid; an empty or null `description` becomes the category's name; `payee`
    null or "" clears it, `tags` replaces the entry's tags). `lines` replaces a split's
    lines (with `amount` when that changes too); `lines: []` or `null` unsplits, keeping
    the first line's category unless `category_id` is sent. A split entry's amount, type
    and category change only with its `lines`."""

    type: Kind | None = None
    amount: Amount | None = None
    date: dt.date | None = None
    description: str | None = Field(default=None, max_length=200)
    account_id: Id | None = None
    category_id: Id | None = None
    subcategory_id: Id | None = None
    paid: bool | None = None
    paid_on: dt.date | None = None
    notes: str | None = Field(default=None, max_length=2000)
    payment_method: PaymentMethod | None = None
    lines: SplitLines | None = None
    payee: str | None = Field(default=None, max_length=100)
    tags: list[Annotated[str, Field(max_length=50)]] | None = Field(default=None, max_length=20)


class PaidBody(Body):
    """POST /entries/<id>/paid: the day it was paid (default: the household's today)."""

    paid_on: dt.date | None = None


# ---- transfers -------------------------------------------------------------------------


class TransferBody(Body):
    """POST /transfers (`date` left out: today)."""

    from_account_id: Id
    to_account_id: Id
    amount: Amount
    date: dt.date | None = None
    description: str | None = Field(default=None, max_length=200)


class TransferUpdateBody(Body):
    """PUT /transfers/<id>: only the fields sent change."""

    from_account_id: Id | None = None
    to_account_id: Id | None = None
    amount: Amount | None = None
    date: dt.date | None = None
    description: str | None = Field(default=None, max_length=200)


# ---- query parameters ------------------------------------------------------------------


class MonthQuery(Query):
    """A month (default: the household's current month)."""

    year: int | None = Field(default=None, ge=1, le=9999)
    month: int | None = Field(default=None, ge=1, le=12)


def _read_entry_kind(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in ("income", "expense"):
        return value.strip().lower()
    raise ValueError(_("Choose \"income\" or \"expense\"."))


def _read_status(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in ENTRY_STATUSES:
        return value.strip().lower()
    raise ValueError(_("Must be one of %(values)s.", values=", ".join(ENTRY_STATUSES)))


ENTRY_STATUSES = ("paid", "unpaid", "pending", "overdue")


class EntryQuery(MonthQuery):
    """GET /entries: the month plus the dashboard's filters."""

    account_id: Id | None = None
    category_id: Id | None = None
    kind: Annotated[str, BeforeValidator(_read_entry_kind)] | None = None
    status: Annotated[str, BeforeValidator(_read_status)] | None = None
    payment_method: PaymentMethod | None = None
    search: str | None = Field(default=None, max_length=200)
    tag_id: Id | None = None
    payee_id: Id | None = None



