"""Categorisation rules: list them in order, add, edit, move, delete, preview and apply one
to past entries (services/ledger/categorisation.py)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("categorisation_rules", __name__)


@bp.before_request
@login_required
def _members_only():
    # Roles are enforced for every household page by finora/web/permissions.py.
    return None


from finora.web.categorisation_rules import views  # noqa: E402,F401
