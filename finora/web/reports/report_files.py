"""What each report's download is made of: the report's figures (the same call as its page),
its tables for the CSV and the XLSX, and the pdf service's builder for its PDF."""

from __future__ import annotations

from finora.extensions import db
from finora.translation import gettext as _
from finora.web.reports.tables import Rate, ReportTable


def build(tab: str, household, period, day):
    if tab == "month":
        from finora.services.reports.month_report import month_report

        return month_report(db.session, household, period.year, period.month, day)
    if tab == "year":
        from finora.services.reports.year_report import year_report

        return year_report(db.session, household, period.year, day)
    if tab == "budget":
        from finora.services.reports.budget_report import budget_report

        return budget_report(db.session, household, period.kind, period.year, period.month, day)
    from finora.services.reports.account_report import account_report

    return account_report(db.session, household, period.start, period.end)


def _rate(value):
    return None if value is None else Rate(value)


def _pdf(name: str):
    """The pdf service's builder `name` of finora.services.exports.pdf.report_pdf, or None
    while it does not exist."""

    def find():
        try:
            from finora.services.exports.pdf import report_pdf
        except ImportError:
            return None
        return getattr(report_pdf, name, None)

    return find


PDF_BUILDERS = {
    "month": _pdf("month_report_pdf"),
    "year": _pdf("year_report_pdf"),
    "budget": _pdf("budget_report_pdf"),
    "accounts": _pdf("account_report_pdf"),
}


def _totals_table(title: str, totals) -> ReportTable:
    return ReportTable(
        title,
        [_("Income"), _("Expenses"), _("Net savings"), _("Savings rate"), _("Entries")],
        [[totals.income, totals.expense, totals.net, _rate(totals.savings_rate), totals.count]],
    )


def _category_table(title: str, lines) -> ReportTable:
    table = ReportTable(title, [_("Category"), _("Subcategory"), _("Amount")])
    for line in lines:
        table.rows.append([line.label, "", line.total])
        for sub in line.subcategories:
            table.rows.append([line.label, sub.label, sub.total])
    return table


def month_tables(report, household) -> list[ReportTable]:
    comparison = ReportTable(
        _("Compared with other months"),
        [_("Month"), _("Income"), _("Expenses"), _("Net"),
         _("Income difference"), _("Expenses difference"), _("Net difference")],
    )
    comparison.rows.append([f"{report.year:04d}-{report.month:02d}", report.totals.income,
                            report.totals.expense, report.totals.net, None, None, None])
    for other in (report.previous, report.last_year):
        comparison.rows.append([
            f"{other.year:04d}-{other.month:02d}", other.totals.income, other.totals.expense,
            other.totals.net, other.income.difference, other.expense.difference, other.net.difference,
        ])
    days = ReportTable(_("Spending, day by day"), [_("Date"), _("Spent that day"), _("Spent so far")])
    days.rows = [[d.day, d.expense, d.cumulative] for d in report.timeline]
    return [
        _totals_table(_("Totals"), report.totals),
        _category_table(_("Expenses by category"), report.expense_categories),
        _category_table(_("Income by category"), report.income_categories),
        days,
        comparison,
    ]


def year_tables(report, household) -> list[ReportTable]:
    months = ReportTable(_("Month by month"), [_("Month"), _("Income"), _("Expenses"), _("Net")])
    months.rows = [[f"{report.year:04d}-{m.month:02d}", m.income, m.expense, m.net] for m in report.months]
    months.rows.append([_("Total"), report.totals.income, report.totals.expense, report.totals.net])
    heat = ReportTable(
        _("Expenses by category and month"),
        [_("Category"), *(f"{report.year:04d}-{m:02d}" for m in range(1, 13)), _("Total")],
    )
    heat.rows = [[row.label, *row.months, row.total] for row in report.heat]
    largest = []
    for title, entries in ((_("Largest expenses"), report.largest_expenses),
                           (_("Largest income"), report.largest_incomes)):
        table = ReportTable(title, [_("Date"), _("Description"), _("Category"), _("Amount")])
        table.rows = [[e.date, e.description, e.category.label, e.amount] for e in entries]
        largest.append(table)
    return [_totals_table(_("Totals"), report.totals), months, heat, *largest]


def budget_tables(report, household) -> list[ReportTable]:
    table = ReportTable(
        _("Budget against actual"),
        [_("Budget"), _("Repeats"), _("Budgeted"), _("Carried over"), _("Available"), _("Actual"),
         _("Remaining"), _("Used"), _("Still planned by recurring rules"),
         _("Projected at the end of the period"), _("Projected use")],
    )
    repeats = {"monthly": _("Monthly"), "yearly": _("Yearly")}
    # "Carried over" is empty for a budget without rollover; "Used" is empty when nothing
    # was available (a rollover budget overspent in earlier periods).
    table.rows = [
        [line.label, repeats.get(line.period, line.period), line.budgeted,
         line.carried if line.rollover else None, line.available, line.actual, line.remaining,
         _rate(line.usage.fraction), line.still_planned, line.projected, _rate(line.projected_usage.fraction)]
        for line in report.lines
    ]
    return [table]


ACCOUNT_COLUMNS = ("opening", "money_in", "money_out", "transfers_in", "transfers_out", "adjustment", "closing")


def account_headers() -> list[str]:
    return [_("Opening balance"), _("Money in"), _("Money out"), _("Transfers in"), _("Transfers out"),
            _("Balance corrections"), _("Closing balance")]


def account_tables(report, household) -> list[ReportTable]:
    table = ReportTable(_("Accounts"), [_("Account"), *account_headers()])
    table.rows = [[line.account.name, *(getattr(line, c) for c in ACCOUNT_COLUMNS)] for line in report.lines]
    table.rows.append([_("Total"), *(report.total(c) for c in ACCOUNT_COLUMNS)])
    return [table]


TABLES = {"month": month_tables, "year": year_tables, "budget": budget_tables, "accounts": account_tables}
