"""apply_mapping: a table's rows, read through a mapping, as the rows every parser hands on
(or, for a row that cannot be an entry, the reason in words)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from finora.dates import check_date, date_window
from finora.errors import FieldError
from finora.services.imports.rows import ImportedRow, ParsedFile, RowError
from finora.services.imports.tabular.mapping import Mapping, order_label
from finora.services.imports.tabular.split_rows import SplitGroups, split_mark
from finora.services.imports.tabular.table import Table
from finora.services.imports.tabular.words import kind_of, paid_of, payment_method_of
from finora.services.imports.values import DateDoesNotExist, parse_amount, parse_date
from finora.services.ledger.splits import MAX_LINES
from finora.translation import gettext as _

DESCRIPTION_MAX = 200  # Entry.description is a String(200)


# The method _Reader.date hides the type in the annotations after it.
_Date = date

class _RowProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_CONTROLS = dict.fromkeys([*range(0x00, 0x20), *range(0x7F, 0xA0)], " ")


def _text(value: str) -> str:
    """Whitespace collapsed; control characters (a stray byte read as latin-1) dropped."""
    return " ".join(value.translate(_CONTROLS).split())


def _lines(value: str) -> str:
    """Like _text, line by line: notes keep their line breaks (CRLF and CR become LF)."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_text(line) for line in lines).strip("\n")


# What a spreadsheet would run as a formula. Finora's export (and the advice it follows,
# OWASP's on CSV injection) puts an apostrophe before such a cell; it is taken off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def unguard(value: str) -> str:
    """"'=SUM(A1)" -> "=SUM(A1)": one leading apostrophe is dropped when, after the
    apostrophes, a formula character follows; any other apostrophe stays. The export adds
    one to such a cell even when it already starts with apostrophes ("'=x" is written
    "''=x"), so every text comes back exactly."""
    if value.startswith("'") and value.lstrip("'").startswith(_FORMULA_START):
        return value[1:]
    return value


class _Reader:
    """Reads one row's cells through the mapping; dates and amounts met before are
    remembered (a statement repeats its dates hundreds of times)."""

    def __init__(self, mapping: Mapping) -> None:
        self.columns = mapping.columns
        self.order = mapping.date_order or "ymd"
        self.style = mapping.number_style or "dot_decimal"
        self.dates: dict[str, date] = {}

    def cell(self, cells: list[str], role: str) -> str:
        index = self.columns.get(role)
        return unguard(cells[index]) if index is not None and index < len(cells) else ""

    def date(self, cells: list[str], role: str = "date") -> date:
        raw = self.cell(cells, role).strip()
        if not raw:
            raise _RowProblem(_("The date is empty."))
        known = self.dates.get(raw)
        if known is not None:
            return known
        try:
            day = parse_date(raw, self.order)
        except DateDoesNotExist:
            raise _RowProblem(_("The date “%(value)s” does not exist.", value=raw)) from None
        except ValueError:
            raise _RowProblem(
                _("“%(value)s” is not a date written as %(order)s.", value=raw, order=order_label(self.order))
            ) from None
        try:
            check_date(day, "date")
        except FieldError:
            first, last = date_window()
            raise _RowProblem(
                _(
                    "The date “%(value)s” is outside the years %(first)s to %(last)s.",
                    value=raw, first=first.year, last=last.year,
                )
            ) from None
        self.dates[raw] = day
        return day

    def number(self, raw: str) -> Decimal:
        try:
            return parse_amount(raw, self.style)
        except ValueError as error:
            if "more than two decimals" in str(error):
                raise _RowProblem(_("The amount “%(value)s” has more than two decimals.", value=raw)) from None
            raise _RowProblem(_("The amount “%(value)s” is not a number.", value=raw)) from None

    def amount(self, cells: list[str]) -> tuple[Decimal, str | None]:
        """(signed amount, kind the file states in words or None)."""
        if "amount" in self.columns:
            raw = self.cell(cells, "amount").strip()
            if not raw:
                raise _RowProblem(_("The amount is empty."))
            value = self.number(raw)
            if value == 0:
                raise _RowProblem(_("The amount is zero."))
            if "kind" not in self.columns:
                return value, None
            word = self.cell(cells, "kind").strip()
            if not word:
                return value, None
            kind = kind_of(word)
            if kind is None:
                raise _RowProblem(_("The type “%(value)s” is neither income nor expense.", value=word))
            return (abs(value) if kind == "income" else -abs(value)), kind
        debit_raw = self.cell(cells, "debit").strip()
        credit_raw = self.cell(cells, "credit").strip()
        debit = self.number(debit_raw) if debit_raw else Decimal(0)
        credit = self.number(credit_raw) if credit_raw else Decimal(0)
        if debit and credit:
            raise _RowProblem(_("Both debit and credit are filled."))
        if not debit_raw and not credit_raw:
            raise _RowProblem(_("Neither debit nor credit is filled."))
        if not debit and not credit:
            raise _RowProblem(_("The amount is zero."))
        # A debit is money out whether the bank prints it negative or not.
        return (-abs(debit), "expense") if debit else (abs(credit), "income")

    def mark(self, cells: list[str]) -> tuple[int, int] | None:
        """A split line's (number, count of lines) from the split column; None when empty."""
        raw = self.cell(cells, "split").strip()
        if not raw:
            return None
        mark = split_mark(raw)
        if mark is None:
            raise _RowProblem(
                _("The split mark “%(value)s” is not a line and a number of lines, as 2/3.", value=raw)
            )
        if mark[1] > MAX_LINES:
            raise _RowProblem(_("A split has at most %(count)s lines.", count=MAX_LINES))
        return mark

    def optional(self, cells: list[str], role: str) -> str | None:
        return _text(self.cell(cells, role)) or None

    def paid(self, cells: list[str]) -> tuple[bool, _Date | None]:
        """(paid?, the day it was paid when the file says it). A filled paid-on date wins
        over the paid/pending column; an empty one leaves that column to decide, and is
        pending when there is none."""
        if "paid_on" in self.columns and self.cell(cells, "paid_on").strip():
            return True, self.date(cells, "paid_on")
        if "paid" in self.columns:
            word = self.cell(cells, "paid").strip()
            state = paid_of(word)
            if state is None:
                raise _RowProblem(_("“%(value)s” says neither paid nor pending.", value=word))
            return state, None
        return "paid_on" not in self.columns, None


