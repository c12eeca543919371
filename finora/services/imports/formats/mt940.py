"""SWIFT MT940 statements, read with the mt-940 library (BSD-3-Clause).

The library splits the tags and reads the :61: statement lines (dates, debit/credit mark,
amount, references); the :86: details are read here, because banks fill them in their
own ways: German banks with "?20".."?29" subfields (and SEPA keywords such as "SVWZ+"),
Dutch banks with "/NAME/.../REMI/..." keys, others with free text over several lines.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from finora.services.imports.formats import (
    description_and_notes,
    statement_file,
    with_unique_bank_ids,
    zero_amount_error,
)
from finora.services.imports.rows import ImportedRow, ImportFileError, ParsedFile, RowError
from finora.services.imports.text import decode_text
from finora.translation import gettext as _

# SWIFT lines are at most 65 characters: a full line was wrapped by the machine (the next
# one continues the same word), a shorter one was ended by the writer (a space between).
_SWIFT_LINE = 65
_GERMAN_CHUNK = 27
_GERMAN = re.compile(r"^\s*(\d{3})\s*\?\d{2}")
_GERMAN_FIELD = re.compile(r"\?(\d{2})([^?]*)")
_SEPA_KEYWORD = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT)\+")
_DUTCH_KEYS = (
    "TRTP",
    "IBAN",
    "BIC",
    "NAME",
    "REMI",
    "EREF",
    "MARF",
    "CSID",
    "ORDP",
    "BENM",
    "ADDR",
    "PREF",
    "RTRN",
    "ISDT",
    "CDTRREF",
    "CDTRREFTP",
    "USTD",
    "STRD",
    "ID",
    "CD",
    "ISSR",
)
_DUTCH = re.compile("/({})/".format("|".join(sorted(_DUTCH_KEYS, key=len, reverse=True))))
_NO_REFERENCE = {"", "NONREF", "NOTPROVIDED"}
# :61: transaction type codes (N + three letters) that say how the money moved; the
# German business transaction codes (GVC, the three digits before "?00") where they do.
_TYPE_METHODS = {
    "TRF": "bank_transfer",
    "DDT": "bank_transfer",
    "STO": "bank_transfer",
    "CHK": "other",
    "ATM": "cash",
    "POS": "debit_card",
}
_GVC_METHODS = {"004": "debit_card", "005": "debit_card", "083": "cash", "106": "debit_card"}


def parse_mt940(data: bytes) -> ParsedFile:
    """Every :61: line of every statement (:20: block) in the file."""
    import mt940  # the library loads only when an MT940 file arrives

    text, _encoding = decode_text(data)
    blocks = [
        block
        for block in re.split(r"(?m)^(?=:20:)", _strip_envelope(text))
        if block.lstrip().startswith(":20:")
    ]
    if not blocks:
        raise ImportFileError(_("This MT940 file has no statement (no :20: tag)."))
    statements = []
    for block in blocks:
        # The collection is built directly, not through mt940.parse(), which would read a
        # file from disk if the text happened to name one. The library's own :86:
        # processor is left out: the details are read below, for every bank's style.
        transactions = mt940.models.Transactions(
            processors={"post_transaction_details": []}, options=mt940.Options.all()
        )
        try:
            transactions.parse(block)
        except Exception as error:  # the library raises many kinds on malformed input
            raise _library_error(error, mt940.tags.Tag) from error
        statements.append(transactions)
    parsed = statement_file(
        "mt940",
        ((transactions.data.get("account_identification") or "").strip()
        for transactions in statements),
    )
    rows: list[ImportedRow] = []
    position = 0
    for transactions in statements:
        parsed.currency = parsed.currency or transactions.currency
        for transaction in transactions:
            position += 1
            row = _row(position, transaction.data)
            if isinstance(row, RowError):
                parsed.errors.append(row)
            else:
                rows.append(row)
    parsed.rows = with_unique_bank_ids(rows)
    return parsed


def _library_error(error: Exception, tag_class: type[Any]) -> ImportFileError:
    """The library's error as a message for the user: the tag and the value it could not
    read when it says so (RuntimeError(message, tag, value)), else a general one."""
    args: tuple[Any, ...] = getattr(error, "args", ())
    if len(args) == 3 and isinstance(args[1], tag_class):
        value = " ".join(str(args[2]).split())
        return ImportFileError(
            _(
                "This MT940 file cannot be read: the :%(tag)s: line “%(value)s” is malformed.",
                tag=args[1].id,
                value=value[:60] + ("…" if len(value) > 60 else ""),
            )
        )
    return ImportFileError(
        _("This MT940 file cannot be read: a date or amount in it is not valid.")
    )


def _strip_envelope(text: str) -> str:
    """The message text without its SWIFT envelope ({1:...}{2:...}{4: ... -}{5:...})."""
    text = re.sub(r"\{5:(?:\{[^{}]*\})*\}", "", text)
    text = re.sub(r"\{[1235]:[^{}]*\}", "", text)
    text = text.replace("{4:", "\n")
    return re.sub(r"(?m)^-\}?\s*$", "", text)


def _row(position: int, data: dict) -> ImportedRow | RowError:
    amount_object = data.get("amount")
    when = data.get("entry_date") or data.get("date")
    details = _join_lines(data.get("transaction_details") or "")
    cells = tuple(
        str(value)
        for value in (data.get("date"), getattr(amount_object, "amount", None), details)
        if value
    )
    if not isinstance(when, date):
        return RowError(position, _("The date of this statement line cannot be read."), cells)
    if amount_object is None:
        return RowError(position, _("The transaction has no amount."), cells)
    amount = amount_object.amount
    zero = zero_amount_error(position, amount, cells)
    if zero is not None:
        return zero
    description, counterparty = _description(data.get("transaction_details") or "")
    if not description:
        description = counterparty or (data.get("extra_details") or "").strip()
    notes = (
        counterparty
        if counterparty and counterparty.casefold() not in description.casefold()
        else None
    )
    description, notes = description_and_notes(description, notes)
    return ImportedRow(
        line=position,
        date=date(when.year, when.month, when.day),
        amount=amount,
        description=description,
        bank_id=_bank_id(data, date(data["date"].year, data["date"].month, data["date"].day)),
        payment_method=_payment_method(data),
        notes=notes,
    )


def _payment_method(data: dict) -> str | None:
    match = _GERMAN.match(data.get("transaction_details") or "")
    if match and match.group(1) in _GVC_METHODS:
        return _GVC_METHODS[match.group(1)]
    code = (data.get("id") or "").strip().upper()
    return _TYPE_METHODS.get(code[1:4]) if len(code) == 4 else None


def _bank_id(data: dict, value_date: date) -> str | None:
    """The bank's reference (after "//" in :61:), with the customer's reference before it
    unless NONREF. A customer reference alone (a standing order's, a mandate's) may come
    back every month, so it is dated with the value date."""
    customer = (data.get("customer_reference") or "").strip()
    if customer.upper() in _NO_REFERENCE:
        customer = ""
    bank = (data.get("bank_reference") or "").strip()
    if bank.upper() in _NO_REFERENCE:
        bank = ""
    if bank:
        return f"{customer}//{bank}" if customer else bank
    if customer:
        return f"{value_date:%Y%m%d}/{customer}"
    return None


def _join_lines(details: str) -> str:
    lines = [line.rstrip("\r") for line in details.split("\n")]
    joined = ""
    for index, line in enumerate(lines):
        if index and len(lines[index - 1]) < _SWIFT_LINE:
            joined += " "
        joined += line
    return joined


def _description(details: str) -> tuple[str, str | None]:
    """The purpose of the payment and the counterparty, from any style of :86:."""
    if _GERMAN.match(details):
        return _german(details)
    joined = "".join(line.rstrip("\r") for line in details.split("\n"))
    if joined.startswith("/") and _DUTCH.search(joined):
        return _dutch(joined)
    return _join_lines(details), None


def _german(details: str) -> tuple[str, str | None]:
    """German structured details: "166?00GUTSCHRIFT?20...?21...?32Name?33...". Lines break
    anywhere (even inside a subfield's word), so they are joined without spaces."""
    text = "".join(line.rstrip("\r") for line in details.split("\n"))
    fields: dict[int, str] = {}
    for key, value in _GERMAN_FIELD.findall(text):
        fields[int(key)] = fields.get(int(key), "") + value
    purpose = previous = ""
    for key in (*range(20, 30), *range(60, 64)):
        chunk = fields.get(key, "")
        if not chunk:
            continue
        # Each purpose subfield holds up to 27 characters: a full one was cut by the
        # machine (mid-word), a shorter one ended where the writer ended it.
        if purpose and len(previous) < _GERMAN_CHUNK:
            purpose += " "
        purpose += chunk
        previous = chunk
    counterparty = " ".join((fields.get(32, "") + fields.get(33, "")).split()) or None
    sepa = _sepa_purpose(purpose)
    description = sepa if sepa is not None else purpose
    if not description.strip():
        description = counterparty or fields.get(0, "")
    return description, counterparty


def _sepa_purpose(purpose: str) -> str | None:
    """The text after "SVWZ+" (SEPA's remittance information) up to the next keyword."""
    match = re.search(r"SVWZ\+", purpose)
    if match is None:
        return None
    rest = purpose[match.end() :]
    following = _SEPA_KEYWORD.search(rest)
    return (rest[: following.start()] if following else rest).strip()


def _dutch(joined: str) -> tuple[str, str | None]:
    """Dutch structured details: "/TRTP/.../NAME/J. Jansen/REMI/Invoice 12/EREF/..."."""
    parts = _DUTCH.split(joined)
    values: dict[str, str] = {}
    # split() with one group gives [before, key, value, key, value, ...]
    for key, value in zip(parts[1::2], parts[2::2], strict=False):
        values.setdefault(key, value.strip().strip("/").strip())
    remittance = values.get("REMI", "")
    if values.get("USTD") and not remittance:
        remittance = values["USTD"]
    counterparty = values.get("NAME") or None
    return remittance or counterparty or values.get("TRTP", ""), counterparty
