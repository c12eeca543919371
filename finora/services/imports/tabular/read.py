"""read_table: a CSV/TXT or XLSX file's cells as a Table, within the import's limits."""

from __future__ import annotations

from finora.services.imports.rows import ImportFileError
from finora.services.imports.tabular.table import Table, TableOptions
from finora.translation import gettext as _


def read_table(
    data: bytes,
    fmt: str,
    options: TableOptions,
    *,
    max_rows: int | None,
    max_columns: int,
    max_cells: int,
    preview: int | None = None,
) -> Table:
    """The table `data` holds, read with `options` (as sniffed or as the user changed them).

    `max_rows` None reads every row (the command line); otherwise a file with more data
    rows is refused with an ImportFileError naming the limit. `max_columns` and
    `max_cells` always apply. `preview=N` reads only the first N data rows.
    """
    if fmt == "csv":
        from finora.services.imports.tabular.csvfile import read_csv_table

        return read_csv_table(
            data, options, max_rows=max_rows, max_columns=max_columns, max_cells=max_cells, preview=preview
        )
    if fmt == "xlsx":
        from finora.services.imports.tabular.xlsx import read_xlsx_table

        return read_xlsx_table(
            data, options, max_rows=max_rows, max_columns=max_columns, max_cells=max_cells, preview=preview
        )
    raise ImportFileError(_("This file is not a spreadsheet or CSV file."))
