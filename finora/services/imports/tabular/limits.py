"""The errors that name a reading limit (columns, rows, cells) and what to do instead."""

from __future__ import annotations

from typing import NoReturn

from finora.services.imports.rows import ImportFileError
from finora.translation import gettext as _


def refuse_columns(limit: int, line: int) -> NoReturn:
    raise ImportFileError(
        _(
            "Line %(line)s has more than %(limit)s columns, the most an import reads: refused.",
            line=line,
            limit=limit,
        )
    )


def refuse_rows(limit: int) -> NoReturn:
    raise ImportFileError(
        _(
            "This file has more than %(limit)s rows, the most an import here reads. Split it, or "
            "import it on the server with “flask finora import”, which has no such limit.",
            limit=f"{limit:,}".replace(",", " "),
        )
    )


def refuse_cells(limit: int) -> NoReturn:
    raise ImportFileError(
        _(
            "This file has more than %(limit)s cells, the most an import reads: refused.",
            limit=f"{limit:,}".replace(",", " "),
        )
    )
