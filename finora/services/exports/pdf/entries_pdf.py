"""The entries of a period as a PDF: household, period, generated-at, totals, the period by
category and subcategory, a bar chart of expenses by category and every entry, with the
table's header on every page and "Page X of Y" footers. Figures come from the reports
service; this module only lays them out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from finora.services.exports.pdf import layout
from finora.services.exports.pdf.blocks import breakdown_blocks
from finora.translation import gettext as _

# Characters a plain (non-wrapping) cell holds in each column before it needs a Paragraph.
_FITS = {"description": 34, "category": 24, "account": 15}
# From this many entries the table is cut page by page (see layout.paged_tables); below it,
# one table flows on from the summary.
PAGED_FROM = 300


def entries_pdf(household, period_label: str, rows: Iterable, totals, breakdown, generated_at: datetime,
                locale: str) -> bytes:
    """The PDF's bytes, built in memory. `rows`: ExportRow-like (date, description, signed
    amount, category, subcategory, account); `totals`: Totals (income, expense, net);
    `breakdown`: CategoryLine list (kind, label, total, subcategories of (id, label, total))."""
    width = layout.content_width()
    story = layout.title_block(household, _("Entries"), period_label, generated_at, locale)
    story.append(layout.totals_table(household, totals, locale, width))
    entries = _entries_rows(household, rows, locale)
    if not entries:
        story.append(layout.para(_("There are no entries in this period."), "empty"))
    else:
        story.extend(breakdown_blocks(household, breakdown, locale, width))
        heading = layout.para(_("Entries"), "heading")
        if len(entries) < PAGED_FROM:
            story += [heading, layout.table([_entries_header(), *entries], _widths(width), numeric_from=4)]
        else:
            from reportlab.platypus import PageBreak

            # Many entries start on a page of their own, so each page's table is cut to fit.
            room = layout.frame_height() - heading.wrap(width, 1000)[1] - heading.getSpaceBefore() - heading.getSpaceAfter()
            story += [PageBreak(), heading]
            story += layout.paged_tables(_entries_header(), entries, _widths(width), numeric_from=4, first_room=room)
    running = f"{household.name} · {period_label}"
    return layout.build(story, title=f"{household.name} · {_('Entries')} · {period_label}", running_title=running)


def _entries_header() -> list[str]:
    return [_("Date"), _("Description"), _("Category"), _("Account"), _("Amount")]


def _widths(width: float) -> list[float]:
    return [width * 0.12, width * 0.34, width * 0.24, width * 0.14, width * 0.16]


def _described(row) -> str:
    """The description, then the payee and the tags when the entry has them."""
    extra = " · ".join(part for part in (row.payee, row.tags) if part)
    return f"{row.description or ''} ({extra})" if extra else (row.description or "")


def _entries_rows(household, rows: Iterable, locale: str) -> list[list]:
    """A table row per entry: plain strings, a Paragraph only where a cell needs one."""
    money, cell, short_date = layout.money, layout.cell, layout.short_date
    data = []
    for row in rows:
        category = f"{row.category} › {row.subcategory}" if row.subcategory else (row.category or "")
        data.append([
            short_date(row.date, locale),
            cell(_described(row), "body", _FITS["description"]),
            cell(category, "body", _FITS["category"]),
            cell(row.account or "", "body", _FITS["account"]),
            money(row.amount, household, locale),
        ])
    return data
