"""The export's columns and how each cell is written, in the reader's language ("locale"
style: translated headers and words, the locale's dates and numbers without a currency
symbol) or for machines ("plain" style: keys, codes, ISO dates, "-1234.56").

The import reads these files back (docs/import.md): the headers and words are the ones it
recognises in pt, en and es, so they are a file format, not only page text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.dates import get_date_format
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import force_locale, pgettext

from finora.models.labels import ENTRY_KINDS, PAYMENT_METHODS, STATUSES

STYLES = ("locale", "plain")

# The columns in order, by their plain-style key.
KEYS = (
    "date", "description", "amount", "kind", "category", "subcategory", "account",
    "payment_method", "status", "paid_on", "notes", "rule", "import", "payee", "tags",
    "split",  # last: files written before it still read the same
)
# Cells written by the export itself, never by a person: no formula neutralising needed.
NUMBER_OR_DATE = frozenset({"date", "amount", "paid_on"})


def translated_headers() -> tuple[str, ...]:
    """The headers in the current language, in KEYS order. Their msgctxt "export column"
    keeps the file's words apart from the pages' (a page says "Observações" for notes,
    the file "Notas"), so a page's wording can change without breaking the import."""
    return (
        pgettext("export column", "Date"),
        pgettext("export column", "Description"),
        pgettext("export column", "Amount"),
        pgettext("export column", "Kind"),
        pgettext("export column", "Category"),
        pgettext("export column", "Subcategory"),
        pgettext("export column", "Account"),
        pgettext("export column", "Payment method"),
        pgettext("export column", "Status"),
        pgettext("export column", "Paid on"),
        pgettext("export column", "Notes"),
        pgettext("export column", "Recurring rule"),
        pgettext("export column", "Import"),
        pgettext("export column", "Payee"),
        pgettext("export column", "Tags"),
        pgettext("export column", "Split"),
    )


@dataclass(frozen=True)
class Layout:
    """Everything a writer needs to turn an ExportRow into cells in one style and locale:
    looked up once per file, so each row is string work only."""

    style: str
    locale: str
    headers: tuple[str, ...]
    kinds: dict[str, str]
    statuses: dict[str, str]
    payment_methods: dict[str, str]
    date_pattern: str  # str.format pattern over d (day), m (month), y (year)
    decimal: str
    group: str
    _days: dict = field(default_factory=dict, compare=False, repr=False)  # a day's text, once

    @property
    def delimiter(self) -> str:
        """Semicolons where the comma is the decimal mark, as spreadsheets there expect."""
        return ";" if self.style == "locale" and self.decimal == "," else ","

    def date_text(self, day: date | None) -> str:
        if day is None:
            return ""
        text = self._days.get(day)
        if text is None:
            if self.style == "plain":
                text = day.isoformat()
            else:
                text = self.date_pattern.format(d=day.day, m=day.month, y=day.year)
            self._days[day] = text
        return text

    def amount_text(self, amount: Decimal) -> str:
        """Two decimals always (the ledger keeps cents), a minus sign, no currency."""
        text = str(amount)
        if text[-3:-2] != ".":  # not written with exactly two decimals
            text = f"{amount:.2f}"
        if self.style == "plain":
            return text
        sign = "-" if text[0] == "-" else ""
        whole, _point, cents = text.lstrip("-").partition(".")
        if len(whole) > 3:
            whole = f"{int(whole):,}".replace(",", self.group)
        return f"{sign}{whole}{self.decimal}{cents}"

    def cells(self, row) -> list[str]:
        """An ExportRow's cells in COLUMNS order (text as stored: not neutralised)."""
        return [
            self.date_text(row.date),
            row.description,
            self.amount_text(row.amount),
            self.kinds.get(row.kind, row.kind),
            row.category,
            row.subcategory,
            row.account,
            self.payment_methods.get(row.payment_method, row.payment_method),
            self.statuses.get(row.status, row.status),
            self.date_text(row.paid_on),
            row.notes,
            row.rule,
            row.import_batch,
            row.payee,
            row.tags,
            row.split,
        ]


def layout_for(style: str, locale: str) -> Layout:
    """The Layout of a style ("locale" or "plain") in a language (pt, en, es...)."""
    if style not in STYLES:
        raise ValueError(f"unknown export style {style!r}")
    if style == "plain":
        return Layout(
            style=style, locale=locale, headers=KEYS,
            kinds={}, statuses={}, payment_methods={},
            date_pattern="", decimal=".", group="",
        )
    with force_locale(locale):
        headers = translated_headers()
        kinds = {code: str(label) for code, label in ENTRY_KINDS.items()}
        statuses = {code: str(STATUSES[code]) for code in ("paid", "pending", "overdue")}
        methods = {code: str(label) for code, label in PAYMENT_METHODS.items()}
    decimal = get_decimal_symbol(locale)
    group = get_group_symbol(locale)
    if group in ("\u00a0", "\u202f", " "):
        group = "." if decimal == "," else ","  # a space would read as two cells to some tools
    return Layout(
        style=style, locale=locale, headers=headers, kinds=kinds, statuses=statuses,
        payment_methods=methods, date_pattern=_numeric_date_pattern(locale),
        decimal=decimal, group=group,
    )


def _numeric_date_pattern(locale: str) -> str:
    """The locale's short date order with two-digit day and month and a four-digit year:
    "31/12/2026" in pt and es, "12/31/2026" in en."""
    pattern = get_date_format("short", locale=locale).pattern
    order = []
    separator = "/"
    for char in pattern:
        field = {"d": "d", "M": "m", "L": "m", "y": "y"}.get(char)
        if field and field not in order:
            order.append(field)
        elif not field and char not in "'" and not char.isalpha() and len(order) == 1:
            separator = char
    if sorted(order) != ["d", "m", "y"]:
        order, separator = ["d", "m", "y"], "/"
    width = {"d": "{d:02d}", "m": "{m:02d}", "y": "{y:04d}"}
    return separator.join(width[field] for field in order)
