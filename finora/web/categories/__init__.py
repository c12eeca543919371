"""The household's category catalogue: add, rename, archive and restore categories."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("categories", __name__)


@bp.before_request
@login_required
def _members_only():
    # Any member may edit for now; viewer/editor roles arrive with the roles issue.
    return None


from finora.web.categories import views  # noqa: E402,F401
