"""ISO 20022 CAMT statements: camt.053 (statement), camt.052 (intraday report) and camt.054
(debit/credit notification), any version of their namespaces.

No maintained, permissively licensed CAMT reader exists for Python (the few on PyPI are
abandoned, GPL, or tied to one bank's dialect), so this is a small reader of the parts
Finora needs, through defusedxml: a document type or entity declaration (the "billion
laughs" bomb, external entities) is refused before anything is expanded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import cast

from finora.services.imports.formats import (
    description_and_notes,
    statement_file,
    with_unique_bank_ids,
    zero_amount_error,
)
from finora.services.imports.formats.xml import read_xml
from finora.services.imports.rows import ImportedRow, ImportFileError, ParsedFile, RowError
from finora.translation import gettext as _

# The statement-like parts of each message kind: Stmt (053), Rpt (052), Ntfctn (054).
_STATEMENTS = ("BkToCstmrStmt/Stmt", "BkToCstmrAcctRpt/Rpt", "BkToCstmrDbtCdtNtfctn/Ntfctn")
_NOT_PROVIDED = "NOTPROVIDED"
# Bank transaction codes (BkTxCd/Domn) that say how the money moved.
_FAMILY_METHODS = {
    "ICDT": "bank_transfer",
    "RCDT": "bank_transfer",
    "IDDT": "bank_transfer",
    "RDDT": "bank_transfer",
    "CCRD": "debit_card",
    "MCRD": "debit_card",
}
_SUBFAMILY_METHODS = {
    "CWDL": "cash",
    "CDPT": "cash",
    "POSD": "debit_card",
    "POSC": "credit_card",
    "CHRG": None,
}


def parse_camt(data: bytes) -> ParsedFile:
    """Every entry (Ntry) of every statement, report or notification in the file."""
    root = _read_tree(data)
    statements = [found for path in _STATEMENTS for found in root.iterfind(path)]
    if not statements:
        raise ImportFileError(_("This CAMT file holds no statement, report or notification."))
    parsed = statement_file(
        "camt",
        (_text(statement, "Acct/Id/IBAN") or _text(statement, "Acct/Id/Othr/Id")
        for statement in statements),
    )
    rows: list[ImportedRow] = []
    position = 0
    for statement in statements:
        parsed.currency = parsed.currency or _text(statement, "Acct/Ccy")
        for entry in statement.iterfind("Ntry"):
            for result in _entry_rows(entry, position):
                position += 1
                if isinstance(result, RowError):
                    parsed.errors.append(result)
                else:
                    rows.append(result)
                    parsed.currency = parsed.currency or _currency(entry)
    parsed.rows = with_unique_bank_ids(rows)
    return parsed


def _read_tree(data: bytes) -> ET.Element:
    return read_xml(
        data,
        lambda line: _(
            "This CAMT file is damaged or incomplete (the XML breaks off near line %(line)s).",
            line=line,
        ),
    )


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _currency(entry: ET.Element) -> str | None:
    amount = entry.find("Amt")
    return amount.get("Ccy") if amount is not None else None


def _amount(element: ET.Element, path: str) -> Decimal | None:
    text = _text(element, path)
    if text is None:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _signed(amount: Decimal, indicator: str | None) -> Decimal:
    return -amount if (indicator or "").upper() == "DBIT" else amount


def _entry_date(entry: ET.Element) -> tuple[date | None, str | None]:
    """The booking date (Dt or the date of DtTm), else the value date; and the raw text."""
    for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
        raw = _text(entry, path)
        if raw is None:
            continue
        try:
            return date.fromisoformat(raw[:10]), raw
        except ValueError:
            return None, raw
    return None, None


def _status(entry: ET.Element) -> str:
    # camt.053.001.02-.07 write <Sts>BOOK</Sts>; .08 and later <Sts><Cd>BOOK</Cd></Sts>.
    return (_text(entry, "Sts/Cd") or _text(entry, "Sts") or "BOOK").upper()


def _transaction_amount(details: ET.Element) -> Decimal | None:
    amount = _amount(details, "AmtDtls/TxAmt/Amt")
    if amount is None:
        amount = _amount(details, "Amt")
    return amount


def _entry_rows(entry: ET.Element, before: int) -> list[ImportedRow | RowError]:
    """One row for the entry, or one per TxDtls of a batched entry (a collective transfer,
    a card-settlement batch) when each part states its own amount and the parts add up to
    the entry; otherwise one row for the whole entry, so the balance stays right."""
    indicator = _text(entry, "CdtDbtInd")
    when, raw_date = _entry_date(entry)
    raw_amount = _text(entry, "Amt")
    total = _amount(entry, "Amt")
    cells = tuple(
        value for value in (raw_date, raw_amount, indicator, _text(entry, "AcctSvcrRef")) if value
    )
    position = before + 1
    if when is None:
        if raw_date is None:
            return [RowError(position, _("The entry has no booking or value date."), cells)]
        return [RowError(position, _("The date “%(date)s” cannot be read.", date=raw_date), cells)]
    if total is None:
        if raw_amount is None:
            return [RowError(position, _("The entry has no amount."), cells)]
        return [
            RowError(
                position, _("The amount “%(amount)s” cannot be read.", amount=raw_amount), cells
            )
        ]
    total = _signed(total, indicator)
    parts = entry.findall("NtryDtls/TxDtls")
    paid = _status(entry) == "BOOK"
    if len(parts) > 1:
        amounts = [_transaction_amount(part) for part in parts]
        if all(amount is not None for amount in amounts):
            signed = [
                _signed(cast(Decimal, amount), _text(part, "CdtDbtInd") or indicator)  # all() above
                for amount, part in zip(amounts, parts, strict=True)
            ]
            if sum(signed) == total:
                return [
                    _make_row(position + index, entry, part, amount, when, paid, index + 1, cells)
                    for index, (part, amount) in enumerate(zip(parts, signed, strict=True))
                ]
    return [
        _make_row(
            position, entry, parts[0] if len(parts) == 1 else None, total, when, paid, None, cells
        )
    ]


def _make_row(
    position: int,
    entry: ET.Element,
    part: ET.Element | None,
    amount: Decimal,
    when: date,
    paid: bool,
    index: int | None,
    cells: tuple[str, ...],
) -> ImportedRow | RowError:
    zero = zero_amount_error(position, amount, cells)
    if zero is not None:
        return zero
    description, counterparty = _description(entry, part, amount)
    notes = (
        counterparty
        if counterparty and counterparty.casefold() not in description.casefold()
        else None
    )
    description, notes = description_and_notes(description, notes)
    return ImportedRow(
        line=position,
        date=when,
        amount=amount,
        description=description,
        bank_id=_bank_id(entry, part, index),
        payment_method=_payment_method(
            part if part is not None and part.find("BkTxCd") is not None else entry
        ),
        notes=notes,
        paid=paid,
    )


def _bank_id(entry: ET.Element, part: ET.Element | None, index: int | None) -> str | None:
    entry_ref = _text(entry, "AcctSvcrRef")
    if index is None and entry_ref:
        return entry_ref
    if part is not None:
        reference = _text(part, "Refs/AcctSvcrRef")
        if reference:
            return reference
        end_to_end = _text(part, "Refs/EndToEndId")
        if end_to_end and end_to_end.upper() != _NOT_PROVIDED:
            return end_to_end
    if entry_ref:
        return f"{entry_ref}/{index}" if index is not None else entry_ref
    return None


def _party_name(part: ET.Element, role: str) -> str | None:
    # Up to .07 the name sits in RltdPties/Cdtr/Nm; from .08 in RltdPties/Cdtr/Pty/Nm.
    return _text(part, f"RltdPties/{role}/Nm") or _text(part, f"RltdPties/{role}/Pty/Nm")


def _description(
    entry: ET.Element, part: ET.Element | None, amount: Decimal
) -> tuple[str, str | None]:
    """Remittance text, else the counterparty's name, else the bank's free text; and the
    counterparty (the creditor of money going out, the debtor of money coming in)."""
    counterparty = None
    remittance = ""
    if part is not None:
        role, other = ("Cdtr", "Dbtr") if amount < 0 else ("Dbtr", "Cdtr")
        counterparty = _party_name(part, role) or _party_name(part, other)
        remittance = " ".join(
            element.text.strip()
            for element in part.iterfind("RmtInf/Ustrd")
            if element.text and element.text.strip()
        )
        if not remittance:
            remittance = _text(part, "RmtInf/Strd/CdtrRefInf/Ref") or ""
        if not remittance:
            remittance = _text(part, "AddtlTxInf") or ""
    text = remittance or counterparty or _text(entry, "AddtlNtryInf") or ""
    if not text and part is None:
        # a batch kept as one row: what its parts say, one after the other
        texts = [_description(entry, each, amount)[0] for each in entry.iterfind("NtryDtls/TxDtls")]
        text = "; ".join(each for each in texts if each)
    return text, counterparty


def _payment_method(element: ET.Element) -> str | None:
    family = _text(element, "BkTxCd/Domn/Fmly/Cd")
    subfamily = _text(element, "BkTxCd/Domn/Fmly/SubFmlyCd")
    if subfamily in _SUBFAMILY_METHODS:
        return _SUBFAMILY_METHODS[subfamily]
    return _FAMILY_METHODS.get(family or "")
