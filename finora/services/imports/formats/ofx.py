"""OFX/QFX statements: OFX 1.x (SGML, leaves without closing tags) and OFX 2.x (XML).

A small parser of our own rather than a library: ofxparse has had no release since 2021
and reads files through BeautifulSoup and lxml, with no protection against XML entity
attacks; ofxtools is maintained but GPL-3, which Finora's licence cannot take in. What
Finora needs is small: the bank or credit-card statements' transactions, the account and
the currency. OFX 2.x goes through defusedxml; OFX 1.x through the tokenizer below, which
builds the same element tree, so one reader serves both.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal, InvalidOperation

from finora.services.imports.formats import (
    description_and_notes,
    statement_file,
    with_unique_bank_ids,
    zero_amount_error,
)
from finora.services.imports.formats.xml import read_xml
from finora.services.imports.rows import ImportedRow, ImportFileError, ParsedFile, RowError
from finora.translation import gettext as _

_CHARSETS = {
    "1252": "cp1252",
    "WINDOWS-1252": "cp1252",
    "ISO-8859-1": "cp1252",
    "8859-1": "cp1252",
    "LATIN1": "cp1252",
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
    "NONE": "cp1252",
}
# OFX nests about ten levels deep; a file nesting far deeper is not a statement.
_MAX_DEPTH = 40
_TAG = re.compile(r"<(/?)([A-Za-z0-9_.]+)\s*>([^<]*)")
_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})")
_PAYMENT_METHODS = {
    "ATM": "cash",
    "CASH": "cash",
    "POS": "debit_card",
    "XFER": "bank_transfer",
    "DIRECTDEP": "bank_transfer",
    "DIRECTDEBIT": "bank_transfer",
    "PAYMENT": "bank_transfer",
    "REPEATPMT": "bank_transfer",
    "CHECK": "other",
}


def parse_ofx(data: bytes) -> ParsedFile:
    """The transactions of every bank (STMTRS) and credit-card (CCSTMTRS) statement."""
    root = _read_tree(data)
    statements = [el for el in root.iter() if el.tag in ("STMTRS", "CCSTMTRS")]
    if not statements:
        raise ImportFileError(
            _(
                "This OFX file holds no bank or credit card statement (investment statements cannot be imported)."
            )
        )
    parsed = statement_file("ofx", (_account_number(statement) for statement in statements))
    position = 0
    rows: list[ImportedRow] = []
    for statement in statements:
        parsed.currency = parsed.currency or _text(statement, "CURDEF")
        credit_card = statement.tag == "CCSTMTRS"
        for transaction in statement.iterfind("BANKTRANLIST/STMTTRN"):
            position += 1
            row = _row(position, transaction, credit_card)
            if isinstance(row, RowError):
                parsed.errors.append(row)
            else:
                rows.append(row)
    parsed.rows = with_unique_bank_ids(rows)
    return parsed


def _read_tree(data: bytes) -> ET.Element:
    # OFX 2.x starts with an XML declaration and the <?OFX ...?> instruction; OFX 1.x with
    # its "OFXHEADER:100" lines (or, from a few banks, right at <OFX>, read as SGML too:
    # the tokenizer takes closed leaves as well).
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml") or b"<?OFX" in head.upper():
        return _read_xml(data)
    return _read_sgml(data)


def _read_xml(data: bytes) -> ET.Element:
    root = read_xml(
        data,
        lambda line: _(
            "This OFX file is damaged or incomplete (the XML breaks off near line %(line)s).",
            line=line,
        ),
    )
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = element.tag.upper()
    if root.tag != "OFX":
        found = root.find(".//OFX")
        if found is None:
            raise ImportFileError(_("This file has no <OFX> element: it is not an OFX statement."))
        root = found
    return root


def _sgml_text(data: bytes) -> tuple[str, str]:
    """The header (KEY:VALUE lines before the first tag) and the body as text.

    The header's CHARSET names the body's encoding, but many banks write "1252" or
    "USASCII" and then send UTF-8: bytes that decode as UTF-8 are read as UTF-8 (cp1252
    text with accents practically never does), the others in the declared charset.
    """
    cut = data.find(b"<")
    if cut < 0:
        raise ImportFileError(
            _("This OFX file holds no statement: it has a header but no <OFX> element.")
        )
    header = data[:cut].decode("ascii", errors="replace")
    fields = dict(re.findall(r"([A-Z]+)\s*:\s*([^\s]*)", header.upper()))
    body = data[cut:]
    try:
        return header, body.decode("utf-8")
    except UnicodeDecodeError:
        encoding = _CHARSETS.get(fields.get("CHARSET", "1252"), "cp1252")
        return header, body.decode(encoding, errors="replace")


def _read_sgml(data: bytes) -> ET.Element:
    """An element tree from OFX 1.x SGML.

    In SGML OFX a leaf is a tag followed by its value, with no closing tag ("<TRNAMT>-12.30");
    aggregates are always closed ("</STMTTRN>"). An opening tag with a value is a leaf; one
    without a value is an aggregate if that name is closed somewhere in the file, else an
    empty leaf ("<MEMO>" alone). Should an element taken for an aggregate never be closed
    after all, whatever was put inside it goes back to its parent when an enclosing
    aggregate closes. OFX nests a dozen levels at most: deeper is refused, which also
    keeps the work linear on hostile input.
    """
    _header, text = _sgml_text(data)
    if "</OFX>" not in text.upper():
        raise ImportFileError(
            _("This OFX file is incomplete: it ends before its closing </OFX> tag.")
        )
    tokens = _TAG.findall(text)
    closed = {name.upper() for closing, name, _value in tokens if closing}
    root = ET.Element("ROOT")
    stack = [root]
    for closing, name, value in tokens:
        name = name.upper()
        if closing:
            if not any(element.tag == name for element in stack[1:]):
                continue  # the closing tag of a leaf ("<NAME>x</NAME>") or a stray one
            while stack[-1].tag != name:
                _unwrap(stack.pop(), stack[-1])
            stack.pop()
            continue
        element = ET.SubElement(stack[-1], name)
        value = value.strip()
        if value:
            element.text = html.unescape(value)
        elif name in closed:
            if len(stack) > _MAX_DEPTH:
                raise ImportFileError(
                    _(
                        "This file nests its tags far deeper than any OFX statement does: it was refused."
                    )
                )
            stack.append(element)
    ofx = root.find("OFX")
    if ofx is None:
        raise ImportFileError(_("This file has no <OFX> element: it is not an OFX statement."))
    return ofx


def _unwrap(element: ET.Element, parent: ET.Element) -> None:
    """An element that was never closed was an empty leaf: its children become its siblings."""
    index = next(i for i in range(len(parent) - 1, -1, -1) if parent[i] is element)
    for offset, child in enumerate(list(element)):
        element.remove(child)
        parent.insert(index + 1 + offset, child)


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _account_number(statement: ET.Element) -> str | None:
    account = statement.find("BANKACCTFROM")
    if account is None:
        account = statement.find("CCACCTFROM")
    if account is None:
        return None
    parts = [_text(account, "BANKID"), _text(account, "BRANCHID"), _text(account, "ACCTID")]
    if parts[2] is None:
        return None
    return "/".join(part for part in parts if part)


def parse_ofx_amount(text: str) -> Decimal:
    """An OFX amount: signed, '.' or ',' as the decimal mark (Brazilian banks send "-12,30")."""
    cleaned = text.strip().replace(" ", "").replace("+", "")
    last = max(cleaned.rfind("."), cleaned.rfind(","))
    if last >= 0:
        cleaned = cleaned[:last].replace(".", "").replace(",", "") + "." + cleaned[last + 1 :]
    amount = Decimal(cleaned)
    if not amount.is_finite():
        raise InvalidOperation(text)
    return amount


def _row(position: int, transaction: ET.Element, credit_card: bool) -> ImportedRow | RowError:
    raw_date = _text(transaction, "DTPOSTED") or _text(transaction, "DTUSER")
    raw_amount = _text(transaction, "TRNAMT")
    cells = tuple(
        value
        for value in (raw_date, raw_amount, _text(transaction, "NAME"), _text(transaction, "MEMO"))
        if value
    )
    if raw_date is None:
        return RowError(position, _("The transaction has no date (DTPOSTED)."), cells)
    match = _DATE.match(raw_date)
    try:
        when = (
            date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
        )
    except ValueError:
        when = None
    if when is None:
        return RowError(position, _("The date “%(date)s” cannot be read.", date=raw_date), cells)
    if raw_amount is None:
        return RowError(position, _("The transaction has no amount (TRNAMT)."), cells)
    try:
        amount = parse_ofx_amount(raw_amount)
    except (InvalidOperation, ValueError):
        return RowError(
            position, _("The amount “%(amount)s” cannot be read.", amount=raw_amount), cells
        )
    zero = zero_amount_error(position, amount, cells)
    if zero is not None:
        return zero
    kind = (_text(transaction, "TRNTYPE") or "").upper()
    description, notes = description_and_notes(_description(transaction, kind), _notes(transaction))
    return ImportedRow(
        line=position,
        date=when,
        amount=amount,
        description=description,
        bank_id=_text(transaction, "FITID"),
        payment_method="credit_card" if credit_card else _PAYMENT_METHODS.get(kind),
        notes=notes,
    )


def _description(transaction: ET.Element, kind: str) -> str:
    name = " ".join((_text(transaction, "NAME") or "").split())
    memo = " ".join((_text(transaction, "MEMO") or "").split())
    if not name:
        return memo or _text(transaction, "PAYEE/NAME") or kind
    if not memo or memo.casefold() in name.casefold():
        return name
    if memo.casefold().startswith(name.casefold()):
        return memo  # OFX 1.x cuts NAME at 32 characters; the MEMO often holds all of it
    return f"{name} - {memo}"


def _notes(transaction: ET.Element) -> str | None:
    check = _text(transaction, "CHECKNUM")
    if check:
        return _("Check number %(number)s", number=check)
    return None
