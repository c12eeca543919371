"""What every import parser hands on: rows with a signed amount, and row errors.

A parser (bank formats in `formats/`, spreadsheets in `tabular/`) reads a file into a
`ParsedFile`; the review (`review.py`) decides what each row becomes. Nothing here touches
the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from finora.errors import FinoraError
from finora.translation import lazy_gettext as _l

FORMATS = ("csv", "xlsx", "ofx", "qif", "camt", "mt940")
TABULAR_FORMATS = frozenset({"csv", "xlsx"})
BANK_FORMATS = frozenset({"ofx", "qif", "camt", "mt940"})


# The field ImportedRow.date hides the type in the annotations after it.
_Date = date


class ImportFileError(FinoraError):
    """A file that cannot be read at all: the message names the problem, nothing is written."""

    message = _l("This file could not be read.")
    status = 400


@dataclass(frozen=True)
class SplitPart:
    """One category line of a split transaction (QIF's S/E/$ lines): `amount` is signed
    like the row's, and the parts add up to the row's amount exactly."""

    category: str | None
    subcategory: str | None
    amount: Decimal
    note: str | None = None


@dataclass(frozen=True)
class ImportedRow:
    """One movement of money as the file states it.

    `line` is where the user finds the row in the file (1-based: the line of a CSV, the
    row of a sheet, the transaction's position in a statement). `amount` is signed:
    negative is money out. `kind` is set only when the file says it in words (a
    "debit/credit" column); otherwise the sign decides. `account` is the account's name
    when the file names one per row (Finora's own export); None means the account chosen
    for the whole file. `paid_on` is the day a paid row was paid when the file says it
    (None: paid on its date, when `paid`).
    """

    line: int
    date: date
    amount: Decimal
    description: str
    bank_id: str | None = None
    kind: str | None = None
    category: str | None = None
    subcategory: str | None = None
    payment_method: str | None = None
    notes: str | None = None
    paid: bool = True
    account: str | None = None
    paid_on: _Date | None = None
    payee: str | None = None
    tags: tuple[str, ...] = ()
    # Two or more category lines (QIF splits): the entry is split into them.
    splits: tuple[SplitPart, ...] = ()

    @property
    def entry_kind(self) -> str:
        if self.kind is not None:
            return self.kind
        return "expense" if self.amount < 0 else "income"

    @property
    def magnitude(self) -> Decimal:
        return abs(self.amount)

    @property
    def signed_amount(self) -> Decimal:
        """Negative for money out, whatever told us the kind."""
        return -self.magnitude if self.entry_kind == "expense" else self.magnitude


@dataclass(frozen=True)
class RowError:
    """A row that cannot become an entry, with the reason in the user's language and the
    row's original cells (for the CSV of rows to fix and import again)."""

    line: int
    reason: str
    cells: tuple[str, ...] = ()


@dataclass
class ParsedFile:
    format: str
    rows: list[ImportedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The account the statement is for, as the bank writes it (IBAN, branch/account).
    account_number: str | None = None
    currency: str | None = None
    # Tabular files: the header cells, so error rows go back out under the same header.
    header: tuple[str, ...] = ()

    @property
    def rows_in_file(self) -> int:
        return len(self.rows) + len(self.errors)
