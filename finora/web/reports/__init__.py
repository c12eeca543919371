"""Reports: the month, the year, budgets against actual, accounts and net worth, on screen and as
PDF, CSV and XLSX downloads. Every member reads them, viewers included."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("reports", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


from finora.web.reports import downloads, net_worth, views  # noqa: E402,F401
