"""The month and year reports as PDFs, with the entries PDF's page, fonts and blocks. The
figures are the reports service's (MonthReport, YearReport); this module only lays them out.
Both builders take what the reports page's download passes: (household, period,
period_label, report, generated_at, locale)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_percent

from finora.services.exports.pdf import layout
from finora.services.exports.pdf.blocks import breakdown_blocks
from finora.translation import gettext as _


def _percent(value: Decimal | None, locale: str, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return format_percent(value, "+#,##0.0%;-#,##0.0%" if signed else "#,##0.0%", locale=locale)


def _signed_money(amount: Decimal, household, locale: str) -> str:
    text = layout.money(amount, household, locale)
    return f"+{text}" if amount > 0 else text


def _month_name(year: int, month: int, locale: str) -> str:
    return format_date(date(year, month, 1), "MMMM yyyy", locale=locale).capitalize()


def month_report_pdf(household, period, period_label: str, report, generated_at: datetime, locale: str) -> bytes:
    """Totals and savings rate, the comparison with the previous month and the same month a
    year before, expenses by category (bars, then every category and subcategory) and the
    day-by-day spending."""
    width = layout.content_width()
    story = layout.title_block(household, _("Month report"), period_label, generated_at, locale)
    story.append(layout.totals_table(household, report.totals, locale, width))
    story.append(layout.para(_("Savings rate: %(rate)s", rate=_percent(report.savings_rate, locale)), "meta"))
    story.append(layout.para(_("Compared with other months"), "heading"))
    story.append(_comparison_table(household, report, locale, width))
    if report.empty:
        story.append(layout.para(_("There are no entries in this period."), "empty"))
    else:
        breakdown = [*report.income_categories, *report.expense_categories]
        story.extend(breakdown_blocks(household, breakdown, locale, width))
        story.append(layout.para(_("Daily spending"), "heading"))
        story.append(_timeline_table(household, report.timeline, locale, width))
    running = f"{household.name} · {_('Month report')} · {period_label}"
    return layout.build(story, title=running, running_title=running)


def _comparison_table(household, report, locale: str, width: float):
    from reportlab.lib.colors import HexColor

    from finora.services.exports.pdf.fonts import BOLD

    others = (report.previous, report.last_year)
    header = [""]
    header.append(_month_name(report.year, report.month, locale))
    for other in others:
        header += [_month_name(other.year, other.month, locale), _("Difference")]
    data = [header]
    for label, field in ((_("Income"), "income"), (_("Expenses"), "expense"), (_("Net"), "net")):
        row = [label, layout.money(getattr(report.totals, field), household, locale)]
        for other in others:
            change = getattr(other, field)
            row.append(layout.money(getattr(other.totals, field), household, locale))
            row.append(f"{_signed_money(change.difference, household, locale)} ({_percent(change.percent, locale, signed=True)})")
        data.append(row)
    widths = [width * 0.13, width * 0.17, width * 0.16, width * 0.19, width * 0.16, width * 0.19]
    extra = [("FONT", (0, 1), (0, -1), BOLD, 8.5, 10.5), ("TEXTCOLOR", (3, 1), (3, -1), HexColor(layout.GREY)),
             ("TEXTCOLOR", (5, 1), (5, -1), HexColor(layout.GREY))]
    return layout.table(data, widths, numeric_from=1, extra=extra)


def _timeline_table(household, timeline, locale: str, width: float):
    data = [[_("Day"), _("Spent that day"), _("Spent so far")]]
    for day in timeline:
        data.append([
            layout.short_date(day.day, locale),
            layout.money(day.expense, household, locale) if day.expense else "—",
            layout.money(day.cumulative, household, locale),
        ])
    return layout.table(data, [width * 0.2, width * 0.25, width * 0.25], numeric_from=1)
