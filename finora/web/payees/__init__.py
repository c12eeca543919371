"""The household's payees: list them with their entry counts, rename, merge two into one."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("payees", __name__)


@bp.before_request
@login_required
def _members_only():
    # Roles are enforced for every household page by finora/web/permissions.py.
    return None


from finora.web.payees import views  # noqa: E402,F401
