"""/about (the version, and for the global admin the update check and apply) and the help
pages: every signed-in user, whatever their household role.

Not here: checking and applying (services/updates), the command line (finora/cli_update.py).
"""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("updates", __name__)


@bp.before_request
@login_required
def _signed_in_only():
    return None


from finora.web.updates import help_views, views  # noqa: E402,F401
