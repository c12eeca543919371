"""Export: the household's entries of a period, with the dashboard table's filters, as CSV
(streamed), XLSX, TXT or PDF. Every member may take the figures out, viewers included."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("exports", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


from finora.web.exports import views  # noqa: E402,F401
