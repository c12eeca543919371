"""The net worth report: its page and its PDF, CSV and XLSX downloads, all from
finora.services.reports.net_worth (from=YYYY-MM, to=YYYY-MM, default the last 12 months)."""

from __future__ import annotations

from datetime import date

from flask import render_template, request, url_for
from flask_babel import format_date, get_locale

from finora.dates import now_utc, today
from finora.extensions import db
from finora.services.reports.net_worth import NetWorthReport, net_worth_report, parse_month
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.web.reports import bp
from finora.web.reports.downloads import MIMETYPES, download_links, file_response
from finora.web.reports.tables import ReportTable, tables_csv, tables_xlsx

TAB = "net_worth"


def _report(household) -> NetWorthReport:
    first = parse_month(request.args.get("from"), "from")
    last = parse_month(request.args.get("to"), "to")
    return net_worth_report(db.session, household, today(household), first, last)


def _month_title(year: int, month: int, width: str = "MMMM y") -> str:
    return format_date(date(year, month, 1), width).capitalize()


def range_title(report: NetWorthReport) -> str:
    return f"{_month_title(*report.first)} – {_month_title(*report.last)}"


def _ym(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def _query(report: NetWorthReport) -> dict:
    return {"from": _ym(report.first), "to": _ym(report.last)}


def net_worth_tables(report: NetWorthReport) -> list[ReportTable]:
    table = ReportTable(_("Net worth"), [_("Month"), _("Assets"), _("Liabilities"), _("Net worth"),
                                         _("Change from the month before")])
    table.rows = [[m.label, m.assets, m.liabilities, m.net, m.change] for m in report.months]
    return [table]


@bp.get("/net-worth")
def net_worth():
    from finora.web.reports.charts import net_worth_chart

    household = require_household()
    report = _report(household)
    names = [_month_title(m.year, m.month, "MMM y") for m in report.months]
    return render_template(
        "reports/net_worth.html", tab=TAB, report=report, period_title=range_title(report),
        previous=None, following=None, downloads=download_links(TAB, pdf=True), query=_query(report),
        month_names=names, household=household, today=today(household),
        chart=None if report.empty else net_worth_chart(report.months, household.currency, names),
        month_url=lambda m: url_for("reports.month", year=m.year, month=m.month),
    )


def download(fmt: str):
    household = require_household()
    report = _report(household)
    locale = str(get_locale())
    if fmt == "pdf":
        from finora.services.exports.pdf.net_worth_pdf import net_worth_pdf

        body = net_worth_pdf(household, range_title(report), report, now_utc(), locale)
    elif fmt == "csv":
        body = tables_csv(net_worth_tables(report), locale)
    else:
        from finora.services.exports.xlsx_export import currency_format

        body = tables_xlsx(net_worth_tables(report), currency_format(household.currency, locale))
    return file_response(body, fmt, f"finora-net-worth-{_ym(report.first)}_{_ym(report.last)}")


def _route(fmt: str):
    def view():
        return download(fmt)

    view.__name__ = f"{TAB}_{fmt}"
    bp.add_url_rule(f"/net-worth.{fmt}", view.__name__, view, methods=["GET"])


for _fmt in MIMETYPES:
    _route(_fmt)
