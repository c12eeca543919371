"""The export page (a form over the period, the filters and the format) and the download."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import Response, current_app, render_template, request, stream_with_context
from flask_babel import format_decimal, get_locale
from werkzeug.datastructures import MultiDict

from finora.dates import now_utc, today
from finora.errors import FinoraError
from finora.extensions import db
from finora.services.ledger.accounts import list_accounts
from finora.services.ledger.catalogue import category_tree
from finora.services.ledger.entry_list import EntryFilters
from finora.services.ledger.payees import list_payees
from finora.services.ledger.tags import list_tags
from finora.services.reports.periods import parse_period
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.converters import parse_id, parse_int
from finora.web.exports import bp
from finora.web.exports.filters import read_filters
from finora.web.labels import STATUS_FILTERS, TRANSACTION_KINDS
from finora.web.reports.periods import period_slug, period_title

FORMATS = {
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "txt": ("TXT", "text/plain; charset=utf-8"),
    "pdf": ("PDF", "application/pdf"),
}
STYLES = {
    "locale": _l("Numbers and dates in your language"),
    "plain": _l("Plain: ISO dates and a dot for decimals (for programs)"),
}
PERIODS = {
    "this_month": _l("This month"),
    "month": _l("A month"),
    "year": _l("A year"),
    "range": _l("A date range"),
    "all": _l("Everything"),
}


class ExportChoiceError(FinoraError):
    message = _l("Choose a format and a style from the list.")


def check_pdf_size(household, period, filters, day) -> None:
    """A PDF is laid out whole in memory (about 3 s per 10,000 entries): beyond
    EXPORT_PDF_MAX_ENTRIES the reader is sent to CSV or XLSX, or a shorter period."""
    from finora.services.reports.totals import period_totals

    limit = current_app.config["EXPORT_PDF_MAX_ENTRIES"]
    count = period_totals(db.session, household, period.start, period.end, filters, today=day).count
    if count > limit:
        raise FinoraError(
            _(
                "A PDF holds at most %(limit)s entries and this period has %(count)s: choose a "
                "shorter period, or CSV or XLSX for all of them.",
                limit=format_decimal(limit), count=format_decimal(count),
            )
        )


def period_args(args: Mapping[str, str], day: date) -> MultiDict:
    """The query the period parser reads: "this month" is the month of today, and the
    month picker's "YYYY-MM" gives year and month."""
    wanted = MultiDict(args)
    choice = wanted.get("period", "this_month") or "this_month"
    if choice == "this_month":
        wanted["period"], wanted["year"], wanted["month"] = "month", str(day.year), str(day.month)
    elif choice == "month" and "-" in wanted.get("ym", ""):
        year, _sep, month = wanted["ym"].partition("-")
        wanted["year"], wanted["month"] = year, month
    return wanted


def file_name(period, extension: str) -> str:
    """finora-2026-03.csv, finora-2026.xlsx, finora-2026-01-01_2026-03-31.pdf, finora-all.txt."""
    return f"finora-{period_slug(period)}.{extension}"


def _month_value(args: Mapping[str, str], day: date) -> str:
    """The month picker's value: as sent, else from year= and month=, else this month."""
    if args.get("ym"):
        return args["ym"]
    year = parse_int(args.get("year"), minimum=1, maximum=9999)
    month = parse_int(args.get("month"), minimum=1, maximum=12)
    if year is None or month is None:
        return f"{day:%Y-%m}"
    return f"{year:04d}-{month:02d}"


def _form(status: int = 200, error: FinoraError | None = None):
    household = require_household()
    day = today(household)
    args = request.args
    return render_template(
        "exports/index.html",
        household=household,
        today=day,
        args=args,
        period_choice=args.get("period", "this_month") or "this_month",
        ym=_month_value(args, day),
        error=error,
        error_field=getattr(error, "field", None),
        accounts=list_accounts(db.session, household),
        expense_tree=category_tree(db.session, household, "expense", include_archived=True),
        income_tree=category_tree(db.session, household, "income", include_archived=True),
        tags=list_tags(db.session, household),
        payees=list_payees(db.session, household),
        filters=_prefill_filters(args),
        kind_labels=TRANSACTION_KINDS,
        status_filter_labels=STATUS_FILTERS,
        formats=FORMATS,
        styles=STYLES,
        periods=PERIODS,
    ), status


def _prefill_filters(args) -> EntryFilters:
    """The filters as typed, for drawing the form again (never checked here)."""
    return EntryFilters(
        kind=args.get("kind", ""),
        status=args.get("status", ""),
        account_id=parse_id(args.get("account")),
        category_id=parse_id(args.get("category")),
        payment_method=args.get("method", ""),
        search=args.get("q", "")[:100],
        tag_id=parse_id(args.get("tag")),
        payee_id=parse_id(args.get("payee")),
    )


@bp.get("/")
def index():
    return _form()


@bp.get("/download")
def download():
    household = require_household()
    day = today(household)
    try:
        period = parse_period(period_args(request.args, day), household, day)
        filters = read_filters(request.args)
        fmt = request.args.get("format", "csv") or "csv"
        style = request.args.get("style", "locale") or "locale"
        if fmt not in FORMATS or style not in STYLES:
            raise ExportChoiceError()
        if fmt == "pdf":
            check_pdf_size(household, period, filters, day)
    except FinoraError as error:
        db.session.rollback()
        return _form(400, error)
    locale = str(get_locale())
    mimetype = FORMATS[fmt][1]
    if fmt == "csv":
        body = stream_with_context(_csv(household, period, filters, style, day, locale))
    else:
        body = _build(fmt, household, period, filters, day, locale)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(period, fmt)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _csv(household, period, filters, style, day, locale):
    from finora.services.exports.csv_export import csv_chunks
    from finora.services.exports.entry_rows import export_rows

    rows = export_rows(db.session, household, period.start, period.end, filters, today=day, locale=locale)
    yield from csv_chunks(rows, style, locale)


def _build(fmt, household, period, filters, day, locale) -> bytes:
    """XLSX, TXT and PDF are built whole in memory (their libraries need every row)."""
    from finora.services.exports.entry_rows import export_rows
    from finora.services.reports.totals import category_breakdown, period_totals

    rows = export_rows(db.session, household, period.start, period.end, filters, today=day, locale=locale)
    totals = period_totals(db.session, household, period.start, period.end, filters, today=day)
    label = period_title(period)
    if fmt == "txt":
        from finora.services.exports.txt_export import entries_txt

        return entries_txt(household, label, rows, totals, now_utc(), locale).encode("utf-8")
    categories = category_breakdown(db.session, household, period.start, period.end, filters, today=day)
    if fmt == "xlsx":
        from finora.services.exports.xlsx_export import entries_xlsx

        return entries_xlsx(household, label, rows, categories, locale, totals=totals)
    from finora.services.exports.pdf.entries_pdf import entries_pdf

    return entries_pdf(household, label, rows, totals, categories, now_utc(), locale)
