"""Entries as a fixed-width text statement (100 columns) for printing or e-mail: columns
stay aligned with accents, wide characters (CJK, emoji) and combining marks."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask_babel import force_locale, pgettext

from finora.money import format_money
from finora.services.exports.columns import layout_for
from finora.translation import gettext as _

WIDTH = 100
DATE_WIDTH = 10
CATEGORY_WIDTH = 26
AMOUNT_WIDTH = 18
GAP = "  "
DESCRIPTION_WIDTH = WIDTH - DATE_WIDTH - CATEGORY_WIDTH - AMOUNT_WIDTH - 3 * len(GAP)
ELLIPSIS = "…"
# Zero-width joiners and variation selectors take no column of their own.
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"} | {chr(c) for c in range(0xFE00, 0xFE10)}


@lru_cache(maxsize=4096)
def char_width(char: str) -> int:
    """Columns a character takes in a monospaced font: 2 for wide and full-width (CJK,
    most emoji), 0 for combining marks, joiners and controls, else 1."""
    if char in _ZERO_WIDTH or unicodedata.combining(char):
        return 0
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def fit(text: str, width: int) -> str:
    """`text` cut to `width` columns, ending with … when cut (never half a wide character)."""
    text = " ".join(text.split())  # line breaks and tabs would break the layout
    if text_width(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        taken = char_width(char)
        if used + taken > width - 1:
            break
        kept.append(char)
        used += taken
    return "".join(kept) + ELLIPSIS


def left(text: str, width: int) -> str:
    text = fit(text, width)
    return text + " " * (width - text_width(text))


def right(text: str, width: int) -> str:
    text = fit(text, width)
    return " " * (width - text_width(text)) + text


def entries_txt(household, period_label: str, rows: Iterable, totals, generated_at: datetime, locale: str) -> str:
    """The statement of these ExportRows: title, household, period, generated-at in the
    household's time zone, one line per entry (date, description, category › subcategory,
    signed amount right-aligned) and the totals (a Totals of period_totals)."""
    layout = layout_for("locale", locale)
    currency = household.currency
    with force_locale(locale):
        title = _("Statement of entries")
        labels = {
            "household": _("Household"), "period": _("Period"), "generated": _("Generated at"),
            "date": layout.headers[0], "description": layout.headers[1],
            "category": layout.headers[4], "amount": layout.headers[2],
            "income": pgettext("totals", "Income"), "expenses": _("Expenses"), "net": _("Net"),
            "none": _("No entries in this period."),
        }
    try:
        zone = ZoneInfo(household.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    generated = format_datetime(generated_at.astimezone(zone), "short", locale=locale)
    label_width = max(text_width(labels[key]) for key in ("household", "period", "generated")) + 2

    lines = [fit(title, WIDTH), "=" * WIDTH]
    for key, value in (("household", household.name), ("period", period_label), ("generated", generated)):
        lines.append(left(labels[key] + ":", label_width) + fit(value, WIDTH - label_width))
    lines.append("")
    lines.append(_line(labels["date"], labels["description"], labels["category"], labels["amount"]))
    lines.append("-" * WIDTH)
    count = 0
    for row in rows:
        category = f"{row.category} › {row.subcategory}" if row.subcategory else row.category
        lines.append(_line(layout.date_text(row.date), row.description, category,
                           format_money(row.amount, currency, locale)))
        count += 1
    if not count:
        lines.append(labels["none"])
    lines.append("-" * WIDTH)
    total_width = WIDTH - AMOUNT_WIDTH - len(GAP)
    for key, amount in (("income", totals.income), ("expenses", totals.expense), ("net", totals.net)):
        lines.append(right(labels[key], total_width) + GAP + right(format_money(amount, currency, locale), AMOUNT_WIDTH))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _line(day: str, description: str, category: str, amount: str) -> str:
    return GAP.join((
        left(day, DATE_WIDTH),
        left(description, DESCRIPTION_WIDTH),
        left(category, CATEGORY_WIDTH),
        right(amount, AMOUNT_WIDTH),
    ))
