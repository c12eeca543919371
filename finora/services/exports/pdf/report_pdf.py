"""The month and year reports as PDFs, with the entries PDF's page, fonts and blocks. The
figures are the reports service's (MonthReport, YearReport); this module only lays them out.
Both builders take what the reports page's download passes: (household, period,
period_label, report, generated_at, locale)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_percent

from finora.services.exports.pdf import chart, layout
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
    story.append(layout.para(_("Savings rate: %(rate)s", rate=_percent(report.totals.savings_rate, locale)), "meta"))
    story.append(layout.para(_("Compared with other months"), "heading"))
    story.append(_comparison_table(household, report, locale, width))
    if report.empty:
        story.append(layout.para(_("There are no entries in this period."), "empty"))
    else:
        breakdown = [*report.income_categories, *report.expense_categories]
        story.extend(breakdown_blocks(household, breakdown, locale, width))
        story.append(_daily_block(household, report, locale, width))
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
            # Two lines in one cell: the difference, then the percentage under it.
            row.append(f"{_signed_money(change.difference, household, locale)}\n{_percent(change.percent, locale, signed=True)}")
        data.append(row)
    widths = [width * 0.14, width * 0.18, width * 0.17, width * 0.17, width * 0.17, width * 0.17]
    extra = [("FONT", (0, 1), (0, -1), BOLD, 8.5, 10.5), ("TEXTCOLOR", (3, 1), (3, -1), HexColor(layout.GREY)),
             ("TEXTCOLOR", (5, 1), (5, -1), HexColor(layout.GREY))]
    return layout.table(data, widths, numeric_from=1, extra=extra)


def _daily_block(household, report, locale: str, width: float):
    from reportlab.platypus import KeepTogether, Spacer

    return KeepTogether([
        layout.para(_("Daily spending"), "heading"),
        layout.para(_("Bars: spent that day. Line: spent so far this month."), "meta"),
        chart.daily_chart(report.timeline, width, lambda amount: layout.money(amount, household, locale)),
        Spacer(1, 8),
    ])


def _timeline_table(household, timeline, locale: str, width: float):
    data = [[_("Day"), _("Spent that day"), _("Spent so far")]]
    for day in timeline:
        data.append([
            layout.short_date(day.day, locale),
            layout.money(day.expense, household, locale) if day.expense else "—",
            layout.money(day.cumulative, household, locale),
        ])
    return layout.table(data, [width * 0.2, width * 0.25, width * 0.25], numeric_from=1)


def year_report_pdf(household, period, period_label: str, report, generated_at: datetime, locale: str) -> bytes:
    """Totals and savings rate, the months side by side, expenses by category (bars, then a
    category × month heat table) and the year's largest expenses and incomes."""
    width = layout.content_width()
    story = layout.title_block(household, _("Year report"), period_label, generated_at, locale)
    story.append(layout.totals_table(household, report.totals, locale, width))
    story.append(layout.para(_("Savings rate: %(rate)s", rate=_percent(report.totals.savings_rate, locale)), "meta"))
    story.append(layout.para(_("Month by month"), "heading"))
    story.append(_months_table(household, report, locale, width))
    if report.empty:
        story.append(layout.para(_("There are no entries in this period."), "empty"))
    else:
        story.extend(_heat_blocks(household, report, locale, width))
        for title, entries in ((_("Largest expenses"), report.largest_expenses),
                               (_("Largest income"), report.largest_incomes)):
            if entries:
                story.append(layout.para(title, "heading"))
                story.append(_largest_table(household, entries, locale, width))
    running = f"{household.name} · {_('Year report')} · {period_label}"
    return layout.build(story, title=running, running_title=running)


def _short_months(year: int, locale: str) -> list[str]:
    return [format_date(date(year, m, 1), "MMM", locale=locale).capitalize() for m in range(1, 13)]


