"""Blocks more than one PDF prints: the expense bars and the table by category and
subcategory."""

from __future__ import annotations

from typing import Any

from finora.services.exports.pdf import chart, layout
from finora.translation import gettext as _

CATEGORY_FITS = 24  # characters of a category label kept as a plain (non-wrapping) cell


def breakdown_blocks(household, breakdown, locale: str, width: float) -> list:
    """The chart of expenses by category and the table by category and subcategory."""
    from reportlab.platypus import KeepTogether

    blocks: list = []
    expenses = [line for line in breakdown if line.kind == "expense" and line.total]
    if expenses:
        items = chart.top_items([(line.label, line.total) for line in expenses], other_label=_("Other categories"))
        bars = [(label, amount, layout.money(amount, household, locale)) for label, amount in items]
        blocks.append(KeepTogether([
            layout.para(_("Expenses by category"), "heading"),
            chart.bar_chart(bars, width),
        ]))
    if breakdown:
        blocks.append(layout.para(_("By category and subcategory"), "heading"))
        blocks.append(_breakdown_table(household, breakdown, locale, width))
    return blocks


def _breakdown_table(household, breakdown, locale: str, width: float):
    from reportlab.lib.colors import HexColor

    from finora.services.exports.pdf.fonts import BOLD

    kinds = {"income": _("Income"), "expense": _("Expenses")}
    data = [[_("Kind"), _("Category"), _("Subcategory"), _("Amount")]]
    extra: list[tuple[Any, ...]] = []
    for line in sorted(breakdown, key=lambda line: (line.kind != "income", -line.total)):
        extra.append(("FONT", (0, len(data)), (-1, len(data)), BOLD, 8.5, 10.5))
        data.append([kinds.get(line.kind, line.kind), layout.cell(line.label, "bold", CATEGORY_FITS), "",
                     layout.money(line.total, household, locale)])
        for _id, label, total in line.subcategories:
            extra.append(("TEXTCOLOR", (0, len(data)), (-1, len(data)), HexColor(layout.GREY)))
            data.append(["", "", layout.cell(label, "body", CATEGORY_FITS),
                         layout.money(total, household, locale)])
    widths = [width * 0.14, width * 0.32, width * 0.32, width * 0.22]
    return layout.table(data, widths, numeric_from=3, extra=extra)
