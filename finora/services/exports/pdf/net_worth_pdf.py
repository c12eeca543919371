"""The net worth report as a PDF: the month-by-month table of
finora.services.reports.net_worth (assets, liabilities, net worth, change), laid out only."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date

from finora.services.exports.pdf import layout
from finora.translation import gettext as _


def net_worth_pdf(household, period_label: str, report, generated_at: datetime, locale: str) -> bytes:
    """One row per month (oldest first), as the page's table."""
    width = layout.content_width()
    title = _("Net worth")
    story = layout.title_block(household, title, period_label, generated_at, locale)
    if report.empty:
        story.append(layout.para(_("No account was open in these months.") if report.accounts
                                 else _("No accounts yet."), "empty"))
    else:
        def money(amount):
            return layout.money(amount, household, locale)

        def signed(amount):
            if amount is None:
                return "—"
            return ("+" if amount > 0 else "") + money(amount)

        data = [[_("Month"), _("Assets"), _("Liabilities"), _("Net worth"), _("Change from the month before")]]
        for m in report.months:
            data.append([format_date(date(m.year, m.month, 1), "MMMM yyyy", locale=locale).capitalize(),
                         money(m.assets), money(m.liabilities), money(m.net), signed(m.change)])
        first = width * 0.24
        story.append(layout.table(data, [first, *[(width - first) / 4] * 4], numeric_from=1))
    running = f"{household.name} · {title} · {period_label}"
    return layout.build(story, title=running, running_title=running)
