"""The household's own pages (settings, members): owners only, enforced by the role guard."""

from flask import Blueprint
from flask_login import login_required

from finora.web.permissions import init_permissions

bp = Blueprint("household", __name__)


@bp.record_once
def _install(state):
    # The role guard covers every household blueprint, so it is installed on the app once;
    # invitations are opened by visitors, so they live on their own blueprint.
    from finora.web.household.invitations import bp as invitations_bp

    init_permissions(state.app)
    state.app.register_blueprint(invitations_bp)


@bp.before_request
@login_required
def _members_only():
    # Owners only: finora.web.permissions refuses editors and viewers (OWNER_ONLY_BLUEPRINTS).
    return None


from finora.web.household import activity, members, views  # noqa: E402,F401
