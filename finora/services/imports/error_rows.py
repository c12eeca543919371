"""The rows a file could not import, as a CSV to fix and import again: the file's own
header plus the reason, UTF-8 with a BOM (so spreadsheets read the accents), and no cell
a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import re

from finora.services.imports.rows import ParsedFile
from finora.translation import gettext as _

# A plain number (a negative amount is not a formula; "-12,30" must stay importable).
_NUMBER = re.compile(r"^[+-]?[\d\s.,']*\d[\d\s.,']*$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(cell: str) -> str:
    """A cell that starts like a formula gets an apostrophe in front (OWASP's CSV
    injection advice); numbers are left alone."""
    text = "" if cell is None else str(cell)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def error_rows_csv(parsed: ParsedFile) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    widest = max((len(error.cells) for error in parsed.errors), default=0)
    if parsed.header:
        header = [*parsed.header, *[""] * (widest - len(parsed.header))]
    else:  # a bank statement: the row's number, then what the parser kept of it
        header = [_("Row"), *[""] * widest]
    writer.writerow([neutralise(cell) for cell in [*header, _("Reason")]])
    for error in sorted(parsed.errors, key=lambda e: e.line):
        cells = list(error.cells) if parsed.header else [str(error.line), *error.cells]
        cells += [""] * (len(header) - len(cells))
        writer.writerow([neutralise(cell) for cell in [*cells, error.reason]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
