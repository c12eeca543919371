"""What the tabular reader hands on: the options a file is read with, and the table read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finora.errors import MalformedRequestError
from finora.services.imports.text import ENCODINGS

DELIMITERS = (",", ";", "\t", "|")


@dataclass
class TableOptions:
    """How to read a CSV or a sheet. `header_row` is the 0-based index of the header among
    the raw lines of a CSV (title lines a bank writes above it are skipped) or among the
    rows of a sheet; -1 means the file has no header. `sheet` is None for the first sheet."""

    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 0
    sheet: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
            "sheet": self.sheet,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TableOptions:
        """Options saved earlier or sent by a form; anything out of place is refused."""
        data = data or {}
        encoding = data.get("encoding") or None
        delimiter = data.get("delimiter") or None
        header_row = data.get("header_row", 0)
        if isinstance(header_row, str) and header_row.lstrip("-").isdigit():
            header_row = int(header_row)
        sheet = data.get("sheet") or None
        if (
            (encoding is not None and encoding not in ENCODINGS)
            or (delimiter is not None and delimiter not in DELIMITERS)
            or isinstance(header_row, bool)
            or not isinstance(header_row, int)
            or header_row < -1
            or (sheet is not None and not isinstance(sheet, str))
        ):
            raise MalformedRequestError()
        return cls(encoding=encoding, delimiter=delimiter, header_row=header_row, sheet=sheet)


@dataclass
class Table:
    """A file's cells as text. `rows` are the data rows after the header (blank rows left
    out), every row as long as `header`; `lines` holds each row's 1-based line of the CSV
    (the line a record starts on, when a quoted cell spans lines) or row of the sheet, and
    `first_line` the first of them. `has_header` is False when the header is made up
    ("Column 1", …)."""

    options: TableOptions
    header: list[str]
    rows: list[list[str]]
    first_line: int
    sheets: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    has_header: bool = True

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.first_line + index

    def column(self, index: int) -> list[str]:
        return [row[index] for row in self.rows if index < len(row)]
