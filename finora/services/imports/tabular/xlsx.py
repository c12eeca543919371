"""Reading an XLSX workbook into a Table: the zip checked for bombs before openpyxl opens it
read-only, cached values read instead of formulas (nothing is ever calculated), cells as
text ("YYYY-MM-DD" for dates, plain dot-decimal numbers)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from finora.services.imports.rows import ImportFileError
from finora.services.imports.tabular.limits import refuse_cells, refuse_columns, refuse_rows
from finora.services.imports.tabular.table import Table, TableOptions
from finora.translation import gettext as _

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # a sheet's XML packs 10-20 times; a bomb of zeros a thousand times
_RATIO_FLOOR = 1024 * 1024  # small members (styles, themes) may pack as tight as they like
MAX_MEMBERS = 10_000
_CENT = Decimal("0.01")


def _damaged(error: BaseException | None = None) -> ImportFileError:
    """The refusal for what openpyxl raised: an XML bomb named as such (openpyxl parses
    through defusedxml), anything else a damaged file."""
    if error is not None:
        from defusedxml import DefusedXmlException

        seen = 0
        while error is not None and not isinstance(error, DefusedXmlException) and seen < 10:
            error, seen = error.__cause__ or error.__context__, seen + 1  # openpyxl wraps it
        if isinstance(error, DefusedXmlException):
            return ImportFileError(
                _("This spreadsheet holds XML entities or declarations that could expand without bound: refused.")
            )
    return ImportFileError(_("This spreadsheet is damaged or incomplete: it could not be opened."))


def check_zip(data: bytes) -> None:
    """Refuse a file that is not a workbook's zip, or that unpacks to far more than it
    weighs, before anything is decompressed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _damaged() from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ImportFileError(_("This spreadsheet holds too many parts: refused."))
        if not any(member.filename.endswith("workbook.xml") for member in members):
            raise ImportFileError(_("This zip file is not an Excel workbook (.xlsx)."))
        total = sum(member.file_size for member in members)
        if total > MAX_UNPACKED_BYTES:
            raise ImportFileError(
                _(
                    "This spreadsheet unpacks to more than %(limit)s MB: refused.",
                    limit=MAX_UNPACKED_BYTES // (1024 * 1024),
                )
            )
        for member in members:
            if member.file_size > _RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise ImportFileError(
                    _(
                        "This spreadsheet unpacks to more than %(ratio)s times its size: refused.",
                        ratio=MAX_RATIO,
                    )
                )


def cell_text(value) -> str:
    """A cell's value as the text the mapping reads."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _number_text(value)
    return str(value)


def _number_text(value: float | Decimal) -> str:
    try:
        number = value if isinstance(value, Decimal) else Decimal(repr(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    cents = number.quantize(_CENT)
    # 0.1 + 0.2 in a formula caches 0.30000000000000004: the noise goes, real digits stay.
    if abs(number - cents) < Decimal("1e-9"):
        number = cents
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _open(data: bytes):
    from openpyxl import load_workbook

    check_zip(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a broken package
        raise _damaged(error) from None


def _worksheet(workbook, sheet: str | None):
    sheets = [ws.title for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        raise ImportFileError(_("This workbook has no sheet with cells."))
    name = sheet or sheets[0]
    if name not in sheets:
        raise ImportFileError(_("This workbook has no sheet named “%(sheet)s”.", sheet=name))
    worksheet = workbook[name]
    # Rows as the file writes them, not padded to a dimension a file may state falsely.
    worksheet.reset_dimensions()
    return worksheet, sheets


def _trimmed(values) -> list[str]:
    cells = [cell_text(value) for value in values]
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def sample_rows(data: bytes, sheet: str | None, limit: int) -> tuple[list[list[str]], list[str], str]:
    """The first `limit` rows of a sheet (for sniffing), the workbook's sheet names, and
    the sheet read: `sheet`, or with None the first sheet that has a filled cell."""
    workbook = _open(data)
    try:
        worksheet, sheets = _worksheet(workbook, sheet)
        candidates = [sheet] if sheet else sheets
        rows: list[list[str]] = []
        for name in candidates:
            worksheet = workbook[name]
            worksheet.reset_dimensions()
            rows = []
            for values in worksheet.iter_rows(values_only=True):
                rows.append(_trimmed(values[:1000]))
                if len(rows) >= limit:
                    break
            if any(rows):
                return rows, sheets, name
        return rows, sheets, candidates[0]
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 - a broken sheet's XML fails in many ways
        raise _damaged(error) from None
    finally:
        workbook.close()


def read_xlsx_table(
    data: bytes, options: TableOptions, *, max_rows: int | None, max_columns: int, max_cells: int,
    preview: int | None = None,
) -> Table:
    from finora.services.imports.tabular.csvfile import build_table

    workbook = _open(data)
    try:
        worksheet, sheets = _worksheet(workbook, options.sheet)
        header_row = options.header_row
        records: list[list[str]] = []
        lines: list[int] = []
        cells = 0
        data_rows = 0
        wanted = None if preview is None else preview + (1 if header_row >= 0 else 0)
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells += max(len(values), 1)
            if cells > max_cells:
                refuse_cells(max_cells)
            if number <= header_row:
                continue
            row = _trimmed(values)
            if len(row) > max_columns:
                refuse_columns(max_columns, number)
            if wanted is not None and len(records) >= wanted:
                break
            if row and (header_row < 0 or records):
                data_rows += 1
                if max_rows is not None and data_rows > max_rows:
                    refuse_rows(max_rows)
            records.append(row)
            lines.append(number)
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 - a broken sheet's XML fails in many ways
        raise _damaged(error) from None
    finally:
        workbook.close()
    if header_row >= 0 and not records:
        raise ImportFileError(_("The header row (row %(row)s) is past the end of the sheet.", row=header_row + 1))
    options = TableOptions(encoding=None, delimiter=None, header_row=header_row, sheet=worksheet.title)
    return build_table(options, records, lines, header_row >= 0, sheets=sheets)
