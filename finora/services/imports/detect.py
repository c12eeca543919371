"""Which import format a file is, from its content alone (never its name).

A file called "extrato.csv" may be an OFX, a QIF renamed .txt, or an .xls with the wrong
ending; the bytes decide. Files that no import can read (empty, binary, an old .xls, a
PDF statement, a zip that is not a spreadsheet, XML of another kind) are refused here with
an ImportFileError that says what the file is and what to download instead.
"""

from __future__ import annotations

import io
import re
import zipfile

from finora.services.imports.rows import ImportFileError
from finora.services.imports.text import decode_text
from finora.translation import gettext as _

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# How far into a text file the markers of a format are looked for: headers come first.
_HEAD = 8192
_CAMT_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.05[234]\.", re.IGNORECASE)
_OFX_XML = re.compile(r"<\?OFX\b|<OFX>", re.IGNORECASE)
_QIF_HEADER = re.compile(r"!(Type:|Account|Option)", re.IGNORECASE)
# MT940 tags sit at the start of a line, the first one possibly right after the "{4:" of a
# SWIFT envelope ({1:F01...}{2:O940...}{4:).
_MT940_TAG = r"(?:^|\{4:)\s*:%s"


def detect_format(data: bytes) -> str:
    """One of rows.FORMATS for `data`, or ImportFileError naming why it cannot be imported."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    start = data.lstrip()[:8]
    if data.startswith(_OLE2):
        raise ImportFileError(
            _(
                "This is an old Excel file (.xls), which cannot be read: open it and save it as .xlsx or CSV."
            )
        )
    if start.startswith(b"%PDF"):
        raise ImportFileError(
            _(
                "This is a PDF file: a bank's PDF statement cannot be read. "
                "Download the statement as CSV, OFX or another export from your bank instead."
            )
        )
    if data.startswith(_ZIP_MAGICS):
        return _zip_format(data)
    text, _encoding = decode_text(data)
    return _text_format(text)


def _zip_format(data: bytes) -> str:
    # ZipFile reads only the central directory here: nothing is extracted, so a zip bomb
    # costs nothing at this step (the XLSX reader checks sizes before opening members).
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        raise ImportFileError(
            _(
                "This zip file (or .xlsx spreadsheet) is damaged or incomplete: download or save it again."
            )
        ) from error
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        raise ImportFileError(
            _("This is an OpenDocument file (.ods), which cannot be read: save it as .xlsx or CSV.")
        )
    raise ImportFileError(
        _(
            "This zip archive is not a spreadsheet: unpack it and import the statement or spreadsheet inside."
        )
    )


def _text_format(text: str) -> str:
    head = text[:_HEAD].lstrip("\ufeff \t\r\n")
    upper = head.upper()
    if upper.startswith("OFXHEADER"):
        return "ofx"
    if head.startswith("<"):
        return _xml_format(head)
    first_line = head.split("\n", 1)[0].strip()
    if _QIF_HEADER.match(first_line):
        return "qif"
    if _is_mt940(text[: _HEAD * 4]):
        return "mt940"
    return "csv"


def _xml_format(head: str) -> str:
    if _CAMT_NAMESPACE.search(head):
        return "camt"
    if _OFX_XML.search(head):
        return "ofx"
    lowered = head[:512].lower()
    if lowered.startswith("<!doctype html") or lowered.startswith("<html") or "<html" in lowered:
        raise ImportFileError(
            _(
                'This is a web page (HTML), not a statement or spreadsheet: some banks\' "Excel" '
                "downloads are web pages. Open it in a spreadsheet and save it as .xlsx or CSV."
            )
        )
    raise ImportFileError(
        _(
            "This XML file is neither an OFX nor a CAMT (ISO 20022) bank statement, so it cannot be imported."
        )
    )


def _is_mt940(text: str) -> bool:
    def has(tag: str) -> bool:
        return re.search(_MT940_TAG % re.escape(tag), text, re.MULTILINE) is not None

    return has("20:") and has("25:") and (has("61:") or has("60F:") or has("60M:"))
