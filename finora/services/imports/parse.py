"""A staged upload read into rows: bank statements by their parser, spreadsheets through
the reading options and the column mapping the user chose."""

from __future__ import annotations

from flask import current_app

from finora.services.imports.rows import BANK_FORMATS, ImportFileError, ParsedFile
from finora.services.imports.staging import Staged, read_staged
from finora.translation import gettext as _

PREVIEW_ROWS = 20
GUESS_ROWS = 1000  # the mapping's date order and number style are guessed from these


def _limits() -> dict:
    config = current_app.config
    return {"max_columns": config["IMPORT_MAX_COLUMNS"], "max_cells": config["IMPORT_MAX_CELLS"]}


def preview_table(staged: Staged):
    """The first 20 data rows of a spreadsheet under its reading options (the mapping
    step's preview)."""
    from finora.services.imports.tabular import TableOptions, read_table

    options = TableOptions.from_dict(staged.options or {})
    return read_table(
        read_staged(staged), staged.format, options, max_rows=None, preview=PREVIEW_ROWS, **_limits()
    )


def guess_table(staged: Staged):
    """The first 1,000 data rows: enough for the mapping's guesses (a statement whose first
    20 dates fall on the 1st to the 12th would be asked about needlessly)."""
    from finora.services.imports.tabular import TableOptions, read_table

    options = TableOptions.from_dict(staged.options or {})
    return read_table(
        read_staged(staged), staged.format, options, max_rows=None, preview=GUESS_ROWS, **_limits()
    )


def parse_data(
    data: bytes, fmt: str, *, options: dict | None, mapping: dict | None, max_rows: int | None,
    accounts=None,
) -> ParsedFile:
    """Bytes of a known format into rows. A spreadsheet needs its options and mapping; a
    bank statement takes the date order and number style from the mapping when the file's
    own dates cannot tell (QIF). `accounts` (an AccountNames) makes a row naming an
    account the household cannot take an error row of the file."""
    if fmt in BANK_FORMATS:
        from finora.services.imports.formats import parse_bank

        mapping = mapping or {}
        parsed = parse_bank(
            data, fmt, date_order=mapping.get("date_order"), number_style=mapping.get("number_style")
        )
        if max_rows is not None and parsed.rows_in_file > max_rows:
            raise too_many_rows(max_rows)
        return parsed
    from finora.services.imports.tabular import (
        Mapping,
        TableOptions,
        apply_mapping,
        mapping_problems,
        read_table,
    )

    if mapping is None:
        raise ImportFileError(_("Choose the columns of the file first."))
    table = read_table(
        data, fmt, TableOptions.from_dict(options or {}), max_rows=max_rows, **_limits()
    )
    chosen = Mapping.from_dict(mapping)
    problems = mapping_problems(table, chosen)
    if problems:  # never read the values with a guessed date order or number style
        raise ImportFileError(" ".join(str(problem) for problem in problems))
    return apply_mapping(table, chosen, fmt, accounts.name_problem if accounts is not None else None)


def too_many_rows(limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows; split it, or import it from the command line.",
          limit=f"{limit:,}")
    )


def parse_staged(staged: Staged, *, max_rows: int | None, accounts=None) -> ParsedFile:
    """The staged file's rows (ImportFileError when it cannot be read; DateOrderNeeded or
    NumberStyleNeeded when the user must choose how to read a bank file's dates or
    amounts: the choice goes in staged.mapping["date_order"] / ["number_style"])."""
    return parse_data(
        read_staged(staged), staged.format, options=staged.options, mapping=staged.mapping,
        max_rows=max_rows, accounts=accounts,
    )
