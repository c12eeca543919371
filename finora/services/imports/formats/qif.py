"""QIF (Quicken Interchange Format) files: bank, cash, credit-card and other-asset or
-liability accounts.

QIF has no fixed date or number format: each program writes its locale's ("12/31/2026",
"31/12/2026", Quicken's "1/ 2'26", "01.02.2026", "2026-01-02"; "1,234.56" or "1.234,56").
The dates and amounts of the whole file are read together to find the order and style that
fit them all; when more than one does (every day of the file 12 or below), the caller is
asked (DateOrderNeeded / NumberStyleNeeded) rather than a guess made. QIF carries no
bank id, so every row's bank_id is None. The cleared mark (C) is not read as pending: it
says whether the user reconciled the row, not whether the money moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import get_locale

from finora.money import format_amount_input
from finora.services.imports.formats import (
    DateOrderNeeded,
    NumberStyleNeeded,
    description_and_notes,
    zero_amount_error,
)
from finora.services.imports.rows import (
    ImportedRow,
    ImportFileError,
    ParsedFile,
    RowError,
    SplitPart,
)
from finora.services.imports.text import decode_text
from finora.services.imports.values import (
    detect_date_order,
    detect_number_style,
    parse_amount,
    parse_date,
)
from finora.services.ledger.splits import MAX_LINES
from finora.translation import gettext as _

# Sections whose records are transactions of the account; the payment method they imply.
_TRANSACTION_TYPES = {
    "bank": None,
    "cash": "cash",
    "ccard": "credit_card",
    "oth a": None,
    "oth l": None,
}
_INVESTMENT_TYPES = {"invst", "port"}
_QUICKEN_YEAR = re.compile(r"'\s*(\d)\s*$")


@dataclass
class _Record:
    position: int
    fields: list[tuple[str, str]] = field(default_factory=list)
    payment_method: str | None = None

    def first(self, code: str) -> str | None:
        for key, value in self.fields:
            if key == code and value.strip():
                return value.strip()
        return None

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(f"{key}{value}" for key, value in self.fields if key not in "SE$%")


def parse_qif(
    data: bytes, *, date_order: str | None = None, number_style: str | None = None
) -> ParsedFile:
    """The transactions of the file's bank-like sections; `line` is the transaction's
    1-based position in the file."""
    text, _encoding = decode_text(data)
    records, accounts, investments = _records(text)
    if not records:
        if investments:
            raise ImportFileError(
                _("This QIF file holds only investment transactions, which cannot be imported.")
            )
        raise ImportFileError(
            _("This QIF file holds no transactions (no !Type:Bank, Cash or CCard section).")
        )
    if len(accounts) > 1:
        raise ImportFileError(
            _(
                "This QIF file holds transactions of several accounts (%(accounts)s): export one account at a time.",
                accounts=", ".join(accounts),
            )
        )
    order = _date_order(records, date_order)
    style = _number_style(records, number_style)
    parsed = ParsedFile(format="qif")
    for record in records:
        row = _row(record, order, style)
        if isinstance(row, RowError):
            parsed.errors.append(row)
        else:
            parsed.rows.append(row)
    return parsed


def _records(text: str) -> tuple[list[_Record], list[str], bool]:
    """(transaction records, names of the accounts they belong to, any investment section?)"""
    records: list[_Record] = []
    accounts: list[str] = []
    section: str | None = None  # "transactions", "account", or None for lists we skip
    payment_method = None
    investments = False
    account_name: str | None = None
    current: _Record | None = None
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line.strip():
            continue
        if line.startswith("!"):
            header = line[1:].strip().lower()
            current = None
            if header.startswith("type:"):
                kind = header[5:].strip()
                if kind in _TRANSACTION_TYPES:
                    section, payment_method = "transactions", _TRANSACTION_TYPES[kind]
                else:
                    investments = investments or kind in _INVESTMENT_TYPES
                    section = None
            elif header == "account":
                section = "account"
            elif header.startswith(("option", "clear")):
                continue  # !Option:AutoSwitch and its !Clear: they only group the account list
            else:
                section = None
            continue
        if line.strip() == "^":
            if section == "transactions" and current is not None and current.fields:
                records.append(current)
                if account_name and account_name not in accounts:
                    accounts.append(account_name)
            current = None
            continue
        if section == "account":
            if line[0] == "N":
                account_name = line[1:].strip()
            continue
        if section != "transactions":
            continue
        if current is None:
            current = _Record(position=len(records) + 1, payment_method=payment_method)
        current.fields.append((line[0].upper(), line[1:]))
    if section == "transactions" and current is not None and current.fields:
        records.append(current)  # a last record without its "^"
        if account_name and account_name not in accounts:
            accounts.append(account_name)
    return records, accounts, investments


def _normal_date(text: str) -> str:
    """Quicken writes years after 2000 as "'26", and single-digit ones as "' 5"."""
    return _QUICKEN_YEAR.sub(lambda match: "'0" + match.group(1), text.strip())


def _date_order(records: list[_Record], given: str | None) -> str | None:
    if given is not None:
        return given
    values = [_normal_date(value) for record in records if (value := record.first("D"))]
    guess = detect_date_order(values)
    if guess.ambiguous:
        # Quicken's own "'26" style is the US month/day order: offered first, never assumed.
        suggested = (
            "mdy" if any("'" in value for value in values) and "mdy" in guess.possible else None
        )
        raise DateOrderNeeded(guess.possible, suggested)
    return guess.order


def _number_style(records: list[_Record], given: str | None) -> str:
    if given is not None:
        return given
    values = [value for record in records if (value := _amount_text(record))]
    guess = detect_number_style(values)
    if guess.ambiguous:
        raise NumberStyleNeeded(guess.possible)
    return guess.style or "dot_decimal"


def _amount_text(record: _Record) -> str | None:
    # T is the amount; U (a newer field, the same amount) stands in when T is missing.
    return record.first("T") or record.first("U")


def _row(record: _Record, order: str | None, style: str) -> ImportedRow | RowError:
    position, cells = record.position, record.cells
    raw_date = record.first("D")
    if raw_date is None:
        return RowError(position, _("The transaction has no date (D line)."), cells)
    when = None
    if order is not None:
        try:
            when = parse_date(_normal_date(raw_date), order)
        except ValueError:
            when = None
    if when is None:
        return RowError(position, _("The date “%(date)s” cannot be read.", date=raw_date), cells)
    raw_amount = _amount_text(record)
    if raw_amount is None:
        return RowError(position, _("The transaction has no amount (T line)."), cells)
    try:
        amount = parse_amount(raw_amount, style)
    except ValueError:
        return RowError(
            position, _("The amount “%(amount)s” cannot be read.", amount=raw_amount), cells
        )
    zero = zero_amount_error(position, amount, cells)
    if zero is not None:
        return zero
    payee, memo = record.first("P"), record.first("M")
    splits = _splits(record)
    parts = _split_parts(splits, amount, style)
    if isinstance(parts, str):
        return RowError(position, parts, cells)
    raw_category = splits[0][0] if splits else record.first("L")
    category, subcategory, transfer = _category(raw_category)
    description = payee or memo or (f"[{transfer}]" if transfer else "") or raw_category or ""
    notes_parts = []
    if memo and payee:
        notes_parts.append(memo)
    check = record.first("N")
    if check and check.isdigit():
        notes_parts.append(_("Check number %(number)s", number=check))
    description, notes = description_and_notes(description, "\n".join(notes_parts))
    return ImportedRow(
        line=position,
        date=when,
        amount=amount,
        description=description,
        category=category,
        subcategory=subcategory,
        payment_method=record.payment_method
        or ("cash" if (check or "").upper() == "ATM" else None),
        notes=notes,
        splits=parts,
    )


def _splits(record: _Record) -> list[tuple[str, str, str]]:
    """(category, amount, memo) of each split: an S line, then its E memo and $ amount."""
    splits: list[list[str]] = []
    for key, value in record.fields:
        if key == "S":
            splits.append([value.strip(), "", ""])
        elif key == "$" and splits:
            splits[-1][1] = value.strip()
        elif key == "E" and splits:
            splits[-1][2] = value.strip()
    return [(name, amount, memo) for name, amount, memo in splits]


def _split_parts(
    splits: list[tuple[str, str, str]], total: Decimal, style: str
) -> tuple[SplitPart, ...] | str:
    """The transaction's split lines (none when it has fewer than two), else why they
    cannot be imported: a line's amount unreadable or the wrong way round, or a sum that
    is not the transaction's amount. A line of zero is left out."""
    if len(splits) < 2:
        return ()
    parts = []
    for number, (name, raw, memo) in enumerate(splits, start=1):
        try:
            amount = parse_amount(raw, style)
        except ValueError:
            return _("Split line %(number)d: the amount “%(amount)s” cannot be read.", number=number, amount=raw)
        if amount == 0:
            continue
        if (amount < 0) != (total < 0):
            return _(
                "Split line %(number)d goes the other way from the transaction (%(amount)s of %(total)s): "
                "every line of a split counts in the entry's direction.",
                number=number, amount=raw, total=_plain(total),
            )
        category, subcategory, _transfer = _category(name)
        parts.append(SplitPart(category, subcategory, amount, memo or None))
    added = sum((part.amount for part in parts), Decimal(0))
    if added != total:
        return _(
            "The split lines add up to %(sum)s, not the transaction's %(total)s.",
            sum=_plain(added), total=_plain(total),
        )
    if len(parts) > MAX_LINES:
        return _("A split has at most %(count)s lines.", count=MAX_LINES)
    return tuple(parts) if len(parts) > 1 else ()


def _plain(amount: Decimal) -> str:
    """An amount of a message, written as the reader's locale writes one ("-85,00" in pt)."""
    locale = get_locale()
    return format_amount_input(amount, str(locale) if locale is not None else "en")


def _category(text: str | None) -> tuple[str | None, str | None, str | None]:
    """(category, subcategory, transfer account) of an L or S value: "Food:Groceries" is
    the category Food and its subcategory Groceries (a "/Class" suffix is dropped);
    "[Savings]" is a transfer to the account Savings, which has no category."""
    if not text:
        return None, None, None
    value = text.strip()
    if value.startswith("[") and "]" in value:
        return None, None, value[1 : value.index("]")].strip() or None
    value = value.split("/", 1)[0]
    parts = [part.strip() for part in value.split(":") if part.strip()]
    if not parts:
        return None, None, None
    return parts[0], ":".join(parts[1:]) or None, None
