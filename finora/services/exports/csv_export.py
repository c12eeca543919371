"""Entries as CSV, streamed: UTF-8 with a BOM (spreadsheets then read the accents), the
header, then the rows in chunks, no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from finora.services.exports.columns import KEYS, NUMBER_OR_DATE, layout_for

BOM = "\ufeff"
CHUNK_ROWS = 500
# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT_COLUMNS = tuple(i for i, key in enumerate(KEYS) if key not in NUMBER_OR_DATE)


def neutralise(text: str) -> str:
    """A leading apostrophe on text that starts like a formula, also behind apostrophes
    already there ("'=x" gets another), so `restore` gives back exactly the same text.
    Other text is untouched."""
    if text.lstrip("'").startswith(FORMULA_START):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The text `neutralise` was given (for reading an export back in)."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def csv_chunks(rows: Iterable, style: str, locale: str, chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The CSV of these ExportRows, as bytes for a streaming response: the BOM and header
    first (before any row is read), then every `chunk_rows` rows.

    style "locale": translated headers and words, the locale's dates and numbers, ";"
    between cells where the comma is the decimal mark; "plain": keys, codes, ISO dates,
    "-1234.56" and ",". Amounts are numbers (a minus sign is not a formula)."""
    layout = layout_for(style, locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(header) for header in layout.headers])
    yield (BOM + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    count = 0
    cells_of = layout.cells
    for row in rows:
        cells = cells_of(row)
        for i in _TEXT_COLUMNS:
            cell = cells[i]
            if cell and cell[0] in "=+-@\t\r'":
                cells[i] = neutralise(cell)
        writer.writerow(cells)
        count += 1
        if count == chunk_rows:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            count = 0
    if count:
        yield buffer.getvalue().encode("utf-8")