def _months_table(household, report, locale: str, width: float):
    from finora.services.exports.pdf.fonts import BOLD

    money = layout.money
    data = [[_("Month"), _("Income"), _("Expenses"), _("Net")]]
    for line in report.months:
        data.append([
            format_date(date(report.year, line.month, 1), "MMMM", locale=locale).capitalize(),
            money(line.income, household, locale),
            money(line.expense, household, locale),
            money(line.net, household, locale),
        ])
    totals = report.totals
    data.append([_("Year"), money(totals.income, household, locale), money(totals.expense, household, locale),
                 money(totals.net, household, locale)])
    extra = [("FONT", (0, -1), (-1, -1), BOLD, 8.5, 10.5)]
    return layout.table(data, [width * 0.25] * 4, numeric_from=1, extra=extra)


def _heat_blocks(household, report, locale: str, width: float) -> list:
    """Bars of the year's expenses by category, then each category's months, shaded by
    size against the largest cell (amounts without the symbol, to fit twelve columns)."""
    from babel.numbers import format_decimal
    from reportlab.lib.colors import Color
    from reportlab.platypus import KeepTogether

    from finora.services.exports.pdf.fonts import BOLD, TEXT

    if not report.heat:
        return []
    items = chart.top_items([(row.label, row.total) for row in report.heat], other_label=_("Other categories"))
    bars = [(label, amount, layout.money(amount, household, locale)) for label, amount in items]
    blocks = [KeepTogether([layout.para(_("Expenses by category"), "heading"), chart.bar_chart(bars, width)])]

    def number(amount: Decimal) -> str:
        return format_decimal(amount, "#,##0.00", locale=locale) if amount else ""

    peak = report.heat_peak or Decimal(1)
    data = [[_("Category"), *_short_months(report.year, locale)]]
    extra = [("FONT", (0, 0), (-1, -1), TEXT, 6, 7.5), ("FONT", (0, 0), (-1, 0), BOLD, 6.5, 8),
             ("LEFTPADDING", (1, 0), (-1, -1), 1), ("RIGHTPADDING", (1, 0), (-1, -1), 1)]
    for row in report.heat:
        y = len(data)
        data.append([layout.cell(row.label, "small", 28), *(number(cell) for cell in row.months)])
        for column, cell in enumerate(row.months, start=1):
            if cell > 0:
                share = float(cell / peak)
                extra.append(("BACKGROUND", (column, y), (column, y), Color(0.75, 0.31, 0.30, alpha=0.08 + 0.5 * share)))
    data.append([_("Total"), *(number(total) for total in report.heat_month_totals)])
    extra.append(("FONT", (0, -1), (-1, -1), BOLD, 6, 7.5))
    first = width * 0.16
    table = layout.table(data, [first, *[(width - first) / 12] * 12], numeric_from=1, extra=extra)
    blocks.append(layout.para(f"{_('Expenses by category and month')} ({household.currency})", "heading"))
    blocks.append(table)
    return blocks


def _largest_table(household, entries, locale: str, width: float):
    data = [[_("Date"), _("Description"), _("Amount")]]
    for entry in entries:
        data.append([layout.short_date(entry.date, locale), layout.cell(entry.description or "", "body", 60),
                     layout.money(entry.amount, household, locale)])
    return layout.table(data, [width * 0.15, width * 0.6, width * 0.25], numeric_from=2)