def _split_description(text: str) -> tuple[str, str | None]:
    """A description that fits Entry.description, and the rest for the notes."""
    if len(text) <= DESCRIPTION_MAX:
        return text, None
    cut = text.rfind(" ", DESCRIPTION_MAX // 2, DESCRIPTION_MAX + 1)
    cut = cut if cut > 0 else DESCRIPTION_MAX
    return text[:cut].rstrip(), text[cut:].strip() or None


def _row(reader: _Reader, cells: list[str], line: int, account_problem) -> ImportedRow:
    account = reader.optional(cells, "account")
    if account and account_problem is not None:
        problem = account_problem(account)
        if problem:
            raise _RowProblem(problem)
    day = reader.date(cells)
    amount, kind = reader.amount(cells)
    description, rest = _split_description(_text(reader.cell(cells, "description")))
    if not description:
        raise _RowProblem(_("The description is empty."))
    notes = _lines(reader.cell(cells, "notes")) or None
    if rest:
        notes = f"{rest}\n{notes}" if notes else rest
    paid, paid_on = reader.paid(cells)
    method = payment_method_of(reader.cell(cells, "payment_method")) if "payment_method" in reader.columns else None
    return ImportedRow(
        line=line,
        date=day,
        amount=amount,
        description=description,
        kind=kind,
        category=reader.optional(cells, "category"),
        subcategory=reader.optional(cells, "subcategory"),
        payment_method=method,
        notes=notes,
        paid=paid,
        account=account,
        paid_on=paid_on,
        payee=reader.optional(cells, "payee"),
        tags=tuple(reader.cell(cells, "tags").split(",")) if "tags" in reader.columns else (),
    )


def apply_mapping(
    table: Table, mapping: Mapping, fmt: str, account_problem: Callable[[str], str | None] | None = None,
    *, groups: SplitGroups | None = None,
) -> ParsedFile:
    """Every data row of `table` as an ImportedRow, or a RowError with the reason and the
    row's cells. `line` is the row's line in the file (1-based): for a CSV record whose
    quoted cell spans lines, the line the record starts on; for a sheet, its row number.

    The mapping must have no problems left (see mapping_problems): a missing date order or
    number style falls back to year-first dates and dot decimals. `account_problem` says
    why an account name a row gives cannot be used (None when it can): such a row is an
    error row here, so the CSV of rows to fix lists it with its cells.

    Rows marked as the lines of a split entry (the split column of Finora's export) make
    one row with split parts (see split_rows). A file read in chunks passes the same
    `groups` for every chunk and calls its `finish` after the last; without it, the
    table is the whole file.
    """
    reader = _Reader(mapping)
    parsed = ParsedFile(format=fmt, header=tuple(table.header) if table.has_header else ())
    whole = groups is None
    groups = groups or SplitGroups(account_mapped="account" in mapping.columns)
    for index, cells in enumerate(table.rows):
        line = table.line_of(index)
        try:
            mark = reader.mark(cells) if "split" in reader.columns else None
        except _RowProblem as problem:
            groups.finish(parsed)
            parsed.errors.append(RowError(line=line, reason=problem.reason, cells=tuple(cells)))
            continue
        try:
            row = _row(reader, cells, line, account_problem)
        except _RowProblem as problem:
            if mark is not None:
                groups.add(parsed, line, tuple(cells), mark, None, problem.reason)
            else:
                groups.finish(parsed)
                parsed.errors.append(RowError(line=line, reason=problem.reason, cells=tuple(cells)))
            continue
        if mark is not None:
            groups.add(parsed, line, tuple(cells), mark, row)
        else:
            groups.finish(parsed)
            parsed.rows.append(row)
    if whole:
        groups.finish(parsed)
    return parsed
