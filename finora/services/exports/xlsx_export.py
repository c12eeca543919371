"""Entries as an XLSX workbook: real dates and numbers with formats in the household's
currency, a frozen and filtered header, and a second sheet of totals by category."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

from babel import Locale
from babel.core import UnknownLocaleError
from babel.numbers import get_currency_precision, get_currency_symbol
from flask_babel import force_locale, pgettext

from finora.amounts import ZERO
from finora.services.exports.columns import layout_for
from finora.translation import gettext as _

# Column widths in characters, in COLUMNS order.
WIDTHS = (12, 40, 16, 10, 22, 22, 20, 20, 12, 12, 36, 22, 26, 22, 26, 8)
DATE_FORMATS = {"en": "mm/dd/yyyy"}
DEFAULT_DATE_FORMAT = "dd/mm/yyyy"
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def currency_format(currency: str, locale: str) -> str:
    """An Excel number format showing the currency's symbol where the locale puts it:
    '"R$" #,##0.00;-"R$" #,##0.00' (pt, BRL), '#,##0.00 "€";-#,##0.00 "€"' (es, EUR)."""
    try:
        symbol = get_currency_symbol(currency, locale=locale)
        pattern = Locale.parse(locale).currency_formats["standard"].pattern
        places = get_currency_precision(currency)
    except (UnknownLocaleError, ValueError, KeyError):
        symbol, pattern, places = currency, "¤ #,##0.00", 2
    number = "#,##0" + ("." + "0" * places if places else "")
    quoted = '"' + symbol.replace('"', "") + '"'
    positive = pattern.split(";")[0]
    before, _sign, after = positive.partition("¤")
    if not _sign:  # no symbol in the pattern: put it in front
        before, after = "", ""
        layout = f"{quoted} {number}"
    elif before.strip(" \u00a0#,0.") == "" and positive.index("¤") < positive.index("#"):
        space = " " if after.startswith((" ", "\u00a0")) else ""
        layout = f"{quoted}{space}{number}"
    else:
        space = " " if before.endswith((" ", "\u00a0")) else ""
        layout = f"{number}{space}{quoted}"
    return f"{layout};-{layout}"


def sheet_title(text: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters."""
    return text.translate(_SHEET_NAME_FORBIDDEN).strip()[:31] or "Sheet"


def entries_xlsx(household, period_label: str, rows: Iterable, breakdown: list, locale: str,
                 *, totals=None) -> bytes:
    """The workbook of these ExportRows: sheet 1 the entries (one row each, header frozen
    and auto-filtered), sheet 2 the totals by category and subcategory from
    `breakdown` (services.reports.totals.category_breakdown) and income, expenses and net
    (`totals`, a Totals of period_totals; summed from the breakdown when not given).

    Built in memory with openpyxl's write-only mode (rows are not kept as cell objects).
    Text is always stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    layout = layout_for("locale", locale)
    money_format = currency_format(household.currency, locale)
    date_format = DATE_FORMATS.get(locale.split("_")[0], DEFAULT_DATE_FORMAT)
    bold = Font(bold=True)
    with force_locale(locale):
        entries_title = sheet_title(_("Entries"))
        totals_title = sheet_title(_("Totals by category"))
        words = {
            "kind": _("Kind"), "category": _("Category"), "subcategory": _("Subcategory"),
            "total": _("Total"), "income": pgettext("totals", "Income"), "expenses": _("Expenses"), "net": _("Net"),
            "household": _("Household"), "period": _("Period"),
        }
        kinds = dict(layout.kinds)

    workbook = Workbook(write_only=True)
    workbook.properties.title = f"{household.name} — {period_label}"
    sheet = workbook.create_sheet(entries_title)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    def text(value: str, *, font=None):
        if not value:
            return None
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # "=1+2" is a description, not a formula
        if font is not None:
            cell.font = font
        return cell

    def day(value):
        if value is None:
            return None
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = date_format
        return cell

    def amount(value: Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = money_format
        return cell

    sheet.append([text(header, font=bold) for header in layout.headers])
    count = 0
    for row in rows:
        sheet.append([
            day(row.date),
            text(row.description),
            amount(row.amount),
            text(layout.kinds.get(row.kind, row.kind)),
            text(row.category),
            text(row.subcategory),
            text(row.account),
            text(layout.payment_methods.get(row.payment_method, row.payment_method)),
            text(layout.statuses.get(row.status, row.status)),
            day(row.paid_on),
            text(row.notes),
            text(row.rule),
            text(row.import_batch),
            text(row.payee),
            text(row.tags),
            text(row.split),
        ])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(WIDTHS))}{count + 1}"

    _totals_sheet(workbook, totals_title, household, period_label, breakdown, totals, words, kinds,
                  money_format, bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _totals_sheet(workbook, title, household, period_label, breakdown, totals, words, kinds,
                  money_format, bold) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet = workbook.create_sheet(title)
    for letter, width in zip("ABCD", (14, 30, 30, 18), strict=True):
        sheet.column_dimensions[letter].width = width

    def text(value, *, font=None):
        if not value:
            return None
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"
        if font is not None:
            cell.font = font
        return cell

    def amount(value, *, font=None):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = money_format
        if font is not None:
            cell.font = font
        return cell

    sheet.append([text(words["household"], font=bold), text(household.name)])
    sheet.append([text(words["period"], font=bold), text(period_label)])
    sheet.append([])
    sheet.append([text(words[key], font=bold) for key in ("kind", "category", "subcategory", "total")])
    sums = {"income": ZERO, "expense": ZERO}
    for line in breakdown:
        kind = kinds.get(line.kind, line.kind)
        sheet.append([text(kind), text(line.label), None, amount(line.total, font=bold)])
        for _sub_id, label, total in line.subcategories:
            sheet.append([text(kind), text(line.label), text(label), amount(total)])
        sums[line.kind] = sums.get(line.kind, ZERO) + line.total
    income = totals.income if totals is not None else sums["income"]
    expense = totals.expense if totals is not None else sums["expense"]
    net = totals.net if totals is not None else income - expense
    sheet.append([])
    sheet.append([text(words["income"], font=bold), None, None, amount(income)])
    sheet.append([text(words["expenses"], font=bold), None, None, amount(expense)])
    sheet.append([text(words["net"], font=bold), None, None, amount(net, font=bold)])
