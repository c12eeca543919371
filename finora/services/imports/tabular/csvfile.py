"""Reading a CSV or text export into a Table: the shape checked with the csv module first
(a million-column or million-row file is refused before pandas allocates anything), then
the cells read by pandas as plain strings."""

from __future__ import annotations

import io

from finora.services.imports.rows import ImportFileError
from finora.services.imports.tabular.limits import refuse_cells, refuse_columns, refuse_rows
from finora.services.imports.tabular.sniff import csv_records, csv_text, detect_delimiter
from finora.services.imports.tabular.table import Table, TableOptions
from finora.translation import gettext as _


def _shape(
    text: str, delimiter: str, header_row: int, *, max_rows: int | None, max_columns: int, max_cells: int,
    preview: int | None,
) -> tuple[int, list[int], int]:
    """(the widest record's cell count, the 0-based start line of every record from the
    header on, how many records to read). Limits are checked record by record."""
    width = 0
    starts: list[int] = []
    data_rows = 0
    cells = 0
    wanted = None if preview is None else preview + (1 if header_row >= 0 else 0)
    skip = max(header_row, 0)
    for start, record in csv_records(text, delimiter):
        if start < skip:
            continue
        if len(record) > max_columns:
            refuse_columns(max_columns, start + 1)
        if wanted is not None and len(starts) >= wanted:
            break
        width = max(width, len(record))
        starts.append(start)
        cells += len(record)
        if any(cell.strip() for cell in record) and (header_row < 0 or len(starts) > 1):
            data_rows += 1
            if max_rows is not None and data_rows > max_rows:
                refuse_rows(max_rows)
        if cells > max_cells:
            refuse_cells(max_cells)
    return width, starts, len(starts)


def read_csv_table(
    data: bytes, options: TableOptions, *, max_rows: int | None, max_columns: int, max_cells: int,
    preview: int | None = None,
) -> Table:
    import pandas as pd

    text, encoding = csv_text(data, options.encoding)
    delimiter = options.delimiter or detect_delimiter(text)
    header_row = options.header_row
    width, starts, count = _shape(
        text, delimiter, header_row,
        max_rows=max_rows, max_columns=max_columns, max_cells=max_cells, preview=preview,
    )
    if header_row >= 0 and not starts:
        raise ImportFileError(
            _("The header row (line %(line)s) is past the end of the file.", line=header_row + 1)
        )
    width = max(width, 1)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            skiprows=max(header_row, 0),
            nrows=count,
            quotechar='"',
            doublequote=True,
            engine="c",
        )
    except pd.errors.ParserError as error:
        if "EOF inside string" in str(error):
            raise ImportFileError(
                _("A quoted cell in this file is never closed: the file may be cut short.")
            ) from None
        raise ImportFileError(_("This file could not be read as CSV.")) from None
    except (pd.errors.EmptyDataError, ValueError):
        raise ImportFileError(_("This file could not be read as CSV.")) from None
    records = frame.to_numpy().tolist()
    if len(records) != len(starts):
        # The csv module and pandas split the records differently (odd quoting): lines
        # then count from the header on, one per record.
        starts = [max(header_row, 0) + index for index in range(len(records))]
    options = TableOptions(encoding=encoding, delimiter=delimiter, header_row=header_row, sheet=None)
    return build_table(options, records, [start + 1 for start in starts], header_row >= 0, sheets=[])


def build_table(
    options: TableOptions, records: list[list], lines: list[int], has_header: bool, sheets: list[str]
) -> Table:
    """The Table of raw records (the header first when `has_header`): cells as str, rows
    padded to one width, blank rows left out, the header's blanks and repeats named."""
    width = max((len(record) for record in records), default=0)
    if has_header and records:
        header_cells, data, data_lines = records[0], records[1:], lines[1:]
    else:
        header_cells, data, data_lines = [], records, lines
    rows: list[list[str]] = []
    row_lines: list[int] = []
    for record, line in zip(data, data_lines, strict=False):
        cells = ["" if cell is None else str(cell) for cell in record]
        if not any(cell.strip() for cell in cells):
            continue
        cells.extend([""] * (width - len(cells)))
        rows.append(cells)
        row_lines.append(line)
    header = name_columns([str(cell or "") for cell in header_cells], width)
    first_line = row_lines[0] if row_lines else (lines[0] + (1 if has_header else 0) if lines else 1)
    return Table(
        options=options, header=header, rows=rows, first_line=first_line, sheets=sheets,
        lines=row_lines, has_header=has_header,
    )


def name_columns(cells: list[str], width: int) -> list[str]:
    """Header names: each cell trimmed, a blank one "Column N", a repeated one "Name (2)"."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for index in range(width):
        name = " ".join(cells[index].split()) if index < len(cells) else ""
        if not name:
            name = _("Column %(number)s", number=index + 1)
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        names.append(name)
    return names
