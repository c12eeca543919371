"""The entries of a period as a PDF: household, period, generated-at, totals, the period by
category and subcategory, a bar chart of expenses by category and every entry, with the
table's header on every page and "Page X of Y" footers. Figures come from the reports
service; this module only lays them out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from finora.services.exports.pdf import chart, layout
from finora.translation import gettext as _

# Characters a plain (non-wrapping) cell holds in each column before it needs a Paragraph.
_FITS = {"description": 34, "category": 24, "account": 15}


def entries_pdf(household, period_label: str, rows: Iterable, totals, breakdown, generated_at: datetime,
                locale: str) -> bytes:
    """The PDF's bytes, built in memory. `rows`: ExportRow-like (date, description, signed
    amount, category, subcategory, account); `totals`: Totals (income, expense, net);
    `breakdown`: CategoryLine list (kind, label, total, subcategories of (id, label, total))."""
    width = layout.content_width()
    story = layout.title_block(household, _("Entries"), period_label, generated_at, locale)
    story.append(layout.totals_table(household, totals, locale, width))
    entries = _entries_table(household, rows, locale, width)
    if entries is None:
        story.append(layout.para(_("There are no entries in this period."), "empty"))
    else:
        story.extend(breakdown_blocks(household, breakdown, locale, width))
        story.append(layout.para(_("Entries"), "heading"))
        story.append(entries)
    running = f"{household.name} · {period_label}"
    return layout.build(story, title=f"{household.name} · {_('Entries')} · {period_label}", running_title=running)


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
    extra = []
    for line in sorted(breakdown, key=lambda line: (line.kind != "income", -line.total)):
        extra.append(("FONT", (0, len(data)), (-1, len(data)), BOLD, 8.5, 10.5))
        data.append([kinds.get(line.kind, line.kind), layout.cell(line.label, "bold", _FITS["category"]), "",
                     layout.money(line.total, household, locale)])
        for _id, label, total in line.subcategories:
            extra.append(("TEXTCOLOR", (0, len(data)), (-1, len(data)), HexColor(layout.GREY)))
            data.append(["", "", layout.cell(label, "body", _FITS["category"]),
                         layout.money(total, household, locale)])
    widths = [width * 0.14, width * 0.32, width * 0.32, width * 0.22]
    return layout.table(data, widths, numeric_from=3, extra=extra)


def _entries_table(household, rows: Iterable, locale: str, width: float):
    """Every entry, or None when there is none."""
    money, cell, short_date = layout.money, layout.cell, layout.short_date
    data = [[_("Date"), _("Description"), _("Category"), _("Account"), _("Amount")]]
    for row in rows:
        category = f"{row.category} › {row.subcategory}" if row.subcategory else (row.category or "")
        data.append([
            short_date(row.date, locale),
            cell(row.description or "", "body", _FITS["description"]),
            cell(category, "body", _FITS["category"]),
            cell(row.account or "", "body", _FITS["account"]),
            money(row.amount, household, locale),
        ])
    if len(data) == 1:
        return None
    widths = [width * 0.12, width * 0.34, width * 0.24, width * 0.14, width * 0.16]
    return layout.table(data, widths, numeric_from=4)
