"""Big files for the command line: a CSV read chunk by chunk (the same decoding, record
splitting and table building as the page's reader, without holding every row as cells at
once), and any parsed rows cut into chunks, so a 100,000-row file imports in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from finora.services.imports.rows import ImportedRow, RowError

CHUNK_ROWS = 5000


@dataclass
class Chunk:
    rows: list[ImportedRow]
    errors: list[RowError]
    done: int  # progress: lines (CSV) or rows read so far


class CsvStream:
    """The data rows of a CSV as Tables of at most `chunk_rows` rows, each with the header."""

    def __init__(self, data: bytes, options, *, max_columns: int, chunk_rows: int = CHUNK_ROWS) -> None:
        from finora.services.imports.tabular import TableOptions
        from finora.services.imports.tabular.sniff import csv_text, detect_delimiter

        self.text, encoding = csv_text(data, options.encoding)
        delimiter = options.delimiter or detect_delimiter(self.text)
        self.options = TableOptions(
            encoding=encoding, delimiter=delimiter, header_row=options.header_row, sheet=None
        )
        self.max_columns, self.chunk_rows = max_columns, chunk_rows
        self.total_lines = self.text.count("\n") + 1

    def tables(self, chunk_rows: int | None = None) -> Iterator[tuple[object, int]]:
        """(Table, the last line read) per chunk; one header-only Table for a file without
        data rows."""
        size = chunk_rows or self.chunk_rows
        yielded = False
        from finora.services.imports.tabular.csvfile import build_table
        from finora.services.imports.tabular.limits import refuse_columns
        from finora.services.imports.tabular.sniff import csv_records

        header_row = self.options.header_row
        header: list[str] | None = None
        header_line = 0
        records: list[list[str]] = []
        lines: list[int] = []

        def table():
            if header is None:
                return build_table(self.options, records, lines, False, [])
            return build_table(self.options, [header, *records], [header_line, *lines], True, [])

        delimiter = cast(str, self.options.delimiter)  # __init__ always settles one
        for start, record in csv_records(self.text, delimiter):
            if start < max(header_row, 0):
                continue
            if len(record) > self.max_columns:
                refuse_columns(self.max_columns, start + 1)
            if header_row >= 0 and header is None:
                header, header_line = record, start + 1
                continue
            records.append(record)
            lines.append(start + 1)
            if len(records) >= size:
                yield table(), start + 1
                yielded = True
                records, lines = [], []
        if records or not yielded:
            yield table(), self.total_lines

    def first_table(self, rows: int):
        """The header and the first `rows` data rows (to guess the mapping from)."""
        return next(iter(self.tables(rows)))[0]


def chunked(rows: list[ImportedRow], errors: list[RowError], size: int = CHUNK_ROWS) -> Iterator[Chunk]:
    """A parsed file's rows in chunks (its errors go with the first)."""
    if not rows:
        yield Chunk([], list(errors), 0)
        return
    for start in range(0, len(rows), size):
        part = rows[start : start + size]
        yield Chunk(part, list(errors) if start == 0 else [], start + len(part))
