"""Spreadsheets and CSV/TXT exports: how the file is written (sniff), its cells as a table
(read), which column is which (mapping), and the rows they make (apply)."""

from __future__ import annotations

from finora.services.imports.tabular.apply import apply_mapping
from finora.services.imports.tabular.mapping import ROLES, Mapping, guess_mapping, mapping_problems
from finora.services.imports.tabular.read import read_table
from finora.services.imports.tabular.sniff import sniff_options
from finora.services.imports.tabular.table import DELIMITERS, Table, TableOptions

__all__ = [
    "DELIMITERS",
    "ROLES",
    "Mapping",
    "Table",
    "TableOptions",
    "apply_mapping",
    "guess_mapping",
    "mapping_problems",
    "read_table",
    "sniff_options",
]
