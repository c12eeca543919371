"""Bank statement formats (OFX, QIF, CAMT, MT940): bytes in, a ParsedFile out.

Each parser lives in its own module and is imported only when a file of its kind arrives.
Every parser numbers its rows by the transaction's 1-based position in the statement (the
n-th transaction of the file; a batched CAMT entry gives each of its parts its own number),
so a row's `line` is the same for the review, the error list and a later re-import.
Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from finora.services.imports.rows import (
    BANK_FORMATS,
    ImportedRow,
    ImportFileError,
    ParsedFile,
    RowError,
)
from finora.translation import gettext as _

# Entry.description is a String(200); a longer text is cut there and kept whole in the notes.
DESCRIPTION_MAX = 200
_SPACES = re.compile(r"\s+")


class DateOrderNeeded(ImportFileError):
    """The file's dates fit more than one order (10/11/2026 with no day above 12): the page
    asks which, and calls parse_bank again with `date_order`."""

    def __init__(self, possible: Sequence[str], suggested: str | None = None) -> None:
        self.possible = tuple(possible)
        self.suggested = suggested
        super().__init__(
            _("The dates of this file can be read in more than one order: choose the date order.")
        )


class NumberStyleNeeded(ImportFileError):
    """The file's amounts fit both "1.234,56" and "1,234.56": the page asks which, and calls
    parse_bank again with `number_style`."""

    def __init__(self, possible: Sequence[str], suggested: str | None = None) -> None:
        self.possible = tuple(possible)
        # Like DateOrderNeeded: a style to pre-select, never one applied without asking.
        self.suggested = suggested
        super().__init__(
            _("The amounts of this file can be read in more than one way: choose the number style.")
        )


def parse_bank(
    data: bytes, fmt: str, *, date_order: str | None = None, number_style: str | None = None
) -> ParsedFile:
    """Read a bank statement of format `fmt` (one of BANK_FORMATS).

    `date_order` and `number_style` matter only for QIF, the one bank format whose dates and
    amounts follow the writer's locale; the others have fixed layouts.
    """
    if fmt not in BANK_FORMATS:
        raise ValueError(f"not a bank format: {fmt!r}")
    if fmt == "ofx":
        from finora.services.imports.formats.ofx import parse_ofx

        return parse_ofx(data)
    if fmt == "qif":
        from finora.services.imports.formats.qif import parse_qif

        return parse_qif(data, date_order=date_order, number_style=number_style)
    if fmt == "camt":
        from finora.services.imports.formats.camt import parse_camt

        return parse_camt(data)
    from finora.services.imports.formats.mt940 import parse_mt940

    return parse_mt940(data)


def clean_text(text: str | None) -> str:
    """Trimmed, every run of whitespace (line breaks included) made one space."""
    return _SPACES.sub(" ", text or "").strip()


def description_and_notes(
    description: str | None, notes: str | None = None
) -> tuple[str, str | None]:
    """The description cleaned and cut to the Entry column; a longer one is kept whole in
    the notes (before any notes already there)."""
    text = clean_text(description)
    notes = (notes or "").strip() or None
    if len(text) > DESCRIPTION_MAX:
        full = text
        text = text[: DESCRIPTION_MAX - 1].rstrip() + "…"
        notes = f"{full}\n{notes}" if notes else full
    return text, notes


def zero_amount_error(line: int, amount: Decimal, cells: tuple[str, ...] = ()) -> RowError | None:
    """The RowError for an amount of zero (no entry can hold it), else None."""
    if amount == 0:
        return RowError(line, _("The amount is zero."), cells)
    return None


def with_unique_bank_ids(rows: list[ImportedRow]) -> list[ImportedRow]:
    """The rows with bank ids repeated inside one file told apart inside one file told apart ("ID", "ID#2", "ID#3").

    Some banks (several Brazilian ones among them) give two different transactions of one
    statement the same FITID; taken as is, the second would pass for a duplicate of the
    first and be lost. Numbering the repeats in file order keeps both, and a re-import of
    the same file numbers them the same way.
    """
    seen: dict[str, int] = {}
    result: list[ImportedRow] = []
    for row in rows:
        if row.bank_id is None:
            result.append(row)
            continue
        seen[row.bank_id] = seen.get(row.bank_id, 0) + 1
        count = seen[row.bank_id]
        result.append(row if count == 1 else replace(row, bank_id=f"{row.bank_id}#{count}"))
    return result


def statement_file(fmt: str, numbers: Iterable[str | None]) -> ParsedFile:
    """An empty ParsedFile for a statement whose parts name these account numbers: one
    account at most (a file of several accounts is refused, it would mix them)."""
    distinct: list[str] = []
    for number in numbers:
        if number and number not in distinct:
            distinct.append(number)
    if len(distinct) > 1:
        raise several_accounts_error(distinct)
    return ParsedFile(format=fmt, account_number=distinct[0] if distinct else None)


def several_accounts_error(numbers: Sequence[str]) -> ImportFileError:
    return ImportFileError(
        _(
            "This file holds statements of several accounts (%(accounts)s): download one account at a time.",
            accounts=", ".join(numbers),
        )
    )
