"""A report's own tables as CSV and XLSX files: each table a block of the CSV (a title line,
a header row, its rows, a blank line) and a sheet of the workbook.

Cells are text, whole numbers, Decimals (money, written without the currency symbol in the
CSV, with the household's currency format in the workbook), fractions (a Rate: a percentage)
or dates. A text cell a spreadsheet would run as a formula is neutralised in the CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Rate(Decimal):
    """A fraction shown as a percentage (0.234 -> 23.4 %)."""


@dataclass
class ReportTable:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


def _text(value, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Rate):
        return format_percent(value, "#,##0.0%", locale=locale)
    if isinstance(value, Decimal):
        return format_decimal(value, "#,##0.00;-#,##0.00", locale=locale)
    if isinstance(value, date):
        return format_date(value, "short", locale=locale) if locale else value.isoformat()
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def tables_csv(tables: list[ReportTable], locale: str) -> bytes:
    """UTF-8 with a BOM (spreadsheets then read the accents), one block per table."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if locale.split("_")[0] in ("pt", "es") else ",")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([_text(table.title, locale)])
        writer.writerow([_text(h, locale) for h in table.headers])
        for row in table.rows:
            writer.writerow([_text(cell, locale) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()[:31] or "Sheet"
    name, n = clean, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.casefold())
    return name


def tables_xlsx(tables: list[ReportTable], currency_format: str) -> bytes:
    """One sheet per table: a bold header row, frozen; money with the household's currency
    format, rates as percentages, dates as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.freeze_panes = "A2"
        header = []
        for heading in table.headers:
            cell = WriteOnlyCell(sheet, value=str(heading))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
                if isinstance(value, Rate):
                    cell.number_format = "0.0%"
                elif isinstance(value, Decimal):
                    cell.number_format = currency_format
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
    if not tables:
        book.create_sheet("Report")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value):
    if isinstance(value, Decimal):
        return value  # openpyxl writes a Decimal as a number, exactly as typed
    if value is None or isinstance(value, (int, date)):
        return value
    return str(value)
