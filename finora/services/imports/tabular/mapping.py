"""Which column is which: a mapping of roles to columns, guessed from the header's words
(pt/en/es) and the columns' contents, and the problems that keep a mapping from being used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finora.errors import MalformedRequestError
from finora.services.imports.tabular.sniff import cell_kind
from finora.services.imports.tabular.split_rows import split_mark
from finora.services.imports.tabular.table import Table
from finora.services.imports.tabular.words import (
    NOT_MONEY,
    export_date_order,
    fold,
    header_role,
    kind_of,
    paid_of,
)
from finora.services.imports.values import (
    DATE_ORDERS,
    NUMBER_STYLES,
    detect_date_order,
    detect_number_style,
    parse_amount,
    parse_date,
)
from finora.translation import gettext as _

ROLES = (
    "date", "description", "amount", "debit", "credit", "kind", "category", "subcategory",
    "payment_method", "notes", "paid", "paid_on", "account", "payee", "tags", "split",
)  # fmt: skip
DATE_ROLES = ("date", "paid_on")  # written in the same order
MONEY_ROLES = ("amount", "debit", "credit")
_SAMPLE = 500  # values per column the guesses look at
_MOSTLY = 0.8  # a column guessed from its contents alone
_HALF = 0.5  # a column its header names keeps the role unless most values contradict it


@dataclass
class Mapping:
    """role -> 0-based column index; the date order and number style the values use (None
    until detected without doubt or chosen by the user)."""

    columns: dict[str, int] = field(default_factory=dict)
    date_order: str | None = None
    number_style: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"columns": dict(self.columns), "date_order": self.date_order, "number_style": self.number_style}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Mapping:
        """A mapping saved earlier or sent by a form; anything out of place is refused."""
        data = data or {}
        columns = data.get("columns") or {}
        order = data.get("date_order") or None
        style = data.get("number_style") or None
        if not isinstance(columns, dict) or order not in (None, *DATE_ORDERS) or style not in (None, *NUMBER_STYLES):
            raise MalformedRequestError()
        clean: dict[str, int] = {}
        for role, index in columns.items():
            if index is None or index == "":
                continue
            if isinstance(index, str) and index.isdigit():
                index = int(index)
            if role not in ROLES or isinstance(index, bool) or not isinstance(index, int) or index < 0:
                raise MalformedRequestError()
            clean[role] = index
        return cls(columns=clean, date_order=order, number_style=style)

    def values(self, table: Table, role: str) -> list[str]:
        """The first values of the role's column (what the detections look at)."""
        index = self.columns.get(role)
        if index is None:
            return []
        return table.column(index)[:_SAMPLE]

    def date_values(self, table: Table) -> list[str]:
        """The date column's values, then the paid-on column's (one date order for both)."""
        return [value for role in DATE_ROLES for value in self.values(table, role)]


def _filled(values: list[str]) -> list[str]:
    return [value.strip() for value in values if value.strip()]


def _share(values: list[str], test) -> float:
    filled = _filled(values)
    if not filled:
        return 0.0
    return sum(1 for value in filled if test(value)) / len(filled)


def _reads_as_date(value: str, orders: tuple[str, ...]) -> bool:
    for order in orders:
        try:
            parse_date(value, order)
        except ValueError:
            continue
        return True
    return False


def _reads_as_amount(value: str, styles: tuple[str, ...] = NUMBER_STYLES) -> bool:
    for style in styles:
        try:
            parse_amount(value, style)
        except ValueError:
            continue
        return True
    return False


def _date_column(values: list[str], *, serial: bool, share: float = _MOSTLY) -> bool:
    guess = detect_date_order(values)
    orders = tuple(order for order in guess.possible if serial or order != "serial")
    return bool(orders) and _share(values, lambda value: _reads_as_date(value, orders)) >= share


def _money_column(values: list[str], share: float = _MOSTLY) -> bool:
    return bool(_filled(values)) and _share(values, _reads_as_amount) >= share


def _by_header(table: Table) -> dict[str, int]:
    found = []
    for index, name in enumerate(table.header):
        role = header_role(name)
        if role is not None:
            found.append((-role[1], index, role[0]))
    columns: dict[str, int] = {}
    for _strength, index, column_role in sorted(found):
        if column_role not in columns and index not in columns.values():
            columns[column_role] = index
    if "description" not in columns and "payee" in columns:
        columns["description"] = columns.pop("payee")
    return columns


def _check_by_content(table: Table, columns: dict[str, int]) -> None:
    """Drop a header's guess its column's values contradict (a "Tipo" column of
    transaction types is not income/expense words)."""
    column = {role: table.column(index)[:_SAMPLE] for role, index in columns.items()}
    checks = {
        "date": lambda values: _date_column(values, serial=True, share=_HALF),
        "amount": lambda values: _money_column(values, _HALF),
        "debit": lambda values: not _filled(values) or _money_column(values, _HALF),
        "credit": lambda values: not _filled(values) or _money_column(values, _HALF),
        "kind": lambda values: _share(values, lambda value: kind_of(value) is not None) >= _HALF,
        "paid": lambda values: _share(values, lambda value: paid_of(value) is not None) >= _HALF,
        # Empty when nothing was paid yet; else dates.
        "paid_on": lambda values: not _filled(values) or _date_column(values, serial=True, share=_HALF),
        # An account's name, not its number ("Conta" in a bank's file is often 12345-6).
        "account": lambda values: _share(values, lambda value: any(c.isalpha() for c in value)) >= _HALF,
        # Empty for an unsplit entry; else "2/3".
        "split": lambda values: not _filled(values) or _share(values, lambda value: split_mark(value) is not None) >= _HALF,
    }
    for role, check in checks.items():
        if role in columns and table.rows and not check(column[role]):
            del columns[role]
    if "amount" in columns:
        columns.pop("debit", None)
        columns.pop("credit", None)