def budget_report_pdf(household, period, period_label: str, report, generated_at: datetime, locale: str) -> bytes:
    """Each budget of the month or the year: budgeted, what rollover carried in (— when the
    budget has none), available, actual, remaining, the share used, what the recurring rules
    still plan to the period's end and where that leaves it."""
    from reportlab.lib.colors import HexColor

    from finora.services.exports.pdf.fonts import BOLD, TEXT

    width = layout.content_width()
    title = _("Budget against actual")
    story = layout.title_block(household, title, period_label, generated_at, locale)
    if report.empty:
        story.append(layout.para(_("There are no budgets for this period."), "empty"))
    else:
        money = layout.money
        repeats = {"monthly": _("Monthly"), "yearly": _("Yearly")}
        data = [[_("Category"), _("Repeats"), _("Budgeted"), _("Carried over"), _("Available"), _("Actual"),
                 _("Remaining"), _("Used"), _("Still planned by recurring rules"),
                 _("Projected at the end of the period")]]
        # Ten columns on a portrait page: the figures in 7 pt keep four-digit amounts inside.
        extra = [("FONT", (0, 0), (-1, 0), BOLD, 7, 8.5), ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                 ("FONT", (1, 1), (-1, -1), TEXT, 7, 8.5)]
        for line in report.lines:
            y = len(data)
            data.append([
                layout.cell(line.label, "body", 14), repeats.get(line.period, line.period),
                money(line.budgeted, household, locale),
                money(line.carried, household, locale) if line.rollover else "—",
                money(line.available, household, locale), money(line.actual, household, locale),
                money(line.remaining, household, locale), _percent(line.usage.fraction, locale),
                money(line.still_planned, household, locale), money(line.projected, household, locale),
            ])
            if line.rollover and line.carried < 0:
                extra.append(("TEXTCOLOR", (3, y), (3, y), HexColor(layout.NEGATIVE)))
            if line.remaining < 0:
                extra.append(("TEXTCOLOR", (6, y), (7, y), HexColor(layout.NEGATIVE)))
            if line.projected_usage.state == "over":
                extra.append(("TEXTCOLOR", (9, y), (9, y), HexColor(layout.NEGATIVE)))
        header = [layout.para(text, "head_right") if index > 1 else text for index, text in enumerate(data[0])]
        data[0] = header
        widths = [width * 0.14, width * 0.08, *[width * 0.78 / 8] * 8]
        story.append(layout.table(data, widths, numeric_from=2, extra=extra))
    running = f"{household.name} · {title} · {period_label}"
    return layout.build(story, title=running, running_title=running)


def account_report_pdf(household, period, period_label: str, report, generated_at: datetime, locale: str) -> bytes:
    """Each account's opening balance, money in and out, transfers in and out, balance
    corrections and closing balance, with the household's totals."""
    from finora.services.exports.pdf.fonts import BOLD, TEXT

    width = layout.content_width()
    title = _("Accounts")
    story = layout.title_block(household, title, period_label, generated_at, locale)
    if report.empty:
        story.append(layout.para(_("There are no accounts with movements in this period."), "empty"))
    else:
        money = layout.money
        columns = ["opening", "money_in", "money_out", "transfers_in", "transfers_out", "adjustment", "closing"]
        headers = [_("Opening balance"), _("Money in"), _("Money out"), _("Transfers in"), _("Transfers out"),
                   _("Balance corrections"), _("Closing balance")]
        if not any(line.adjustment for line in report.lines):
            del columns[5], headers[5]
        data = [[_("Account"), *(layout.para(text, "head_right") for text in headers)]]
        for line in report.lines:
            name = line.account.name + (f" ({_('Archived')})" if line.account.archived else "")
            data.append([layout.cell(name, "body", 18), *(money(getattr(line, c), household, locale) for c in columns)])
        data.append([_("Total"), *(money(report.total(c), household, locale) for c in columns)])
        first = width * 0.19
        extra = [("FONT", (0, 0), (0, 0), BOLD, 7, 8.5), ("FONT", (0, 1), (-1, -1), TEXT, 7.5, 9.5),
                 ("FONT", (0, -1), (-1, -1), BOLD, 7.5, 9.5), ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]
        story.append(layout.table(data, [first, *[(width - first) / len(columns)] * len(columns)], numeric_from=1,
                                  extra=extra))
    running = f"{household.name} · {title} · {period_label}"
    return layout.build(story, title=running, running_title=running)
