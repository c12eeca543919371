"""A report as a file: PDF (the pdf service's report PDFs), CSV and XLSX of the report's own
tables (tables.py). Same period arguments as the page."""

from __future__ import annotations

from flask import Response, abort, request
from flask_babel import get_locale

from finora.dates import now_utc, today
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.web.reports import bp
from finora.web.reports.periods import period_slug, period_title, picked
from finora.web.reports.tables import tables_csv, tables_xlsx

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
PERIOD_KINDS = {
    "month": {"kind": "month"},
    "year": {"kind": "year"},
    "budget": {"allowed": ("month", "year")},
    "accounts": {"allowed": ("month", "year", "range")},
}


def _pdf_builder(tab: str):
    """The pdf service's builder of this report, or None while it has none (no link then)."""
    from finora.web.reports import report_files

    return report_files.PDF_BUILDERS.get(tab, lambda: None)()


def download_links(tab: str, *, pdf: bool | None = None) -> list[tuple[str, str, str]]:
    """The page's download buttons; `pdf` says whether it has a PDF (else: the tab's PDF
    builder does)."""
    links = []
    if (_pdf_builder(tab) is not None) if pdf is None else pdf:
        links.append(("pdf", _("PDF"), "bi-file-earmark-pdf"))
    links.append(("csv", _("CSV"), "bi-filetype-csv"))
    links.append(("xlsx", _("XLSX"), "bi-file-earmark-spreadsheet"))
    return links


def file_stem(tab: str, period) -> str:
    return f"finora-{tab}-{period_slug(period)}"


def download(tab: str, fmt: str):
    from finora.web.reports import report_files

    household = require_household()
    day = today(household)
    period = picked(request.args, household, day, **PERIOD_KINDS[tab])
    locale = str(get_locale())
    report = report_files.build(tab, household, period, day)
    if fmt == "pdf":
        builder = _pdf_builder(tab)
        if builder is None:
            abort(404)
        body = builder(household, period, period_title(period), report, now_utc(), locale)
    else:
        tables = report_files.TABLES[tab](report, household)
        if fmt == "csv":
            body = tables_csv(tables, locale)
        else:
            from finora.services.exports.xlsx_export import currency_format

            body = tables_xlsx(tables, currency_format(household.currency, locale))
    return file_response(body, fmt, file_stem(tab, period))


def file_response(body: bytes, fmt: str, stem: str) -> Response:
    """A report file as an attachment named `stem`.`fmt`, never cached."""
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response




# One endpoint and one plain URL per report and format (/reports/month.pdf → reports.month_pdf):
# no URL argument, and a file name's extension, as the file it answers with.
def _route(tab: str, fmt: str):
    def view():
        return download(tab, fmt)

    view.__name__ = f"{tab}_{fmt}"
    bp.add_url_rule(f"/{tab}.{fmt}", view.__name__, view, methods=["GET"])


for _tab in PERIOD_KINDS:
    for _fmt in MIMETYPES:
        _route(_tab, _fmt)