def _by_content(table: Table, columns: dict[str, int]) -> None:
    free = [index for index in range(len(table.header)) if index not in columns.values()]
    samples = {index: table.column(index)[:_SAMPLE] for index in free}
    if "date" not in columns:
        for index in free:
            if _date_column(samples[index], serial=False):
                columns["date"] = index
                break
    if not any(role in columns for role in MONEY_ROLES):
        numeric = [
            index
            for index in free
            if index not in columns.values()
            and not set(fold(table.header[index]).split()) & NOT_MONEY
            and _money_column(samples[index])
            and not _share(samples[index], lambda value: cell_kind(value) == "date") >= _MOSTLY
        ]
        with_cents = [index for index in numeric if any(mark in "".join(samples[index]) for mark in ",.")]
        if with_cents or numeric:
            columns["amount"] = (with_cents or numeric)[0]
    if "description" not in columns:
        best, longest = None, 0.0
        for index in free:
            if index in columns.values():
                continue
            texts = [value for value in _filled(samples[index]) if cell_kind(value) == "text"]
            if not texts or len(texts) < 0.5 * len(_filled(samples[index])):
                continue
            average = sum(len(value) for value in texts) / len(texts)
            if average > longest:
                best, longest = index, average
        if best is not None:
            columns["description"] = best


def detect_formats(table: Table, mapping: Mapping) -> None:
    """Fill the mapping's date order and number style from its columns' values when they
    decide them without doubt (left None otherwise: the page asks)."""
    if "date" in mapping.columns:
        guess = detect_date_order(mapping.date_values(table))
        mapping.date_order = guess.order
        if guess.ambiguous:
            # Finora's own export says its language in its header, and so its date order.
            known = export_date_order(table.header) if table.has_header else None
            mapping.date_order = known if known in guess.possible else None
    money = [value for role in MONEY_ROLES for value in mapping.values(table, role)]
    if money:
        mapping.number_style = detect_number_style(money).style


def guess_mapping(table: Table) -> Mapping:
    """The mapping the header's words and the columns' contents suggest."""
    columns = _by_header(table) if table.has_header else {}
    _check_by_content(table, columns)
    _by_content(table, columns)
    mapping = Mapping(columns=columns)
    detect_formats(table, mapping)
    return mapping


def order_label(order: str) -> str:
    labels = {
        "dmy": _("day/month/year"),
        "mdy": _("month/day/year"),
        "ymd": _("year/month/day"),
        "serial": _("Excel serial day numbers"),
    }
    return labels[order]


def mapping_problems(table: Table, mapping: Mapping) -> list[str]:
    """What keeps the mapping from being applied, in words for the mapping page: an empty
    list when it can be."""
    problems: list[str] = []
    if not table.rows:
        return [_("There are no rows under the header: check the header row.")]
    width = len(table.header)
    columns = mapping.columns
    if any(index >= width for index in columns.values()):
        problems.append(_("A chosen column is not in this file: choose the columns again."))
        return problems
    seen: dict[int, str] = {}
    for role, index in columns.items():
        if index in seen:
            problems.append(_("The column “%(column)s” is chosen twice.", column=table.header[index]))
        seen[index] = role
    if "date" not in columns:
        problems.append(_("Choose the date column."))
    if "description" not in columns:
        problems.append(_("Choose the description column."))
    has_amount = "amount" in columns
    has_sides = "debit" in columns or "credit" in columns
    if not has_amount and not has_sides:
        problems.append(_("Choose the amount column, or the debit and credit columns."))
    elif has_amount and has_sides:
        problems.append(_("Choose either the amount column or the debit and credit columns, not both."))
    if "paid_on" in columns and "date" not in columns:
        problems.append(_("Choose the date column too: the paid-on dates are read like it."))
    if "subcategory" in columns and "category" not in columns:
        problems.append(_("Choose the category column too: a subcategory belongs to a category."))
    if "date" in columns and mapping.date_order is None:
        guess = detect_date_order(mapping.date_values(table))
        if guess.ambiguous and guess.possible == ("dmy", "mdy"):
            problems.append(_("The dates could be day/month/year or month/day/year: choose the date order."))
        elif guess.ambiguous:
            problems.append(
                _(
                    "The dates could be read in more than one order (%(orders)s): choose the date order.",
                    orders=", ".join(order_label(order) for order in guess.possible),
                )
            )
        else:
            problems.append(_("The date column’s values are not dates Finora can read: choose another column or the date order."))
    if (has_amount or has_sides) and mapping.number_style is None:
        money = [value for role in MONEY_ROLES for value in mapping.values(table, role)]
        style_guess = detect_number_style(money)
        if style_guess.ambiguous:
            problems.append(
                _(
                    "The amounts could be written as %(comma)s or as %(dot)s: choose the number style.",
                    comma="1.234,56",
                    dot="1,234.56",
                )
            )
        else:
            problems.append(_("Choose the number style of the amounts."))
    return problems
