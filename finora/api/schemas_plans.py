"""The bodies and query parameters of the categories, budgets and goals endpoints (docs/api.md,
"Categories, budgets and goals"): kinds and periods in any case (FinanceFlow sends
"EXPENSE"), money as decimal strings, and a query read like a body (422 with `fields`)."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from finora.api.schemas import Body, Query
from finora.api.schemas_planning import Amount, Id, read_amount
from finora.translation import gettext as _

Model = TypeVar("Model", bound=BaseModel)

NAME_MAX = 120  # goals.name; a category's 80 is checked by the service
NOTE_MAX = 500


def _read_kind(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in ("income", "expense"):
        return value.strip().lower()
    raise ValueError(_("Choose \"Income\" or \"Expense\"."))


def _read_period(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in ("monthly", "yearly"):
        return value.strip().lower()
    raise ValueError(_("Choose monthly or yearly."))


def _whole(value: Any, low: int, high: int) -> int:
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 9:
        text = int(text)
    if not isinstance(text, int) or isinstance(text, bool) or not low <= text <= high:
        raise ValueError(_("Must be from %(low)d to %(high)d.", low=low, high=high))
    return text


def read_signed_amount(value: Any) -> Decimal:
    """A contribution: a deposit ("250.00") or a withdrawal ("-250.00"), never zero."""
    if isinstance(value, str) and value.strip().startswith("-"):
        sign, value = -1, value.strip()[1:]
    elif isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        sign, value = -1, -value
    else:
        sign = 1
    if (isinstance(value, str) and re.fullmatch(r"\s*0*(\.0*)?\s*", value) and value.strip()) or (
        isinstance(value, int | float) and not isinstance(value, bool) and value == 0
    ):
        raise ValueError(_("Enter an amount other than zero."))
    return sign * read_amount(value)


Kind = Annotated[str, BeforeValidator(_read_kind)]
Period = Annotated[str, BeforeValidator(_read_period)]
Year = Annotated[int, BeforeValidator(lambda value: _whole(value, 1900, 9999))]
Month = Annotated[int, BeforeValidator(lambda value: _whole(value, 1, 12))]
SignedAmount = Annotated[Decimal, BeforeValidator(read_signed_amount)]


def _text(value: str | None, message: str) -> str | None:
    if value is not None and not value.strip():
        raise ValueError(message)
    return value.strip() if value is not None else None


# ---- categories -----------------------------------------------------------------------


class CategoryQuery(Query):
    """GET /categories: one kind (any case) and, with include_archived, archived ones too."""

    kind: Kind | None = None
    include_archived: bool = False


class CategoryBody(Body):
    """POST /categories. `kind` (or FinanceFlow's `type`) in any case; a subcategory names
    its top-level `parent_id` and takes the parent's kind when none is given."""

    name: str = Field(min_length=1, max_length=200)
    kind: Kind | None = None
    type: Kind | None = None
    parent_id: Id | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        return _text(value, _("Enter a name."))


class CategoryUpdateBody(Body):
    """PUT /categories/<id>: rename, archive (its subcategories follow) or restore."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    archived: bool | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        return _text(value, _("Enter a name."))


# ---- budgets --------------------------------------------------------------------------


class PeriodQuery(Query):
    """The month whose figures are shown (a yearly budget: that month's year); default the
    household's current month."""

    year: Year | None = None
    month: Month | None = None


class BudgetBody(Body):
    """POST /budgets: an expense category or subcategory, a period, an amount, and whether
    what each period leaves (or overspends) is carried into the next (`rollover`)."""

    category_id: Id
    period: Period = "monthly"
    amount: Amount
    rollover: bool = False


class BudgetUpdateBody(Body):
    """PUT /budgets/<id>: only the fields sent change."""

    category_id: Id | None = None
    period: Period | None = None
    amount: Amount | None = None
    rollover: bool | None = None


# ---- goals ----------------------------------------------------------------------------


class GoalBody(Body):
    """POST /goals."""

    name: str = Field(min_length=1, max_length=NAME_MAX)
    target_amount: Amount
    target_date: date | None = None
    account_id: Id | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        return _text(value, _("Name the goal."))


class GoalUpdateBody(Body):
    """PUT /goals/<id>: only the fields sent change (`target_date`/`account_id` null remove
    them)."""

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    target_amount: Amount | None = None
    target_date: date | None = None
    account_id: Id | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        return _text(value, _("Name the goal."))


class ContributionBody(Body):
    """POST /goals/<id>/contributions: a deposit, or a withdrawal with a minus sign; dated
    today when no date is given."""

    amount: SignedAmount
    date: dt.date | None = None
    note: str | None = Field(default=None, max_length=NOTE_MAX)
