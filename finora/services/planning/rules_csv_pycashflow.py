"""PyCashFlow's schedule export read as recurring rules: its header, its words, and the
household's defaults for what it does not carry (account, category, the other columns).

PyCashFlow (github.com/whahn1983/pycashflow, app/files.py) exports
`Name,Amount,Type,Frequency,Next Date` and, since it keeps the first date too,
`...,First Date`: the amount as a plain decimal ("1500.00"), the type Income or Expense,
the frequency Monthly, Weekly, BiWeekly, Quarterly, Yearly or Onetime, ISO dates. A
hand-written variant with `Day` (a date, or a day of the month) instead of `Next Date`
is read too. The next date becomes the rule's start date (what is due from it on is
posted as for any imported rule); the first date, a past occurrence, is not used.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.dates import today
from finora.models import Category, Household
from finora.money import MoneyError, parse_amount
from finora.services.imports.suggest import default_pair
from finora.services.ledger.accounts import primary_account
from finora.services.planning.rules_csv_format import (
    NO_CATEGORY,
    CategoryPair,
    RowReader,
    Vocabulary,
    _CellError,
    key,
)
from finora.translation import lazy_gettext as _l

# The file's header (compared loosely) -> the rule column it fills; None: read, not used.
HEADERS = {
    "name": "name",
    "amount": "amount",
    "type": "kind",
    "frequency": "frequency",
    "next date": "start_date",
    "day": "start_date",
    "first date": None,
}
FREQUENCIES = {
    "Monthly": "monthly",
    "Weekly": "weekly",
    "BiWeekly": "biweekly",
    "Quarterly": "quarterly",
    "Yearly": "yearly",
    "Onetime": "once",
}
_SPELLINGS = {
    **{key(word): code for word, code in FREQUENCIES.items()},
    "bi-weekly": "biweekly",
    "bi weekly": "biweekly",
    "one time": "once",
    "one-time": "once",
}
# PyCashFlow once stored the next date with a time of day.
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]00:00(:00)?")


def pycashflow_columns(cells: list[str]) -> dict[str, int] | None:
    """Each rule column's position when the header is PyCashFlow's (only its columns, with
    name, amount, type, frequency and one of next date/day); None for any other header."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = key(cell)
        if not name:
            continue
        if name not in HEADERS or name in found:
            return None
        found[name] = index
    if "next date" in found and "day" in found:
        return None
    if not {"name", "amount", "type", "frequency"} <= found.keys() or not (
        "next date" in found or "day" in found
    ):
        return None
    # A column read but not used keeps its place, so the row's width is the header's.
    return {HEADERS[name] or name.replace(" ", "_"): index for name, index in found.items()}


def column_names(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    """The file's own header for each rule column, so a problem names the column it saw."""
    return {code: cells[index].strip() for code, index in columns.items()}


class PyCashFlowRowReader(RowReader):
    """A PyCashFlow row: its words and its plain decimals; the household's primary account
    and each kind's catch-all category ("Other" / "Miscellaneous") for every rule."""

    def __init__(self, session: Session, household: Household, locale: str, words: Vocabulary):
        super().__init__(session, household, locale, words)
        self.today = today(household)
        account = primary_account(session, household)
        self.default_account = account.id if account is not None else None
        categories = list(
            session.scalars(select(Category).where(Category.household_id == household.id))
        )
        self.default_categories = {kind: default_pair(categories, kind) for kind in ("income", "expense")}

    def _amount(self, text: str) -> Decimal:
        try:  # PyCashFlow writes Python's decimals whatever the language: 1500.00
            amount = parse_amount(text, "en")
        except MoneyError as error:
            raise _CellError(error.message) from error
        if amount <= 0:
            raise _CellError(_l("Enter a positive amount."))
        return amount

    def _frequency(self, text: str) -> str:
        code = _SPELLINGS.get(key(text)) or self.frequencies.accepted.get(key(text))
        if code is None:
            raise _CellError(
                _l("Enter how often it repeats: %(choices)s.", choices=", ".join(FREQUENCIES))
            )
        return code

    def _start_date(self, text: str) -> date:
        if not text:
            raise _CellError(_l("Enter the date of the first occurrence."))
        if text.isdigit():
            return self._next_day_of_month(int(text))
        match = _DATE_TIME.fullmatch(text)
        return self._date(match.group(1) if match else text)

    def _next_day_of_month(self, day: int) -> date:
        """The first date from today on that falls on this day of the month (the 31st waits
        for a month that has one, so the rule keeps its day)."""
        if not 1 <= day <= 31:
            raise _CellError(_l("Enter a real date, such as 2026-03-31."))
        candidate = self.today
        while candidate.day != day:
            candidate += timedelta(days=1)
        return candidate

    def _category(self, text: str, kind: str) -> CategoryPair:
        if not kind:  # the type is wrong; there is no category to choose
            return NO_CATEGORY
        pair = self.default_categories[kind]
        if pair is None:
            raise _CellError(_l("Enter a category."))
        return pair

    def _account(self, text: str) -> int:
        if self.default_account is None:
            raise _CellError(_l("The household has no account for these rules; add one first."))
        return self.default_account
