"""Finding how a tabular file is written: its encoding, its delimiter, and which row is the
header (banks put a few title lines above it: "Extrato conta corrente", "Agência: 1234")."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence

from finora.services.imports.rows import ImportFileError
from finora.services.imports.tabular.table import DELIMITERS, TableOptions
from finora.services.imports.text import decode_as, decode_text
from finora.services.imports.values import parse_amount, parse_date
from finora.translation import gettext as _

SAMPLE_CHARS = 64 * 1024
SAMPLE_ROWS = 60
_LONG_TEXT = 80  # a header cell is a short label
_TITLE_FIGURES = 3  # title lines with a figure a bank may write above the header


def cell_kind(text: str) -> str:
    """'empty', 'date', 'number' or 'text'."""
    value = text.strip()
    if not value:
        return "empty"
    if any(char.isdigit() for char in value):
        for order in ("dmy", "mdy"):
            try:
                parse_date(value, order)
            except ValueError:
                continue
            return "date"
        for style in ("dot_decimal", "comma_decimal"):
            try:
                parse_amount(value, style)
            except ValueError:
                continue
            return "number"
    return "text"


def csv_records(text: str, delimiter: str, limit: int | None = None) -> Iterable[tuple[int, list[str]]]:
    """(0-based line the record starts on, its cells) for each record of the CSV, blank
    lines included as empty records; quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    start = 0
    count = 0
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num
            count += 1
            if limit is not None and count >= limit:
                return
    except csv.Error:
        raise ImportFileError(
            _("Line %(line)s of this file could not be read as CSV.", line=reader.line_num or 1)
        ) from None


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    cut = text.rfind("\n", 0, SAMPLE_CHARS)
    return text[: cut + 1] if cut > 0 else text[:SAMPLE_CHARS]


def detect_delimiter(text: str) -> str:
    """The delimiter among , ; TAB | that splits the first lines into the same number of
    cells most consistently (outside quotes); ',' when none splits anything."""
    sample = _sample(text)
    best: tuple[int, int, int] | None = None
    chosen = ","
    for rank, delimiter in enumerate(("\t", ";", ",", "|")):
        counts = [
            len(cells)
            for _line, cells in csv_records(sample, delimiter, SAMPLE_ROWS)
            if any(cell.strip() for cell in cells)
        ]
        if not counts:
            continue
        width = _widest_common(counts)
        agreeing = counts.count(width)
        if width < 2:
            continue
        score = (agreeing, width, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def _data_like(cells: Sequence[str], width: int) -> bool:
    kinds = [cell_kind(cell) for cell in cells]
    filled = [kind for kind in kinds if kind != "empty"]
    return len(filled) >= max(2, (width + 1) // 2) and ("date" in filled or "number" in filled)


def _header_like(cells: Sequence[str], width: int) -> bool:
    filled = [cell for cell in cells if cell.strip()]
    if len(filled) < max(2, (width + 1) // 2):
        return False
    # Labels only: a figure among the cells makes it a title line ("Agência;1234") or data.
    return all(cell_kind(cell) == "text" and len(cell.strip()) <= _LONG_TEXT for cell in filled)


def find_header(rows: Sequence[tuple[int, Sequence[str]]]) -> int:
    """The position (the int paired with the row) of the header among the first rows: the
    first row of mostly short text followed by a data row (a date or a number among its
    cells). -1 when the file starts with data or no such row exists."""
    filled = [(position, cells) for position, cells in rows if any(cell.strip() for cell in cells)]
    if not filled:
        return -1
    width = max(2, _widest_common(sum(1 for cell in cells if cell.strip()) for _position, cells in filled))
    data_before = 0
    for index, (position, cells) in enumerate(filled):
        following = filled[index + 1][1] if index + 1 < len(filled) else None
        if _header_like(cells, width) and (following is None or _data_like(following, width)):
            return position
        if _data_like(cells, width):
            # A title line may carry a figure ("Saldo anterior;1.234,56"); rows of data
            # before any header mean the file has none.
            data_before += 1
            if data_before > _TITLE_FIGURES:
                return -1
    return -1


def _widest_common(counts: Iterable[int]) -> int:
    """The most frequent count; the largest among equally frequent ones."""
    tally = Counter(counts)
    return max(tally, key=lambda count: (tally[count], count))


def csv_text(data: bytes, encoding: str | None) -> tuple[str, str]:
    """(text, encoding): the encoding given, or the one found."""
    if encoding:
        return decode_as(data, encoding), encoding
    return decode_text(data)


def sniff_options(data: bytes, fmt: str) -> TableOptions:
    """The options a CSV or XLSX file is most likely written with (the mapping page shows
    them and lets the user change each)."""
    if fmt == "xlsx":
        from finora.services.imports.tabular.xlsx import sample_rows

        rows, sheets, sheet = sample_rows(data, None, SAMPLE_ROWS)
        return TableOptions(
            header_row=find_header(list(enumerate(rows))), sheet=None if sheet == sheets[0] else sheet
        )
    text, encoding = decode_text(data)
    delimiter = detect_delimiter(text)
    records = list(csv_records(_sample(text), delimiter, SAMPLE_ROWS))
    return TableOptions(encoding=encoding, delimiter=delimiter, header_row=find_header(records))


__all__ = ["DELIMITERS", "cell_kind", "csv_records", "detect_delimiter", "find_header", "sniff_options"]
